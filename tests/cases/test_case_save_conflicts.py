"""Two coaches saving the same case: the second save states the version it started from, finds the file
changed, writes nothing, keeps the text as a draft and gets the current file to compare. Before, the second
save silently replaced the first."""

from __future__ import annotations

import threading
from pathlib import Path

from replycoach.cases.loader import load_library, save_case_text
from replycoach.cases.saving import NO_FILE, conflict_diff, drafts_for, file_version


def test_the_second_of_two_saves_from_the_same_version_is_a_conflict(casebook: Path, data_dir: Path):
    path = casebook / "minimal.yaml"
    start = path.read_text(encoding="utf-8")
    opened = file_version(path)
    anna = start.replace("Only fools buy this", "Only fools buy this (Anna)")
    boris = start.replace("difficulty: easy", "difficulty: hard")

    first = save_case_text(path, anna, data_dir=data_dir, based_on=opened)
    second = save_case_text(path, boris, data_dir=data_dir, based_on=opened)

    assert first.saved and first.version == file_version(path)
    assert not second.saved and second.conflict
    assert path.read_text(encoding="utf-8") == anna  # Anna's save stands
    assert second.current_text == anna and second.version == first.version
    assert "was changed by someone else since you opened it" in str(second.problems[0])
    assert second.draft_path.read_text(encoding="utf-8") == boris  # Boris loses nothing
    assert drafts_for(path, data_dir) == [second.draft_path]
    diff = conflict_diff(second.current_text, boris, "minimal.yaml")
    assert "-title: Only fools buy this (Anna)" in diff and "+title: Only fools buy this" in diff
    assert "-difficulty: easy" in diff and "+difficulty: hard" in diff

    again = save_case_text(path, boris, data_dir=data_dir, based_on=second.version)  # Boris chose to replace
    assert again.saved and path.read_text(encoding="utf-8") == boris
    assert again.history_path.read_text(encoding="utf-8") == anna


def test_a_new_file_must_not_exist_yet_and_a_deleted_one_is_a_conflict(casebook: Path, data_dir: Path, minimal_text):
    taken = casebook / "minimal.yaml"
    clash = save_case_text(taken, minimal_text.replace("easy", "hard"), data_dir=data_dir, based_on=NO_FILE)
    assert clash.conflict and taken.read_text(encoding="utf-8") == minimal_text

    opened = file_version(taken)
    taken.unlink()
    gone = save_case_text(taken, minimal_text, data_dir=data_dir, based_on=opened)
    assert gone.conflict and gone.current_text is None and gone.version == NO_FILE
    assert "was deleted by someone else" in gone.problems[0].message
    assert not taken.exists()

    fresh = save_case_text(casebook / "fresh.yaml", minimal_text.replace("minimal-troll", "fresh"),
                           data_dir=data_dir, based_on=NO_FILE)  # fmt: skip
    assert fresh.saved and "fresh" in load_library(casebook).cases


def test_callers_without_a_version_save_as_before(casebook: Path, data_dir: Path, minimal_text: str):
    path = casebook / "minimal.yaml"
    assert save_case_text(path, minimal_text.replace("easy", "hard"), data_dir=data_dir).saved
    assert save_case_text(path, minimal_text, data_dir=data_dir).saved


def test_saves_racing_from_the_same_version_let_exactly_one_through(casebook: Path, data_dir: Path):
    path = casebook / "minimal.yaml"
    start = path.read_text(encoding="utf-8")
    opened = file_version(path)
    texts = [start.replace("Only fools buy this", f"Only fools buy this ({n})") for n in range(8)]
    results = [None] * len(texts)
    gate = threading.Barrier(len(texts))

    def save(n: int) -> None:
        gate.wait()
        results[n] = save_case_text(path, texts[n], data_dir=data_dir, based_on=opened)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r.saved]
    assert len(winners) == 1
    assert path.read_text(encoding="utf-8") == texts[results.index(winners[0])]
    assert sum(r.conflict for r in results) == len(texts) - 1
    assert len(drafts_for(path, data_dir)) == len(texts) - 1
