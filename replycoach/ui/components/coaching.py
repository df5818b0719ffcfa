"""HTML for the feedback a trainee can act on: how the overall came about, "try this next", the suggested rewrite
as a word diff. Every piece of reply or case text is escaped; the sentences are whole (ready for translation).
"""

from __future__ import annotations

from collections.abc import Callable

from replycoach.coaching import NextStep, OverallExplanation
from replycoach.i18n import N_
from replycoach.ui.components.evidence import LOST
from replycoach.ui.components.text import esc
from replycoach.ui.i18n import _, tip_text

_BOX = "font-family:system-ui,sans-serif;border-radius:8px;padding:10px 12px;line-height:1.5"


def caps_html(explanation: OverallExplanation, title_of: Callable[[str], str]) -> str:
    """One line per cap: the limit, the reason, the principle and the reply's words that triggered it."""
    rows = []
    for cap in explanation.caps:
        words = "".join(
            f' <mark class="rc-cap-words" style="background:{LOST};border-radius:3px;padding:0 2px">{esc(w)}</mark>'
            for w in cap.words
        )
        rows.append(
            f'<div class="rc-cap" data-principle="{esc(cap.principle)}">'
            f"<strong>{esc(_('The overall was capped at {limit}.').format(limit=f'{cap.limit:.0f}'))}</strong> "
            + esc(_("Reason: {reason} ({principle}).").format(reason=cap.reason, principle=title_of(cap.principle)))
            + (" " + esc(_("The words that triggered it:")) + words if words else "")
            + "</div>"
        )
    return f'<div class="rc-caps" style="{_BOX};background:#fdecea;border:1px solid #f5c2c0">{"".join(rows)}</div>'


#: The labels of the grader's breakdown parts that are not a principle or a cap (grading/model/scoring.py),
#: marked here so the catalogues translate them; a test checks the grader's labels are all here.
BREAKDOWN_LABELS = (
    N_("base"),
    N_("answered after the target time"),
    N_("kept within 0-100"),
    N_("like the case's graded example replies"),
    N_("like graded replies across the casebook"),
    N_("tone"),
    N_("an accepted way to handle this comment"),
    N_("a complaint without a case file"),
)


def part_label(label: str, principle: str | None, title_of: Callable[[str], str]) -> str:
    if principle and label == principle:
        return title_of(principle)
    if principle and label.startswith("capped at"):
        return _("Capped for a severe fault: {principle}").format(principle=title_of(principle))
    if principle == "timing":
        return _("answered after the target time")
    return _(label)


def _not_applicable(explanation: OverallExplanation, title_of: Callable[[str], str]) -> list[str]:
    if not explanation.not_applicable:
        return []
    names = ", ".join(title_of(p) for p in explanation.not_applicable)
    return [_("These principles do not apply to this case or reply and are left out: {names}.").format(names=names)]


def _with_paragraphs(table: str, lines: list[str]) -> str:
    text = "".join(f'<p style="margin:6px 0">{esc(line)}</p>' for line in lines)
    return f'<div style="font-family:system-ui,sans-serif">{table}{text}</div>'


def breakdown_html(explanation: OverallExplanation, title_of: Callable[[str], str]) -> str:
    """The parts the grader's model added up to the overall (version 2 grades), largest first, then the sum."""
    rows = "".join(
        f'<tr class="rc-part" data-principle="{esc(line.principle or "")}">'
        f"<td>{esc(part_label(line.label, line.principle, title_of))}</td>"
        f'<td style="text-align:right">{line.points:+.1f}</td></tr>'
        for line in sorted(explanation.parts, key=lambda line: (line.label != "base", -abs(line.points)))
    )
    total = sum(line.points for line in explanation.parts)
    table = (
        '<table class="rc-breakdown" style="border-collapse:collapse;font-family:system-ui,sans-serif;width:100%">'
        f'<thead><tr style="color:#555;text-align:left"><th>{esc(_("Part"))}</th>'
        f'<th style="text-align:right">{esc(_("Points"))}</th></tr></thead><tbody>{rows}</tbody>'
        f'<tfoot><tr style="font-weight:600"><td>{esc(_("Overall"))}</td>'
        f'<td style="text-align:right" class="rc-breakdown-total">{total:.1f}</td></tr></tfoot></table>'
    )
    lines = [
        _(
            "The grader's model adds these parts up. A principle's part grows with its score and its weight in "
            "this case; the likeness to replies coaches graded and the tone count too. Nothing here takes points "
            "away except a late answer and a cap."
        )
    ]
    lines += _not_applicable(explanation, title_of)
    lines.append(_("The machine's overall: {overall}.").format(overall=f"{explanation.overall:.0f}"))
    return _with_paragraphs(table, lines)


def explanation_html(explanation: OverallExplanation, title_of: Callable[[str], str]) -> str:
    """How the overall was reached: the grader's own breakdown where the grade has one (version 2), else the
    weights table (each principle's share of 100 points and what it earned), then how the weighted
    points became the overall."""
    if explanation.parts:
        return breakdown_html(explanation, title_of)
    rows = "".join(
        f'<tr class="rc-share" data-principle="{esc(s.principle)}"><td>{esc(title_of(s.principle))}</td>'
        f'<td style="text-align:right">{s.share:.1f}</td><td style="text-align:right">{100 * s.score:.0f}</td>'
        f'<td style="text-align:right">{s.points:.1f}</td></tr>'
        for s in explanation.shares
    )
    table = (
        '<table class="rc-explain" style="border-collapse:collapse;font-family:system-ui,sans-serif;width:100%">'
        f'<thead><tr style="color:#555;text-align:left"><th>{esc(_("Principle"))}</th><th style="text-align:right">'
        f'{esc(_("Weight (points of 100)"))}</th><th style="text-align:right">{esc(_("Score"))}</th>'
        f'<th style="text-align:right">{esc(_("Points earned"))}</th>'
        f"</tr></thead><tbody>{rows}</tbody>"
        f'<tfoot><tr style="font-weight:600"><td>{esc(_("Weighted points"))}</td><td style="text-align:right">100</td>'
        "<td></td>"
        f'<td style="text-align:right" class="rc-weighted-points">{explanation.weighted_points:.1f}</td></tr></tfoot>'
        "</table>"
    )
    lines = [
        _(
            "Each principle that applies counts with its weight. The weights of those that apply add up to 100 "
            "points, and each principle earns its points in proportion to its score."
        )
    ]
    lines += _not_applicable(explanation, title_of)
    if explanation.stretched is not None and round(explanation.stretched) != round(explanation.weighted_points):
        lines.append(
            _(
                "The grader stretches the weighted points so that strong and weak replies stand further apart: "
                "{points} points become an overall of {overall}."
            ).format(points=f"{explanation.weighted_points:.1f}", overall=f"{explanation.stretched:.0f}")
        )
    for cap in explanation.caps:
        lines.append(
            _("A severe fault then capped the overall at {limit} ({principle}).").format(
                limit=f"{cap.limit:.0f}", principle=title_of(cap.principle)
            )
        )
    lines.append(_("The machine's overall: {overall}.").format(overall=f"{explanation.overall:.0f}"))
    return _with_paragraphs(table, lines)


def next_steps_html(steps: list[NextStep], title_of: Callable[[str], str], reply_language: str | None = None) -> str:
    """ "Try this next": the one or two changes that raise the grade most (a grader's tip in the language of
    the reply, ``reply_language``)."""
    items = "".join(
        f'<li class="rc-step" data-principle="{esc(step.principle)}"><strong>{esc(title_of(step.principle))}.</strong> '
        f"{esc(action_text(step.action, reply_language))} "
        + (
            f'<span style="color:#555">{esc(_("This held the overall at {limit}.").format(limit=f"{step.cap:.0f}"))}'
            "</span>"
            if step.cap is not None
            else f'<span style="color:#555">{esc(_("Worth up to {points} points.").format(points=f"{step.points:.0f}"))}'
            "</span>"
        )
        + "</li>"
        for step in steps
    )
    return (
        f'<div class="rc-next-steps" style="{_BOX};background:#eef6ee;border:1px solid #cfe6cf">'
        f'<ol style="margin:0;padding-left:1.3em">{items}</ol></div>'
    )


def action_text(action: str, reply_language: str | None) -> str:
    """A step's action: one of the coaching's own sentences in the interface's language, or a grader's tip."""
    translated = _(action)
    return translated if translated != action else tip_text(action, reply_language)


def diff_html(ops: list[tuple[str, str]]) -> str:
    """A word diff: removed words struck through in red, added words underlined in green."""
    pieces = []
    for op, text in ops:
        if op == "delete":
            pieces.append(f'<del class="rc-del" style="background:#ffd7d5;color:#82071e">{esc(text)}</del>')
        elif op == "insert":
            pieces.append(f'<ins class="rc-ins" style="background:#ccffd8;color:#055d20">{esc(text)}</ins>')
        else:
            pieces.append(esc(text))
    return (
        f'<div class="rc-diff" style="{_BOX};white-space:pre-wrap;word-wrap:break-word;border:1px solid #e0e0e0">'
        f"{''.join(pieces)}</div>"
    )
