"""Assignments, the HR dashboard with its exports, and the admin users page, against a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from coach_support import attempt_for, page_as, texts
from test_exports import assert_valid_xapi_103

from replycoach.analytics.csv_export import attempts_csv_bytes
from replycoach.analytics.xapi import statements
from replycoach.storage.types import AttemptFilter, Role


def test_assign_a_case_to_a_trainee_and_a_team_then_remove(store, users):
    at = page_as(users[Role.coach], "assignments").run()
    assert not at.exception, at.exception
    assert "No assignments yet" in texts(at)
    at.button(key="assign_submit").click().run()
    assert "Choose a case and a trainee" in texts(at)

    at.selectbox(key="assign_case").set_value("price-complaint")
    at.selectbox(key="assign_user").set_value("trainee")
    at.checkbox(key="assign_has_due").check().run()
    due = date.today() + timedelta(days=7)
    at.date_input(key="assign_due").set_value(due)
    at.button(key="assign_submit").click().run()
    assert not at.exception, at.exception
    assert "Assigned" in texts(at)
    mine = store.assignments_for(users[Role.trainee])
    assert [(a.case_id, a.due) for a in mine] == [("price-complaint", due)]

    at.radio(key="assign_target").set_value("A team").run()
    at.selectbox(key="assign_team").set_value("Store B")
    at.checkbox(key="assign_has_due").uncheck()
    at.button(key="assign_submit").click().run()
    assert [a.case_id for a in store.assignments_for(users["trainee2"])] == ["price-complaint"]
    assert "team Store B" in texts(at)

    first = store.list_assignments(users[Role.coach])[0]
    at.button(key=f"assign_remove_{first.id}").click().run()
    assert "Removed" in texts(at)
    assert first.id not in [a.id for a in store.list_assignments(users[Role.coach])]


@pytest.fixture
def history(store, users):
    """Attempts by two trainees in two teams over three weeks, in two languages."""
    for i in range(6):
        store.add_attempt(
            attempt_for(
                users[Role.trainee],
                "price-complaint",
                score=50.0 + 8 * i,
                principles={"apology": 0.2 + 0.1 * i, "empathy": 0.8},
                days_ago=20 - 3 * i,
            )
        )
    for i in range(3):
        store.add_attempt(
            attempt_for(
                users["trainee2"],
                "price-complaint",
                score=40.0,
                principles={"apology": 0.9, "empathy": 0.1},
                days_ago=10 - i,
                language="de",
            )
        )
    return users


def test_dashboard_shows_figures_charts_weakest_and_drill_down(history):
    at = page_as(history[Role.hr], "dashboard").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Attempts"] == "9" and metrics["Active trainees"] == "2"
    assert len(at.get("vega_lite_chart")) == 2  # progress per team and the heatmap
    assert "Weakest principles" in texts(at)
    assert at.get("download_button")  # AppTest serves no routes: the in-memory downloads stand in
    trainees = at.dataframe[0].value  # the trainee table
    assert list(trainees["trainee"]) == ["Second Trainee", "Trainee Tester"]  # by display name
    assert list(trainees["attempts"]) == [3, 6] and list(trainees["average score"]) == [40, 70]

    at.multiselect(key="dash_langs").set_value(["de"]).run()
    assert {m.label: m.value for m in at.metric}["Attempts"] == "3"

    at.multiselect(key="dash_langs").set_value([]).run()
    at.selectbox(key="dash_trainee").set_value(history[Role.trainee].id).run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 3  # plus the trainee's principle trends
    assert len(at.dataframe[1].value) == 6


def test_dashboard_with_no_matching_attempts(store, users):
    at = page_as(users[Role.hr], "dashboard").run()
    assert not at.exception
    assert "No attempts match these filters" in texts(at)


def test_weakest_principles_weigh_teams_by_attempts():
    from replycoach.ui.pages.dashboard import weakest_principles

    matrix = [
        {"team": "A", "principle": "apology", "average": 0.2, "attempts": 1},
        {"team": "B", "principle": "apology", "average": 0.8, "attempts": 3},
        {"team": "A", "principle": "empathy", "average": 0.5, "attempts": 4},
        {"team": "A", "principle": "timing", "average": None, "attempts": 0},
    ]
    assert weakest_principles(matrix, 2) == [("empathy", 0.5, 4), ("apology", pytest.approx(0.65), 4)]


def test_exports_from_the_store_have_every_principle_and_valid_xapi(store, history):
    hr = history[Role.hr]
    flt = AttemptFilter()
    data = attempts_csv_bytes(store.iter_export_rows(hr, flt), store.export_principles())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 9
    assert {"attempt_id", "username", "case_id", "score", "apology", "empathy", "no_blame"} <= set(rows[0])
    assert {r["username"] for r in rows} == {"trainee", "trainee2"}
    assert all(r["timing"] == "" for r in rows)  # N/A stays empty, not 0

    out = json.loads(
        json.dumps(statements(store.iter_export_rows(hr, flt), case_titles={"price-complaint": "Prices"}), default=str)
    )
    assert len(out) == 9
    for s in out:
        assert_valid_xapi_103(s)
    by_user = [s for s in out if s["actor"]["account"]["name"] == "trainee2"]
    assert by_user[0]["context"]["language"] == "de"
    assert (
        next(v for k, v in by_user[0]["context"]["extensions"].items() if k.endswith("principle-scores"))["apology"]
        == 0.9
    )


def test_admin_adds_changes_resets_and_deactivates_users(store, users):
    admin = users[Role.admin]
    at = page_as(admin, "admin_users").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 5

    at.text_input(key="admin_new_username").set_value("newbie")
    at.text_input(key="admin_new_password").set_value("x")
    at.button(key="admin_add").click().run()
    assert "Not added" in texts(at)  # a weak password is refused with the store's message
    at.text_input(key="admin_new_password").set_value("a-long-enough-password-1")
    at.text_input(key="admin_new_team").set_value("Store C")
    at.button(key="admin_add").click().run()
    assert "Added newbie as trainee" in texts(at)
    at.text_input(key="admin_new_username").set_value("newbie")
    at.button(key="admin_add").click().run()
    assert "Not added" in texts(at) and "taken" in texts(at)

    newbie = store.find_user("newbie")
    assert (newbie.role, newbie.team) == (Role.trainee, "Store C")
    at.selectbox(key="admin_pick").set_value("newbie").run()
    at.selectbox(key=f"admin_role_{newbie.id}").set_value("coach")
    at.button(key=f"admin_set_role_{newbie.id}").click().run()
    assert store.find_user("newbie").role == Role.coach
    at.text_input(key=f"admin_team_{newbie.id}").set_value("")
    at.button(key=f"admin_set_team_{newbie.id}").click().run()
    assert store.find_user("newbie").team is None
    at.text_input(key=f"admin_password_{newbie.id}").set_value("another-good-password-2")
    at.button(key=f"admin_set_password_{newbie.id}").click().run()
    assert store.login("newbie", "another-good-password-2").user is not None
    at.button(key=f"admin_deactivate_{newbie.id}").click().run()
    assert store.find_user("newbie").active is False
    assert store.login("newbie", "another-good-password-2").user is None
    at.button(key=f"admin_reactivate_{newbie.id}").click().run()
    assert store.find_user("newbie").active is True


def test_an_admin_cannot_lock_themselves_out(store, users):
    admin = users[Role.admin]
    at = page_as(admin, "admin_users").run()
    at.selectbox(key="admin_pick").set_value("admin").run()
    at.button(key=f"admin_deactivate_{admin.id}").click().run()
    assert "cannot deactivate your own account" in texts(at)
    at.selectbox(key=f"admin_role_{admin.id}").set_value("trainee")
    at.button(key=f"admin_set_role_{admin.id}").click().run()
    assert "cannot take the admin role from yourself" in texts(at)
    me = store.find_user("admin")
    assert me.active and me.role == Role.admin
