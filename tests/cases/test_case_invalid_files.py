"""Every bad input in invalid/ gives its exact message (the .expected sidecar), fast, and never raises."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from replycoach.cases.loader import load_library, validate_file, validate_text

INVALID = Path(__file__).resolve().parent / "invalid"
INVALID_FILES = sorted(INVALID.glob("*.yaml"))

# Generous: each of these is rejected in milliseconds; the bound only catches a hang or a blow-up.
FAST_ENOUGH_SECONDS = 2.0


def expected_lines(case_file: Path) -> list[str]:
    return case_file.with_suffix(".expected").read_text(encoding="utf-8").splitlines()


def test_every_invalid_file_has_a_sidecar():
    assert len(INVALID_FILES) >= 25
    for f in INVALID_FILES:
        assert f.with_suffix(".expected").is_file(), f"{f.name} has no .expected sidecar"


@pytest.mark.parametrize("case_file", INVALID_FILES, ids=[f.stem for f in INVALID_FILES])
def test_invalid_file_gives_its_exact_message(case_file: Path):
    started = time.perf_counter()
    case, problems = validate_file(case_file, display_name=case_file.name)
    elapsed = time.perf_counter() - started
    assert case is None
    assert [str(p) for p in problems] == expected_lines(case_file)
    assert elapsed < FAST_ENOUGH_SECONDS


@pytest.mark.parametrize(
    "name",
    ["alias_bomb", "python_object", "unknown_key", "schema_too_old", "malformed", "control_character"],
)
def test_text_from_the_editor_gets_the_same_message_as_the_file(name: str):
    path = INVALID / f"{name}.yaml"
    case, problems = validate_text(path.read_text(encoding="utf-8"), filename=path.name)
    assert case is None
    assert [str(p) for p in problems] == expected_lines(path)


def test_python_tags_are_never_constructed(tmp_path: Path):
    marker = tmp_path / "pwned"
    text = f"schema_version: 1\nid: !!python/object/apply:os.system ['touch {marker}']\n"
    case, problems = validate_text(text)
    assert case is None
    assert "would construct a Python object" in problems[0].message
    assert not marker.exists()


def test_billion_laughs_is_refused_quickly():
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    started = time.perf_counter()
    case, problems = validate_text("\n".join(levels) + "\n", "bomb.yaml")
    assert time.perf_counter() - started < FAST_ENOUGH_SECONDS
    assert case is None
    assert "alias bomb" in str(problems[0])


def test_a_huge_file_is_refused_without_being_read(tmp_path: Path):
    # A sparse 4 GB file: reading it would take far longer than the bound (and the memory), stat() does not.
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as fh:
        fh.truncate(4 * 1024**3)
    started = time.perf_counter()
    case, problems = validate_file(huge, display_name="huge.yaml")
    assert time.perf_counter() - started < FAST_ENOUGH_SECONDS
    assert case is None
    assert [str(p) for p in problems] == [
        "huge.yaml ==> file is too large (4.0 GB; the limit is 1 MB): is this really a case file?"
    ]


def test_a_file_just_over_the_limit_is_too_large(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"coach_notes: " + b"x" * (1024 * 1024))
    _, problems = validate_file(big, display_name="big.yaml")
    assert [str(p) for p in problems] == [
        "big.yaml ==> file is too large (1.0 MB; the limit is 1 MB): is this really a case file?"
    ]


def test_editor_text_over_the_limit_is_too_large():
    _, problems = validate_text("coach_notes: " + "x" * (1024 * 1024), "draft.yaml")
    assert str(problems[0]).startswith("draft.yaml ==> text is too large")


def test_one_bad_file_never_stops_the_rest(casebook: Path):
    for f in INVALID_FILES:
        (casebook / f.name).write_bytes(f.read_bytes())
    library = load_library(casebook)
    assert sorted(library.cases) == ["dress-hole", "minimal-troll"]
    assert len(library.files_with_problems) == len(INVALID_FILES)
    assert len(library.files) == len(INVALID_FILES) + 2
