"""``replycoach`` command line. Each subcommand lives in its own module with ``add_parser(subparsers)``
registering itself and a ``run(args) -> int``; ``main(argv) -> int`` dispatches (tested in-process)."""

from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand name -> module under replycoach.cli. Order is the order in --help.
SUBCOMMANDS = {
    "validate": "validate",
    "schema": "schema",
    "grade": "grade",
    "train": "train",
    "regrade": "regrade",
    "bench": "bench",
    "users": "users",
    "db": "db",
    "history": "history",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replycoach",
        description="ReplyCoach: practise answering negative customer feedback. Subcommands:",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for _name, module in SUBCOMMANDS.items():
        try:
            mod = importlib.import_module(f"replycoach.cli.{module}")
        except ModuleNotFoundError as exc:  # a subcommand still being built must not break the others
            if exc.name != f"replycoach.cli.{module}":
                raise
            continue
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
