"""save_case_text: valid text replaces the file atomically and keeps history; invalid text never does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from replycoach.cases.loader import load_library, save_case_text
from replycoach.cases.saving import drafts_for

NOON = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def test_valid_save_replaces_the_file_and_keeps_the_previous_version(casebook: Path, data_dir: Path):
    path = casebook / "minimal.yaml"
    before = path.read_bytes()
    load_library(casebook)  # warm the cache: the save must not leave a stale case behind
    new_text = before.decode().replace("Only fools buy this", "Only fools would buy this")

    result = save_case_text(path, new_text, data_dir=data_dir, now=NOON)

    assert result.saved and result.changed and not result.problems
    assert result.case.title == "Only fools would buy this"
    assert path.read_text(encoding="utf-8") == new_text
    assert result.history_path == casebook / ".history" / "minimal-troll" / "20240501T120000000000Z.yaml"
    assert result.history_path.read_bytes() == before
    assert load_library(casebook).cases["minimal-troll"].title == "Only fools would buy this"
    assert not list(casebook.glob(".*.tmp")), "the temporary file was left behind"
    assert not (data_dir / "drafts").exists()


def test_every_save_keeps_its_own_history_entry(casebook: Path, data_dir: Path):
    path = casebook / "minimal.yaml"
    text = path.read_text(encoding="utf-8")
    first = save_case_text(path, text.replace("easy", "medium"), data_dir=data_dir, now=NOON)
    second = save_case_text(path, text.replace("easy", "hard"), data_dir=data_dir, now=NOON)
    assert first.history_path != second.history_path
    assert "difficulty: easy" in first.history_path.read_text(encoding="utf-8")
    assert "difficulty: medium" in second.history_path.read_text(encoding="utf-8")


def test_saving_the_same_text_writes_nothing(casebook: Path, data_dir: Path):
    path = casebook / "minimal.yaml"
    result = save_case_text(path, path.read_text(encoding="utf-8"), data_dir=data_dir)
    assert result.saved and not result.changed and result.history_path is None
    assert not (casebook / ".history").exists()


def test_a_new_case_file_has_no_history(casebook: Path, data_dir: Path, minimal_text: str):
    path = casebook / "new-troll.yaml"
    result = save_case_text(path, minimal_text.replace("minimal-troll", "new-troll"), data_dir=data_dir)
    assert result.saved and result.history_path is None
    assert "new-troll" in load_library(casebook).cases


def test_invalid_save_keeps_a_draft_and_leaves_the_file_untouched(casebook: Path, data_dir: Path):
    path = casebook / "minimal.yaml"
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    broken = before.decode().replace("title:", "titel:")

    result = save_case_text(path, broken, data_dir=data_dir, now=NOON)

    assert not result.saved and result.case is None
    assert [str(p) for p in result.problems] == [
        f"{path} ==> title ==> missing required key (line 1)",
        f"{path} ==> unknown key 'titel' (did you mean 'title'?) (line 3)",
    ]
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert result.draft_path == data_dir / "drafts" / "minimal--20240501T120000000000Z.yaml"
    assert result.draft_path.read_text(encoding="utf-8") == broken
    assert drafts_for(path, data_dir) == [result.draft_path]
    assert not (casebook / ".history").exists()


def test_unparsable_text_is_kept_as_a_draft_too(casebook: Path, data_dir: Path):
    result = save_case_text(casebook / "minimal.yaml", "title: [unclosed\n", data_dir=data_dir)
    assert not result.saved
    assert "malformed YAML" in result.problems[0].message
    assert result.draft_path.read_text(encoding="utf-8") == "title: [unclosed\n"


def test_an_id_used_by_another_file_is_refused(casebook: Path, data_dir: Path, minimal_text: str):
    path = casebook / "another.yaml"
    result = save_case_text(path, minimal_text, data_dir=data_dir)
    assert not result.saved and not path.exists()
    assert [str(p) for p in result.problems] == [
        f"{path} ==> id ==> duplicate id 'minimal-troll': {casebook / 'minimal.yaml'} already uses it"
    ]
    assert result.draft_path.is_file()


def test_changing_an_existing_cases_id_is_refused(casebook: Path, data_dir: Path, minimal_text: str):
    path = casebook / "minimal.yaml"
    result = save_case_text(path, minimal_text.replace("minimal-troll", "renamed-troll"), data_dir=data_dir)
    assert not result.saved
    assert "id changed from 'minimal-troll' to 'renamed-troll'" in str(result.problems[0])
    assert path.read_text(encoding="utf-8") == minimal_text


def test_a_broken_file_can_be_repaired_by_saving(casebook: Path, data_dir: Path, minimal_text: str):
    path = casebook / "minimal.yaml"
    path.write_text("schema_version: 1\ntitel: half\n")
    result = save_case_text(path, minimal_text, data_dir=data_dir)
    assert result.saved
    assert result.history_path.read_text(encoding="utf-8") == "schema_version: 1\ntitel: half\n"


def test_a_case_file_must_end_in_yaml(casebook: Path, data_dir: Path, minimal_text: str):
    path = casebook / "minimal.txt"
    result = save_case_text(path, minimal_text.replace("minimal-troll", "txt-troll"), data_dir=data_dir)
    assert not result.saved and not path.exists()
    assert str(result.problems[0]) == f"{path} ==> case files must end in .yaml to be loaded"
