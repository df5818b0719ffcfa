"""``replycoach schema [--output FILE] [--check]``: write (or check) the case files' JSON Schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from replycoach.cases.json_schema import SCHEMA_FILE_NAME, case_json_schema_text


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="write the JSON Schema of case files",
        description="Write the JSON Schema generated from the case models, for editors that validate YAML "
        f"as you type. Default output: <scenarios dir>/{SCHEMA_FILE_NAME}; '-' writes to stdout.",
    )
    parser.add_argument("--output", "-o", type=str, default=None, metavar="FILE", help="where to write it")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if FILE differs from the generated schema"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = case_json_schema_text()
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    if args.output:
        target = Path(args.output)
    else:
        from replycoach.config import get_settings

        target = get_settings().scenarios_dir / SCHEMA_FILE_NAME
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            print(f"{target} is out of date; run: replycoach schema --output {target}")
            return 1
        print(f"{target} is up to date")
        return 0
    if target.is_dir():
        print(f"{target} is a directory; give a file name, e.g. {target / SCHEMA_FILE_NAME}", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0
