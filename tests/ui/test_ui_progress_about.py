"""The progress page (own attempts only, charts, per-case first/best/latest, an old attempt's feedback) and
the about page (versions, LLM status, the casebook's health)."""

from __future__ import annotations

import shutil

import pytest
from ui_support import CASES, app_for, html_of, markdown_of

from replycoach.config import get_settings
from replycoach.storage.types import Role


def _progress(user):
    from streamlit.util import calc_hash

    at = app_for(user).run()
    at._page_hash = calc_hash("progress")  # as if the page's URL were opened
    return at.run()


def test_progress_without_attempts_says_how_to_start(users):
    at = _progress(users[Role.trainee])
    assert not at.exception
    assert at.info[0].value.startswith("No attempts yet.")


def test_progress_lists_own_attempts_charts_and_opens_an_old_one(store, users, graded):
    trainee, other = users[Role.trainee], users[Role.coach]
    first = graded(trainee, "dress-hole", "ok")
    second = graded(trainee, "dress-hole", "Maria, we are sorry about the hole. DM us and we exchange it today.")
    graded(trainee, "hostile-markup", "Thanks for telling us <script>alert(1)</script>")
    graded(other, "dress-hole", "A reply by somebody else entirely")
    at = _progress(trainee)
    assert not at.exception
    assert at.metric[0].value == "3"  # own attempts only
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert len(charts) == 2  # score over time, each principle over time
    per_case = at.dataframe[0].value
    row = per_case[per_case["case"] == "A hole in the new dress"].iloc[0]
    assert row["attempts"] == 2
    assert row["first"] == round(first.score)
    assert row["latest"] == round(second.score)
    assert row["best"] == round(max(first.score, second.score))
    assert row["lift"] == round(second.score - first.score)
    all_attempts = at.dataframe[1].value
    assert len(all_attempts) == 3
    assert "A reply by somebody else entirely" not in html_of(at)
    # open the oldest attempt's feedback
    at.selectbox(key="progress_attempt").set_value(first.id).run()
    assert f">{first.score:.0f}<" in html_of(at)
    assert "A quick apology and a move to private messages" in html_of(at)


@pytest.fixture
def broken_casebook(app_env, tmp_path, monkeypatch):
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    (folder / "broken.yaml").write_text("schema_version: 1\nid: broken\ntitle: <b>x</b>\n", encoding="utf-8")
    monkeypatch.setenv("REPLYCOACH_SCENARIOS_DIR", str(folder))
    get_settings.cache_clear()
    return folder


def _about(user):
    from streamlit.util import calc_hash

    at = app_for(user).run()
    at._page_hash = calc_hash("about")
    return at.run()


def test_about_shows_versions_llm_and_cases_with_problems_for_coaches(users, broken_casebook):
    import replycoach

    at = _about(users[Role.coach])
    assert not at.exception
    table = at.table[0].value
    values = dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
    assert values["ReplyCoach version"] == replycoach.__version__
    assert values["Embedder"] == get_settings().embedder
    assert values["LLM"] == "off"
    assert "2 cases loaded; 1 case files failed to load." in markdown_of(at)
    problems = [c.value for c in at.code]
    assert problems and all("broken.yaml ==> " in p for p in problems)


def test_about_shows_trainees_only_which_files_failed(users, broken_casebook):
    at = _about(users[Role.trainee])
    assert not at.exception
    assert not at.code
    assert "broken.yaml" in markdown_of(at).replace("\\", "")
