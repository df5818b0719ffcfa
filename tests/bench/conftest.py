"""Fixtures for the benchmark tests: a tiny, valid dev set written to a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def devset_row(i: int, **changes) -> dict:
    row = {
        "id": f"dev-{i:04d}",
        "case": "price-complaint",
        "language": "en",
        "handling": "public_reply",
        "response_seconds": 240,
        "reply": f"Good afternoon! The price filter in our catalogue shows boots for every budget. ({i})",
        "category": "good",
        "coach": {"overall": 80, "principles": {"empathy": 0.5, "remedy": 1, "personalization": None}},
        "note": "points to cheaper models",
    }
    row.update(changes)
    return row


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


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
