"""Grading speed and memory, measured in a fresh Python process so cold start and peak memory are real.

``run()`` starts ``python -m replycoach.bench.grading_perf``; that child loads the engine, grades, and prints
one JSON object of numbers. Replies are made unique (a numbered suffix) so no cache can answer for the
engine: every timed grade is a reply it has not seen.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from replycoach import stats as st
from replycoach.bench import markdown_table

REPLY_CHARS = 600
_CACHE_CLEARERS = ("clear_cache", "cache_clear", "reset_cache")


def _unique_texts(rows: list[dict], count: int, length: int | None = None) -> list[tuple[dict, str]]:
    """``count`` (row, reply) pairs cycling the dev set, each reply unique; padded/cut to ``length`` if set."""
    out = []
    for i in range(count):
        row = rows[i % len(rows)]
        text = row["reply"]
        if length:  # pad with further replies in the same language, so the text stays one language
            same_language = [r["reply"] for r in rows if r["language"] == row["language"]]
            j = i
            while len(text) < length:
                text += " " + same_language[j % len(same_language)]
                j += 1
            text = text[: length - 8].rstrip()
        out.append((row, f"{text} ({i})"))
    return out


def _clear_cache(embedder) -> bool:
    for name in _CACHE_CLEARERS:
        fn = getattr(embedder, name, None)
        if callable(fn):
            fn()
            return True
    return False


def measure(embedder_name: str, devset: Path, *, warm_runs: int, batch_size: int) -> dict:
    """All numbers, in this process (which should be fresh: it is meant to run as the child)."""
    import resource

    started = time.perf_counter()
    import grading
    from grading.model.devset import load_cases, read_devset
    from replycoach.config import get_settings

    settings = get_settings()
    rows = read_devset(devset)
    cases = load_cases(settings.scenarios_dir)
    rows = [r for r in rows if r["case"] in cases and r["language"] in cases[r["case"]].languages]
    if not rows:
        return {"error": "no dev-set reply has its case (in its language) in the casebook"}
    localized = {(r["case"], r["language"]): cases[r["case"]].localized(r["language"]) for r in rows}
    engine = grading.get_engine(embedder_name)

    def grade(row: dict, text: str):
        return engine.grade(
            localized[(row["case"], row["language"])],
            text,
            response_seconds=float(row["response_seconds"]),
            handling=row["handling"],
            pass_mark=settings.pass_mark,
        )

    first_row, first_text = _unique_texts(rows, 1)[0]
    grade(first_row, first_text)
    cold = time.perf_counter() - started

    warm = []
    for row, text in _unique_texts(rows[1:] + rows[:1], warm_runs, REPLY_CHARS):
        t = time.perf_counter()
        grade(row, text)
        warm.append(time.perf_counter() - t)

    parts = _time_split(engine, grade, _unique_texts(rows[2:] + rows[:2], min(warm_runs, 12), REPLY_CHARS))

    batch = _unique_texts(rows, batch_size)
    t = time.perf_counter()
    for row, text in batch:
        grade(row, text)
    batch_seconds = time.perf_counter() - t

    embed_seconds, cache_cleared = None, None
    embedder = getattr(engine, "embedder", None)
    if embedder is not None and hasattr(embedder, "encode"):
        # The texts were just embedded while grading: measure without the cache, or the ratio is meaningless.
        cache_cleared = _clear_cache(embedder)
        inner = getattr(embedder, "inner", None)
        if not cache_cleared and inner is not None and hasattr(inner, "encode"):
            embedder, cache_cleared = inner, True
        texts = [text for _, text in batch]
        t = time.perf_counter()
        embedder.encode(texts)
        embed_seconds = time.perf_counter() - t

    return {
        "cold_start_seconds": cold,
        "warm_p50_ms": st.percentile(warm, 50) * 1000,
        "warm_p95_ms": st.percentile(warm, 95) * 1000,
        "warm_runs": len(warm),
        "batch_size": len(batch),
        "batch_seconds": batch_seconds,
        "embed_seconds": embed_seconds,
        "cache_cleared": cache_cleared,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **parts,
    }


def _time_split(engine, grade, items: list[tuple[dict, str]]) -> dict:
    """Where a warm grade's time goes, as medians in ms over replies of the warm runs' length: the bare model
    (no cache) embedding the reply alone, its sentences alone, both in one call as the engine does; the reply's
    latent terms (a second pass of the model, where the embedder has them); and grading the same reply again
    with every vector cached, which is everything but the embedding."""
    from grading.features.text import analyse

    embedder = getattr(getattr(engine, "embedder", None), "inner", None)
    if embedder is None or not items:
        return {}
    latent = getattr(embedder, "latent_terms", None) if getattr(embedder, "latent_dim", 0) else None
    timings: dict[str, list[float]] = {"reply": [], "sentences": [], "both": [], "rest": []}
    if latent is not None:
        timings["latent"] = []
    for row, text in items:
        sentences = [s.text for s in analyse(text, row["language"]).sentences]
        for key, texts in (("reply", [text]), ("sentences", sentences), ("both", [text, *sentences])):
            t = time.perf_counter()
            embedder.encode(texts)
            timings[key].append((time.perf_counter() - t) * 1000)
        if latent is not None:
            t = time.perf_counter()
            latent([text])
            timings["latent"].append((time.perf_counter() - t) * 1000)
        grade(row, text)  # embeds and caches; the next grade of it embeds nothing
        t = time.perf_counter()
        grade(row, text)
        timings["rest"].append((time.perf_counter() - t) * 1000)
    return {f"split_{key}_ms": st.percentile(values, 50) for key, values in timings.items()}


def run(embedder: str, devset: Path, *, quick: bool, timeout: float = 1800.0) -> str:
    """The performance part of the grading section, measured in a child process."""
    warm_runs, batch_size = (3, 6) if quick else (50, 1000)
    cmd = [sys.executable, "-m", __name__, "--embedder", embedder, "--devset", str(devset)]
    cmd += ["--warm-runs", str(warm_runs), "--batch-size", str(batch_size)]
    title = f"### Performance (embedder `{embedder}`, fresh process)"
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"{title}\n\nSkipped: the measurement took more than {timeout:.0f} s."
    lines = done.stdout.strip().splitlines()
    try:
        numbers = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"{title}\n\nSkipped: the measuring process failed ({tail})."
    if "error" in numbers:
        return f"{title}\n\nSkipped: {numbers['error']}."
    return f"{title}\n\n" + performance_table(numbers)


def performance_table(n: dict) -> str:
    per_reply = n["batch_seconds"] / n["batch_size"]
    rows = [
        ["cold start to first grade (import, read cases, load model, grade)", f"{n['cold_start_seconds']:.2f} s"],
        [
            f"warm p50 / p95, {REPLY_CHARS}-character reply ({n['warm_runs']} runs)",
            f"{n['warm_p50_ms']:.0f} / {n['warm_p95_ms']:.0f} ms",
        ],
        [
            f"batch throughput, {n['batch_size']} dev-set replies",
            f"{n['batch_size'] / n['batch_seconds']:.1f} replies/s ({per_reply * 1000:.0f} ms each)",
        ],
        ["peak memory (maxrss)", f"{n['max_rss_mb']:.0f} MB"],
    ]
    if "split_both_ms" in n:
        rows.append(
            [
                f"where a warm grade's time goes ({REPLY_CHARS} characters, medians): embedding the reply / its "
                "sentences / both in one call; everything else (a second grade of it, vectors cached)",
                f"{n['split_reply_ms']:.0f} / {n['split_sentences_ms']:.0f} / {n['split_both_ms']:.0f} ms; "
                f"{n['split_rest_ms']:.0f} ms",
            ]
        )
    if "split_latent_ms" in n:
        rows.append(
            [
                f"and the reply's latent terms ({REPLY_CHARS} characters, median; a second pass of the model)",
                f"{n['split_latent_ms']:.0f} ms",
            ]
        )
    if n["embed_seconds"]:
        note = "" if n["cache_cleared"] else " (cache not cleared: the embedder exposes no way to; ratio overstated)"
        rows.append(
            [
                "grading time / bare embedding time of the same texts",
                f"{n['batch_seconds'] / n['embed_seconds']:.2f}x (embedding {n['embed_seconds']:.1f} s){note}",
            ]
        )
    else:
        rows.append(["grading time / bare embedding time", "n/a: the engine exposes no `embedder.encode`"])
    return markdown_table(["measure", "value"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure grading speed and memory; prints one JSON line.")
    parser.add_argument("--embedder", required=True)
    parser.add_argument("--devset", type=Path, required=True)
    parser.add_argument("--warm-runs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args(argv)
    numbers = measure(args.embedder, args.devset, warm_runs=args.warm_runs, batch_size=args.batch_size)
    print(json.dumps(numbers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
