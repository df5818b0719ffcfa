"""``replycoach grade``: the JSONL contract, in-process."""

from __future__ import annotations

import json

import pytest
import yaml
from grading_support import make_case

from replycoach.cli import main


@pytest.fixture()
def cases_dir(tmp_path):
    d = tmp_path / "cases"
    d.mkdir()
    case = make_case("en").model_dump(mode="json", exclude_none=True)
    (d / "test-dress.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return d


def _run(tmp_path, cases_dir, lines, *extra):
    src = tmp_path / "in.jsonl"
    out = tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(
        ["grade", "--input", str(src), "--output", str(out), "--cases", str(cases_dir), "--embedder", "rules", *extra]
    )
    return code, [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


def test_grades_cases_and_complaints(tmp_path, cases_dir):
    reply = "Olga, we are sorry about the hole! We will refund you today. Please DM us your order number. Thanks!"
    lines = [
        json.dumps(
            {
                "id": "1",
                "case": "test-dress",
                "reply": reply,
                "response_seconds": 120,
                "handling": "public_then_private",
            }
        ),
        json.dumps(
            {
                "id": "2",
                "complaint": {"text": "Курьер опоздал!", "customer_name": "Ольга"},
                "reply": "Ольга, простите!",
                "response_seconds": 60,
            }
        ),
    ]
    code, out = _run(tmp_path, cases_dir, lines, "--pass-mark", "50")
    assert code == 0
    first = out[0]
    assert set(first) >= {"id", "score", "passed", "principles", "evidence", "tips", "grader"}
    assert first["id"] == "1" and first["passed"] is True
    assert first["grader"]["embedder"] == "rules" and first["grader"]["version"]
    apology = first["evidence"]["apology"][0]
    assert apology["text"] == reply[apology["start"] : apology["end"]] == "sorry"
    assert out[1]["principles"]["personalization"] == 1.0 and out[1]["principles"]["handling"] is None


def test_bad_lines_are_reported_and_the_run_goes_on(tmp_path, cases_dir, capsys):
    lines = [
        "not json",
        json.dumps({"id": "u", "case": "no-such-case", "reply": "hi", "response_seconds": 1}),
        json.dumps({"id": "n", "case": "test-dress", "reply": "hi", "response_seconds": -3}),
        json.dumps({"id": "m", "reply": "hi"}),
        json.dumps({"id": "ok", "case": "test-dress", "reply": "Thanks, Olga!", "response_seconds": 5}),
    ]
    code, out = _run(tmp_path, cases_dir, lines)
    assert code == 1
    assert "not valid JSON" in out[0]["error"]
    assert out[1]["id"] == "u" and "unknown case 'no-such-case'; known cases: test-dress" in out[1]["error"]
    assert "response_seconds must be >= 0" in out[2]["error"]
    assert "needs 'case'" in out[3]["error"]
    assert out[4]["id"] == "ok" and "score" in out[4]
    assert "4 of 5 lines failed" in capsys.readouterr().err


def test_progress_bar_on_stderr_for_long_inputs(tmp_path, cases_dir, capsys):
    line = json.dumps({"id": "x", "case": "test-dress", "reply": "Sorry, Olga!", "response_seconds": 5})
    code, out = _run(tmp_path, cases_dir, [line] * 25)
    assert code == 0 and len(out) == 25
    assert "grading" in capsys.readouterr().err


def test_unknown_embedder_is_a_clear_error(tmp_path, cases_dir, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("", encoding="utf-8")
    code = main(["grade", "--input", str(src), "--output", str(tmp_path / "o.jsonl"), "--embedder", "nope"])
    assert code == 2 and "unknown embedder 'nope'" in capsys.readouterr().err
