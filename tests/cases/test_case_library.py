"""load_library: every valid case, every problem, unique ids, cached by (path, mtime, size)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from replycoach.cases.loader import load_library

ROOT = Path(__file__).resolve().parents[2]


def test_loads_every_valid_case_with_its_path(casebook: Path):
    library = load_library(casebook)
    assert library.ok, [str(p) for p in library.problems]
    assert sorted(library.cases) == ["dress-hole", "minimal-troll"]
    assert library.paths["dress-hole"] == casebook / "dress-hole.yaml"
    assert library.cases["dress-hole"].post.customer.first_name == "Anna"


def test_duplicate_ids_name_both_files_and_keep_the_first(casebook: Path):
    copy = casebook / "zz-copy.yaml"
    copy.write_text((casebook / "minimal.yaml").read_text(encoding="utf-8").replace("Only fools", "Fools"))
    library = load_library(casebook)
    assert [str(p) for p in library.problems] == [
        f"{copy} ==> id ==> duplicate id 'minimal-troll': {casebook / 'minimal.yaml'} already uses it; "
        "ids must be unique (line 2)"
    ]
    assert library.paths["minimal-troll"] == casebook / "minimal.yaml"
    assert library.cases["minimal-troll"].title == "Only fools buy this"


def test_history_drafts_and_hidden_files_are_not_cases(casebook: Path):
    old = casebook / ".history" / "minimal-troll"
    old.mkdir(parents=True)
    (old / "20240101T000000000000Z.yaml").write_text((casebook / "minimal.yaml").read_text(encoding="utf-8"))
    (casebook / ".minimal.yaml.tmp").write_text("half a fi")
    (casebook / "README.md").write_text("# cases")
    library = load_library(casebook)
    assert library.ok
    assert len(library.files) == 2


def test_missing_directory_is_a_problem_not_an_exception(tmp_path: Path):
    library = load_library(tmp_path / "nowhere")
    assert not library.cases
    assert [str(p) for p in library.problems] == [
        f"{tmp_path / 'nowhere'} ==> is not a directory (no cases can be loaded)"
    ]


def test_unchanged_files_come_from_the_cache(casebook: Path):
    first = load_library(casebook)
    again = load_library(casebook)
    # The very same objects: nothing was parsed again.
    assert again.cases["dress-hole"] is first.cases["dress-hole"]


def test_an_edited_file_is_read_again(casebook: Path):
    first = load_library(casebook)
    path = casebook / "minimal.yaml"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Only fools buy this", "Only fools buy it"))
    # Same mtime as before (a coarse file system, or a fast editor): the size still gives the edit away.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = load_library(casebook)
    assert again.cases["minimal-troll"].title == "Only fools buy it"
    assert again.cases["dress-hole"] is first.cases["dress-hole"]


def test_a_file_replaced_by_another_process_is_read_again_even_with_the_same_size_and_time(casebook: Path):
    """Another app process saves through a new file renamed over the old one (``save_case_text``): even when
    the new text has the old one's size and the file system's clock shows the same time, this process's
    cache must notice, because the file is a new one."""
    load_library(casebook)
    path = casebook / "minimal.yaml"
    stat = path.stat()
    edited = path.read_text(encoding="utf-8").replace("Only fools buy this", "Only fools get this")
    assert len(edited.encode()) == stat.st_size
    replacement = casebook / ".minimal.yaml.tmp"
    replacement.write_text(edited, encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert load_library(casebook).cases["minimal-troll"].title == "Only fools get this"


def test_a_file_that_breaks_is_reported_and_its_case_disappears(casebook: Path):
    assert "minimal-troll" in load_library(casebook).cases
    (casebook / "minimal.yaml").write_text("schema_version: 1\ntitel: x\n")
    library = load_library(casebook)
    assert "minimal-troll" not in library.cases
    assert library.files_with_problems == [str(casebook / "minimal.yaml")]


def test_the_projects_casebook_loads_without_problems():
    scenarios = ROOT / "scenarios"
    if not any(scenarios.glob("*.yaml")):
        pytest.skip("scenarios/ has no case files yet")
    library = load_library(scenarios)
    assert library.ok, "\n".join(str(p) for p in library.problems)
    assert len(library.cases) == len(library.files)
