"""``replycoach validate [PATH...]``: check case files, one problem per line, exit 1 if any."""

from __future__ import annotations

import argparse
from pathlib import Path

from replycoach.cases.loader import CASE_SUFFIXES, CaseProblem, case_files_in, load_files


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check case files and print every problem",
        description="Check case files (YAML) and print every problem as 'file ==> field ==> problem (line N)'. "
        "Exit status 1 if any file has a problem.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        type=Path,
        help="case files or directories of them (default: the scenarios directory from the settings)",
    )
    parser.set_defaults(run=run)


def _shown(path: Path) -> Path:
    """The path relative to the working directory when it is under it: shorter, and clickable in a terminal."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def run(args: argparse.Namespace) -> int:
    paths: list[Path] = list(args.paths)
    if not paths:
        from replycoach.config import get_settings

        paths = [_shown(get_settings().scenarios_dir)]
    files: list[Path] = []
    missing: list[CaseProblem] = []
    for path in paths:
        if path.is_dir():
            found = case_files_in(path)
            if not found:
                missing.append(CaseProblem(str(path), f"no case files ({', '.join(CASE_SUFFIXES)}) in this directory"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            missing.append(CaseProblem(str(path), "no such file or directory"))
    library = load_files(files)
    problems = missing + library.problems
    for problem in problems:
        print(problem)
    bad_files = len({p.file for p in library.problems})
    if not problems:
        count = len(library.cases)
        print(f"{count} case{'s' if count != 1 else ''} OK")
        return 0
    if files:
        print(f"{bad_files} of {len(library.files)} file{'s' if len(library.files) != 1 else ''} have problems")
    return 1
