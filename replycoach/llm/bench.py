"""``replycoach bench --llm``: how well the LLM judge agrees with the coach on the labelled dev set.

Per judged principle: the pairs where both the coach and the judge gave a score, Cohen's kappa over the
levels (1 / 0.5 / 0), exact agreement and the mean absolute difference. Also: how often the judge failed, how
many verdicts were dropped because their quote was not in the reply, and how long a judgement takes.
"""

from __future__ import annotations

import time
from collections import Counter

from replycoach.cases.models import Case
from replycoach.config import Settings
from replycoach.llm.client import LLMFailure
from replycoach.llm.judge import JUDGED_PRINCIPLES
from replycoach.llm.service import judge_reply, llm_status
from replycoach.llm.templates import JUDGE_VERSION, PROMPT_VERSION
from replycoach.stats import cohen_kappa, mean_abs_diff, percentile


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def judge_agreement(devset_rows: list[dict], settings: Settings, *, cases: dict[str, Case] | None = None) -> str:
    """Markdown: the judge alone (no offline blend) against the coach's per-principle grades.

    ``devset_rows`` are rows of ``benchmarks/devset/devset.jsonl`` (see ``grading.model.devset``): each
    names its case by id and carries ``coach.principles``. ``cases`` defaults to the casebook in
    ``settings.scenarios_dir``. Rows whose case (or language) is missing are counted, not judged.
    """
    if not settings.llm_enabled:
        return "LLM judge: off. Set REPLYCOACH_LLM=on and REPLYCOACH_LLM_MODEL (see docs/llm.md) to measure it."
    if cases is None:
        from grading.model.devset import load_cases

        cases = load_cases(settings.scenarios_dir)
    coach: dict[str, list[float | None]] = {p: [] for p in JUDGED_PRINCIPLES}
    judge: dict[str, list[float | None]] = {p: [] for p in JUDGED_PRINCIPLES}
    skipped: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    seconds: list[float] = []
    verdicts_kept = verdicts_dropped = 0
    for row in devset_rows:
        case = cases.get(row["case"])
        if case is None:
            skipped["case not in the casebook"] += 1
            continue
        try:
            localized = case.localized(row["language"])
        except KeyError:
            skipped[f"case has no {row['language']} version"] += 1
            continue
        started = time.monotonic()
        try:
            judgement = judge_reply(localized, row["reply"], settings)
        except LLMFailure as err:
            failures[str(err).split(" (")[0]] += 1
            continue
        finally:
            seconds.append(time.monotonic() - started)
        verdicts_kept += len(judgement.verdicts)
        verdicts_dropped += sum(1 for d in judgement.discarded if d["why"] != "a second verdict for the same principle")
        labels = row["coach"]["principles"]
        for pid in JUDGED_PRINCIPLES:
            verdict = judgement.verdicts.get(pid)
            coach[pid].append(labels.get(pid))
            judge[pid].append(verdict.points if verdict else None)

    judged = len(devset_rows) - sum(skipped.values()) - sum(failures.values())
    lines = [
        f"Judge `{JUDGE_VERSION}` (prompts `{PROMPT_VERSION}`), {llm_status(settings)}, "
        f"budget {settings.llm_timeout_seconds:g}s per reply.",
        "",
        f"{len(devset_rows)} replies: {judged} judged, {sum(failures.values())} failed, "
        f"{sum(skipped.values())} skipped. Seconds per judgement: median {_fmt(percentile(seconds, 50))}, "
        f"p90 {_fmt(percentile(seconds, 90))}. Verdicts dropped for a quote not in the reply (or credit with no quote): "
        f"{verdicts_dropped} of {verdicts_kept + verdicts_dropped}.",
    ]
    for title, counts in (("Failures", failures), ("Skipped", skipped)):
        if counts:
            lines += ["", f"{title}: " + "; ".join(f"{k}: {v}" for k, v in sorted(counts.items()))]
    lines += [
        "",
        "| principle | pairs | kappa | exact agreement | mean abs diff |",
        "|---|---:|---:|---:|---:|",
    ]
    for pid in JUDGED_PRINCIPLES:
        pairs = [(c, j) for c, j in zip(coach[pid], judge[pid], strict=True) if c is not None and j is not None]
        exact = sum(1 for c, j in pairs if c == j) / len(pairs) if pairs else None
        kappa = cohen_kappa([float(c) for c, _ in pairs], [float(j) for _, j in pairs]) if pairs else None
        lines.append(
            f"| {pid} | {len(pairs)} | {_fmt(kappa)} | {_fmt(exact, '{:.0%}')} | "
            f"{_fmt(mean_abs_diff(coach[pid], judge[pid]))} |"
        )
    return "\n".join(lines)
