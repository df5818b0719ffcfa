"""Fixtures for the case-file tests: the fixture files under valid/ and invalid/, and a scratch casebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
VALID = HERE / "valid"
INVALID = HERE / "invalid"


@pytest.fixture()
def casebook(tmp_path: Path) -> Path:
    """A scenarios directory holding copies of the valid fixture cases."""
    book = tmp_path / "scenarios"
    book.mkdir()
    for f in VALID.glob("*.yaml"):
        shutil.copy(f, book / f.name)
    return book


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture()
def minimal_text() -> str:
    """The minimal valid case's YAML text (id ``minimal-troll``)."""
    return (VALID / "minimal.yaml").read_text(encoding="utf-8")
