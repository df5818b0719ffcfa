"""HTML for the feedback a trainee can act on: how the overall came about, "try this next", the suggested rewrite
as a word diff. Every piece of reply or case text is escaped; the sentences are whole (ready for translation).
"""

from __future__ import annotations

from collections.abc import Callable

from replycoach.coaching import NextStep, OverallExplanation
from replycoach.ui.components.evidence import LOST
from replycoach.ui.components.text import esc

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
            f"<strong>The overall was capped at {cap.limit:.0f}.</strong> "
            f"Reason: {esc(cap.reason)} ({esc(title_of(cap.principle))})."
            + (f" The words that triggered it:{words}" if words else "")
            + "</div>"
        )
    return f'<div class="rc-caps" style="{_BOX};background:#fdecea;border:1px solid #f5c2c0">{"".join(rows)}</div>'


def explanation_html(explanation: OverallExplanation, title_of: Callable[[str], str]) -> str:
    """The weights table (each principle's share of 100 points and what it earned), then how the weighted
    points became the overall."""
    rows = "".join(
        f'<tr class="rc-share" data-principle="{esc(s.principle)}"><td>{esc(title_of(s.principle))}</td>'
        f'<td style="text-align:right">{s.share:.1f}</td><td style="text-align:right">{100 * s.score:.0f}</td>'
        f'<td style="text-align:right">{s.points:.1f}</td></tr>'
        for s in explanation.shares
    )
    table = (
        '<table class="rc-explain" style="border-collapse:collapse;font-family:system-ui,sans-serif;width:100%">'
        '<thead><tr style="color:#555;text-align:left"><th>Principle</th><th style="text-align:right">Weight '
        '(points of 100)</th><th style="text-align:right">Score</th><th style="text-align:right">Points earned</th>'
        f"</tr></thead><tbody>{rows}</tbody>"
        f'<tfoot><tr style="font-weight:600"><td>Weighted points</td><td style="text-align:right">100</td><td></td>'
        f'<td style="text-align:right" class="rc-weighted-points">{explanation.weighted_points:.1f}</td></tr></tfoot>'
        "</table>"
    )
    lines = [
        "Each principle that applies counts with its weight. The weights of those that apply add up to 100 "
        "points, and each principle earns its points in proportion to its score."
    ]
    if explanation.not_applicable:
        names = ", ".join(title_of(p) for p in explanation.not_applicable)
        lines.append(f"These principles do not apply to this case or reply and are left out: {esc(names)}.")
    if explanation.stretched is not None and round(explanation.stretched) != round(explanation.weighted_points):
        lines.append(
            f"The grader stretches the weighted points so that strong and weak replies stand further apart: "
            f"{explanation.weighted_points:.1f} points become an overall of {explanation.stretched:.0f}."
        )
    for cap in explanation.caps:
        lines.append(f"A severe fault then capped the overall at {cap.limit:.0f} ({esc(title_of(cap.principle))}).")
    lines.append(f"The machine's overall: {explanation.overall:.0f}.")
    text = "".join(f'<p style="margin:6px 0">{line}</p>' for line in lines)
    return f'<div style="font-family:system-ui,sans-serif">{table}{text}</div>'


def next_steps_html(steps: list[NextStep], title_of: Callable[[str], str]) -> str:
    """ "Try this next": the one or two changes that raise the grade most."""
    items = "".join(
        f'<li class="rc-step" data-principle="{esc(step.principle)}"><strong>{esc(title_of(step.principle))}.</strong> '
        f"{esc(step.action)} "
        + (
            f'<span style="color:#555">This held the overall at {step.cap:.0f}.</span>'
            if step.cap is not None
            else f'<span style="color:#555">Worth up to {step.points:.0f} points.</span>'
        )
        + "</li>"
        for step in steps
    )
    return (
        f'<div class="rc-next-steps" style="{_BOX};background:#eef6ee;border:1px solid #cfe6cf">'
        f'<ol style="margin:0;padding-left:1.3em">{items}</ol></div>'
    )


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
