"""Fixtures for the benchmark tests: a tiny, valid dev set written to a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_support import devset_row, write_jsonl


@pytest.fixture
def tiny_devset(tmp_path: Path) -> Path:
    rows = [
        devset_row(1, coach={"overall": 90, "principles": {"empathy": 1, "remedy": 1}}, category="excellent"),
        devset_row(2, language="de", translation_of="dev-0001", reply="Guten Tag! Im Katalog gibt es Filter."),
        devset_row(
            3, reply="Quality costs money.", category="forbidden", coach={"overall": 8, "principles": {"no_blame": 0}}
        ),
        devset_row(
            4,
            reply="Dear customer, your opinion is important.",
            category="stock",
            coach={"overall": 20, "principles": {"no_script": 0}},
        ),
        devset_row(
            5,
            reply="Sorry you feel that way.",
            category="non_apology",
            coach={"overall": 25, "principles": {"apology": 0}},
        ),
    ]
    return write_jsonl(tmp_path / "devset.jsonl", rows)
