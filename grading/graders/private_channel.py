"""Private channel: moves the details to DM/e-mail when the handling calls for it."""

from __future__ import annotations

import re

from grading.features.context import GradingContext
from grading.graders._common import evidence, result
from grading.result import Evidence, PrincipleGrade

PRIVATE_HANDLINGS = frozenset({"public_then_private", "hide_and_contact_privately"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


class PrivateChannelGrader:
    name = "rules.private_channel"
    principle = "private_channel"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if ctx.case.already_private:  # a second turn after the customer wrote in private: nothing to move
            return result(ctx, self.principle, self.name, None)
        called_for = ctx.handling in PRIVATE_HANDLINGS or ctx.case.expected_handling in PRIVATE_HANDLINGS
        matches = ctx.find("private")
        found = list(evidence(matches))
        found += [Evidence(m.start(), m.end(), "+", "e-mail address") for m in _EMAIL.finditer(ctx.reply)]
        if not called_for and not found:  # not needed here; moving to private anyway is fine, so it counts then
            return result(ctx, self.principle, self.name, None)
        # Asking for a phone number or an address "here in the comments" is the opposite of a private channel.
        in_public = any(m.polarity == "-" for m in matches)
        moved = any(e.polarity == "+" for e in found)
        tip = "Move the details out of public view: ask the customer to send their order number by direct message or e-mail."
        return result(ctx, self.principle, self.name, 1.0 if moved and not in_public else 0.0, found, tip)
