"""The case studio: open, edit in the form or the YAML (kept in sync), validate live, lint, preview, try a
reply, save (atomic with history) and never lose an invalid draft; a new case from a real complaint."""

from __future__ import annotations

import pytest
import yaml
from coach_support import page_as, shown, texts

from replycoach.storage.types import Role

CASE_FILE = "price-complaint.yaml"


@pytest.fixture
def studio(users, coach_env):
    at = page_as(users[Role.coach], "studio", timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at, path) -> None:
    at.selectbox(key="studio_pick").set_value(str(path)).run()
    assert not at.exception, at.exception


def _yaml(at) -> dict:
    return yaml.safe_load(at.text_area(key="studio_yaml").value)


def test_opening_a_case_fills_form_and_yaml_and_shows_preview_and_lint(studio, coach_env):
    path = coach_env / "scenarios" / CASE_FILE
    _open(studio, path)
    assert studio.text_area(key="studio_yaml").value == path.read_text(encoding="utf-8")
    assert studio.text_input(key="studio_f_title").value == _yaml(studio)["title"]
    assert studio.text_input(key="studio_f_brand").value == "Kaprizo Shoes"
    assert studio.text_input(key="studio_file").value == CASE_FILE
    assert any("Valid case" in s.value for s in studio.success)
    assert any(h.proto.body.count("rc-post") for h in studio.get("html"))  # the trainee's view of the post
    assert any(s.value.startswith("Lint") for s in studio.subheader)


def test_form_edit_rewrites_the_yaml_and_yaml_edit_refills_the_form(studio, coach_env):
    _open(studio, coach_env / "scenarios" / CASE_FILE)
    studio.text_input(key="studio_f_title").set_value("Prices are a horror").run()
    studio.text_area(key="studio_f_good").set_value("88 | Fair point!\\nSee the Sale section.").run()
    data = _yaml(studio)
    assert data["title"] == "Prices are a horror"
    assert data["exemplars"]["good"] == [
        {**data["exemplars"]["good"][0], "score": 88, "text": "Fair point!\nSee the Sale section."}
    ]
    assert data["exemplars"]["good"][0]["note"]  # the form shows no notes, but keeps them
    assert data["key_facts"][0]["id"] == "price-heard"  # untouched fields survive

    text = studio.text_area(key="studio_yaml").value.replace("brand: Kaprizo Shoes", "brand: Kaprizo")
    studio.text_area(key="studio_yaml").set_value(text).run()
    assert studio.text_input(key="studio_f_brand").value == "Kaprizo"
    assert studio.text_area(key="studio_f_good").value.startswith("88 | Fair point!\\nSee")


def test_a_badly_shaped_form_line_is_explained_and_changes_nothing(studio, coach_env):
    _open(studio, coach_env / "scenarios" / CASE_FILE)
    before = studio.text_area(key="studio_yaml").value
    studio.text_area(key="studio_f_bad").set_value("0 | not_a_principle | note | text").run()
    assert "unknown principle 'not_a_principle'" in texts(studio)
    assert studio.text_area(key="studio_yaml").value == before


def test_malformed_yaml_shows_the_validate_message_and_saving_keeps_a_draft(studio, coach_env):
    path = coach_env / "scenarios" / CASE_FILE
    original = path.read_text(encoding="utf-8")
    _open(studio, path)
    broken = original.replace("difficulty: easy", "difficulty: impossible")
    studio.text_area(key="studio_yaml").set_value(broken).run()
    errors = shown("\n".join(e.value for e in studio.error))
    assert f"{CASE_FILE} ==> difficulty ==>" in errors  # the same message as `replycoach validate`

    studio.button(key="studio_save").click().run()
    assert not studio.exception
    assert "Not saved" in texts(studio)
    drafts = list((coach_env / "data" / "drafts").glob("price-complaint--*.yaml"))
    assert len(drafts) == 1 and drafts[0].read_text(encoding="utf-8") == broken
    assert str(drafts[0]) in texts(studio)  # the page says where the draft is
    assert path.read_text(encoding="utf-8") == original  # the valid case file is untouched

    unreadable = "id: [unclosed"
    studio.text_area(key="studio_yaml").set_value(unreadable).run()
    assert any(CASE_FILE in shown(e.value) for e in studio.error)
    studio.text_input(key="studio_f_title").set_value("ignored").run()  # form edits wait for readable YAML
    assert studio.text_area(key="studio_yaml").value == unreadable
    assert "fix it there first" in texts(studio)

    studio.button(key="studio_open_draft").click().run()  # the kept draft comes back into the editor
    assert studio.text_area(key="studio_yaml").value == broken


def test_saving_a_valid_edit_writes_the_file_and_keeps_the_previous_version(studio, coach_env):
    path = coach_env / "scenarios" / CASE_FILE
    original = path.read_text(encoding="utf-8")
    _open(studio, path)
    studio.text_input(key="studio_f_title").set_value("Prices are a horror (edited)").run()
    studio.button(key="studio_save").click().run()
    assert not studio.exception
    assert "Saved price-complaint.yaml" in texts(studio)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == "Prices are a horror (edited)"
    history = list((coach_env / "scenarios" / ".history" / "price-complaint").glob("*.yaml"))
    assert [h.read_text(encoding="utf-8") for h in history] == [original]


def test_a_file_name_outside_the_casebook_is_refused(studio, coach_env):
    studio.text_input(key="studio_file").set_value("../escape.yaml").run()
    studio.button(key="studio_save").click().run()
    assert "File name:" in texts(studio)
    assert not (coach_env / "escape.yaml").exists()


def test_new_case_from_a_real_complaint_opens_a_valid_draft_and_saves(studio, coach_env):
    studio.text_area(key="studio_real_text").set_value("Ich habe ein Kleid gekauft und es hat ein Loch!")
    studio.text_input(key="studio_real_brand").set_value("Mode Haus")
    studio.text_input(key="studio_real_name").set_value("Daria")
    studio.button(key="studio_real_build").click().run()
    assert not studio.exception
    data = _yaml(studio)
    assert data["language"] == "de" and data["title"].startswith("TODO")
    assert studio.text_input(key="studio_f_brand").value == "Mode Haus"
    assert studio.text_input(key="studio_file").value == f"{data['id']}.yaml"
    lint = texts(studio)
    assert "exemplars.good" in lint and "translations" in lint  # the lint lists what is missing
    studio.button(key="studio_save").click().run()
    assert (coach_env / "scenarios" / f"{data['id']}.yaml").exists()


def test_building_a_draft_without_a_complaint_says_what_is_missing(studio):
    studio.button(key="studio_real_build").click().run()
    assert "Paste the complaint" in texts(studio)


def test_trying_a_reply_grades_it_per_principle(studio, coach_env):
    _open(studio, coach_env / "scenarios" / CASE_FILE)
    studio.text_area(key="studio_try_reply").set_value(
        "Fair point, these boots are among our pricier ones. Set the price filter in the catalogue: there are "
        "ankle boots for every budget, and the Sale section has last season's pairs at up to 50% off."
    )
    studio.button(key="studio_try").click().run()
    assert not studio.exception, studio.exception
    bodies = "\n".join(h.proto.body for h in studio.get("html"))
    assert "rc-overall" in bodies and 'data-principle="no_blame"' in bodies and "rc-reply" in bodies


def test_graded_lint_runs_on_request_and_flags_a_failing_good_exemplar(studio, coach_env):
    _open(studio, coach_env / "scenarios" / CASE_FILE)
    assert "not graded yet" in texts(studio)
    good = studio.text_area(key="studio_f_good").value
    studio.text_area(key="studio_f_good").set_value(good + "\n90 | Not our problem. Don't buy it then.").run()
    studio.button(key="studio_lint_graded").click().run()
    assert not studio.exception, studio.exception
    index = len(good.splitlines())
    assert any(
        f"exemplars.good[{index}]" in shown(w.value) and "below the pass mark" in w.value for w in studio.warning
    )
    assert "not graded yet" not in texts(studio)


def alias_bomb(levels: int) -> str:
    """A case whose title is ``levels`` nested aliases of ten each: 10**levels values once expanded (at 7,
    the 351-byte text that made the old form refill build a 35-million-character title)."""
    lines = ["schema_version: 1", "id: bomb", "t0: &t0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    lines += [f"t{n}: &t{n} [{','.join([f'*t{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join([*lines, f"title: *t{levels - 1}"]) + "\n"


@pytest.mark.timeout(90)  # the old refill took 20 s and 100 MiB at 7 levels, and took the server down at 8
@pytest.mark.parametrize("levels", [7, 8])
def test_an_alias_bomb_pasted_or_opened_is_refused_like_validate_refuses_it(studio, coach_env, levels):
    bomb = alias_bomb(levels)
    title_before = studio.text_input(key="studio_f_title").value
    studio.text_area(key="studio_yaml").set_value(bomb).run()
    assert not studio.exception, studio.exception
    assert "aliases expand to more than 100,000 values" in texts(studio)
    assert studio.text_input(key="studio_f_title").value == title_before  # the form was not refilled

    path = coach_env / "scenarios" / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    studio.run()  # the picker lists the file (with problems)
    _open(studio, path)
    assert studio.text_area(key="studio_yaml").value == bomb
    assert "aliases expand to more than 100,000 values" in texts(studio)
    assert len(studio.text_input(key="studio_f_title").value) < 200


def test_opening_a_symbolic_link_is_refused(studio, coach_env):
    link = coach_env / "scenarios" / "passwd.yaml"
    link.symlink_to("/etc/passwd")
    studio.run()
    before = studio.text_area(key="studio_yaml").value
    _open(studio, link)
    assert "Could not open passwd.yaml: it is a symbolic link" in texts(studio)
    assert studio.text_area(key="studio_yaml").value == before


def test_a_save_after_another_coach_saved_shows_a_diff_and_writes_nothing(studio, coach_env):
    path = coach_env / "scenarios" / CASE_FILE
    _open(studio, path)
    studio.text_input(key="studio_f_title").set_value("Mine: prices are a horror").run()
    theirs = path.read_text(encoding="utf-8").replace("difficulty: easy", "difficulty: hard")
    path.write_text(theirs, encoding="utf-8")  # another coach saved meanwhile

    studio.button(key="studio_save").click().run()
    assert not studio.exception, studio.exception
    page = texts(studio)
    assert f"Not saved: someone else saved a new version of {CASE_FILE} since you opened it" in page
    diff = "\n".join(c.value for c in studio.code)
    assert "-difficulty: hard" in diff and "+difficulty: easy" in diff and "+title: 'Mine: prices" in diff
    assert path.read_text(encoding="utf-8") == theirs  # their save stands
    [draft] = (coach_env / "data" / "drafts").glob("price-complaint--*.yaml")
    assert "Mine: prices are a horror" in draft.read_text(encoding="utf-8")  # and nothing of mine is lost
    assert str(draft) in page

    studio.button(key="studio_conflict_mine").click().run()  # having seen theirs, the coach replaces it
    assert not studio.exception, studio.exception
    assert f"Saved {CASE_FILE}" in texts(studio)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == "Mine: prices are a horror"
    assert not studio.code


def test_after_a_conflict_the_coach_can_open_the_other_version(studio, coach_env):
    path = coach_env / "scenarios" / CASE_FILE
    _open(studio, path)
    studio.text_input(key="studio_f_title").set_value("Mine").run()
    theirs = path.read_text(encoding="utf-8").replace("difficulty: easy", "difficulty: hard")
    path.write_text(theirs, encoding="utf-8")
    studio.button(key="studio_save").click().run()
    studio.button(key="studio_conflict_theirs").click().run()
    assert studio.text_area(key="studio_yaml").value == theirs
    studio.text_input(key="studio_f_brand").set_value("Kaprizo").run()
    studio.button(key="studio_save").click().run()  # now based on their version: saves
    assert f"Saved {CASE_FILE}" in texts(studio)
    assert "brand: Kaprizo\n" in path.read_text(encoding="utf-8")


def _as_draft(coach_env, name: str = CASE_FILE):
    path = coach_env / "scenarios" / name
    path.write_text(path.read_text("utf-8").replace("language: en\n", "language: en\nstatus: draft\n", 1), "utf-8")
    return path


def test_publishing_a_finished_draft_records_who_and_when_and_retiring_takes_it_offline(studio, coach_env, users):
    path = _as_draft(coach_env)
    _open(studio, path)
    assert "Draft: trainees do not see it." in texts(studio)
    studio.button(key="studio_status_published").click().run()
    assert not studio.exception, studio.exception
    assert "The case is published now" in texts(studio)
    on_disk = yaml.safe_load(path.read_text("utf-8"))
    assert on_disk["status"] == "published"
    assert [(c["status"], c["by"]) for c in on_disk["status_history"]] == [("published", "coach")]
    assert list((coach_env / "scenarios" / ".history" / "price-complaint").glob("*.yaml"))  # the draft is kept

    studio.button(key="studio_status_retired").click().run()
    assert yaml.safe_load(path.read_text("utf-8"))["status"] == "retired"
    assert "Retired: no longer offered" in texts(studio)
    assert "retired by coach" in texts(studio)


def test_an_unfinished_draft_cannot_be_published(studio, coach_env):
    studio.text_area(key="studio_real_text").set_value("Your shop sold me a broken kettle!")
    studio.text_input(key="studio_real_brand").set_value("Kettle Co")
    studio.button(key="studio_real_build").click().run()
    studio.button(key="studio_save").click().run()
    data = _yaml(studio)
    path = coach_env / "scenarios" / f"{data['id']}.yaml"
    studio.button(key="studio_status_published").click().run()
    assert not studio.exception, studio.exception
    message = texts(studio)
    assert "Not published: the case is not ready yet." in message
    assert "few_good" not in message and "good exemplar" in message and "TODO" in message
    assert yaml.safe_load(path.read_text("utf-8"))["status"] == "draft"  # bug 4: it never went live


def test_a_published_case_with_a_todo_is_not_saved_and_the_text_is_kept(studio, coach_env):
    path = coach_env / "scenarios" / CASE_FILE
    original = path.read_text("utf-8")
    _open(studio, path)
    studio.text_input(key="studio_f_title").set_value("TODO better title").run()
    studio.button(key="studio_save").click().run()
    assert "a published case must stay ready for trainees" in texts(studio)
    assert path.read_text("utf-8") == original
    drafts = list((coach_env / "data" / "drafts").glob("price-complaint--*.yaml"))
    assert len(drafts) == 1 and "TODO better title" in drafts[0].read_text("utf-8")


def test_translations_are_edited_in_the_form(studio, coach_env):
    _open(studio, coach_env / "scenarios" / CASE_FILE)
    assert studio.text_input(key="studio_f_tr_de_title").value.startswith("„Preise sind der Horror!“")
    studio.text_input(key="studio_f_tr_de_title").set_value("Preise: der Horror").run()
    studio.text_input(key="studio_f_tr_bg_first_name").set_value("Ана").run()
    data = _yaml(studio)
    assert data["translations"]["de"]["title"] == "Preise: der Horror"
    assert data["translations"]["de"]["exemplars"]["good"]  # what the form did not touch is kept
    assert data["translations"]["bg"]["customer"]["first_name"] == "Ана"
    assert any("Valid case" in s.value for s in studio.success)

    studio.text_input(key="studio_f_tr_ru_title").set_value("").run()  # a required field emptied: explained
    assert any("translations ==> ru ==> title" in shown(e.value) for e in studio.error)


def test_the_try_out_starts_from_each_cases_expected_handling(studio, coach_env):
    _open(studio, coach_env / "scenarios" / CASE_FILE)  # expects a public reply
    key = next(k for k in (w.key for w in studio.selectbox) if k and k.startswith("studio_try_handling"))
    studio.selectbox(key=key).set_value("no_reply").run()
    _open(studio, coach_env / "scenarios" / "defective-dress.yaml")  # expects public_then_private
    handling = next(w for w in studio.selectbox if w.key and w.key.startswith("studio_try_handling"))
    assert handling.value == "public_then_private"  # bug 7: not the previous case's choice
