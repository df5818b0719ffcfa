"""Attempts as CSV, one row per attempt (every turn) with every principle's score as its own column.

``handling`` is the handling the trainee chose; each principle's score of record is in ``<principle>_score``
(so the handling principle's score is ``handling_score``). Every score is on the 0-100 scale: ``score`` is the
score of record (a coach's review where there is one), ``machine_score`` the machine's, with the reviewer, the
time of the review and its comment beside them; ``score_grader_version`` is the grader behind the score of record
(empty when a coach's review is). Rows stream in (``Store.iter_export_rows`` yields them one by
one) and CSV text streams out in chunks (``iter_csv_bytes``), so an export of a million attempts never holds
the table in memory. Cells a spreadsheet would run as a formula (a reply
starting with ``=`` or ``@``) are defused with a leading apostrophe: replies are typed by trainees.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime

#: Columns that come first when a row has them, in this order; the rest follow in the first row's order.
LEADING_COLUMNS = (
    "attempt_id",
    "id",
    "submitted_at",
    "username",
    "display_name",
    "team",
    "case_id",
    "case_title",
    "case_hash",
    "language",
    "turn",
    "parent_id",
    "handling",
    "score",
    "passed",
    "machine_score",
    "machine_passed",
    "score_grader_version",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "response_seconds",
)
#: The column of a principle's score (0-100) in the export.
SCORE_SUFFIX = "_score"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def header_for(first_row: Mapping[str, object], principles: Sequence[str] = ()) -> list[str]:
    """The header: leading columns present in the row, then the row's other keys, then any principle
    columns (``principles``) the first row lacked so every export of the same app has the same columns."""
    keys = list(first_row)
    head = [c for c in LEADING_COLUMNS if c in first_row]
    head += [k for k in keys if k not in head]
    head += [p for p in principles if p not in head]
    return head


def iter_csv(rows: Iterable[Mapping[str, object]], principles: Sequence[str] = (), *, chunk_rows: int = 500):
    """Yield CSV text in chunks (header first). A row with a column the header lacks is an error, never a
    silently dropped value. No rows gives just an empty string."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return
    header = header_for(first, principles)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, extrasaction="raise", restval="")
    writer.writeheader()
    for count, row in enumerate(_chain(first, it), start=1):
        writer.writerow({k: _cell(v) for k, v in row.items()})
        if count % chunk_rows == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue()


def _chain(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest


def flat_row(row: Mapping[str, object], principles: Sequence[str] = ()) -> dict[str, object]:
    """An export row (``Store.iter_export_rows``: principle scores in ``principles``, 0-1) as CSV columns:
    ``<principle>_score`` on 0-100 for every principle of ``principles`` and of the row."""
    flat = {k: v for k, v in row.items() if k != "principles"}
    scores: Mapping = row.get("principles") or {}  # type: ignore[assignment]
    for pid in [*principles, *(p for p in scores if p not in principles)]:
        value = scores.get(pid)
        flat[pid + SCORE_SUFFIX] = None if value is None else round(100 * float(value), 1)
    return flat


def iter_csv_bytes(rows: Iterable[Mapping[str, object]], principles: Sequence[str] = ()) -> Iterator[bytes]:
    """The export as CSV (``flat_row`` columns), UTF-8 with a byte-order mark (so spreadsheet programs read
    Cyrillic and umlauts), in chunks: what the export route streams, however many rows there are."""
    yield "\ufeff".encode()
    for chunk in iter_csv((flat_row(r, principles) for r in rows), [p + SCORE_SUFFIX for p in principles]):
        yield chunk.encode("utf-8")


def attempts_csv_bytes(rows: Iterable[Mapping[str, object]], principles: Sequence[str] = ()) -> bytes:
    """The whole CSV at once (``iter_csv_bytes`` joined), for a download that needs all its bytes."""
    return b"".join(iter_csv_bytes(rows, principles))
