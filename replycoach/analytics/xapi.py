"""xAPI 1.0.3 statements: one per attempt, for a learning record store (LRS).

Each attempt becomes "<trainee> passed|failed <case>" with the score, the reply, how long the trainee took
and, as context extensions, every principle's score, the grader version and the case's content hash (so an
LRS never mixes case versions). Statement ids are UUIDv5 of the attempt, so exporting twice gives the same ids
and an LRS de-duplicates them instead of counting attempts twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime

from replycoach.cases.models import PRINCIPLES

DEFAULT_HOME_PAGE = "https://replycoach.example"
CASE_ACTIVITY_BASE = "https://replycoach.example/cases/"
EXTENSION_BASE = "https://replycoach.example/xapi/extensions/"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://replycoach.example/xapi/statements")


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration as xAPI wants it, e.g. 95.5 s -> ``PT1M35.5S``; 3 h 2 s -> ``PT3H2S``."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative, got {seconds}")
    centis = round(seconds * 100)
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs = rest / 100
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs:g}S"
    return out


def _timestamp(value: object) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"submitted_at must be a datetime, got {value!r}")
    if value.tzinfo is None:  # the store keeps UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def attempt_statement(
    row: Mapping[str, object],
    *,
    case_title: str | None = None,
    home_page: str = DEFAULT_HOME_PAGE,
) -> dict:
    """One xAPI statement for an attempt.

    ``row`` holds ``attempt_id`` (or ``id``), ``username``, ``case_id``, ``case_hash``, ``language``,
    ``reply``, ``submitted_at``, ``response_seconds``, ``score`` (0-100), ``passed``, ``grader_version`` and
    ``principles`` (principle -> score in [0, 1] or ``None``; or one column per principle, as
    ``Store.iter_export_rows`` gives); ``display_name`` and ``handling`` are used when present. ``attempt_row`` builds it from a stored ``Attempt``.
    """
    attempt_id = row.get("attempt_id", row.get("id"))
    if attempt_id is None:
        raise ValueError("an attempt row needs attempt_id")
    score = float(row["score"])  # type: ignore[arg-type]
    passed = bool(row["passed"])
    case_id = str(row["case_id"])
    language = str(row.get("language") or "en")
    actor: dict = {"objectType": "Agent", "account": {"homePage": home_page, "name": str(row["username"])}}
    if row.get("display_name"):
        actor["name"] = str(row["display_name"])
    principles = _principle_scores(row)
    extensions = {
        EXTENSION_BASE + "principle-scores": principles,
        EXTENSION_BASE + "grader-version": str(row.get("grader_version") or ""),
        EXTENSION_BASE + "case-hash": str(row.get("case_hash") or ""),
        EXTENSION_BASE + "attempt-id": attempt_id,
    }
    if row.get("handling"):
        extensions[EXTENSION_BASE + "handling"] = str(row["handling"])
    verb = VERB_PASSED if passed else VERB_FAILED
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"{home_page}/attempts/{attempt_id}")),
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": "passed" if passed else "failed"}},
        "object": {
            "objectType": "Activity",
            "id": CASE_ACTIVITY_BASE + case_id,
            "definition": {"name": {"en-US": case_title or case_id}, "type": ASSESSMENT},
        },
        "result": {
            "score": {"scaled": round(max(0.0, min(100.0, score)) / 100, 4), "raw": score, "min": 0, "max": 100},
            "success": passed,
            "completion": True,
            "duration": iso_duration(float(row.get("response_seconds") or 0.0)),  # type: ignore[arg-type]
            "response": str(row.get("reply") or ""),
        },
        "context": {"language": language, "extensions": extensions},
        "timestamp": _timestamp(row["submitted_at"]),
        "version": "1.0.3",
    }


def _principle_scores(row: Mapping[str, object]) -> dict:
    """``row["principles"]`` when given, else the principle columns of an export row (one key per principle)."""
    if "principles" in row:
        return dict(row["principles"] or {})  # type: ignore[call-overload]
    return {pid: row[pid] for pid in PRINCIPLES if pid in row}


def attempt_row(attempt) -> dict:
    """The mapping ``attempt_statement`` reads, from a storage ``Attempt``."""
    return {
        "attempt_id": attempt.id,
        "username": attempt.username,
        "case_id": attempt.case_id,
        "case_hash": attempt.case_hash,
        "language": attempt.language,
        "handling": attempt.handling,
        "reply": attempt.reply,
        "submitted_at": attempt.submitted_at,
        "response_seconds": attempt.response_seconds,
        "score": attempt.score,
        "passed": attempt.passed,
        "grader_version": attempt.grader_version,
        "principles": dict(attempt.principles),
    }


def statements(
    rows: Iterable[Mapping[str, object]],
    *,
    case_titles: Mapping[str, str] | None = None,
    home_page: str = DEFAULT_HOME_PAGE,
) -> list[dict]:
    """Statements for many attempts (a JSON array is what an LRS's POST /statements takes)."""
    return list(iter_statements(rows, case_titles=case_titles, home_page=home_page))


def iter_statements(
    rows: Iterable[Mapping[str, object]],
    *,
    case_titles: Mapping[str, str] | None = None,
    home_page: str = DEFAULT_HOME_PAGE,
) -> Iterator[dict]:
    """``statements`` one at a time."""
    titles = case_titles or {}
    for r in rows:
        yield attempt_statement(r, case_title=titles.get(str(r["case_id"])), home_page=home_page)


def iter_json_array(items: Iterable[object], *, chunk_items: int = 200) -> Iterator[bytes]:
    """A JSON array of ``items`` as UTF-8, in chunks (one item per line), without holding the array."""
    buffer = ["["]
    for count, item in enumerate(items):
        buffer.append(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False, default=str))
        if len(buffer) >= chunk_items:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
    buffer.append("\n]\n")
    yield "".join(buffer).encode("utf-8")
