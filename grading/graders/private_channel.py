"""Private channel: moves the details to DM/e-mail when the handling calls for it."""

from __future__ import annotations

import re

from grading.context import GradingContext
from grading.graders._common import evidence, result
from grading.result import Evidence, PrincipleGrade

PRIVATE_HANDLINGS = frozenset({"public_then_private", "hide_and_contact_privately"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


class PrivateChannelGrader:
    name = "rules.private_channel"
    principle = "private_channel"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        called_for = ctx.handling in PRIVATE_HANDLINGS or ctx.case.expected_handling in PRIVATE_HANDLINGS
        found = list(evidence(ctx.find("private")))
        found += [Evidence(m.start(), m.end(), "+", "e-mail address") for m in _EMAIL.finditer(ctx.reply)]
        if not called_for and not found:  # not needed here; moving to private anyway is fine, so it counts then
            return result(ctx, self.principle, self.name, None)
        tip = "Move the details out of public view: ask the customer to send their order number by direct message or e-mail."
        return result(ctx, self.principle, self.name, 1.0 if found else 0.0, found, tip)
