"""``replycoach history``: generate a realistic practice history (for the HR dashboard and its benchmark)."""

from __future__ import annotations

import argparse
import sys

from replycoach.cli.db import open_store
from replycoach.config import get_settings
from replycoach.storage.engine import redacted


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("history", help="generate a practice history of many trainees (demo/benchmark)")
    p.add_argument("--trainees", type=int, default=500)
    p.add_argument("--attempts", type=int, default=100_000)
    p.add_argument("--teams", type=int, default=10)
    p.add_argument("--months", type=int, default=6, help="how far back the history reaches")
    p.add_argument("--seed", type=int, default=1, help="random seed; one history per seed and database")
    p.add_argument("--url", help="database URL (default: the configured database)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from replycoach.storage.history import HistoryExists, generate_history, read_case_ids

    store = open_store(args.url)
    try:
        store.upgrade()
        cases = read_case_ids(get_settings().scenarios_dir)
        print(f"Generating {args.attempts} attempts of {args.trainees} trainees over {len(cases)} cases "
              f"into {redacted(store.url)} ...")  # fmt: skip
        result = generate_history(
            store,
            trainees=args.trainees,
            attempts=args.attempts,
            teams=args.teams,
            months=args.months,
            seed=args.seed,
            case_ids=cases,
            progress=lambda done, total: print(f"  {done}/{total}", file=sys.stderr),
        )
    except (HistoryExists, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    rate = result.attempts / result.seconds if result.seconds else 0.0
    print(f"Added {result.trainees} trainees in {result.teams} teams and {result.attempts} attempts "
          f"in {result.seconds:.1f} s ({rate:.0f} attempts/s).")  # fmt: skip
    return 0
