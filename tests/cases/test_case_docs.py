"""docs/case-format.md stays true: its worked example is a valid case and it covers every field and value."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from replycoach.cases import models
from replycoach.cases.loader import validate_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "case-format.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def example_block(doc: str) -> str:
    match = re.search(r"<!-- example-case[^>]*-->\s*```yaml\n(.*?)```", doc, re.S)
    assert match, "the worked example (```yaml after <!-- example-case -->) is missing"
    return match.group(1)


def test_the_worked_example_is_a_valid_case(doc: str):
    case, problems = validate_text(example_block(doc), "docs/case-format.md")
    assert not problems, "\n".join(map(str, problems))
    # It shows every optional section, so authors can copy from it.
    assert case.key_facts and case.exemplars.good and case.exemplars.bad and case.real_reply
    assert case.follow_ups and case.persona and case.principle_weights and case.translations
    assert case.localized("de").title.startswith("Preise erst an der Kasse")


def _models_in(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = {model}
    for f in model.model_fields.values():
        for t in re.findall(r"\w+", str(f.annotation)):
            cls = getattr(models, t, None)
            if isinstance(cls, type) and issubclass(cls, BaseModel) and cls not in found:
                found |= _models_in(cls)
    return found


def test_every_field_of_every_model_is_documented(doc: str):
    missing = sorted(
        f"{m.__name__}.{name}" for m in _models_in(models.Case) for name in m.model_fields if f"`{name}`" not in doc
    )
    assert not missing, f"fields not explained in docs/case-format.md: {missing}"


@pytest.mark.parametrize(
    "enum", [models.Negativity, models.Handling, models.Platform, models.Difficulty, models.CaseStatus]
)
def test_every_enum_value_is_documented(doc: str, enum):
    missing = [m.value for m in enum if f"`{m.value}`" not in doc]
    assert not missing


def test_the_languages_are_documented(doc: str):
    assert all(f"`{lang}`" in doc for lang in typing.get_args(models.Language))


def test_the_principle_table_matches_the_grading_engine(doc: str):
    principles = pytest.importorskip("grading.principles")
    section = doc.split("<!-- principle-weights", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|[^|]+\| ([\d.]+) \|$", section, re.M)
    documented = {pid: (title.strip(), float(weight)) for pid, title, weight in rows}
    actual = {pid: (info.title, float(info.default_weight)) for pid, info in principles.PRINCIPLE_INFO.items()}
    assert documented == actual
    assert [pid for pid, _, _ in rows] == list(models.PRINCIPLES)
