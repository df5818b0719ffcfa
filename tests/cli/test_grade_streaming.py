"""``replycoach grade`` streams: every result is on disk as soon as it is graded, a bad line of any kind gets its
own error line and the run goes on, Ctrl-C keeps what was finished, and ``--resume`` finishes the rest. Before,
one deeply nested line or one byte that was not UTF-8 ended the run with no output at all, and output was
written only at the end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from replycoach.cli import grade, main

REPLY = "Olga, we are sorry about the hole! We will refund you today. Please DM us your order number."


def good(item_id, reply: str = REPLY) -> bytes:
    line = {"id": item_id, "case": "dress-hole", "reply": reply, "response_seconds": 120}
    return json.dumps(line).encode("utf-8")


def run(tmp_path: Path, cases_dir: Path, lines: list[bytes], *extra: str) -> tuple[int, list[dict]]:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    argv = ["grade", "--input", str(source), "--output", str(out), "--cases", str(cases_dir), "--embedder", "rules"]
    code = main([*argv, *extra])
    return code, [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


def test_a_bad_line_of_any_kind_gets_its_own_error_line_and_the_run_goes_on(tmp_path, cases_dir, monkeypatch):
    monkeypatch.setattr(grade, "MAX_LINE_BYTES", 4000)
    lines = [
        good("first"),
        b"[" * 1900 + b"]" * 1900,  # too deep for the JSON reader (it recursed past Python's limit)
        b'{"id": "latin-1", "reply": "Entschuldigung f\xfcr die Versp\xe4tung"}',  # not UTF-8
        good("long", "x" * 10_000),  # over the line limit
        b"[1, 2, 3]",  # not an object
        b'{"id": "no-reply", "case": "dress-hole"}',  # a missing field
        b'{"id": "nan", "case": "dress-hole", "reply": "Sorry!", "response_seconds": NaN}',
        b"{broken",
        good("last"),
    ]
    code, out = run(tmp_path, cases_dir, lines)
    assert code == 1
    assert [o.get("id") for o in out] == ["first", None, None, None, None, "no-reply", "nan", None, "last"]
    assert "score" in out[0] and "score" in out[-1]
    errors = [o["error"] for o in out[1:-1]]
    assert errors[0] == "line 2: JSON nested too deeply to read"
    assert errors[1].startswith("line 3: not UTF-8 (byte 0xfc at offset")
    assert errors[2].startswith("line 4: longer than 4,000 bytes")
    assert errors[3] == "line 5: each line must be a JSON object"
    assert errors[4] == "line 6: 'reply' (text) is required"
    assert errors[5].startswith("line 7: ") and "response_seconds" in errors[5]
    assert errors[6].startswith("line 8: not valid JSON")
    assert [o["line"] for o in out[1:-1]] == [2, 3, 4, 5, 6, 7, 8]


def _interrupt_at(monkeypatch, calls: int, out: Path, seen: list[int]):
    """Make the ``calls``-th grading raise KeyboardInterrupt (Ctrl-C); record how many lines were on disk
    whenever a reply was about to be graded."""
    real = grade.grade_line
    count = {"n": 0}

    def grade_line(*args, **kwargs):
        count["n"] += 1
        seen.append(len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0)
        if count["n"] == calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(grade, "grade_line", grade_line)


def test_every_result_is_on_disk_before_the_next_is_graded_and_ctrl_c_keeps_them(tmp_path, cases_dir, monkeypatch):
    seen: list[int] = []
    _interrupt_at(monkeypatch, 4, tmp_path / "out.jsonl", seen)
    code, out = run(tmp_path, cases_dir, [good(f"r{n}") for n in range(6)])
    assert code == 130
    assert seen == [0, 1, 2, 3]  # streamed: each finished line was written (and flushed) before the next
    assert [o["id"] for o in out] == ["r0", "r1", "r2"]


def test_resume_finishes_an_interrupted_run_with_every_input_once(tmp_path, cases_dir, monkeypatch, capsys):
    lines = [good("a"), b"not json", good("b"), good(None), good("c"), good("d")]
    _interrupt_at(monkeypatch, 4, tmp_path / "out.jsonl", [])
    code, first = run(tmp_path, cases_dir, lines)
    assert code == 130 and [o.get("id") for o in first] == ["a", None, "b", None]  # d's grading was cut off
    with (tmp_path / "out.jsonl").open("ab") as fh:
        fh.write(b'{"id": "c", "score": 7')  # a line half written when the process died

    monkeypatch.undo()  # no more Ctrl-C
    code, out = run(tmp_path, cases_dir, lines, "--resume")
    assert code == 0
    assert [(o.get("id"), o.get("line")) for o in out] == [
        ("a", None), (None, 2), ("b", None), (None, 4), ("c", None), ("d", None),
    ]  # fmt: skip
    assert "4 line(s) already in" in capsys.readouterr().err
    assert "score" in out[3] and out[1]["error"].startswith("line 2: not valid JSON")


def test_resume_needs_an_output_file(tmp_path, cases_dir):
    (tmp_path / "in.jsonl").write_bytes(good("a") + b"\n")
    argv = ["grade", "--input", str(tmp_path / "in.jsonl"), "--output", "-", "--cases", str(cases_dir), "--resume"]
    assert main(argv) == 2


@pytest.mark.parametrize("item_id", ["\ud800", "ok"])
def test_output_lines_are_always_valid_utf8(tmp_path, cases_dir, item_id):
    line = json.dumps({"id": item_id, "case": "dress-hole", "reply": "Sorry \ud83d!", "response_seconds": 5})
    code, out = run(tmp_path, cases_dir, [line.encode("ascii")])
    assert code == 0 and out[0]["id"] == item_id
    (tmp_path / "out.jsonl").read_bytes().decode("utf-8")
