"""Fixtures for the command-line tests: a one-case casebook copied from the page tests' cases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

UI_CASES = Path(__file__).resolve().parents[1] / "ui" / "cases"


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(UI_CASES / "dress-hole.yaml", folder / "dress-hole.yaml")
    return folder
