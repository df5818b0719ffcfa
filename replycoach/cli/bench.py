"""``replycoach bench``: run benchmark suites, print their tables and record them in BENCHMARKS.md.

Suites are discovered by module name: every ``replycoach/bench/<name>_bench.py`` exposing
``run(quick: bool) -> str`` (markdown) is the suite ``<name>``. A suite may accept more keyword arguments
(``embedder``, ``devset``, ``llm``); only those it declares are passed. Each suite's markdown replaces its
own section of the benchmarks file, leaving the other suites' numbers alone.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path

import replycoach.bench as bench_pkg
from grading.model.devset import DevsetError
from replycoach.bench import BENCHMARKS_FILE, write_section

_SUFFIX = "_bench"


def discover_suites() -> dict[str, str]:
    """Suite name -> module name, for every ``replycoach.bench.<name>_bench`` module (not imported yet, so a
    suite that fails to import cannot break the others)."""
    return {
        info.name.removesuffix(_SUFFIX): f"{bench_pkg.__name__}.{info.name}"
        for info in sorted(pkgutil.iter_modules(bench_pkg.__path__), key=lambda i: i.name)
        if info.name.endswith(_SUFFIX)
    }


def load_suite(module_name: str) -> Callable[..., str]:
    """The suite's ``run`` function; raises ``TypeError`` when the module has none."""
    run = getattr(importlib.import_module(module_name), "run", None)
    if not callable(run):
        raise TypeError(f"{module_name} has no run(quick: bool) -> str")
    return run


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "bench",
        help="measure the grader (and other suites) and record the numbers in BENCHMARKS.md",
        description="Run benchmark suites; print each table and rewrite its section of BENCHMARKS.md.",
    )
    p.add_argument("--suite", default="grading", help="suite to run, or 'all' (default: grading)")
    p.add_argument("--embedder", help="embedding backend for the grading suite (default: REPLYCOACH_EMBEDDER)")
    p.add_argument("--devset", type=Path, help="labelled dev set (default: benchmarks/devset/devset.jsonl)")
    p.add_argument("--quick", action="store_true", help="small samples: seconds instead of minutes")
    p.add_argument("--llm", action="store_true", help="also measure the LLM judge against the dev set")
    p.add_argument(
        "--parts",
        type=lambda v: [x.strip() for x in v.split(",") if x.strip()],
        help="comma-separated parts of the grading suite: devset,public,perf (default: all)",
    )
    p.add_argument(
        "--output", type=Path, default=None, help=f"benchmarks file to update (default: {BENCHMARKS_FILE.name})"
    )
    p.add_argument("--no-write", action="store_true", help="print only; leave the benchmarks file alone")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    suites = discover_suites()
    if args.suite == "all":
        chosen = list(suites)
    elif args.suite in suites:
        chosen = [args.suite]
    else:
        print(f"unknown suite {args.suite!r}; available: {', '.join(suites) or 'none'}, all", file=sys.stderr)
        return 2
    if args.devset is not None and not args.devset.is_file():
        print(f"dev set not found: {args.devset}", file=sys.stderr)
        return 2
    runs = {name: load_suite(suites[name]) for name in chosen}
    for name, suite in runs.items():  # suites with parts declare them as PARTS; check before measuring
        known = getattr(inspect.getmodule(suite), "PARTS", None)
        if args.parts and known is not None and set(args.parts) - set(known):
            bad = ", ".join(sorted(set(args.parts) - set(known)))
            print(f"unknown part(s) {bad} of suite {name!r}; choose from {', '.join(known)}", file=sys.stderr)
            return 2
    output = args.output or BENCHMARKS_FILE
    offered = {
        "quick": args.quick,
        "embedder": args.embedder,
        "devset": args.devset,
        "llm": args.llm,
        "parts": args.parts,
    }
    for name, suite in runs.items():
        accepted = inspect.signature(suite).parameters
        kwargs = {k: v for k, v in offered.items() if k in accepted and (k == "quick" or v not in (None, False))}
        try:
            markdown = suite(**kwargs)
        except DevsetError as exc:  # a broken dev set: say where, write nothing
            print(f"the dev set has problems:\n{exc}", file=sys.stderr)
            return 1
        print(markdown)
        if not args.no_write:
            write_section(name, markdown, output)
            print(f"(section '{name}' written to {output})")
    return 0
