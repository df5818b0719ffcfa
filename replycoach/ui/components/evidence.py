"""The trainee's own reply with the words that earned (green) or lost (red) each principle highlighted.

Works on the stored form of a grade (``Grade.to_dict()``, kept on every attempt as ``grade_json``) so a
reloaded or old attempt highlights exactly as it did when it was graded. Spans may overlap (one phrase can
earn one principle and lose another): the reply is cut at every span boundary and each piece carries all the
spans covering it; a piece both earning and losing is shown amber.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from replycoach.ui.components.text import esc
from replycoach.ui.i18n import _, evidence_label

EARNED = "#c8f7c5"
LOST = "#ffc9c9"
MIXED = "#ffe8a3"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    polarity: str  # "+" or "-"
    principle: str
    label: str


def spans_from_grade(grade_json: Mapping, reply_length: int) -> list[Span]:
    """Every evidence span of a stored grade, clipped to the reply; empty or inverted spans dropped."""
    spans: list[Span] = []
    for pid, pg in (grade_json.get("principles") or {}).items():
        for ev in pg.get("evidence") or ():
            start = max(0, min(int(ev["start"]), reply_length))
            end = max(0, min(int(ev["end"]), reply_length))
            if end > start:
                spans.append(Span(start, end, ev.get("polarity", "+"), pid, ev.get("label", "")))
    return spans


def highlight_html(reply: str, spans: list[Span], title_of: Callable[[str], str] = str) -> str:
    """``reply`` as escaped HTML with each evidence span in a ``<mark>`` whose tooltip names the principle(s).

    ``title_of`` turns a principle id into the title shown in the tooltip.
    """
    cuts = sorted({0, len(reply), *(s.start for s in spans), *(s.end for s in spans)})
    pieces: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        text = esc(reply[a:b])
        covering = [s for s in spans if s.start <= a and b <= s.end]
        if not covering:
            pieces.append(text)
            continue
        polarities = {s.polarity for s in covering}
        colour = MIXED if len(polarities) > 1 else EARNED if polarities == {"+"} else LOST
        kind = "mixed" if len(polarities) > 1 else "earned" if polarities == {"+"} else "lost"
        tooltip = "; ".join(
            (_("{principle}: {label} (earned)") if s.polarity == "+" else _("{principle}: {label} (lost)")).format(
                principle=title_of(s.principle), label=evidence_label(s.label)
            )
            for s in covering
        )
        pieces.append(
            f'<mark class="rc-ev rc-ev-{kind}" title="{esc(tooltip)}" '
            f'style="background:{colour};border-radius:3px;padding:0 1px">{text}</mark>'
        )
    return (
        '<div class="rc-reply" style="white-space:pre-wrap;word-wrap:break-word;font-family:system-ui,sans-serif;'
        'border:1px solid #e0e0e0;border-radius:8px;padding:10px 12px;line-height:1.6">'
        + ("".join(pieces) or f'<span style="color:#888">{esc(_("(no reply written)"))}</span>')
        + "</div>"
    )


def legend_html() -> str:
    return (
        '<div style="font-size:0.85em;color:#555;font-family:system-ui,sans-serif">'
        f'<mark style="background:{EARNED}">{esc(_("earned"))}</mark> &nbsp; '
        f'<mark style="background:{LOST}">{esc(_("lost"))}</mark> &nbsp; '
        f'<mark style="background:{MIXED}">{esc(_("both"))}</mark> &nbsp; {esc(_("hover a highlight to see the principle"))}'
        "</div>"
    )
