"""Case life cycle in the case file: draft -> published -> retired, who and when, publishing blocked by lint."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from replycoach.cases.draft import draft_case_yaml
from replycoach.cases.lifecycle import StatusChangeRefused, change_status, saving_problems
from replycoach.cases.lint import publish_blockers
from replycoach.cases.loader import validate_text
from replycoach.cases.models import CaseStatus

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _case(text):
    case, problems = validate_text(text)
    assert not problems, problems
    return case


def test_files_without_a_status_are_published_and_keep_their_content_hash():
    text = (ROOT / "scenarios" / "defective-dress.yaml").read_text(encoding="utf-8")
    case = _case(text)
    assert case.status == CaseStatus.published and case.is_published and case.status_history == []
    retired = _case(change_status(text, CaseStatus.retired, by="coach", at=AT))
    assert retired.status == CaseStatus.retired and not retired.is_published
    assert retired.content_hash == case.content_hash  # the life cycle is not content: attempts stay current


def test_a_draft_from_a_real_complaint_cannot_be_published_until_it_is_finished():
    draft = draft_case_yaml("The dress had a hole!", platform="instagram_comment", brand="Mode", customer_name="Olga")
    case = _case(draft)
    assert case.status == CaseStatus.draft
    codes = {w.code for w in publish_blockers(case)}
    assert codes == {"few_good", "few_bad", "no_cues", "todo_left"}
    with pytest.raises(StatusChangeRefused, match="not ready to publish") as refused:
        change_status(draft, CaseStatus.published, by="coach")
    assert {w.code for w in refused.value.blockers} == codes
    assert saving_problems(case) == []  # a draft may be saved however unfinished


def test_publishing_and_retiring_record_who_and_when_and_keep_comments():
    text = "# a comment the author wants kept\n" + (ROOT / "scenarios" / "price-complaint.yaml").read_text("utf-8")
    text = text.replace("language: en\n", "language: en\nstatus: draft  # not ready\n", 1)
    published = change_status(text, CaseStatus.published, by="clara", at=AT)
    retired = change_status(published, CaseStatus.retired, by="boris.k", at=AT.replace(day=3))
    again = change_status(retired, CaseStatus.published, by="clara", at=AT.replace(day=4))
    case = _case(again)
    assert case.status == CaseStatus.published
    assert [(c.status, c.by, c.at) for c in case.status_history] == [
        (CaseStatus.published, "clara", AT),
        (CaseStatus.retired, "boris.k", AT.replace(day=3)),
        (CaseStatus.published, "clara", AT.replace(day=4)),
    ]
    assert again.startswith("# a comment the author wants kept\n")
    assert again.count("status:") == 1 + 3  # the status line and one per history entry


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        ("draft", "retired", "A draft case cannot become retired"),
        ("retired", "draft", "A retired case cannot become draft"),
        ("published", "published", "A published case cannot become published"),
    ],
)
def test_moves_the_life_cycle_does_not_offer_are_refused(start, to, message):
    text = (ROOT / "scenarios" / "price-complaint.yaml").read_text("utf-8")
    text = text.replace("language: en\n", f"language: en\nstatus: {start}\n", 1)
    with pytest.raises(StatusChangeRefused, match=message):
        change_status(text, CaseStatus(to), by="clara")


def test_an_invalid_text_or_no_name_is_refused():
    with pytest.raises(StatusChangeRefused, match="not valid yet"):
        change_status("id: [", CaseStatus.published, by="clara")
    text = (ROOT / "scenarios" / "price-complaint.yaml").read_text("utf-8")
    with pytest.raises(StatusChangeRefused, match="who"):
        change_status(text, CaseStatus.retired, by="  ")


def test_an_unfinished_case_cannot_be_saved_as_published():
    text = (ROOT / "scenarios" / "price-complaint.yaml").read_text("utf-8")
    case = _case(text.replace("title: ", "title: TODO ", 1))
    assert [w.code for w in saving_problems(case)] == ["todo_left"]
