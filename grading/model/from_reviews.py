"""A candidate grader trained from the team's own reviews, and its comparison with the grader in use.

``replycoach train --from-reviews`` (and the calibration page's training job) calls ``train_candidate``:

1. the shipped training data (``train.load_training_set``; the public heads are the shipped grader's, so
   ``../shared``'s public data is not needed) plus every usable review as a row of source ``review``;
2. one fit over all of it (``train.fit``); a principle with fewer than ``MIN_REVIEWS`` review labels keeps the
   shipped grader's head and cap, and the overall keeps the shipped model unless ``MIN_REVIEWS`` reviews set
   an overall: a handful of reviews never moves a grade;
3. an evaluation on reviews the candidate did not train on, split twice: by case (a case the candidate never
   saw reviewed) and by trainee (a trainee it never saw), each beside the grader in use on the same reviews.

Nothing here stores or promotes anything: the caller keeps the candidate and an admin decides.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from grading.engine import Engine
from grading.model import data as sources
from grading.model.heads import GraderModel, load_model, model_bytes, model_from_bytes
from grading.model.train import (
    REVIEW_WEIGHT,
    Example,
    Fitted,
    PublicHeads,
    TrainingSet,
    featurize,
    fit,
    head_inputs,
    in_memory_model,
    load_training_set,
    manifest_for,
    model_arrays,
    predict,
    prediction,
)
from grading.principles import LEARNED_PRINCIPLES
from replycoach import stats
from replycoach.cases.models import Case

#: Fewer review labels than this for a principle (or reviewed overalls, for the overall): the shipped part stays.
MIN_REVIEWS = 30
#: A coach's principle score (0-1) at or above LABEL_YES is "met", at or below LABEL_NO "missed"; between is
#: "partly", which teaches a yes/no head nothing.
LABEL_YES, LABEL_NO = 0.7, 0.3
EVAL_FOLDS = 5
BIGGEST_CHANGES = 5

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class CoachLabel:
    """One review as a training label: the reply, the case version the trainee answered, the coach's scores."""

    review_id: int
    trainee: str
    case: Case
    language: str
    reply: str
    overall: float | None  # 0-100; None: the coach left the machine's overall as it was
    principles: Mapping[str, float | None]  # 0-1; None: does not apply; absent: not reviewed
    handling: str | None = None
    response_seconds: float | None = None
    follow_up: str | None = None  # a second turn: the customer's message the reply answers


@dataclass(frozen=True)
class Candidate:
    model: GraderModel
    raw: bytes  # the model file's bytes
    version: str  # its grader version, as attempts graded by it will record
    summary: dict  # what it learned from, which parts it kept, and its evaluation beside the current grader


def label_row(label: CoachLabel) -> sources.LabelledReply:
    labels: dict[str, float | None] = {}
    for principle, value in label.principles.items():
        if value is None:
            labels[principle] = None
        elif value >= LABEL_YES:
            labels[principle] = 1
        elif value <= LABEL_NO:
            labels[principle] = 0
        else:
            labels[principle] = 0.5
    return sources.LabelledReply(
        source="review",
        id=f"review:{label.review_id}",
        case_id=label.case.id,
        language=label.language,
        reply=label.reply,
        overall=float("nan") if label.overall is None else float(label.overall),
        labels=labels,
        handling=label.handling,
        response_seconds=label.response_seconds,
        trainee=label.trainee,
        case_version=version_key(label.case),
        follow_up=label.follow_up,
    )


def version_key(case: Case) -> str:
    return f"{case.id}@{case.content_hash[:12]}"


def review_counts(examples: Sequence[Example], idx: np.ndarray) -> dict[str, int]:
    """How many review labels (met or missed) each principle has among ``idx``, and reviewed overalls."""
    counts = dict.fromkeys([*LEARNED_PRINCIPLES, "overall"], 0)
    for i in idx:
        row = examples[i].row
        if row.source != "review":
            continue
        for p in LEARNED_PRINCIPLES:
            counts[p] += row.labels.get(p) in (0, 1)
        counts["overall"] += bool(np.isfinite(row.overall))
    return counts


def fit_with_reviews(
    x: np.ndarray, examples: Sequence[Example], idx: np.ndarray, shipped: GraderModel, latent_terms=None
) -> Fitted:
    """``train.fit`` on ``idx``, then the shipped head, latent head and cap back for every principle with too
    few reviews, and the shipped overall unless enough reviews set one."""
    fitted = fit(x, examples, idx, latent_terms)
    counts = review_counts(examples, idx)
    heads = dict(fitted.heads)
    latent = None if fitted.latent is None else {k: v.copy() for k, v in fitted.latent.items()}
    for k, p in enumerate(LEARNED_PRINCIPLES):
        if counts[p] < MIN_REVIEWS:
            h = shipped.heads[p]
            heads[p] = {"mean": h.mean, "scale": h.scale, "coef": h.coef, "intercept": np.array(h.intercept)}
            if latent is not None and shipped.latent is not None:
                latent["coef"][k] = shipped.latent.coef[k]
                latent["intercept"][k] = shipped.latent.intercept[k]
    refit = {p for p in LEARNED_PRINCIPLES if counts[p] >= MIN_REVIEWS}
    caps = tuple(c for c in fitted.caps if c["principle"] in refit) + tuple(
        dict(c) for c in shipped.manifest["caps"] if c["principle"] not in refit
    )
    if counts["overall"] >= MIN_REVIEWS:
        return Fitted(heads, fitted.overall_coef, fitted.overall_intercept, caps, latent, fitted.inline_owed)
    return Fitted(heads, shipped.overall.coef, shipped.overall.intercept, caps, latent, fitted.inline_owed)


def train_candidate(
    engine: Engine,
    cases: dict[str, Case],
    labels: Sequence[CoachLabel],
    *,
    shared=sources.DEFAULT_SHARED,
    devset=sources.DEFAULT_DEVSET,
    pass_mark: float = 70.0,
    progress: Progress = _quiet,
    base: TrainingSet | None = None,
    evaluate: bool = True,
) -> Candidate:
    """A candidate from the shipped training data plus ``labels``; evaluated beside ``engine``'s grader."""
    shipped = load_model(engine.embedder_name)
    if shipped is None:
        raise ValueError(f"no shipped grader for embedder {engine.embedder_name!r}: nothing to start from")
    base = base or load_training_set(engine, cases, shared, devset, progress, public=PublicHeads.of(shipped))
    rows = [label_row(label) for label in labels]
    versions = {version_key(label.case): label.case for label in labels}
    progress(f"read {len(rows)} reviews")
    reviewed = featurize(rows, {**cases, **versions}, engine, progress) if rows else []
    examples = base.examples + reviewed
    x = np.vstack([base.x, head_inputs(reviewed, base.public, base.casebook)]) if reviewed else base.x
    terms = base.latent_terms_of(examples)
    everything = np.arange(len(examples))
    fitted = fit_with_reviews(x, examples, everything, shipped, terms)
    counts = review_counts(examples, everything)
    training = {
        "trained_from": "shipped data and the team's reviews",
        "reviews": len(rows),
        "review_ids_sha256": hashlib.sha256(",".join(r.id for r in rows).encode()).hexdigest(),
        "review_weight": REVIEW_WEIGHT,
        "min_reviews": MIN_REVIEWS,
        "labels": counts,
        "refit": [p for p in LEARNED_PRINCIPLES if counts[p] >= MIN_REVIEWS],
        "kept_shipped": {
            p: f"{counts[p]} review labels (fewer than {MIN_REVIEWS})"
            for p in LEARNED_PRINCIPLES
            if counts[p] < MIN_REVIEWS
        },
        "overall": "refit" if counts["overall"] >= MIN_REVIEWS else f"shipped ({counts['overall']} reviewed overalls)",
        "base_rows": len(base.examples),
        "shipped_grader": shipped.fingerprint,
    }
    manifest = manifest_for(
        engine,
        base.public,
        base.casebook,
        fitted,
        {"training": training, "sources": [dataclasses.asdict(r) for r in base.reports]},
    )
    raw = model_bytes(model_arrays(base.public, base.casebook, fitted), manifest)
    model = model_from_bytes(raw, source="the candidate")
    version = Engine(engine.embedder_name, graders=engine.graders, model=model).grader_version
    for p, why in training["kept_shipped"].items():
        progress(f"  {p}: shipped head kept, {why}")
    progress(f"  refit from reviews: {', '.join(training['refit']) or 'no principle'}; overall {training['overall']}")
    summary = {"training": training}
    if evaluate and rows:
        current = engine.model or shipped
        summary["evaluation"] = {
            split: compare(engine, base, x, examples, split, shipped, current, pass_mark, progress, terms)
            for split in ("case", "trainee")
        }
    return Candidate(model, raw, version, summary)


def _group(ex: Example, split: str) -> str:
    return (ex.row.case_id if split == "case" else ex.row.trainee) or ex.row.id


def compare(
    engine: Engine,
    base: TrainingSet,
    x: np.ndarray,
    examples: Sequence[Example],
    split: str,
    shipped: GraderModel,
    current: GraderModel,
    pass_mark: float,
    progress: Progress = _quiet,
    latent_terms=None,
) -> dict:
    """The candidate (trained without the held-out reviews) beside the current grader, on held-out reviews."""
    from sklearn.model_selection import GroupKFold

    first_review = len(base.examples)
    review_idx = np.arange(first_review, len(examples))
    groups = np.array([_group(examples[i], split) for i in review_idx])
    if len(set(groups)) < 2:
        return {"note": f"reviews of fewer than two {split}s: none can be held out", "n": 0}
    folds = GroupKFold(min(EVAL_FOLDS, len(set(groups))))
    candidate: dict[int, dict] = {}
    for train_part, test_part in folds.split(review_idx, groups=groups):
        train_idx = np.concatenate([np.arange(first_review), review_idx[train_part]])
        fitted = fit_with_reviews(x, examples, train_idx, shipped, latent_terms)
        model = in_memory_model(engine, base.public, base.casebook, fitted)
        candidate.update(predict(model, examples, x, review_idx[test_part]))
    progress(f"  evaluated on reviews held out by {split}: {len(candidate)} predicted")
    now = {int(i): _current_prediction(current, examples[i]) for i in review_idx}
    return _side_by_side(examples, review_idx, candidate, now, pass_mark)


def _current_prediction(model: GraderModel, ex: Example) -> dict:
    return prediction(model, ex, model.dense_inputs(ex.engineered, ex.vector))


def _side_by_side(
    examples: Sequence[Example], idx: np.ndarray, candidate: dict[int, dict], current: dict[int, dict], pass_mark: float
) -> dict:
    with_overall = [int(i) for i in idx if np.isfinite(examples[i].row.overall) and int(i) in candidate]
    coach = [examples[i].row.overall for i in with_overall]

    def overall(preds: dict[int, dict]) -> dict:
        machine = [preds[i]["overall"] for i in with_overall]
        return {
            "spearman": _round(stats.spearman(coach, machine)),
            "kappa": _round(stats.cohen_kappa([c >= pass_mark for c in coach], [m >= pass_mark for m in machine])),
            "mean_abs_diff": _round(stats.mean_abs_diff(coach, machine)),
        }

    def principle_kappas(preds: dict[int, dict]) -> dict[str, dict]:
        out = {}
        for p in LEARNED_PRINCIPLES:
            pairs = [
                (examples[i].row.labels[p], preds[int(i)]["principles"].get(p))
                for i in idx
                if int(i) in preds and examples[i].row.labels.get(p) in (0, 1)
            ]
            pairs = [(y, prob) for y, prob in pairs if prob is not None]
            if pairs:
                out[p] = {
                    "n": len(pairs),
                    "kappa": _round(stats.cohen_kappa([y == 1 for y, _ in pairs], [prob >= 0.5 for _, prob in pairs])),
                }
        return out

    changes = sorted(
        (int(i) for i in idx if int(i) in candidate),
        key=lambda i: (-abs(candidate[i]["overall"] - current[i]["overall"]), examples[i].row.id),
    )[:BIGGEST_CHANGES]
    return {
        "n": len(candidate),
        "n_overall": len(with_overall),
        "candidate": {"overall": overall(candidate), "principles": principle_kappas(candidate)},
        "current": {"overall": overall(current), "principles": principle_kappas(current)},
        "biggest_changes": [
            {
                "review": examples[i].row.id,
                "coach": None if not np.isfinite(examples[i].row.overall) else round(examples[i].row.overall, 1),
                "current": round(current[i]["overall"], 1),
                "candidate": round(candidate[i]["overall"], 1),
            }
            for i in changes
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)
