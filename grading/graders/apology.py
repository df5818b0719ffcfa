"""Apology: sincere where the company is at fault; not "sorry you feel that way", not grovelling."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.features.lexicon import Match
from grading.graders._common import evidence, result
from grading.result import PrincipleGrade

#: More apologies than this in one reply reads as grovelling (seed 000: no grovelling).
MAX_APOLOGIES = 2


class ApologyGrader:
    name = "rules.apology"
    principle = "apology"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        found = ctx.find("apology")
        if not ctx.case.company_at_fault:
            # Nothing went wrong: no apology is owed, but grovelling or a non-apology still loses the point.
            wrong = [m for m in found if m.polarity == "-"]
            sincere = [m for m in found if m.group == "apology"]
            if len(sincere) > MAX_APOLOGIES:  # apologising over and over where nothing went wrong is grovelling
                wrong += [
                    Match(
                        m.group,
                        "-",
                        "too many apologies (grovelling)",
                        m.start,
                        m.end,
                        m.first_token,
                        m.last_token,
                        m.cue,
                    )
                    for m in sincere
                ]
            if not wrong:
                return result(ctx, self.principle, self.name, None)
            tip = 'Nothing went wrong here, so no apology is owed; grovelling or "sorry you feel that way" only hurts.'
            return result(ctx, self.principle, self.name, 0.0, evidence(wrong), tip)
        sincere = [m for m in found if m.group == "apology"]
        non_apology = [m for m in found if m.group == "non_apology"]
        grovel = [m for m in found if m.group == "grovelling"]
        spans = list(evidence(found))
        if len(sincere) > MAX_APOLOGIES:
            spans += evidence(sincere[MAX_APOLOGIES:], "too many apologies (grovelling)")
            spans = [e for e in spans if not (e.polarity == "+" and e.start >= sincere[MAX_APOLOGIES].start)]
        if non_apology:
            rule = 0.1 if not sincere else 0.35
            tip = (
                'Say sorry for what went wrong, not for how the customer feels: "sorry you feel that way" blames them.'
            )
        elif not sincere:
            rule = 0.0
            tip = "Apologise plainly for what went wrong in this case; the company is at fault here."
        elif grovel or len(sincere) > MAX_APOLOGIES:
            rule = 0.5
            tip = "Apologise once, sincerely, then move to the solution; repeated apologies sound like grovelling."
        else:
            rule = 1.0
            tip = None
        score = ctx.blend(self.principle, rule)
        if non_apology or grovel:  # the semantic signals never lift a non-apology over the tip line
            score = min(score, 0.5)
        return result(ctx, self.principle, self.name, score, spans, tip)
