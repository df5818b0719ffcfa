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
    assert "Remove the assignment of" in texts(at)  # asks first
    at.button(key=f"assign_remove_no_{first.id}").click().run()
    assert first.id in [a.id for a in store.list_assignments(users[Role.coach])]  # cancelled: still there
    at.button(key=f"assign_remove_{first.id}").click().run()
    at.button(key=f"assign_remove_yes_{first.id}").click().run()
    assert "Removed" in texts(at)
    assert first.id not in [a.id for a in store.list_assignments(users[Role.coach])]


def test_a_duplicate_assignment_is_refused_and_progress_is_tracked(store, users):
    coach, trainee = users[Role.coach], users[Role.trainee]
    store.assign("price-complaint", coach, username="trainee")
    at = page_as(coach, "assignments").run()
    at.selectbox(key="assign_case").set_value("price-complaint")
    at.selectbox(key="assign_user").set_value("trainee")
    at.button(key="assign_submit").click().run()
    assert "Not assigned: This case is already assigned to Trainee Tester and not done yet" in texts(at)
    assert len(store.list_assignments(coach)) == 1  # bug 7: no second, identical assignment

    store.add_attempt(attempt_for(trainee, "price-complaint", score=82.0, principles={"apology": 1.0}, days_ago=0))
    at.run()
    assert "1 of 1 done, 1 passed" in texts(at)
    (table,) = [df.value for df in at.dataframe]
    assert table.iloc[0]["trainee"] == "Trainee Tester" and bool(table.iloc[0]["passed"])


def test_only_published_cases_can_be_assigned(store, users, coach_env):
    path = coach_env / "scenarios" / "price-complaint.yaml"
    path.write_text(path.read_text("utf-8").replace("language: en\n", "language: en\nstatus: retired\n", 1), "utf-8")
    at = page_as(users[Role.coach], "assignments").run()
    options = at.selectbox(key="assign_case").options
    assert options and all("(price-complaint)" not in o for o in options)


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

    assert "Scores: 9 by grader test-1" in texts(at)  # which grader the figures use

    at.multiselect(key="dash_langs").set_value(["de"]).run()
    assert {m.label: m.value for m in at.metric}["Attempts"] == "3"
    assert "Scores: 3 by grader test-1" in texts(at)

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
    assert {"attempt_id", "username", "case_id", "score", "apology_score", "empathy_score"} <= set(rows[0])
    assert {r["username"] for r in rows} == {"trainee", "trainee2"}
    assert all(r["timing_score"] == "" for r in rows)  # N/A stays empty, not 0

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
        == 90.0
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


def test_exports_carry_the_chosen_handling_second_turns_and_the_coachs_review(store, users):
    """Bugs 1 and 2: the CSV's handling is the trainee's choice (with its own score column), second-turn answers
    and coach reviews (score of record, machine score, reviewer, time) are in both exports, and HR's figures
    count the coach's score."""
    from dataclasses import replace

    from replycoach.ui.pages.dashboard import export_csv, export_xapi

    trainee, coach, hr = users[Role.trainee], users[Role.coach], users[Role.hr]
    first = store.add_attempt(
        replace(
            attempt_for(trainee, "price-complaint", score=40.0, principles={"handling": 0.5, "apology": 0.0}),
            handling="public_then_private",
        )
    )
    second = store.add_attempt(
        replace(
            attempt_for(trainee, "price-complaint", score=66.0, principles={"handling": 1.0}, days_ago=0.5),
            turn=2,
            parent_id=first.id,
            follow_up_text="And when exactly?",
        )
    )
    store.add_review(first.id, coach, scores={"apology": 0.75}, overall=72.0, comment="Fair.", pass_mark=70)

    rows = {
        int(r["attempt_id"]): r
        for r in csv.DictReader(io.StringIO(export_csv(store, hr, AttemptFilter()).decode("utf-8-sig")))
    }
    assert set(rows) == {first.id, second.id}  # the answer to the follow-up too
    one, two = rows[first.id], rows[second.id]
    assert (one["handling"], one["handling_score"]) == ("public_then_private", "50.0")
    assert (one["score"], one["passed"], one["machine_score"], one["machine_passed"]) == (
        "72.0",
        "True",
        "40.0",
        "False",
    )
    assert (one["apology_score"], one["reviewed_by"], one["review_comment"]) == ("75.0", "Coach Tester", "Fair.")
    assert one["reviewed_at"] and one["reviewed_at"].endswith("+00:00")
    assert (two["turn"], two["parent_id"], two["follow_up_text"], two["reviewed_by"]) == (
        "2",
        str(first.id),
        "And when exactly?",
        "",
    )

    statements_ = json.loads(export_xapi(store, hr, AttemptFilter(), {"price-complaint": "Prices"}))
    by_id = {
        s["context"]["extensions"]["https://replycoach.example/xapi/extensions/attempt-id"]: s for s in statements_
    }
    for s in statements_:
        assert_valid_xapi_103(s)
    ext = {k.rsplit("/", 1)[1]: v for k, v in by_id[first.id]["context"]["extensions"].items()}
    assert ext["handling"] == "public_then_private" and ext["principle-scores"]["handling"] == 50.0
    assert ext["coach-review"]["reviewer"] == "Coach Tester" and by_id[first.id]["result"]["score"]["raw"] == 72.0
    assert ext["machine-score"] == 40.0
    assert by_id[second.id]["context"]["statement"]["id"] == by_id[first.id]["id"]

    at = page_as(hr, "dashboard").run()
    # The page reads the rollups (a UTC viewer's period is whole UTC days), which the review moved.
    assert {m.label: m.value for m in at.metric}["Average score"] == "72"  # the coach's score counts
    assert {m.label: m.value for m in at.metric}["Pass rate"] == "100%"
    assert list(at.dataframe[0].value["average score"]) == [72]  # the trainee table too
    # Which grader the figures use (first replies in the period): the coach's review, none by the machine alone.
    assert "Scores: 1 by coach reviews" in texts(at)
    assert (one["score_grader_version"], two["score_grader_version"]) == ("", "test-1")
    assert "score-grader-version" not in ext  # the coach's review is the score of record
    second_ext = {k.rsplit("/", 1)[1]: v for k, v in by_id[second.id]["context"]["extensions"].items()}
    assert second_ext["score-grader-version"] == "test-1"
