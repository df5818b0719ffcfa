"""Score bars: the overall score and one bar per principle (N/A and grader errors shown as such). Every score
is shown on one scale, 0-100."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from replycoach.i18n import N_
from replycoach.ui.components.text import esc
from replycoach.ui.i18n import _

MACHINE_SCORE = N_("the machine's score")


def colour_for(fraction: float) -> str:
    return "#2e7d32" if fraction >= 0.7 else "#ef8f00" if fraction >= 0.4 else "#c62828"


def principle_bars_html(
    grade_json: Mapping,
    title_of: Callable[[str], str] = str,
    weights: Mapping[str, float] | None = None,
    *,
    coach: Mapping[str, float | None] | None = None,
) -> str:
    """One row per principle: title, a bar and the score 0-100, or "N/A" when it does not apply.

    Principles are ordered by weight (what counts most first); weight-0 principles are left out. ``coach``:
    a coach's scores (0-1, None: N/A) for the principles they reviewed; such a row shows the coach's score,
    the machine's beside it struck through.
    """
    coach = coach or {}
    principles: Mapping = grade_json.get("principles") or {}
    weights = weights if weights is not None else grade_json.get("weights") or {}
    order = sorted(principles, key=lambda p: (-(weights.get(p, 1.0)), p))
    rows = []
    for pid in order:
        if weights.get(pid, 1.0) == 0:
            continue
        pg = principles[pid]
        score = pg.get("score")
        title = esc(title_of(pid))
        machine_note = ""
        if pid in coach and coach[pid] != score:
            machine = _("N/A") if score is None else f"{100 * float(score):.0f}"
            machine_note = f' <s style="color:#888" title="{esc(_(MACHINE_SCORE))}">{machine}</s>'
            score = coach[pid]
        if pg.get("error") and pid not in coach:
            bar = '<div style="height:10px"></div>'
            value = f'<span style="color:#888">{esc(_("could not be graded"))}</span>'
        elif score is None:
            bar = '<div style="height:10px;border:1px dashed #bbb;border-radius:5px"></div>'
            value = f'<span style="color:#888" title="{esc(_("Does not apply to this case or reply"))}">{esc(_("N/A"))}</span>'
        else:
            pct = max(0.0, min(1.0, float(score))) * 100
            bar = (
                '<div style="height:10px;background:#eee;border-radius:5px;overflow:hidden">'
                f'<div style="height:10px;width:{pct:.0f}%;background:{colour_for(pct / 100)}"></div></div>'
            )
            value = f"{pct:.0f}"
        value += machine_note
        rows.append(
            f'<div class="rc-bar" data-principle="{esc(pid)}" style="display:grid;grid-template-columns:11em 1fr 7em;'
            f'gap:10px;align-items:center;margin:3px 0"><span>{title}</span>{bar}'
            f'<span style="text-align:right">{value}</span></div>'
        )
    return '<div style="font-family:system-ui,sans-serif;font-size:0.95em">' + "".join(rows) + "</div>"


def overall_html(score: float, passed: bool, pass_mark: float, *, machine_score: float | None = None) -> str:
    """The overall score with its verdict; ``machine_score`` (when a coach's review changed it) is shown struck
    through beside it."""
    verdict = _("Passed") if passed else _("Not passed yet")
    colour = "#2e7d32" if passed else "#c62828"
    machine = (
        f'<span class="rc-machine-overall" style="color:#888" title="{esc(_(MACHINE_SCORE))}">'
        f"<s>{machine_score:.0f}</s>"
        "</span>"
        if machine_score is not None and round(machine_score) != round(score)
        else ""
    )
    return (
        '<div style="font-family:system-ui,sans-serif;display:flex;align-items:baseline;gap:14px">'
        f"{machine}"
        f'<span class="rc-overall" style="font-size:2.2em;font-weight:700;color:{colour}">{score:.0f}</span>'
        f'<span style="font-size:1.1em;font-weight:600;color:{colour}">{esc(verdict)}</span>'
        f'<span style="color:#777">{esc(_("pass mark {mark}").format(mark=f"{pass_mark:.0f}"))}</span></div>'
    )
