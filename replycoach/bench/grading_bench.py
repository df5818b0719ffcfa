"""The "grading" benchmark suite: how far the grader agrees with coaches on rows it never saw, and how fast it is.

Parts, each printed as markdown into the "grading" section of BENCHMARKS.md:

1. ``agreement``: out-of-fold agreement with coaches, side by side on the external set and the dev set
   (leave one case out: the new-case condition) and on real brands' replies as inline complaints (k-fold),
   with 95% bootstrap intervals; beside each, the shipped model's in-sample figure for comparison only;
   per principle (ROC AUC), per language, and the caps the shipped model applies;
2. ``parity``: the same reply in exact translations (the dev set's translation groups), out-of-fold and
   graded by the shipped engine;
3. ``public``: the tone and emotion heads on public data (5-fold, from training) and the Mohler
   short-answer set (embedding similarity vs human grades), read from ``../shared/data``;
4. ``perf``: speed and memory of the default engine in a fresh process (``grading_perf``).

The external and real sets live in ``../shared/benchmarks`` and are read there; parts that need them say
"skipped" where ``../shared`` is absent.
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

from grading.model import data as sources
from grading.model.devset import DEFAULT_DEVSET, read_devset
from grading.principles import LEARNED_PRINCIPLES
from replycoach.bench import machine_line, markdown_table, part_block
from replycoach.config import PROJECT_ROOT, get_settings

SECTION = "grading"
PARTS = ("agreement", "parity", "public", "perf")
WITHIN_POINTS = 8.0  # the cross-language target: the same reply within 8 points in every language
#: Rows of the external and real sets a quick run uses, and how many cases it holds out.
QUICK_ROWS = 40
QUICK_CASES = 2


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _with_ci(value: float | None, ci: tuple[float, float] | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def _progress(message: str) -> None:
    """Say on stderr what is being measured: a full run takes minutes and prints its tables at the end."""
    print(f"[bench grading] {message}", file=sys.stderr, flush=True)


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


# -- evaluation ------------------------------------------------------------------------------------------------
class Evaluation:
    """The training set and every out-of-fold prediction the tables need, computed once."""

    def __init__(self, embedder: str, devset: Path, shared: Path, *, quick: bool, resamples: int) -> None:
        from grading.engine import Engine
        from grading.model import evaluate as ev
        from grading.model.heads import load_model
        from grading.model.train import PublicHeads, load_training_set
        from replycoach.cases.loader import load_library

        self.embedder = embedder
        self.quick = quick
        self.resamples = resamples
        shipped = load_model(embedder)
        if shipped is None:
            raise LookupError(f"no learned model is shipped for embedder {embedder!r} (run `replycoach train`)")
        self.shipped = shipped
        self.engine = Engine(embedder, model=None)
        self.cases = dict(load_library(get_settings().scenarios_dir).cases)
        _progress("computing every labelled reply's features")
        self.ts = load_training_set(
            self.engine,
            self.cases,
            shared,
            devset,
            progress=_progress,
            public=PublicHeads.of(shipped),
            limit=QUICK_ROWS if quick else None,
        )
        examples = self.ts.examples
        self.sets: dict[str, tuple[str, list]] = {
            "external": ("external replies, leave one case out", ev.leave_one_case_out(examples, "external")),
            "devset": ("dev set, leave one case out", ev.leave_one_case_out(examples, "devset")),
            "real": ("real replies as inline complaints, 5-fold", ev.k_fold_inline(examples, "real", 5)),
            # the coach's own good and bad replies of each case, in every language: what a new case brings
            "exemplar": ("the casebook's exemplars, leave one case out", ev.leave_one_case_out(examples, "exemplar")),
        }
        if quick:
            self.sets = {k: (label, folds[:QUICK_CASES]) for k, (label, folds) in self.sets.items()}
        self.predictions: dict[str, dict[int, dict]] = {}
        for key, (label, folds) in self.sets.items():
            if not any(f.test for f in folds):
                continue
            _progress(f"out-of-fold: {label}")
            self.predictions[key] = ev.out_of_fold(self.ts, folds, self.engine, progress=_progress)
        tested = sorted({i for p in self.predictions.values() for i in p})
        _progress("in-sample: the shipped model on the same rows")
        self.in_sample = ev.predict_with(shipped, self.ts, tested)

    def agreement(self, key: str, predictions: dict[int, dict] | None = None):
        from grading.model import evaluate as ev

        return ev.agreement(self.ts.examples, predictions or self.predictions[key], resamples=self.resamples)


def agreement_markdown(evaluation: Evaluation, pass_mark: float) -> str:
    from grading.model import evaluate as evaluate_mod

    ev = evaluation
    out = [
        "### Agreement with coaches, out-of-fold\n\n"
        "Every figure comes from a model trained without the rows it is measured on (and, for the external "
        "and dev sets, without any row of the same case: its exemplars stay in the casebook, as a new case "
        f"brings them). Pass mark {pass_mark:g}; 95% bootstrap intervals ({ev.resamples} resamples). The "
        "in-sample column is the shipped model on the same rows, which trained on them: for comparison only. The "
        "last column is no model: the coach's own principle labels, averaged with the case's weights, against "
        "the coach's overall; how far any grade built from the principles can follow the coach on that set."
    ]
    rows, per_principle = [], {}
    for key, (label, _) in ev.sets.items():
        if key not in ev.predictions:
            rows.append([label, 0, "skipped: no rows (../shared absent?)", "", "", "", ""])
            continue
        a = ev.agreement(key)
        inside = ev.agreement(key, {i: ev.in_sample[i] for i in ev.predictions[key]})
        ceiling = evaluate_mod.label_ceiling(ev.ts.examples, sorted(ev.predictions[key]))
        if any(auc is not None for auc, *_ in a.auc.values()):  # an exemplar names faults only: no AUC there
            per_principle[key] = a.auc
        rows.append(
            [
                label,
                a.n,
                _with_ci(a.spearman, a.spearman_ci),
                _with_ci(a.kappa, a.kappa_ci),
                _fmt(a.mean_abs_diff, 1),
                _fmt(inside.spearman),
                _fmt(ceiling),
            ]
        )
    out.append(
        markdown_table(
            [
                "measured on",
                "n",
                "Spearman, overall",
                "kappa, pass/fail",
                "mean abs diff",
                "in-sample Spearman",
                "coach's own labels (ceiling)",
            ],
            rows,
        )
    )
    header = ["principle"] + [ev.sets[k][0].split(",")[0] for k in per_principle]
    table = []
    for p in LEARNED_PRINCIPLES:
        cells = [p]
        for key in per_principle:
            auc, ci, n1, n0 = per_principle[key][p]
            cells.append("n/a" if auc is None else f"{_with_ci(auc, ci)} ({n1}/{n0})")
        table.append(cells)
    out.append("Per principle: ROC AUC out-of-fold [95% CI] (coach 1 / 0)")
    out.append(markdown_table(header, table))
    out.append(language_markdown(ev))
    out.append(caps_markdown(ev.shipped))
    return "\n\n".join(out)


def language_markdown(ev: Evaluation) -> str:
    from grading.model import evaluate as evaluate_mod

    rows = []
    for key in ("external", "devset"):
        if key not in ev.predictions:
            continue
        by_lang: dict[str, dict[int, dict]] = defaultdict(dict)
        for i, pred in ev.predictions[key].items():
            by_lang[ev.ts.examples[i].row.language][i] = pred
        for lang in sorted(by_lang):
            a = evaluate_mod.agreement(ev.ts.examples, by_lang[lang], resamples=0)
            rows.append([ev.sets[key][0].split(",")[0], lang, a.n, _fmt(a.spearman), _fmt(a.mean_abs_diff, 1)])
    return "Per language, out-of-fold\n\n" + markdown_table(["set", "language", "n", "Spearman", "mean abs diff"], rows)


def caps_markdown(model) -> str:
    caps = model.manifest.get("caps", [])
    if not caps:
        return "Caps: none (no severe-fault head reached the required held-out precision)."
    rows = [
        [c["principle"], f"<= {c['limit']:g}", f"<= {c['threshold']:.3f}", f"{c['precision']:.2f}", c["detections"]]
        for c in caps
    ]
    return (
        "Caps in the shipped model (threshold chosen on out-of-fold rows: the coach's own overall is at or under "
        "the cap on at least 95% of the rows it would cap)\n\n"
        + markdown_table(
            ["severe fault", "caps the overall at", "when its probability is", "held-out precision", "rows"], rows
        )
    )


# -- translations ----------------------------------------------------------------------------------------------
def translation_spreads(grades: dict[str, float], rows: list[dict]) -> list[float]:
    """Per translation group: the largest distance of a translation's grade from the original's."""
    by_id = {r["id"]: r for r in rows}
    groups: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        original = r.get("translation_of")
        if original in by_id and original in grades and r["id"] in grades:
            groups[original].append(r["id"])
    return [max(abs(grades[t] - grades[o]) for t in members) for o, members in groups.items()]


def translation_markdown(spreads_by_source: dict[str, list[float]]) -> str:
    rows = []
    for label, spreads in spreads_by_source.items():
        if not spreads:
            rows.append([label, 0, "n/a", "n/a", "n/a"])
            continue
        within = sum(s <= WITHIN_POINTS for s in spreads)
        rows.append(
            [
                label,
                len(spreads),
                _fmt(statistics.fmean(spreads), 1),
                _fmt(max(spreads), 1),
                f"{within} of {len(spreads)}",
            ]
        )
    return "### The same reply in exact translations\n\n" + markdown_table(
        ["graded by", "groups", "mean gap to the original", "largest gap", f"within {WITHIN_POINTS:g} points"], rows
    )


def parity_markdown(ev: Evaluation, devset: Path) -> str:
    import grading

    rows = read_devset(devset)
    by_row_id = {ex.row.id: i for i, ex in enumerate(ev.ts.examples) if ex.row.source == "devset"}
    oof = {
        rid: ev.predictions["devset"][i]["overall"]
        for rid, i in by_row_id.items()
        if i in ev.predictions.get("devset", {})
    }
    engine = grading.get_engine(ev.embedder)
    shipped = {}
    for rid, i in by_row_id.items():
        row = ev.ts.examples[i].row
        grade = engine.grade(
            case_view_case(ev, row), row.reply, response_seconds=row.response_seconds, handling=row.handling
        )
        shipped[rid] = grade.score
    return translation_markdown(
        {
            "dev set groups, out-of-fold (leave one case out)": translation_spreads(oof, rows),
            "dev set groups, the shipped engine": translation_spreads(shipped, rows),
            "the casebook's exemplars, out-of-fold (leave one case out)": exemplar_translation_spreads(
                ev.ts.examples, ev.predictions.get("exemplar", {})
            ),
        }
    )


def exemplar_translation_spreads(examples, predictions: dict[int, dict]) -> list[float]:
    """Per exemplar of the casebook written in English and translated: the largest distance of a translation's
    grade from the English one's. Only exemplars whose coach gave every translation the same score count (a
    translation graded otherwise is not expected to grade alike)."""
    groups: dict[str, dict[str, int]] = defaultdict(dict)
    for i in predictions:
        ex = examples[i]
        if ex.casebook_key is not None and ex.decision is None:
            groups[ex.casebook_key][ex.row.language] = i
    spreads = []
    for members in groups.values():
        if "en" not in members or len(members) < 2:
            continue
        if len({examples[i].row.overall for i in members.values()}) > 1:
            continue
        english = predictions[members["en"]]["overall"]
        spreads.append(max(abs(predictions[i]["overall"] - english) for i in members.values()))
    return spreads


def case_view_case(ev: Evaluation, row):
    """The localized Case a dev-set row answers (the engine grades Cases, not views)."""
    case = ev.cases[row.case_id]
    try:
        return case.localized(row.language)
    except KeyError:
        return case.localized(case.language)


# -- public data -----------------------------------------------------------------------------------------------
def public_markdown(ev: Evaluation | None, shipped_manifest: dict, data_dir: Path, *, quick: bool) -> str:
    from replycoach.bench import grading_public

    heads = shipped_manifest.get("public_heads", {})
    rows = []
    for name, label in (
        ("tone", "tone head: Stanford politeness, polite vs impolite quartile"),
        ("emotion", "emotion head: EPITOME emotional reactions (weak or strong vs none)"),
    ):
        h = heads.get(name)
        rows.append([label, _fmt(h["auc_5fold"]) if h else "n/a", h["rows"] if h else 0])
    out = [
        "### Public labelled data\n\n"
        "The tone and emotion heads are trained on these sets alone (no coach label); their ROC AUC is "
        "5-fold out-of-fold, measured by `replycoach train` and kept in the model file's manifest.\n\n"
        + markdown_table(["head", "ROC AUC, 5-fold", "rows"], rows)
    ]
    if ev is not None:
        out.append(grading_public.mohler(ev.engine, data_dir, 30 if quick else 2273))
    return "\n\n".join(out)


# -- the suite -------------------------------------------------------------------------------------------------
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

    ``parts`` picks among ``PARTS`` (default: all). ``data_dir`` is the shared folder's ``data`` (default:
    ``../shared/data``); the coach-graded sets are read from its sibling ``benchmarks``."""
    from replycoach.bench import grading_perf

    settings = get_settings()
    embedder = embedder or settings.embedder
    devset = Path(devset) if devset else DEFAULT_DEVSET
    shared = Path(data_dir).parent if data_dir else sources.DEFAULT_SHARED
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
    reproduce = f"Reproduce: `{command}` ({machine_line()})"
    parts: dict[str, str] = {}
    ev = None
    if {"agreement", "parity", "public"} & set(chosen):
        try:
            ev = Evaluation(embedder, devset, shared, quick=quick, resamples=200 if quick else 1000)
        except LookupError as exc:
            parts["agreement"] = f"Skipped agreement, parity and public data: {exc}."
    if ev is not None and "agreement" in chosen:
        parts["agreement"] = agreement_markdown(ev, settings.pass_mark)
    if ev is not None and "parity" in chosen:
        _progress("translation groups")
        parts["parity"] = parity_markdown(ev, devset)
    if ev is not None and "public" in chosen:
        parts["public"] = public_markdown(ev, ev.shipped.manifest, shared / "data", quick=quick)
    if "perf" in chosen:
        _progress("measuring speed and memory in a fresh process")
        parts["perf"] = grading_perf.run(embedder, devset, quick=quick)
    if llm:
        parts["llm"] = "### LLM judge\n\n" + llm_markdown(devset)
    out = ["## Grading"] + [part_block(name, markdown, reproduce) for name, markdown in parts.items()]
    return "\n\n".join(out) + "\n"


def llm_markdown(devset: Path) -> str:
    """The LLM judge's agreement (``replycoach.llm.bench.judge_agreement``) when that module exists."""
    try:
        from replycoach.llm.bench import judge_agreement
    except ImportError:
        return "LLM judge: not configured (replycoach.llm.bench is not available)."
    return judge_agreement(read_devset(devset), get_settings())
