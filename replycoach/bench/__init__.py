"""Benchmarks that print numbers and record them in BENCHMARKS.md.

Each suite owns one section of BENCHMARKS.md between ``<!-- section:NAME -->`` and ``<!-- /section:NAME -->``
markers, so running one suite rewrites its own numbers and leaves the others' alone. A suite run in parts
(``--parts``) marks each part with ``<!-- part:NAME -->`` (``part_block``): a run of some parts replaces those
and keeps the section's other parts as they were, each with its own "Reproduce" line and date.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from replycoach.config import PROJECT_ROOT

BENCHMARKS_FILE = PROJECT_ROOT / "BENCHMARKS.md"
_HEADER = (
    "# Benchmarks\n\n"
    "Numbers measured on the project's reference machine (2 cores, 24 GB, CPU only). Each section is "
    "rewritten by the command named in it; see README.md.\n"
)


def machine_line() -> str:
    import os

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    )


_PART = re.compile(r"<!-- part:(\S+) -->.*?<!-- /part:\1 -->", re.S)


def part_block(name: str, markdown: str, reproduce: str = "") -> str:
    """One part of a section, replaced on its own by ``write_section`` when only some parts were run;
    ``reproduce`` (the command and machine that produced it) goes under the part's own heading, so a part
    kept from an earlier run still says where its numbers came from."""
    if reproduce:
        head, _, body = markdown.partition("\n")
        markdown = f"{head}\n\n{reproduce}\n\n{body.lstrip()}" if head.startswith("#") else f"{reproduce}\n\n{markdown}"
    return f"<!-- part:{name} -->\n{markdown.strip()}\n<!-- /part:{name} -->"


def _merge_parts(old: str, new: str) -> str:
    """``new``'s heading and parts, with ``old``'s parts that ``new`` does not have kept in their place."""
    new_parts = {m.group(1): m.group(0) for m in _PART.finditer(new)}
    first = _PART.search(new)
    if first is None:
        return new
    old_parts = {m.group(1): m.group(0) for m in _PART.finditer(old)}
    names = list(dict.fromkeys([*old_parts, *new_parts]))
    return new[: first.start()].rstrip() + "\n\n" + "\n\n".join(new_parts.get(n) or old_parts[n] for n in names)


def write_section(name: str, markdown: str, path: Path = BENCHMARKS_FILE) -> None:
    """Replace (or append) section ``name`` of BENCHMARKS.md with ``markdown`` (only its parts, when it has
    ``part_block`` parts: the section's other parts stay)."""
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    pattern = re.compile(rf"<!-- section:{re.escape(name)} -->(.*?)<!-- /section:{re.escape(name)} -->", re.S)
    found = pattern.search(text)
    if found:
        markdown = _merge_parts(found.group(1), markdown)
    block = f"<!-- section:{name} -->\n{markdown.strip()}\n<!-- /section:{name} -->"
    text = pattern.sub(lambda _m: block, text) if found else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def markdown_table(header: list[str], rows: list[list]) -> str:
    def cell(v) -> str:
        if isinstance(v, float):
            return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
        return "" if v is None else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def with_throwaway_postgres(measure: Callable[[str], dict], *, dbname: str, note_key: str = "note") -> dict:
    """``measure(url)`` against a PostgreSQL server started for the run and stopped after it, or
    ``{note_key: "... skipped: why"}`` where no PostgreSQL is installed."""
    from replycoach.storage.pgserver import PostgresUnavailable, start_postgres

    try:
        server = start_postgres(durable=True)
    except PostgresUnavailable as exc:
        return {note_key: f"PostgreSQL skipped: {exc}"}
    try:
        return measure(server.create_database(dbname))
    finally:
        server.stop()
