"""Agreement of the grading engine with public human labels in ``../shared/data`` (read there, never copied).

- EPITOME (Reddit peer support): the empathy principle vs the human "emotional reactions" level 0/1/2.
- Stanford politeness: the no_blame principle vs the human politeness score of short requests.
- Mohler short-answer grading: cosine(answer, reference answer) with the engine's embedder vs the human
  score, the same shape as "similarity to the case's exemplars"; compared with the published numbers.

Each data set is skipped with a printed reason when absent. Samples are fixed (seeded) so reruns compare.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

from replycoach import stats as st
from replycoach.bench import markdown_table
from replycoach.cases.models import Complaint

SEED = 20240611
# Published / measured reference numbers from mohler_asag/README.md (Pearson r vs score_avg).
MOHLER_REFERENCES = (
    ("human grader 1 vs grader 2", 0.597),
    ("best published (Sultan et al. 2016, LR + SIM)", 0.592),
    ("TF-IDF cosine, no training", 0.456),
)
# A request on a wiki / Q&A site has no complaint before it; the principle scorers still need one.
_POLITENESS_CONTEXT = "A member of an online community writes a request to another member."


def _sample(path: Path, size: int) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(SEED).shuffle(rows)
    return rows[:size]


def _principle(engine, complaint_text: str, reply: str, pid: str) -> float | None:
    grade = engine.grade(
        Complaint(text=complaint_text[:2000], language="en"), reply, response_seconds=60.0, handling="public_reply"
    )
    pg = grade.principles.get(pid)
    return None if pg is None else pg.score


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def epitome(engine, data_dir: Path, size: int) -> str:
    path = data_dir / "epitome_empathy" / "epitome_reddit.jsonl"
    if not path.is_file():
        return f"EPITOME empathy: skipped ({path} is absent)."
    levels, scores, errors = [], [], 0
    for row in _sample(path, size):
        try:
            score = _principle(engine, row["context"], row["response"], "empathy")
        except Exception:
            errors += 1
            continue
        levels.append(row["labels"]["emotional_reactions"])
        scores.append(score)
    n = sum(s is not None for s in scores)
    return "EPITOME empathy (Reddit, emotional reactions 0/1/2) vs the empathy principle\n\n" + markdown_table(
        ["measure", "value", "n"],
        [
            ["Spearman with level", _fmt(st.spearman(levels, scores)), n],
            ["ROC AUC, level >= 1", _fmt(st.roc_auc([int(v >= 1) for v in levels], scores)), n],
            ["rows with no empathy score / grading errors", f"{len(scores) - n} / {errors}", len(levels) + errors],
        ],
    )


def politeness(engine, data_dir: Path, size: int) -> str:
    path = data_dir / "stanford_politeness" / "politeness.jsonl"
    if not path.is_file():
        return f"Stanford politeness: skipped ({path} is absent)."
    human, scores, binary, errors = [], [], [], 0
    for row in _sample(path, size):
        try:
            score = _principle(engine, _POLITENESS_CONTEXT, row["response"], "no_blame")
        except Exception:
            errors += 1
            continue
        human.append(row["labels"]["normalized_score"])
        scores.append(score)
        quartile = row["labels"]["binary_quartile"]
        binary.append(None if quartile is None else int(quartile == "polite"))
    n = sum(s is not None for s in scores)
    n_binary = sum(b is not None and s is not None for b, s in zip(binary, scores, strict=True))
    return "Stanford politeness (requests, 5 raters) vs the no_blame principle\n\n" + markdown_table(
        ["measure", "value", "n"],
        [
            ["Spearman with normalized_score", _fmt(st.spearman(human, scores)), n],
            ["ROC AUC, polite vs impolite quartile", _fmt(st.roc_auc(binary, scores)), n_binary],
            ["rows with no score / grading errors", f"{len(scores) - n} / {errors}", len(human) + errors],
        ],
    )


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


def run(engine, data_dir: Path, *, quick: bool) -> str:
    """The public-data part of the grading section."""
    if not Path(data_dir).is_dir():
        return f"### Public labelled data\n\nSkipped: {data_dir} is absent."
    size, mohler_size = (12, 30) if quick else (400, 2273)
    parts = [f"### Public labelled data (`{data_dir.name}`, seeded samples of {size} rows)"]
    for part in (epitome, politeness):
        parts.append(part(engine, Path(data_dir), size))
    parts.append(mohler(engine, Path(data_dir), mohler_size))
    return "\n\n".join(parts)
