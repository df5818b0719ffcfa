"""The HR exports are downloads streamed by routes on the real server (``export_routes``): the session cookie
and the role are checked as a page checks them, the dashboard's filter travels in the link, and the file is
what the store holds. In Chromium the dashboard's button downloads the file."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from e2e_support import sign_in

from replycoach.storage.types import AttemptFilter, NewAttempt, PrincipleScore, Role
from replycoach.ui import export_routes
from replycoach.ui.cookie_routes import SESSION_COOKIE

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def exported(app_store):
    """Two trainees in two new teams with two attempts each (one of them today, reviewed by the coach for
    Olga), an HR session and a trainee's."""
    now = datetime.now(UTC)
    people = [
        app_store.add_user(name, "export-pass-1", Role.trainee, display_name=display, team=team)
        for name, display, team in [("exp-olga", "=1+1 Olga", "Export A"), ("exp-ivan", "Ivan", "Export B")]
    ]
    for user in people:
        for n, days in enumerate((0, 3)):
            at = now - timedelta(days=days)
            app_store.add_attempt(
                NewAttempt(
                    user_id=user.id, case_id="price-complaint", case_hash="0" * 64, language="en",
                    handling="public_reply", reply=f"Sorry, {user.username}, line one\nline two", opened_at=at,
                    submitted_at=at, response_seconds=90.0, score=60.0 + n, passed=False,
                    grader_version="e2e", embedder="none", principles=[PrincipleScore("empathy", 0.5, 1.0)],
                    grade_json={"score": 60.0 + n}, client_token=f"export-{user.username}-{n}",
                )
            )  # fmt: skip
    latest = app_store.list_attempts(people[0], limit=1)[0]  # today's (score 60)
    coach = app_store.find_user("coach")
    app_store.add_review(latest.id, coach, scores={"empathy": 1.0}, overall=80.0, comment="", pass_mark=70.0)
    hr = app_store.find_user("hr")
    hr_token = app_store.start_session(hr.id, lifetime=timedelta(hours=1)).token
    trainee_token = app_store.start_session(people[0].id, lifetime=timedelta(hours=1)).token
    return {"hr": hr_token, "trainee": trainee_token, "hr_user": hr, "reviewed": latest.id}


def _get(url: str, token: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Cookie", f"{SESSION_COOKIE}={token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def _url(app_url: str, path: str, flt: AttemptFilter) -> str:
    return app_url + export_routes.export_url(path, flt)


def test_csv_streams_the_filtered_attempts_to_hr(app_url, app_store, exported):
    flt = AttemptFilter(teams=("Export A", "Export B"))
    status, headers, body = _get(_url(app_url, export_routes.CSV_PATH, flt), exported["hr"])
    assert status == 200
    assert headers["content-type"].startswith("text/csv")
    assert headers["content-disposition"].startswith('attachment; filename="replycoach-attempts-')
    assert headers["cache-control"] == "no-store"
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    expected = list(app_store.iter_export_rows(exported["hr_user"], flt))
    assert [int(r["attempt_id"]) for r in rows] == [r["attempt_id"] for r in expected] and len(rows) == 4
    assert {r["team"] for r in rows} == {"Export A", "Export B"}
    assert rows[0]["reply"].endswith("line one\nline two") and rows[-1]["empathy_score"] == "50.0"  # 0-100
    reviewed = {r["attempt_id"]: r for r in rows}[str(exported["reviewed"])]  # the score of record streams out
    assert (reviewed["score"], reviewed["machine_score"], reviewed["reviewed_by"]) == ("80.0", "60.0", "Clara Coach")
    assert reviewed["empathy_score"] == "100.0"
    assert {r["display_name"] for r in rows} == {"'=1+1 Olga", "Ivan"}  # a formula is defused, as before

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    one_day = AttemptFilter(teams=("Export A",), since=today, until=today + timedelta(days=1))
    _, _, body = _get(_url(app_url, export_routes.CSV_PATH, one_day), exported["hr"])
    assert [r["username"] for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))] == ["exp-olga"]


def test_xapi_streams_one_valid_json_array(app_url, exported):
    status, headers, body = _get(
        _url(app_url, export_routes.XAPI_PATH, AttemptFilter(teams=("Export B",))), exported["hr"]
    )
    assert status == 200 and headers["content-type"].startswith("application/json")
    statements = json.loads(body)
    assert len(statements) == 2
    assert {s["actor"]["account"]["name"] for s in statements} == {"exp-ivan"}
    assert all(s["version"] == "1.0.3" for s in statements)


@pytest.mark.parametrize("who", ["nobody", "a trainee", "an ended session", "a made-up token"])
def test_only_a_live_session_of_a_role_with_the_dashboard_may_export(app_url, app_store, exported, who):
    token = {
        "nobody": None,
        "a trainee": exported["trainee"],
        "a made-up token": "not-a-session",
    }.get(who)
    if who == "an ended session":
        token = app_store.start_session(exported["hr_user"].id, lifetime=timedelta(hours=1)).token
        app_store.end_session(token)
    for path in (export_routes.CSV_PATH, export_routes.XAPI_PATH):
        status, _, body = _get(_url(app_url, path, AttemptFilter()), token)
        assert status == 403 and b"Olga" not in body and b"Sign in" in body


def test_a_filter_that_does_not_parse_is_refused_with_a_reason(app_url, exported):
    status, _, body = _get(f"{app_url}/{export_routes.CSV_PATH}?since=yesterday", exported["hr"])
    assert status == 400 and b"since must be a date and time" in body
    status, _, _ = _get(f"{app_url}/{export_routes.CSV_PATH}?turn=first", exported["hr"])
    assert status == 400


def test_the_dashboard_button_downloads_the_csv(page, app_url, exported):
    sign_in(page, app_url, "hr")
    page.get_by_role("heading", name="HR dashboard").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Attempts with per-principle scores (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    names = {row["username"] for row in csv.DictReader(io.StringIO(text))}
    assert {"exp-olga", "exp-ivan"} <= names
    assert download.value.suggested_filename.startswith("replycoach-attempts-")
    assert any(c["name"] == SESSION_COOKIE for c in page.context.cookies())
