"""Honest numbers for the learned grader: every prediction comes from a model fitted without the row's fold.

* ``leave_one_case_out``: for the dev set and the external set, each case in turn is held out with every
  row that belongs to it (its dev and external replies and its exemplars as training rows); its exemplars
  stay in the casebook, as a coach's new case brings its exemplars. This is the "new case" condition.
* ``k_fold_inline``: the real replies (inline complaints, no case) in ``k`` folds by a hash of their id.

``agreement`` turns predictions into the figures the bench prints (``replycoach.stats``: scipy and
scikit-learn, with 95% bootstrap intervals).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from grading.model.heads import weighted_mean
from grading.model.train import Example, TrainingSet, fit, in_memory_model, predict
from grading.principles import LEARNED_PRINCIPLES
from replycoach import stats

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Fold:
    name: str
    test: tuple[int, ...]  # rows predicted
    held_out: tuple[int, ...]  # rows not trained on (the test rows and everything sharing their fold)


def leave_one_case_out(examples: Sequence[Example], source: str) -> list[Fold]:
    """One fold per case that has ``source`` rows: every row of that case is held out."""
    folds = []
    for case in sorted({ex.row.case_id for ex in examples if ex.row.source == source and ex.row.case_id}):
        test = tuple(i for i, ex in enumerate(examples) if ex.row.source == source and ex.row.case_id == case)
        held = tuple(i for i, ex in enumerate(examples) if ex.row.case_id == case)
        folds.append(Fold(case, test, held))
    return folds


def fold_of(row_id: str, k: int) -> int:
    return int(hashlib.sha256(row_id.encode("utf-8")).hexdigest(), 16) % k


def k_fold_inline(examples: Sequence[Example], source: str = "real", k: int = 5) -> list[Fold]:
    folds = []
    for f in range(k):
        test = tuple(i for i, ex in enumerate(examples) if ex.row.source == source and fold_of(ex.row.id, k) == f)
        folds.append(Fold(f"{source} fold {f + 1}/{k}", test, test))
    return folds


def out_of_fold(ts: TrainingSet, folds: Iterable[Fold], engine, progress: Progress | None = None) -> dict[int, dict]:
    """Predictions for every fold's test rows, each from a model trained on all rows outside the fold."""
    everything = np.arange(len(ts.examples))
    out: dict[int, dict] = {}
    for fold in folds:
        train_idx = np.setdiff1d(everything, np.array(fold.held_out, dtype=int))
        fitted = fit(ts.x, ts.examples, train_idx, ts.latent_terms)
        model = in_memory_model(engine, ts.public, ts.casebook, fitted)
        out.update(predict(model, ts.examples, ts.x, fold.test))
        if progress:
            progress(f"  {fold.name}: {len(fold.test)} rows predicted, trained on {len(train_idx)}")
    return out


def predict_with(model, ts: TrainingSet, rows: Iterable[int]) -> dict[int, dict]:
    """Predictions of a given model (e.g. the shipped one, which trained on these rows: in-sample)."""
    return predict(model, ts.examples, ts.x, rows)


def label_ceiling(examples: Sequence[Example], rows: Iterable[int]) -> float | None:
    """Spearman of the coach's overall with the case-weighted mean of the coach's own principle labels (met 1,
    partly 0.5, missed 0; timing and "does not apply" left out), over ``rows`` that have a label and are not a
    decision not to reply: how far a grade built from the principles alone can follow the coach on that set,
    even with every principle read exactly as the coach read it. Nothing is fitted, so it needs no folds."""
    coach, built = [], []
    for i in rows:
        ex = examples[i]
        labels = {p: float(v) for p, v in ex.row.labels.items() if v is not None and p != "timing"}
        if ex.decision is not None or not labels:
            continue
        coach.append(ex.row.overall)
        built.append(weighted_mean(labels, ex.weights))  # the overall's own weighting of the principles
    return stats.spearman(coach, built)


# -- agreement -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    n: int
    spearman: float | None
    spearman_ci: tuple[float, float] | None
    kappa: float | None
    kappa_ci: tuple[float, float] | None
    mean_abs_diff: float
    auc: dict[str, tuple[float | None, tuple[float, float] | None, int, int]]  # principle -> auc, ci, n1, n0


def agreement(
    examples: Sequence[Example], predictions: dict[int, dict], pass_mark: float = 70.0, resamples: int = 1000
) -> Agreement:
    idx = sorted(predictions)
    coach = [examples[i].row.overall for i in idx]
    machine = [predictions[i]["overall"] for i in idx]

    def passed_kappa(a: Sequence[float], b: Sequence[float]) -> float | None:
        return stats.cohen_kappa([v >= pass_mark for v in a], [v >= pass_mark for v in b])

    aucs = {}
    for p in LEARNED_PRINCIPLES:
        labels, scores = [], []
        for i in idx:
            value = examples[i].row.labels.get(p)
            prob = predictions[i]["principles"].get(p)
            if value in (0, 1) and prob is not None:
                labels.append(float(value))
                scores.append(prob)
        n1 = int(sum(labels))
        a = stats.roc_auc(labels, scores)
        ci = stats.bootstrap_ci(stats.roc_auc, labels, scores, resamples=resamples) if a is not None else None
        aucs[p] = (a, ci, n1, len(labels) - n1)
    return Agreement(
        n=len(idx),
        spearman=stats.spearman(coach, machine),
        spearman_ci=stats.bootstrap_ci(stats.spearman, coach, machine, resamples=resamples),
        kappa=passed_kappa(coach, machine),
        kappa_ci=stats.bootstrap_ci(passed_kappa, coach, machine, resamples=resamples),
        mean_abs_diff=stats.mean_abs_diff(coach, machine) or 0.0,
        auc=aucs,
    )
