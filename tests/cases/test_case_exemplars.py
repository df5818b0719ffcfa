"""A trainee's reply proposed to its case as an exemplar: added in the reply's language, saved through the studio's
save (validated, history kept, conflicts and invalid results kept as drafts); bad proposals change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from replycoach.cases import exemplars
from replycoach.cases.exemplars import BAD, GOOD, ExemplarProposal, ExemplarRefused, propose_exemplar, with_exemplar
from replycoach.cases.loader import validate_text
from replycoach.cases.saving import HISTORY_DIR, drafts_for

GOOD_REPLY = ExemplarProposal(GOOD, "Anna, sorry! We'll mend it or swap it today - I've written to you.", 88, "Warm.")
BAD_REPLY = ExemplarProposal(BAD, "Check your dress next time.", 10, "Blames her.", ("no_blame", "empathy"))


def _case(text: str, language: str):
    case, problems = validate_text(text)
    assert case is not None, problems
    return case.localized(language)


def test_a_good_exemplar_joins_the_cases_own_language(casebook):
    text = (casebook / "dress-hole.yaml").read_text("utf-8")
    proposed = with_exemplar(text, "en", GOOD_REPLY)
    good = _case(proposed.yaml_text, "en").exemplars.good
    assert [(g.text, g.score, g.note) for g in good][-1] == (GOOD_REPLY.text, 88, "Warm.")
    assert len(good) == len(_case(text, "en").exemplars.good) + 1
    assert not proposed.starts_own_exemplars


def test_a_bad_exemplar_names_the_principles_it_fails(casebook):
    text = (casebook / "dress-hole.yaml").read_text("utf-8")
    bad = _case(with_exemplar(text, "en", BAD_REPLY).yaml_text, "en").exemplars.bad[-1]
    assert (bad.text, bad.score, bad.problems, bad.note) == (BAD_REPLY.text, 10, ["no_blame", "empathy"], "Blames her.")


def test_an_exemplar_in_a_translation_goes_to_that_language_only(casebook):
    text = (casebook / "dress-hole.yaml").read_text("utf-8")
    german = ExemplarProposal(GOOD, "Anna, das tut uns leid! Wir reparieren es heute.", 85)
    proposed = with_exemplar(text, "de", german)
    assert proposed.starts_own_exemplars  # German showed the English exemplars until now
    assert [g.text for g in _case(proposed.yaml_text, "de").exemplars.good] == [german.text]
    assert _case(proposed.yaml_text, "en").exemplars == _case(text, "en").exemplars
    russian = ExemplarProposal(BAD, "Сами виноваты.", 0, "Винит покупательницу.", ("no_blame",))
    before = _case(text, "ru").exemplars
    after = _case(with_exemplar(text, "ru", russian).yaml_text, "ru").exemplars
    assert after.bad == [*before.bad, *after.bad[len(before.bad) :]] and after.bad[-1].text == russian.text


@pytest.mark.parametrize(
    ("proposal", "message"),
    [
        (ExemplarProposal("so-so", "Hi", 50), "'good' or 'bad'"),
        (ExemplarProposal(GOOD, "   ", 50), "empty reply"),
        (ExemplarProposal(GOOD, "Hi", 101), "within 0-100"),
        (ExemplarProposal(GOOD, "Hi", -1), "within 0-100"),
        (ExemplarProposal(GOOD, "Hi", 50.5), "within 0-100"),
        (ExemplarProposal(BAD, "Hi", 5, "Rude."), "which principles"),
        (ExemplarProposal(BAD, "Hi", 5, "", ("empathy",)), "needs a note"),
        (ExemplarProposal(BAD, "Hi", 5, "Rude.", ("kindness",)), "Unknown principles: kindness"),
    ],
)
def test_a_bad_proposal_is_refused_with_what_is_wrong(casebook, proposal, message):
    text = (casebook / "dress-hole.yaml").read_text("utf-8")
    with pytest.raises(ExemplarRefused, match=message):
        with_exemplar(text, "en", proposal)


def test_a_language_the_case_lacks_and_a_reply_already_there_are_refused(casebook):
    text = (casebook / "dress-hole.yaml").read_text("utf-8")
    with pytest.raises(ExemplarRefused, match="no 'xx' version"):
        with_exemplar(text, "xx", GOOD_REPLY)
    existing = _case(text, "en").exemplars.bad[0].text
    with pytest.raises(ExemplarRefused, match="already an exemplar"):
        with_exemplar(text, "en", ExemplarProposal(BAD, existing, 0, "Again.", ("empathy",)))


def test_proposing_saves_through_the_studio_save_and_keeps_the_previous_version(casebook, data_dir):
    path = casebook / "dress-hole.yaml"
    before = path.read_text("utf-8")
    outcome = propose_exemplar(path, "en", GOOD_REPLY, data_dir=data_dir)
    assert outcome.save.saved and outcome.save.changed
    assert GOOD_REPLY.text in [g.text for g in _case(path.read_text("utf-8"), "en").exemplars.good]
    (kept,) = (casebook / HISTORY_DIR / "dress-hole").iterdir()
    assert kept.read_text("utf-8") == before


def test_a_save_made_meanwhile_is_a_conflict_and_loses_nothing(casebook, data_dir, monkeypatch):
    path = casebook / "dress-hole.yaml"
    real_read = exemplars.read_for_editing

    def read_then_another_coach_saves(p):
        text, version = real_read(p)
        Path(p).write_text(text.replace("A hole in the new dress", "A hole in the dress"), "utf-8")
        return text, version

    monkeypatch.setattr(exemplars, "read_for_editing", read_then_another_coach_saves)
    outcome = propose_exemplar(path, "en", GOOD_REPLY, data_dir=data_dir)
    assert outcome.save.conflict and not outcome.save.saved
    assert "A hole in the dress" in path.read_text("utf-8")  # theirs stays
    assert GOOD_REPLY.text not in path.read_text("utf-8")
    (draft,) = drafts_for(path, data_dir)
    assert GOOD_REPLY.text in draft.read_text("utf-8")  # ours is kept


def test_a_bad_proposal_writes_nothing_and_keeps_no_draft(casebook, data_dir):
    path = casebook / "dress-hole.yaml"
    before = path.read_text("utf-8")
    with pytest.raises(ExemplarRefused):
        propose_exemplar(path, "en", ExemplarProposal(GOOD, "", 50), data_dir=data_dir)
    assert path.read_text("utf-8") == before and drafts_for(path, data_dir) == []


def _removed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("- ")]


def test_the_coachs_file_stays_as_written_and_the_exemplar_is_only_added():
    """Every shipped case, every language, good and bad: the edit only adds lines (comments, quoting, folded
    text and layout stay), and the result reads back as the case with the exemplar added."""
    from replycoach.config import PROJECT_ROOT

    multi_line = ExemplarProposal(BAD, "First line.\nSecond line.", 15, "Cold.", ("empathy",))
    for path in sorted((PROJECT_ROOT / "scenarios").glob("*.yaml")):
        text = path.read_text("utf-8")
        case, _ = validate_text(text)
        for language in case.languages:
            for proposal in (GOOD_REPLY, multi_line):
                edited = with_exemplar(text, language, proposal).yaml_text
                assert _removed_lines(text, edited) == [], (path.name, language, proposal.kind)
                added = _case(edited, language).exemplars
                assert proposal.text in [e.text for e in (*added.good, *added.bad)]


def test_comments_survive_and_a_studio_written_file_keeps_its_own_layout(casebook):
    text = (casebook / "dress-hole.yaml").read_text("utf-8")
    commented = text.replace("\nexemplars:", "\n# Exemplars: keep the good ones warm and short (Clara)\nexemplars:", 1)
    assert commented != text
    edited = with_exemplar(commented, "en", GOOD_REPLY).yaml_text
    assert "# Exemplars: keep the good ones warm and short (Clara)" in edited
    assert _removed_lines(commented, edited) == []
    # a file the studio's form wrote (PyYAML's layout: list items not indented under their key)
    from replycoach.cases.draft import dump_case
    from replycoach.cases.safe_yaml import parse_yaml

    studio = dump_case(parse_yaml(text).data)
    edited = with_exemplar(studio, "en", BAD_REPLY).yaml_text
    assert _removed_lines(studio, edited) == [] and "Check your dress next time." in edited
