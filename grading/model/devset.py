"""The labelled development set (``benchmarks/devset/devset.jsonl``): reading and checking it.

One JSON object per line: a reply to a case, the handling the writer chose, how fast it came, and the
coach's grade (overall 0-100 and 1 / 0.5 / 0 / null per principle) as defined in ``docs/coach-rubric.md``.
The bench measures the grading engine against these grades, so a malformed row must fail loudly with its
line number rather than silently skew the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from replycoach.cases.models import LANGUAGES, PRINCIPLES, Case, Handling
from replycoach.config import PROJECT_ROOT

DEFAULT_DEVSET = PROJECT_ROOT / "benchmarks" / "devset" / "devset.jsonl"

CATEGORIES = (
    "excellent",
    "good",
    "mediocre",
    "bad",
    "real",
    "forbidden",
    "stock",
    "grovelling",
    "links",
    "wrong_handling",
    "non_apology",
)
_REQUIRED = ("id", "case", "language", "handling", "response_seconds", "reply", "category", "coach", "note")
_OPTIONAL = ("translation_of",)
_PRINCIPLE_VALUES = (1, 0.5, 0, None)
_HANDLINGS = tuple(h.value for h in Handling)


class DevsetError(ValueError):
    """The dev set file cannot be used; the message lists every problem as ``file ==> line N ==> problem``."""


@dataclass(frozen=True)
class DevsetProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path} ==> line {self.line} ==> {self.message}"


def row_problems(row: object) -> list[str]:
    """What is wrong with one parsed row (empty list: the row is well-formed)."""
    if not isinstance(row, dict):
        return [f"expected a JSON object, got {type(row).__name__}"]
    problems = [f"missing key {k!r}" for k in _REQUIRED if k not in row]
    problems += [f"unknown key {k!r}" for k in row if k not in _REQUIRED + _OPTIONAL]
    if problems:
        return problems
    if not isinstance(row["reply"], str) or not row["reply"].strip():
        problems.append("reply must be non-empty text")
    if row["language"] not in LANGUAGES:
        problems.append(f"language {row['language']!r} is not one of {', '.join(LANGUAGES)}")
    if row["handling"] not in _HANDLINGS:
        problems.append(f"handling {row['handling']!r} is not one of {', '.join(_HANDLINGS)}")
    if row["category"] not in CATEGORIES:
        problems.append(f"category {row['category']!r} is not one of {', '.join(CATEGORIES)}")
    seconds = row["response_seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        problems.append(f"response_seconds must be a number >= 0, got {seconds!r}")
    coach = row["coach"]
    if not isinstance(coach, dict) or set(coach) != {"overall", "principles"}:
        return [*problems, "coach must be an object with exactly 'overall' and 'principles'"]
    overall = coach["overall"]
    if isinstance(overall, bool) or not isinstance(overall, int | float) or not 0 <= overall <= 100:
        problems.append(f"coach.overall must be a number in 0-100, got {overall!r}")
    principles = coach["principles"]
    if not isinstance(principles, dict):
        return [*problems, "coach.principles must be an object"]
    for pid, value in principles.items():
        if pid not in PRINCIPLES:
            problems.append(f"coach.principles has unknown principle {pid!r}")
        elif isinstance(value, bool) or value not in _PRINCIPLE_VALUES:
            problems.append(f"coach.principles.{pid} must be 1, 0.5, 0 or null, got {value!r}")
    return problems


def read_devset(path: Path = DEFAULT_DEVSET) -> list[dict]:
    """All rows of the dev set, checked; raises ``DevsetError`` listing every problem found."""
    path = Path(path)
    if not path.is_file():
        raise DevsetError(f"{path} ==> the dev set file does not exist")
    rows: list[dict] = []
    problems: list[DevsetProblem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(DevsetProblem(str(path), number, f"not valid JSON: {exc.msg}"))
            continue
        found = row_problems(row)
        problems += [DevsetProblem(str(path), number, p) for p in found]
        if found:
            continue
        if row["id"] in seen:
            problems.append(DevsetProblem(str(path), number, f"id {row['id']!r} repeats line {seen[row['id']]}"))
            continue
        seen[row["id"]] = number
        rows.append(row)
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        original = row.get("translation_of")
        if original is not None and original not in by_id:
            problems.append(
                DevsetProblem(str(path), seen[row["id"]], f"translation_of {original!r} is not an id in the set")
            )
    if problems:
        raise DevsetError("\n".join(str(p) for p in problems))
    return rows


def translation_groups(rows: Iterable[dict]) -> dict[str, list[dict]]:
    """Original id -> the original row followed by its translated copies (only groups with copies)."""
    rows = list(rows)
    by_id = {r["id"]: r for r in rows}
    groups: dict[str, list[dict]] = {}
    for row in rows:
        original = row.get("translation_of")
        if original in by_id:
            groups.setdefault(original, [by_id[original]]).append(row)
    return groups


def load_cases(directory: Path) -> dict[str, Case]:
    """Every valid case in ``directory`` by id (the casebook loader when present, else plain YAML files)."""
    try:
        from replycoach.cases.loader import load_library
    except ImportError:
        load_library = None
    if load_library is not None:
        return dict(load_library(directory).cases)
    import yaml

    cases: dict[str, Case] = {}
    for file in sorted(Path(directory).glob("*.yaml")):
        try:
            case = Case.model_validate(yaml.safe_load(file.read_text(encoding="utf-8")))
        except Exception:  # an invalid case is the casebook's problem; `replycoach validate` reports it
            continue
        cases[case.id] = case
    return cases
