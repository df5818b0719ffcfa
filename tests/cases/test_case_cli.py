"""`replycoach validate` and `replycoach schema`, run in-process through replycoach.cli.main."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from replycoach.cases.json_schema import case_json_schema, case_json_schema_text
from replycoach.cli import main
from replycoach.config import get_settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.fixture()
def settings_scenarios(monkeypatch: pytest.MonkeyPatch, casebook: Path):
    """Point the settings' scenarios directory at the scratch casebook (settings are cached: reset them)."""
    monkeypatch.setenv("REPLYCOACH_SCENARIOS_DIR", str(casebook))
    get_settings.cache_clear()
    yield casebook
    get_settings.cache_clear()


def test_validate_reports_ok(casebook: Path, capsys):
    assert main(["validate", str(casebook)]) == 0
    assert capsys.readouterr().out == "2 cases OK\n"


def test_validate_defaults_to_the_settings_scenarios_dir(settings_scenarios: Path, capsys):
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "2 cases OK\n"


def test_validate_prints_every_problem_and_a_summary(casebook: Path, capsys):
    for name in ("unknown_key", "schema_too_new"):
        shutil.copy(HERE / "invalid" / f"{name}.yaml", casebook / f"{name}.yaml")
    assert main(["validate", str(casebook)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{casebook / 'schema_too_new.yaml'} ==> schema_version ==> schema_version 2 is newer than this "
        "ReplyCoach understands (1); update ReplyCoach (line 1)",
        f"{casebook / 'unknown_key.yaml'} ==> title ==> missing required key (line 1)",
        f"{casebook / 'unknown_key.yaml'} ==> unknown key 'titel' (did you mean 'title'?) (line 3)",
        "2 of 4 files have problems",
    ]


def test_validate_takes_files_and_directories_together(casebook: Path, capsys):
    single = HERE / "invalid" / "empty.yaml"
    assert main(["validate", str(casebook), str(single), str(casebook / "minimal.yaml")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{single} ==> file is empty; a case starts with 'schema_version: 1'",
        "1 of 3 files have problems",
    ]


def test_validate_finds_duplicate_ids_across_the_paths_given(casebook: Path, tmp_path: Path, capsys):
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(casebook / "minimal.yaml", other / "minimal.yaml")
    assert main(["validate", str(casebook), str(other)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{other / 'minimal.yaml'} ==> id ==> duplicate id 'minimal-troll': ")
    assert out[-1] == "1 of 3 files have problems"


def test_validate_a_missing_path_or_empty_directory_fails(tmp_path: Path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml"), str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'nope.yaml'} ==> no such file or directory",
        f"{tmp_path} ==> no case files (.yaml, .yml) in this directory",
    ]


def test_committed_schema_is_the_generated_one():
    committed = ROOT / "scenarios" / "case.schema.json"
    assert committed.read_text(encoding="utf-8") == case_json_schema_text(), (
        "scenarios/case.schema.json is stale: run `replycoach schema`"
    )


def test_schema_command_writes_the_schema(tmp_path: Path, capsys):
    target = tmp_path / "out" / "case.schema.json"
    assert main(["schema", "--output", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema["$id"] == "urn:replycoach:case-schema:v1"
    assert schema["title"] == "ReplyCoach case" and schema["description"]
    assert main(["schema", "--output", str(target), "--check"]) == 0


def test_schema_check_fails_on_a_stale_file(tmp_path: Path, capsys):
    target = tmp_path / "case.schema.json"
    target.write_text("{}\n")
    assert main(["schema", "--output", str(target), "--check"]) == 1
    assert "is out of date" in capsys.readouterr().out
    assert target.read_text() == "{}\n"


@pytest.mark.parametrize("case_file", sorted((HERE / "valid").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_schema_accepts_valid_cases(case_file: Path):
    data = json.loads(json.dumps(yaml.safe_load(case_file.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, case_json_schema())


def test_the_schema_rejects_what_the_loader_rejects():
    data = yaml.safe_load((HERE / "invalid" / "unknown_nested_key.yaml").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="plattform"):
        jsonschema.validate(data, case_json_schema())
    data = yaml.safe_load((HERE / "invalid" / "schema_too_new.yaml").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="1 was expected"):
        jsonschema.validate(data, case_json_schema())
