"""Helpers the benchmark tests share: dev-set rows and JSONL files."""

from __future__ import annotations

import json
from pathlib import Path


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
