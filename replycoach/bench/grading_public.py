"""Mohler short-answer grading (``../shared/data``, read there, never copied): cosine(answer, reference
answer) with the engine's embedder vs the human score, the same shape as "similarity to the case's
exemplars"; compared with the published numbers. Skipped with a reason when absent; seeded samples.

(The politeness and EPITOME sets train the tone and emotion heads: their out-of-fold numbers come from
``replycoach train``; see ``grading_bench.public_markdown``.)
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

from replycoach import stats as st
from replycoach.bench import markdown_table

SEED = 20240611
# Published / measured reference numbers from mohler_asag/README.md (Pearson r vs score_avg).
MOHLER_REFERENCES = (
    ("human grader 1 vs grader 2", 0.597),
    ("best published (Sultan et al. 2016, LR + SIM)", 0.592),
    ("TF-IDF cosine, no training", 0.456),
)


def _sample(path: Path, size: int) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(SEED).shuffle(rows)
    return rows[:size]


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def mohler(engine, data_dir: Path, size: int) -> str:
    path = data_dir / "mohler_asag" / "mohler.jsonl"
    if not path.is_file():
        return f"Mohler ASAG: skipped ({path} is absent)."
    embedder = getattr(engine, "embedder", None)
    if embedder is None or not hasattr(embedder, "encode"):
        return "Mohler ASAG: skipped (the engine exposes no `embedder.encode`)."
    rows = _sample(path, size)
    references = sorted({r["context"]["reference_answer"] for r in rows})
    ref_vec = dict(zip(references, _unit(embedder.encode(references)), strict=True))
    answers = _unit(embedder.encode([r["response"] for r in rows]))
    cosines = [float(ref_vec[r["context"]["reference_answer"]] @ a) for r, a in zip(rows, answers, strict=True)]
    human = [r["labels"]["score_avg"] for r in rows]
    by_question: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_question[r["context"]["question_id"]].append(i)
    per_question = [
        r
        for idx in by_question.values()
        if (r := st.pearson([cosines[i] for i in idx], [human[i] for i in idx])) is not None
    ]
    table = [["this engine: cosine(answer, reference), pooled", _fmt(st.pearson(cosines, human)), len(rows)]]
    table.append(
        [
            "this engine: mean of per-question r",
            _fmt(float(np.mean(per_question)) if per_question else None),
            f"{len(per_question)} questions",
        ]
    )
    table += [[f"published: {name}", f"{r:.3f}", ""] for name, r in MOHLER_REFERENCES]
    return "Mohler short-answer grading: Pearson r with the human score_avg\n\n" + markdown_table(
        ["grader", "Pearson r", "n"], table
    )


def _unit(vectors) -> np.ndarray:
    arr = np.asarray(vectors, dtype=float)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.where(norms == 0, 1.0, norms)
