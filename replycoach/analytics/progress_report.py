"""A trainee's printable progress report: one self-contained HTML page styled for print (A4).

HR downloads it from the dashboard (a trainee from "My progress") and prints it or saves it as PDF from the
browser, which has the fonts for every language the cases and names are written in (docs/decisions/0007).
It holds the summary, the score over time (an inline SVG chart), first / best / latest per case, each
principle's average and every attempt, with the score of record (a coach's review where there is one, the
machine's beside it). Every text from people (names, case titles, comments) is escaped; nothing is fetched.
A pure function over plain values: no Streamlit, no database.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from replycoach.localtime import local_text
from replycoach.storage.types import Attempt, User

_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f1f1f;
       font-size: 10.5pt; line-height: 1.4; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; } h2 { font-size: 12.5pt; margin: 7mm 0 2mm 0; }
.muted { color: #666; } .pass { color: #2e7d32; font-weight: 600; } .fail { color: #c62828; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } th, td { padding: 1.4mm 2mm; border-bottom: 0.3mm solid #ddd;
        text-align: left; vertical-align: top; } th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; gap: 6mm; } .figure { border: 0.3mm solid #ddd; border-radius: 2mm; padding: 2mm 4mm; }
.figure b { display: block; font-size: 15pt; }
tr, .figure, svg { break-inside: avoid; }
@media screen { body { margin: 12mm auto; } .hint { background: #fff8e1; padding: 2mm 4mm; border-radius: 2mm; } }
@media print { .hint { display: none; } }
"""


@dataclass(frozen=True)
class _CaseRow:
    case_id: str
    attempts: int
    first: float
    best: float
    latest: float


def progress_report_html(
    trainee: User,
    attempts: Sequence[Attempt],
    *,
    case_title: Callable[[str], str],
    principle_title: Callable[[str], str],
    pass_mark: float,
    time_zone: str,
    generated_at: datetime,
) -> str:
    """The report as HTML text. ``attempts``: the trainee's first-turn attempts (any order); times are shown
    in ``time_zone`` (the reader's)."""
    ordered = sorted(attempts, key=lambda a: (a.submitted_at, a.id))
    title = f"Progress report: {trainee.display_name}"
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
        f"<style>{_CSS}</style></head><body>"
        '<p class="hint">Print this page or save it as PDF with your browser (Ctrl+P / Cmd+P).</p>'
        f"<h1>{_esc(title)}</h1>"
        f'<p class="muted">{_esc(trainee.username)}{_esc(" · team " + trainee.team if trainee.team else "")} · '
        f"generated {_esc(local_text(generated_at, time_zone, with_zone=True))} · pass mark {pass_mark:.0f}</p>"
    )
    if not ordered:
        return head + "<p>No attempts yet.</p></body></html>"
    passed = sum(a.passed for a in ordered)
    average = sum(a.score for a in ordered) / len(ordered)
    reviewed = sum(a.review is not None for a in ordered)
    figures = (
        '<div class="figures">'
        + _figure("Attempts", str(len(ordered)))
        + _figure("Passed", f"{passed} of {len(ordered)}")
        + _figure("Average score", f"{average:.0f}")
        + _figure("Reviewed by a coach", str(reviewed))
        + "</div>"
        + f'<p class="muted">From {_esc(local_text(ordered[0].submitted_at, time_zone))} to '
        f"{_esc(local_text(ordered[-1].submitted_at, time_zone))}. Scores are 0-100; a coach's review is the score "
        "that counts, the machine's is shown beside it.</p>"
    )
    return (
        head
        + figures
        + "<h2>Score over time</h2>"
        + _chart([a.score for a in ordered], pass_mark)
        + "<h2>Per case: first, best, latest</h2>"
        + _cases_table(_per_case(ordered), case_title)
        + "<h2>Each principle, on average</h2>"
        + _principles_table(ordered, principle_title)
        + "<h2>Every attempt</h2>"
        + _attempts_table(ordered, case_title, time_zone)
        + "</body></html>"
    )


def _figure(label: str, value: str) -> str:
    return f'<div class="figure"><b>{_esc(value)}</b><span class="muted">{_esc(label)}</span></div>'


def _per_case(ordered: Sequence[Attempt]) -> list[_CaseRow]:
    by_case: dict[str, list[Attempt]] = {}
    for attempt in ordered:
        by_case.setdefault(attempt.case_id, []).append(attempt)
    return [
        _CaseRow(case_id, len(items), items[0].score, max(a.score for a in items), items[-1].score)
        for case_id, items in sorted(by_case.items())
    ]


def _cases_table(rows: Sequence[_CaseRow], case_title: Callable[[str], str]) -> str:
    body = "".join(
        f"<tr><td>{_esc(case_title(r.case_id))}</td><td class='num'>{r.attempts}</td><td class='num'>{r.first:.0f}</td>"
        f"<td class='num'>{r.best:.0f}</td><td class='num'>{r.latest:.0f}</td>"
        f"<td class='num'>{r.latest - r.first:+.0f}</td></tr>"
        for r in rows
    )
    return (
        "<table><thead><tr><th>Case</th><th class='num'>Attempts</th><th class='num'>First</th>"
        "<th class='num'>Best</th><th class='num'>Latest</th><th class='num'>Lift</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _principles_table(ordered: Sequence[Attempt], principle_title: Callable[[str], str]) -> str:
    scores: dict[str, list[float]] = {}
    for attempt in ordered:
        for pid, value in attempt.principles.items():
            if value is not None:
                scores.setdefault(pid, []).append(100 * value)
    rows = sorted(((sum(v) / len(v), pid, len(v)) for pid, v in scores.items()), key=lambda r: (r[0], r[1]))
    body = "".join(
        f"<tr><td>{_esc(principle_title(pid))}</td><td class='num'>{average:.0f}</td><td class='num'>{n}</td></tr>"
        for average, pid, n in rows
    )
    return (
        "<table><thead><tr><th>Principle (weakest first)</th><th class='num'>Average</th>"
        f"<th class='num'>Attempts</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _attempts_table(ordered: Sequence[Attempt], case_title: Callable[[str], str], time_zone: str) -> str:
    body = []
    for a in reversed(ordered):
        score = f"{a.score:.0f}"
        if a.review is not None:
            machine = f"machine {a.machine_score:.0f}, " if a.machine_score is not None else ""
            score += f" <span class='muted'>({_esc(machine)}reviewed by {_esc(a.review.coach_name)})</span>"
        verdict = "<span class='pass'>passed</span>" if a.passed else "<span class='fail'>not passed</span>"
        body.append(
            f"<tr><td>{_esc(local_text(a.submitted_at, time_zone))}</td><td>{_esc(case_title(a.case_id))}</td>"
            f"<td>{_esc(a.language)}</td><td class='num'>{score}</td><td>{verdict}</td></tr>"
        )
    return (
        "<table><thead><tr><th>When</th><th>Case</th><th>Language</th><th class='num'>Score</th><th></th></tr>"
        f"</thead><tbody>{''.join(body)}</tbody></table>"
    )


def _chart(scores: Sequence[float], pass_mark: float, width: int = 640, height: int = 170) -> str:
    """Scores 0-100 in order as a line with points, and the pass mark dashed."""
    pad = 24
    step = (width - 2 * pad) / max(1, len(scores) - 1)

    def y(value: float) -> float:
        return pad / 2 + (height - pad) * (1 - max(0.0, min(100.0, value)) / 100)

    points = [(pad + i * step, y(v)) for i, v in enumerate(scores)]
    line = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="2.6" fill="#1565c0"/>' for x, yy in points)
    axis = "".join(
        f'<text x="2" y="{y(v) + 3:.1f}" font-size="9" fill="#777">{v}</text>'
        f'<line x1="{pad}" x2="{width - pad / 2}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>'
        for v in (0, 50, 100)
    )
    mark = y(pass_mark)
    return (
        f'<svg class="rc-report-chart" width="100%" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Score over time">{axis}'
        f'<line x1="{pad}" x2="{width - pad / 2}" y1="{mark:.1f}" y2="{mark:.1f}" stroke="#c62828" '
        f'stroke-dasharray="4 3"/><polyline points="{line}" fill="none" stroke="#1565c0" stroke-width="1.6"/>'
        f"{dots}</svg>"
    )


def report_file_name(trainee: User, generated_at: datetime) -> str:
    return f"replycoach-progress-{trainee.username}-{generated_at:%Y-%m-%d}.html"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)
