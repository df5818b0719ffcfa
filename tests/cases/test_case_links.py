"""Symbolic links in the case folder are refused, never followed: by loading, by ``replycoach validate`` (a
directory or the link itself) and by saving. Before, ``validate`` printed the first line of /etc/passwd."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from replycoach.cases.loader import load_library, save_case_text, validate_file
from replycoach.cases.safe_yaml import SYMLINK_MESSAGE
from replycoach.cli import main

PASSWD = Path("/etc/passwd")
pytestmark = pytest.mark.skipif(not PASSWD.is_file(), reason="needs /etc/passwd to point a link at")


@pytest.fixture()
def other_folder(tmp_path: Path, minimal_text: str) -> Path:
    """A valid case outside the casebook, with an id the casebook does not use."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "outside.yaml").write_text(minimal_text.replace("minimal-troll", "outside-case"), encoding="utf-8")
    return folder


@pytest.fixture()
def linked_casebook(casebook: Path, other_folder: Path) -> Path:
    (casebook / "passwd.yaml").symlink_to(PASSWD)
    (casebook / "borrowed.yaml").symlink_to(other_folder / "outside.yaml")
    return casebook


def _first_passwd_line() -> str:
    return PASSWD.read_text(encoding="utf-8", errors="replace").splitlines()[0]


def test_loading_refuses_links_and_keeps_the_real_cases(linked_casebook: Path):
    library = load_library(linked_casebook)
    assert sorted(library.cases) == ["dress-hole", "minimal-troll"]  # outside-case is not borrowed
    refused = {Path(p.file).name: p.message for p in library.problems}
    assert refused == {"borrowed.yaml": SYMLINK_MESSAGE, "passwd.yaml": SYMLINK_MESSAGE}
    assert all(_first_passwd_line()[:12] not in str(p) for p in library.problems)


def test_validate_refuses_the_links_in_a_folder_and_a_link_named_on_the_command_line(linked_casebook: Path, capsys):
    assert main(["validate", str(linked_casebook)]) == 1
    out = capsys.readouterr().out
    assert f"{linked_casebook / 'passwd.yaml'} ==> {SYMLINK_MESSAGE}" in out
    assert f"{linked_casebook / 'borrowed.yaml'} ==> {SYMLINK_MESSAGE}" in out
    assert main(["validate", str(linked_casebook / "passwd.yaml")]) == 1
    out += capsys.readouterr().out
    assert "root:" not in out and _first_passwd_line()[:12] not in out


def test_a_link_swapped_in_is_refused_when_read(tmp_path: Path):
    link = tmp_path / "swapped.yaml"
    link.symlink_to(PASSWD)
    case, problems = validate_file(link)
    assert case is None and [p.message for p in problems] == [SYMLINK_MESSAGE]


def test_saving_never_writes_through_a_link(linked_casebook: Path, other_folder: Path, data_dir: Path):
    target = other_folder / "outside.yaml"
    before = target.read_bytes()
    text = before.decode("utf-8").replace("Only fools buy this", "Rewritten through a link")
    result = save_case_text(linked_casebook / "borrowed.yaml", text, data_dir=data_dir)
    assert not result.saved
    assert [p.message for p in result.problems] == [SYMLINK_MESSAGE]
    assert target.read_bytes() == before
    assert (linked_casebook / "borrowed.yaml").is_symlink()
    assert result.draft_path.read_text(encoding="utf-8") == text  # nothing lost


def test_a_fifo_named_as_a_case_is_refused_instead_of_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    case, problems = validate_file(fifo)
    assert case is None and "not a regular file" in problems[0].message
