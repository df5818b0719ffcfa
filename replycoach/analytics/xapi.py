"""xAPI 1.0.3 statements: one per attempt (every turn), for a learning record store (LRS).

Each attempt becomes "<trainee> passed|failed <case>" with the score of record (a coach's review where there
is one), the reply, how long the trainee took and, as context extensions, the handling the trainee chose,
every principle's score of record (0-100, like every score here), the machine's score, the coach's review
(reviewer, time, comment), the grader version, the grader behind the score of record (when no coach's review
is) and the case's content hash (so an LRS never mixes case
versions). An answer to the customer's follow-up (turn 2) refers to the first reply's statement
(``context.statement``) and carries the follow-up it answers. Statement ids are UUIDv5 of the attempt, so
exporting twice gives the same ids and an LRS de-duplicates them instead of counting attempts twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime

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


def statement_id(attempt_id: object, home_page: str = DEFAULT_HOME_PAGE) -> str:
    """The statement id of an attempt: the same on every export."""
    return str(uuid.uuid5(_NAMESPACE, f"{home_page}/attempts/{attempt_id}"))


def attempt_statement(
    row: Mapping[str, object],
    *,
    case_title: str | None = None,
    home_page: str = DEFAULT_HOME_PAGE,
) -> dict:
    """One xAPI statement for an attempt.

    ``row`` holds ``attempt_id`` (or ``id``), ``username``, ``case_id``, ``case_hash``, ``language``,
    ``reply``, ``submitted_at``, ``response_seconds``, ``score`` (0-100), ``passed``, ``grader_version`` and
    ``principles`` (principle -> score in [0, 1] or ``None``), as ``Store.iter_export_rows`` gives it; used when
    present: ``display_name``, ``handling`` (the trainee's choice), ``score_grader_version``, ``machine_score``, ``reviewed_by``,
    ``reviewed_at``, ``review_comment``, ``turn``, ``parent_id``, ``follow_up_text``.
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
    extensions = {
        EXTENSION_BASE + "principle-scores": _principle_scores(row),
        EXTENSION_BASE + "grader-version": str(row.get("grader_version") or ""),
        EXTENSION_BASE + "case-hash": str(row.get("case_hash") or ""),
        EXTENSION_BASE + "attempt-id": attempt_id,
        EXTENSION_BASE + "turn": int(row.get("turn") or 1),  # type: ignore[call-overload]
    }
    if row.get("score_grader_version"):  # the grader behind the score of record (absent: a coach's review)
        extensions[EXTENSION_BASE + "score-grader-version"] = str(row["score_grader_version"])
    if row.get("handling"):
        extensions[EXTENSION_BASE + "handling"] = str(row["handling"])
    if row.get("machine_score") is not None:
        extensions[EXTENSION_BASE + "machine-score"] = float(row["machine_score"])  # type: ignore[arg-type]
    if row.get("reviewed_at") is not None:
        extensions[EXTENSION_BASE + "coach-review"] = {
            "reviewer": str(row.get("reviewed_by") or ""),
            "timestamp": _timestamp(row["reviewed_at"]),
            "score": score,
            "comment": str(row.get("review_comment") or ""),
        }
    if row.get("follow_up_text"):
        extensions[EXTENSION_BASE + "follow-up"] = str(row["follow_up_text"])
    context: dict = {"language": language, "extensions": extensions}
    if row.get("parent_id") is not None:
        context["statement"] = {"objectType": "StatementRef", "id": statement_id(row["parent_id"], home_page)}
    verb = VERB_PASSED if passed else VERB_FAILED
    return {
        "id": statement_id(attempt_id, home_page),
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
        "context": context,
        "timestamp": _timestamp(row["submitted_at"]),
        "version": "1.0.3",
    }


def _principle_scores(row: Mapping[str, object]) -> dict:
    """Every principle's score of record on 0-100 (None: not applicable)."""
    scores: Mapping = row.get("principles") or {}  # type: ignore[assignment]
    return {pid: None if v is None else round(100 * float(v), 1) for pid, v in scores.items()}


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
