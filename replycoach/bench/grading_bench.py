"""The "grading" benchmark suite: how far the grading engine agrees with coaches, and how fast it is.

Three parts, each printed as markdown and recorded in the "grading" section of BENCHMARKS.md:

1. agreement with the coach grades of the dev set (``benchmarks/devset/``, rubric in docs/coach-rubric.md);
2. agreement with public human labels in ``../shared/data`` (``grading_public``), skipped when absent;
3. performance of the default backend in a fresh subprocess (``grading_perf``).

Only the engine's documented API is used: ``grading.get_engine(name).grade(...)`` and its ``embedder``.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

from grading.devset_eval import principle_auc
from replycoach import stats as st
from replycoach.bench import machine_line, markdown_table
from replycoach.bench.devset import DEFAULT_DEVSET, load_cases, read_devset, translation_groups
from replycoach.cases.models import PRINCIPLES
from replycoach.config import PROJECT_ROOT, get_settings

SECTION = "grading"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PARTS = ("devset", "public", "perf")
WITHIN_POINTS = 8.0  # the cross-language target: the same reply within 8 points in every language


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def load_engine(embedder: str):
    """The grading engine for ``embedder``, or a reason why it is not available."""
    try:
        import grading

        return grading.get_engine(embedder), None
    except Exception as exc:  # the bench reports what it cannot measure instead of failing
        return None, f"grading engine not available: {type(exc).__name__}: {exc}"


def grade_devset(engine, rows: list[dict], cases: dict, pass_mark: float) -> tuple[list[dict], Counter]:
    """Grade every row whose case exists; returns per-row results and counts of what was skipped and why."""
    results, skipped = [], Counter()
    for row in rows:
        case = cases.get(row["case"])
        if case is None:
            skipped[f"case {row['case']!r} not in the casebook"] += 1
            continue
        try:
            localized = case.localized(row["language"])
        except KeyError:
            localized = case.localized(case.language)
            skipped["graded against the case's own language (no translation)"] += 1
        try:
            grade = engine.grade(
                localized,
                row["reply"],
                response_seconds=float(row["response_seconds"]),
                handling=row["handling"],
                pass_mark=pass_mark,
            )
        except Exception as exc:  # one failing reply must not hide the numbers of the others
            skipped[f"grading raised {type(exc).__name__}"] += 1
            continue
        principles = {pid: pg.score for pid, pg in grade.principles.items()}
        results.append({"row": row, "score": float(grade.score), "passed": bool(grade.passed), "p": principles})
    return results, skipped


def agreement_markdown(results: list[dict], pass_mark: float, *, resamples: int) -> str:
    """Tables of engine-vs-coach agreement over graded dev-set rows."""
    coach = [r["row"]["coach"]["overall"] for r in results]
    engine = [r["score"] for r in results]
    rho = st.spearman(coach, engine)
    ci = st.bootstrap_ci(st.spearman, coach, engine, resamples=resamples)
    kappa = st.cohen_kappa([c >= pass_mark for c in coach], [r["passed"] for r in results])
    ci_text = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
    out = [
        markdown_table(
            ["measure", "value", "n"],
            [
                [f"Spearman, overall score (95% bootstrap CI, {resamples} resamples)", _fmt(rho) + ci_text, len(coach)],
                [f"Cohen's kappa, pass/fail at {pass_mark:g}", _fmt(kappa), len(coach)],
                ["mean abs difference, overall (points)", _fmt(st.mean_abs_diff(coach, engine), 1), len(coach)],
            ],
        )
    ]

    rows = []
    for pid in PRINCIPLES:
        auc, n_pos, n_neg = principle_auc(results, pid)
        rows.append([pid, _fmt(auc) if auc is not None else "skipped (one class empty)", f"{n_pos} / {n_neg}"])
    out.append("Per principle: ROC AUC of the engine's score for coach 1 vs 0 (0.5 excluded)")
    out.append(markdown_table(["principle", "ROC AUC", "n (coach 1 / 0)"], rows))

    by_lang: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_lang[r["row"]["language"]].append(r)
    lang_rows = []
    for lang in sorted(by_lang):
        items = by_lang[lang]
        c = [r["row"]["coach"]["overall"] for r in items]
        e = [r["score"] for r in items]
        lang_rows.append([lang, len(items), _fmt(st.spearman(c, e)), _fmt(st.mean_abs_diff(c, e), 1)])
    out.append(markdown_table(["language", "n", "Spearman", "mean abs diff"], lang_rows))

    by_cat: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_cat[r["row"]["category"]].append(r)
    cat_rows = [
        [
            cat,
            len(items),
            _fmt(statistics.fmean(r["row"]["coach"]["overall"] for r in items), 1),
            _fmt(statistics.fmean(r["score"] for r in items), 1),
        ]
        for cat, items in sorted(by_cat.items())
    ]
    out.append(markdown_table(["category", "n", "coach mean", "engine mean"], cat_rows))
    out.append(translation_markdown(results))
    out.append(split_markdown(results))
    return "\n\n".join(out)


def split_markdown(results: list[dict]) -> str:
    """The same measures on the half of the dev set the rules were tuned on and on the held-out half
    (``grading.devset_eval.split_of``; a reply and its translations stay in one half)."""
    from grading.devset_eval import split_of

    halves: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        halves[split_of(r["row"])].append(r)
    rows = []
    for half in ("tuning", "heldout"):
        items = halves.get(half, [])
        coach = [r["row"]["coach"]["overall"] for r in items]
        engine = [r["score"] for r in items]
        aucs = []
        for pid in PRINCIPLES:
            auc, _, _ = principle_auc(items, pid)
            if auc is not None:
                aucs.append((auc, pid))
        lowest = min(aucs) if aucs else None
        rows.append(
            [
                "tuning" if half == "tuning" else "held-out",
                len(items),
                _fmt(st.spearman(coach, engine)),
                _fmt(st.mean_abs_diff(coach, engine), 1),
                f"{lowest[1]} {lowest[0]:.3f}" if lowest else "n/a",
                sum(1 for a, _ in aucs if a < 0.9),
            ]
        )
    return (
        "The grader's rules were tuned on one half of the dev set only (docs/grading.md); the held-out half is "
        "the fairer estimate:\n\n"
        + markdown_table(
            ["half", "n", "Spearman", "mean abs diff", "lowest principle AUC", "principles with AUC < 0.90"], rows
        )
    )


def translation_markdown(results: list[dict]) -> str:
    """How far the same reply's score moves across languages: max |score(lang) - score(en)| per group."""
    graded = {r["row"]["id"]: r for r in results}
    spreads = []
    for original, members in translation_groups([r["row"] for r in results]).items():
        en = [graded[m["id"]]["score"] for m in members if m["language"] == "en"]
        if not en or original not in graded:
            continue
        others = [graded[m["id"]]["score"] for m in members if m["language"] != "en"]
        if others:
            spreads.append(max(abs(s - en[0]) for s in others))
    if not spreads:
        return "Translation groups: none graded."
    within = sum(s <= WITHIN_POINTS for s in spreads) / len(spreads)
    return markdown_table(
        ["translation groups", "mean max diff vs en", "max", f"share within {WITHIN_POINTS:g} points"],
        [[len(spreads), _fmt(statistics.fmean(spreads), 1), _fmt(max(spreads), 1), f"{within:.0%}"]],
    )


def devset_markdown(engine, embedder: str, devset: Path, *, quick: bool) -> str:
    """The dev-set part of the section (or the reason it was skipped)."""
    settings = get_settings()
    rows = read_devset(devset)
    if engine is None:
        return f"Dev set ({len(rows)} replies): skipped, no grading engine."
    cases = load_cases(settings.scenarios_dir)
    results, skipped = grade_devset(engine, rows, cases, settings.pass_mark)
    head = (
        f"### Agreement with the coach: dev set `{_display(devset)}`\n\n"
        f"{len(rows)} replies, {len(results)} graded over {len({r['row']['case'] for r in results})} cases "
        f"(embedder `{embedder}`, pass mark {settings.pass_mark:g})."
    )
    if skipped:
        head += " Not graded or graded differently: " + "; ".join(f"{k}: {v}" for k, v in sorted(skipped.items()))
    if len(results) < 3:
        return head + "\n\nToo few graded replies for statistics."
    return head + "\n\n" + agreement_markdown(results, settings.pass_mark, resamples=200 if quick else 1000)


def llm_markdown(devset: Path) -> str:
    """The LLM judge's agreement (``replycoach.llm.bench.judge_agreement``) when that module exists."""
    try:
        from replycoach.llm.bench import judge_agreement
    except ImportError:
        return "LLM judge: not configured (replycoach.llm.bench is not available)."
    return judge_agreement(read_devset(devset), get_settings())


def _progress(message: str) -> None:
    """Say on stderr what is being measured: a full run takes minutes and prints its tables at the end."""
    print(f"[bench grading] {message} ...", file=sys.stderr, flush=True)


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def run(
    quick: bool = False,
    *,
    embedder: str | None = None,
    devset: Path | None = None,
    llm: bool = False,
    data_dir: Path | None = None,
    parts: tuple[str, ...] | list[str] | None = None,
) -> str:
    """Run the suite and return its markdown section (the caller prints it and writes BENCHMARKS.md).

    ``parts`` picks among ``PARTS`` (default: all): "devset", "public", "perf".
    """
    from replycoach.bench import grading_perf, grading_public

    embedder = embedder or get_settings().embedder
    devset = Path(devset) if devset else DEFAULT_DEVSET
    data_dir = Path(data_dir) if data_dir else SHARED_DATA
    read_devset(devset)  # a broken dev set stops the suite here, before minutes of measuring
    chosen = tuple(parts) if parts else PARTS
    unknown = set(chosen) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    command = "replycoach bench --suite grading" + (f" --embedder {embedder}" if embedder else "")
    if devset != DEFAULT_DEVSET:
        command += f" --devset {_display(devset)}"
    if chosen != PARTS:
        command += f" --parts {','.join(chosen)}"
    command += " --quick" if quick else ""
    out = [f"## Grading\n\nReproduce: `{command}` ({machine_line()})"]
    engine, reason = load_engine(embedder) if {"devset", "public"} & set(chosen) else (None, None)
    if reason:
        out.append(f"Skipped the dev set and public data: {reason}")
    if engine is not None and "devset" in chosen:
        _progress("grading the dev set")
        out.append(devset_markdown(engine, embedder, devset, quick=quick))
    if engine is not None and "public" in chosen:
        _progress("grading samples of the public labelled data")
        out.append(grading_public.run(engine, data_dir, quick=quick))
    if "perf" in chosen:
        _progress("measuring speed and memory in a fresh process")
        out.append(grading_perf.run(embedder, devset, quick=quick))
    if llm:
        out.append("### LLM judge\n\n" + llm_markdown(devset))
    return "\n\n".join(out) + "\n"
