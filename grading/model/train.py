"""Training the learned grader, beside the model file it writes (``grading/model/<embedder>.npz``).

``replycoach train`` calls ``train``: it reads the sources it names (``grading.model.data``), computes every
reply's features with the same ``grading.features.extract`` the engine uses, fits

1. the public heads on public data only: a projection of the embedding (PCA), tone (Stanford politeness)
   and emotion (EPITOME "emotional reactions");
2. where the embedder has latent terms, one logistic regression per principle over them (the latent heads),
   whose out-of-fold logits join the inputs of step 3 (stacking: a head never reads a logit fitted on its
   own row);
3. one logistic regression per principle over engineered + derived features (+ latent logits), on coach
   labels;
4. the overall: a ridge regression of the coach's grade on the case-weighted mean of out-of-fold principle
   probabilities and a few signals the mean cannot see;
5. caps: for each severe fault, the probability threshold at which its head is right at least 95% of the
   time on held-out (out-of-fold) rows; no such threshold, no cap;

and writes arrays plus a JSON manifest (what was read, with SHA-256s; parameters; what was measured).
``evaluate`` repeats 2-5 fold by fold, so every number it gives comes from rows the model never saw.
The engine and ``replycoach grade`` never train.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grading.case_view import CaseView
from grading.engine import (
    REPLY_CAP,
    SCORING_VERSION,
    Engine,
    applicable_principles,
    decided_not_to_reply,
    decision_overall,
)
from grading.features.embeddings import LatentTerms
from grading.features.extract import extract
from grading.features.semantic import TEMPERATURE
from grading.features.vector import FEATURE_NAMES
from grading.model import data as sources
from grading.model.heads import (
    CASEBOOK_FAULTS,
    DERIVED,
    OVERALL_INPUTS,
    GraderModel,
    casebook_derived,
    casebook_weights,
    model_from_arrays,
    model_path,
    save_model,
)
from grading.model.scoring import CAP_REASONS, overall_candidates, score
from grading.principles import LEARNED_PRINCIPLES, merged_weights
from replycoach.cases.models import Case, Complaint

#: How much one row of each source counts. Exemplars are many, short and written with the case; coach-graded
#: replies by other writers are what the grader must agree with.
SOURCE_WEIGHTS = {"devset": 1.0, "external": 1.0, "real": 1.0, "exemplar": 0.5}
#: A review by the team's own coaches (``grading.model.from_reviews``) counts double: it is the judgement the
#: team's grader must learn, on the team's own cases and trainees.
REVIEW_WEIGHT = 2.0
HEAD_C = 0.1  # inverse L2 strength of the principle heads (standardised features)
#: A cue group's count is standardised as if it fired on at least this share of the rows. Standardised by its own
#: spread, a group that fires on a handful of the 920 replies (lecturing, arguing in public, a dead end) gets a
#: spread near 0.04, and the L2 penalty, which sees standardised units, let one hit of it move a head by 3 to 5
#: logits whatever else the reply said: one phrase sinking a good reply. Floored, by under 2. Only groups that fire
#: on fewer than 3% of the replies are touched (a floor of 10% also reached common ones and moved the exact
#: translations apart: the cues are what the languages share).
MIN_CUE_SHARE = 0.03
_CUE_SCALE_FLOOR = float(np.log1p(1.0) * np.sqrt(MIN_CUE_SHARE * (1.0 - MIN_CUE_SHARE)))
_CUE_COLUMNS = np.array([name.startswith("count.") for name in FEATURE_NAMES])
#: Of the latent heads (raw term weights, 16,384 terms). Measured out-of-fold at 0.03, 0.1 and 0.3: the same
#: within 0.005 Spearman on every set, so the middle one.
LATENT_C = 0.1
#: Which principles a complaint without a case file may not owe (``InlineOwed``). Learning empathy, promise and
#: private channel too measured no better (decision 0013).
INLINE_OWED = ("apology", "ownership")
#: Inverse L2 strength of their heads over the complaint's raw vector: cross-validated AUC of the coach's "owed"
#: on the real complaints was 0.47 / 0.67 / 0.73 (apology) at C 0.1 / 1 / 10.
INLINE_OWED_C = 10.0
#: Fewer labelled bare complaints than this (``../shared`` absent) and the rules keep their say.
MIN_INLINE_ROWS = 30
PUBLIC_C = 1.0  # of the tone and emotion heads (raw embedding)
OVERALL_ALPHA = 1.0
#: Every input of the overall is "more is better", so its weights are kept >= 0: a trainee never reads that
#: good handling cost them points (the breakdown shows each term), and collinear inputs cannot cancel out.
OVERALL_POSITIVE = True
PROJECTION_DIMS = 32
INNER_FOLDS = 5
CAP_PRECISION = 0.95
CAP_MIN_DETECTIONS = 5
#: Where a confident fault holds the overall (docs/coach-rubric.md: 0-29 harmful, 30-54 poor).
CAP_LIMITS = {"no_blame": 29.0, "handling": 54.0, "no_script": 54.0, "concise": 54.0}
ENCODE_BATCH = 32

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Example:
    """One labelled reply with everything the model reads about it."""

    row: sources.LabelledReply
    engineered: np.ndarray
    vector: np.ndarray
    applicable: dict[str, bool]
    weights: dict[str, float]
    timing: float | None
    casebook_key: str | None  # an exemplar's own key in the casebook (left out of its own estimate)
    # "Don't reply" to a case: the handling rule's score, the only thing the engine grades (``decided_not_to_reply``);
    # such a row teaches the heads but never the overall model, which never grades it.
    decision: float | None = None
    latent: LatentTerms | None = None  # the reply's latent terms (None: embedder has none)
    #: A complaint without a case file: the complaint's vector (``InlineOwed`` reads it); None for a case.
    complaint_vector: np.ndarray | None = None

    @property
    def weight(self) -> float:
        return REVIEW_WEIGHT if self.row.source == "review" else SOURCE_WEIGHTS[self.row.source]

    @property
    def teaches_inline_owed(self) -> bool:
        """A coach's labels of a reply to a bare complaint: "does not apply" there says the complaint owed it not."""
        return self.complaint_vector is not None and self.row.source != "review"

    @property
    def training_applicable(self) -> dict[str, bool]:
        """What the overall model learns from: the rules' applicability, less what the coach held a bare
        complaint not to owe (the engine asks ``InlineOwed`` instead; ``prediction``)."""
        if not self.teaches_inline_owed:
            return self.applicable
        out = dict(self.applicable)
        for p in INLINE_OWED:
            if p in self.row.labels:
                out[p] = bool(out.get(p, False)) and self.row.labels[p] is not None
        return out


@dataclass(frozen=True)
class PublicHeads:
    projection_mean: np.ndarray
    projection: np.ndarray
    tone_coef: np.ndarray
    tone_intercept: float
    emotion_coef: np.ndarray
    emotion_intercept: float
    report: dict

    @classmethod
    def of(cls, model: GraderModel) -> PublicHeads:
        """The public heads of a trained model: they saw no coach label, so every fold may reuse them."""
        return cls(
            projection_mean=model.projection_mean,
            projection=model.projection,
            tone_coef=model.tone.coef,
            tone_intercept=model.tone.intercept,
            emotion_coef=model.emotion.coef,
            emotion_intercept=model.emotion.intercept,
            report=dict(model.manifest.get("public_heads", {})),
        )


@dataclass(frozen=True)
class Casebook:
    vectors: np.ndarray
    scores: np.ndarray
    keys: tuple[str, ...]
    temperature: float
    fails: np.ndarray  # (n, len(CASEBOOK_FAULTS)): 1 where the exemplar's coach named the principle a problem


@dataclass(frozen=True)
class Fitted:
    heads: dict[str, dict[str, np.ndarray]]  # principle -> mean, scale, coef, intercept
    overall_coef: np.ndarray
    overall_intercept: float
    caps: tuple[dict, ...]
    latent: dict[str, np.ndarray] | None = None  # coef (principles x terms), intercept; None: no latent terms
    inline_owed: dict[str, np.ndarray] | None = None  # coef (INLINE_OWED x dim), intercept; None: no such rows


# -- features -------------------------------------------------------------------------------------------------
def case_view(row: sources.LabelledReply, cases: dict[str, Case]) -> CaseView:
    """The case as graded for ``row``: its language, and an exemplar without itself among the exemplars."""
    if row.case_id is None:
        return CaseView.of(Complaint(text=row.complaint or "", language=row.language, customer_name=row.customer_name))
    case = cases[row.case_version or row.case_id]
    try:
        view = CaseView.of(case.localized(row.language))
    except KeyError:
        view = CaseView.of(case.localized(case.language))
    if row.follow_up:
        return view.following_up(row.follow_up[:REPLY_CAP])  # as the engine grades a second turn
    if row.exemplar is not None:
        kind, i = row.exemplar
        if kind == "good":
            view = dataclasses.replace(view, good=tuple(g for j, g in enumerate(view.good) if j != i))
        else:
            view = dataclasses.replace(view, bad=tuple(b for j, b in enumerate(view.bad) if j != i))
    return view


def casebook_key(case_id: str, kind: str, index: int) -> str:
    """An exemplar's key in the casebook: the same in every language, so its translations leave with it."""
    return f"{case_id}:{kind}{index}"


def featurize(
    rows: Sequence[sources.LabelledReply], cases: dict[str, Case], engine: Engine, progress: Progress = _quiet
):
    """Every row's features, computed exactly as the engine computes them at grading time."""
    embedder = engine.embedder
    if embedder is None:
        raise ValueError("training needs an embedder; the rules engine has none")
    texts = list(dict.fromkeys([r.reply for r in rows] + [r.complaint for r in rows if r.complaint]))
    for start in range(0, len(texts), ENCODE_BATCH * 8):  # warm the disk cache in big batches, with progress
        for i in range(start, min(len(texts), start + ENCODE_BATCH * 8), ENCODE_BATCH):
            embedder.encode(texts[i : i + ENCODE_BATCH], persist=True)
        progress(f"  embedded {min(len(texts), start + ENCODE_BATCH * 8)} / {len(texts)} reply texts")
    out: list[Example] = []
    for n, row in enumerate(rows, start=1):
        view = case_view(row, cases)
        feats = extract(
            view,
            row.reply,
            response_seconds=row.response_seconds,
            handling=row.handling,
            earlier=(),
            embedder=embedder,
            graders=engine.graders,
            sentences=False,
            training=True,
        )
        if feats.semantics.reply_vector is None:
            raise RuntimeError(f"row {row.id}: no embedding ({'; '.join(feats.warnings)})")
        applicable = applicable_principles(feats.rules, row.handling)
        decided = decided_not_to_reply(row.handling, row.reply, bool(view.accepted_handlings))
        out.append(
            Example(
                row=row,
                engineered=feats.engineered,
                vector=feats.semantics.reply_vector.astype(np.float32),
                applicable=applicable,
                weights=merged_weights(view.weights),
                timing=feats.rules["timing"].score if applicable.get("timing") else None,
                casebook_key=casebook_key(row.case_id, *row.exemplar) if row.exemplar and row.case_id else None,
                decision=(feats.rules["handling"].score or 0.0) if decided else None,
                latent=feats.semantics.latent,
                complaint_vector=None
                if feats.semantics.complaint_vector is None
                else feats.semantics.complaint_vector.astype(np.float32),
            )
        )
        if n % 100 == 0 or n == len(rows):
            progress(f"  features of {n} / {len(rows)} replies")
    return out


# -- public heads -----------------------------------------------------------------------------------------------
def fit_public(engine: Engine, shared: Path, progress: Progress = _quiet) -> PublicHeads:
    """Projection, tone and emotion from public data alone (no coach label): fitted once for every fold."""
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    embedder = engine.embedder
    tone_rows = sources.tone_examples(shared)
    empathy_rows = sources.empathy_examples(shared)
    if not tone_rows or not empathy_rows:
        raise FileNotFoundError(
            f"training needs the public data under {shared}/data (Stanford politeness, EPITOME); "
            "pass --shared to point at it"
        )

    def encode(texts: list[str], what: str) -> np.ndarray:
        parts = []
        for i in range(0, len(texts), ENCODE_BATCH * 8):
            chunk = texts[i : i + ENCODE_BATCH * 8]
            parts.append(
                np.concatenate(
                    [
                        embedder.encode(chunk[j : j + ENCODE_BATCH], persist=True)
                        for j in range(0, len(chunk), ENCODE_BATCH)
                    ]
                )
            )
            progress(f"  embedded {min(len(texts), i + len(chunk))} / {len(texts)} {what}")
        return np.concatenate(parts).astype(np.float64)

    tone_x = encode([r.text for r in tone_rows], "politeness requests")
    tone_y = np.array([r.polite for r in tone_rows])
    emo_x = encode([r.response for r in empathy_rows], "EPITOME replies")
    emo_y = np.array([1 if r.level > 0 else 0 for r in empathy_rows])
    pca = PCA(PROJECTION_DIMS, svd_solver="full").fit(tone_x)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    report = {}
    heads = {}
    for name, x, y in (("tone", tone_x, tone_y), ("emotion", emo_x, emo_y)):
        clf = LogisticRegression(C=PUBLIC_C, max_iter=5000)
        oof = cross_val_predict(clf, x, y, cv=folds, method="predict_proba")[:, 1]
        heads[name] = clf.fit(x, y)
        report[name] = {
            "rows": int(len(y)),
            "positives": int(y.sum()),
            "auc_5fold": round(float(roc_auc_score(y, oof)), 4),
        }
        progress(f"  {name} head: {len(y)} rows, out-of-fold ROC AUC {report[name]['auc_5fold']:.3f}")
    return PublicHeads(
        projection_mean=pca.mean_,
        projection=pca.components_,
        tone_coef=heads["tone"].coef_[0],
        tone_intercept=float(heads["tone"].intercept_[0]),
        emotion_coef=heads["emotion"].coef_[0],
        emotion_intercept=float(heads["emotion"].intercept_[0]),
        report=report,
    )


def build_casebook(cases: Iterable[Case], engine: Engine) -> Casebook:
    """Every exemplar of every case in every language, embedded, with its coach score and the principles its
    coach named as its problems."""
    texts, scores, keys, fails = [], [], [], []
    for row in sources.exemplar_rows(cases):
        kind, i = row.exemplar
        texts.append(row.reply)
        scores.append(row.overall)
        keys.append(casebook_key(row.case_id, kind, i))
        fails.append([1.0 if row.labels.get(p) == 0 else 0.0 for p in CASEBOOK_FAULTS])
    vectors = engine.embedder.encode(texts, persist=True).astype(np.float32)
    temp = TEMPERATURE.get(engine.embedder_name, 0.05)
    return Casebook(
        vectors,
        np.array(scores, dtype=np.float64),
        tuple(keys),
        temp,
        np.array(fails, dtype=np.float64).reshape(-1, len(CASEBOOK_FAULTS)),
    )


def head_inputs(examples: Sequence[Example], public: PublicHeads, book: Casebook) -> np.ndarray:
    """The matrix the principle heads read: engineered, derived (tone, emotion, casebook), projection."""
    keys = np.array(book.keys)
    rows = []
    for ex in examples:
        v = ex.vector.astype(np.float64)
        keep = None if ex.casebook_key is None else keys != ex.casebook_key
        weights = casebook_weights(book.vectors, book.temperature, ex.vector, keep)
        derived = {
            "tone": _sigmoid(v @ public.tone_coef + public.tone_intercept),
            "emotion": _sigmoid(v @ public.emotion_coef + public.emotion_intercept),
            **casebook_derived(weights, book.scores, book.fails),
        }
        projected = (v - public.projection_mean) @ public.projection.T
        rows.append(np.concatenate([ex.engineered, [derived[k] for k in DERIVED], projected]))
    return np.array(rows)


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0))))


# -- the supervised part -----------------------------------------------------------------------------------------
def _labels(examples: Sequence[Example], principle: str) -> np.ndarray:
    """1 / 0 per row, NaN where the coach gave none (not applicable, or the 0.5 of "partly")."""
    out = np.full(len(examples), np.nan)
    for i, ex in enumerate(examples):
        value = ex.row.labels.get(principle)
        if value in (0, 1):
            out[i] = float(value)
    return out


def fit_heads(x: np.ndarray, examples: Sequence[Example], idx: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    from sklearn.linear_model import LogisticRegression

    weights = np.array([ex.weight for ex in examples])
    cue = np.zeros(x.shape[1], dtype=bool)  # the engineered features come first in a row
    cue[: len(_CUE_COLUMNS)] = _CUE_COLUMNS
    heads = {}
    for p in LEARNED_PRINCIPLES:
        y = _labels(examples, p)
        use = idx[~np.isnan(y[idx])]
        mean = x[use].mean(axis=0)
        scale = x[use].std(axis=0)
        scale[cue] = np.maximum(scale[cue], _CUE_SCALE_FLOOR)
        scale[scale < 1e-9] = 1.0
        z = (x[use] - mean) / scale
        if len(set(y[use])) < 2:  # one class only: a constant head at its rate
            coef, intercept = np.zeros(x.shape[1]), float(np.log((y[use].mean() + 1e-3) / (1 - y[use].mean() + 1e-3)))
        else:
            clf = LogisticRegression(C=HEAD_C, max_iter=10000).fit(z, y[use], sample_weight=weights[use])
            coef, intercept = clf.coef_[0], float(clf.intercept_[0])
        heads[p] = {"mean": mean, "scale": scale, "coef": coef, "intercept": np.array(intercept)}
    return heads


def _head_probabilities(heads: dict, x: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for p, h in heads.items():
        z = (x - h["mean"]) / h["scale"]
        out[p] = 1.0 / (1.0 + np.exp(-np.clip(z @ h["coef"] + float(h["intercept"]), -50, 50)))
    return out


def _overall_inputs(ex: Example, probs: dict[str, float], x_row: np.ndarray, names: Sequence[str]) -> list[float]:
    applicable = ex.training_applicable
    shown = {p: (v if applicable.get(p) else None) for p, v in probs.items()}
    values = overall_candidates(x_row, shown, ex.weights)
    return [float(values[k]) for k in names]


def _out_of_fold(x: np.ndarray, examples: Sequence[Example], idx: np.ndarray) -> dict[str, np.ndarray]:
    """Head probabilities for the rows ``idx``, each from heads fitted without its fold key's rows."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([examples[i].row.fold_key for i in idx])
    oof = {p: np.zeros(len(x)) for p in LEARNED_PRINCIPLES}
    for train_part, test_part in GroupKFold(INNER_FOLDS).split(idx, groups=groups):
        heads = fit_heads(x, examples, idx[train_part])
        probs = _head_probabilities(heads, x[idx[test_part]])
        for p in LEARNED_PRINCIPLES:
            oof[p][idx[test_part]] = probs[p]
    return oof


def choose_caps(examples: Sequence[Example], idx: np.ndarray, oof: dict[str, np.ndarray]) -> tuple[dict, ...]:
    """Per severe fault: the highest probability threshold at which capping "probability <= threshold" at the
    fault's limit agrees with the coach (the coach's own overall at or below the limit) at least
    ``CAP_PRECISION`` of the time, over at least ``CAP_MIN_DETECTIONS`` held-out rows. A fault whose head never
    gets that sure caps nothing.

    Every row the cap could bind at grading time counts (the principle applies and weighs): until 2.9 only rows
    whose coach labelled the principle did, and a casebook's good exemplar carries no labels, so a cap that
    fell on one was never counted wrong (the concise cap crept up to a probability of 0.69 and held good long
    replies at 54)."""
    caps = []
    for p, limit in CAP_LIMITS.items():
        use = np.array(
            [
                i
                for i in idx
                if examples[i].decision is None
                and np.isfinite(examples[i].row.overall)
                and examples[i].applicable.get(p, False)
                and examples[i].weights.get(p, 0.0) > 0
            ],
            dtype=int,
        )
        if len(use) == 0:
            continue
        order = use[np.argsort(oof[p][use], kind="stable")]
        sorted_probs = oof[p][order]
        agrees = np.cumsum([examples[i].row.overall <= limit for i in order])
        counts = np.arange(1, len(order) + 1)
        precision = agrees / counts
        # "probability <= threshold" takes every row tied at the threshold: cut only where the next row is higher
        cut = np.r_[sorted_probs[1:] > sorted_probs[:-1], True]
        ok = np.where((precision >= CAP_PRECISION) & (counts >= CAP_MIN_DETECTIONS) & cut)[0]
        if len(ok) == 0:
            continue
        k = int(ok.max())
        caps.append(
            {
                "principle": p,
                "threshold": float(sorted_probs[k]),  # unrounded: rounding down would drop the k-th detection
                "limit": limit,
                "precision": round(float(precision[k]), 4),
                "detections": int(counts[k]),
                "reason": CAP_REASONS[p],
            }
        )
    return tuple(caps)


# -- latent heads ----------------------------------------------------------------------------------------------
def latent_matrix(examples: Sequence[Example], dim: int):
    """The rows' latent terms as a sparse matrix (rows without terms are empty)."""
    from scipy.sparse import csr_matrix

    with_terms = [ex.latent for ex in examples if ex.latent is not None]
    indptr = np.cumsum([0] + [0 if ex.latent is None else len(ex.latent[0]) for ex in examples])
    indices = np.concatenate([t[0] for t in with_terms]) if with_terms else np.zeros(0, np.int32)
    values = np.concatenate([t[1] for t in with_terms]) if with_terms else np.zeros(0)
    return csr_matrix((values.astype(np.float32), indices.astype(np.int32), indptr), shape=(len(examples), dim))


def fit_latent(terms, examples: Sequence[Example], idx: np.ndarray) -> dict[str, np.ndarray]:
    """Per principle, a logistic regression of the coach's label on the latent terms of the rows ``idx``."""
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((len(LEARNED_PRINCIPLES), terms.shape[1]))
    intercept = np.zeros(len(LEARNED_PRINCIPLES))
    for k, p in enumerate(LEARNED_PRINCIPLES):
        y = _labels(examples, p)
        use = idx[~np.isnan(y[idx])]
        if len(set(y[use])) < 2:  # one class only (or none): a constant logit at its rate
            rate = float(y[use].mean()) if len(use) else 0.5
            intercept[k] = np.log((rate + 1e-3) / (1 - rate + 1e-3))
            continue
        clf = LogisticRegression(C=LATENT_C, max_iter=5000).fit(terms[use], y[use])
        coef[k], intercept[k] = clf.coef_[0], float(clf.intercept_[0])
    return {"coef": coef, "intercept": intercept}


def latent_logits(fitted: dict[str, np.ndarray], terms) -> np.ndarray:
    return np.asarray(terms @ fitted["coef"].T) + fitted["intercept"]


def _latent_out_of_fold(terms, examples: Sequence[Example], idx: np.ndarray) -> np.ndarray:
    """The latent logits of the rows ``idx``, each from latent heads fitted without its fold key's rows."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros((terms.shape[0], len(LEARNED_PRINCIPLES)))
    groups = np.array([examples[i].row.fold_key for i in idx])
    for train_part, test_part in GroupKFold(INNER_FOLDS).split(idx, groups=groups):
        fitted = fit_latent(terms, examples, idx[train_part])
        out[idx[test_part]] = latent_logits(fitted, terms[idx[test_part]])
    return out


def fit_inline_owed(examples: Sequence[Example], idx: np.ndarray) -> dict[str, np.ndarray] | None:
    """Per principle of ``INLINE_OWED``, a logistic regression over the complaint's vector of whether the coach
    labelled the reply on it at all, from the rows ``idx`` with a bare complaint (None: too few of them)."""
    from sklearn.linear_model import LogisticRegression

    rows = [i for i in idx if examples[i].teaches_inline_owed]
    x = np.array([examples[i].complaint_vector for i in rows], dtype=np.float64)
    coef, intercept = [], []
    for p in INLINE_OWED:
        use = [k for k, i in enumerate(rows) if p in examples[i].row.labels]
        y = np.array([examples[rows[k]].row.labels[p] is not None for k in use], dtype=int)
        if len(use) < MIN_INLINE_ROWS or len(set(y)) < 2:
            return None
        clf = LogisticRegression(C=INLINE_OWED_C, max_iter=5000).fit(x[use], y)
        coef.append(clf.coef_[0])
        intercept.append(float(clf.intercept_[0]))
    return {"coef": np.array(coef), "intercept": np.array(intercept)}


def fit(x: np.ndarray, examples: Sequence[Example], idx: np.ndarray, latent_terms=None) -> Fitted:
    """Heads, overall and caps from the rows ``idx`` alone. ``latent_terms``: the rows' latent terms as a
    sparse matrix (``latent_matrix``), None when the rows have none."""
    from sklearn.linear_model import Ridge

    latent = None
    if latent_terms is not None:
        latent = fit_latent(latent_terms, examples, idx)
        # the heads learn from out-of-fold logits, as they will meet them on replies the latent heads never saw
        x = np.hstack([x, _latent_out_of_fold(latent_terms, examples, idx)])
    heads = fit_heads(x, examples, idx)
    oof = _out_of_fold(x, examples, idx)
    # A review may leave the overall as it was; a "don't reply" decision is graded without the overall model.
    graded = [i for i in idx if np.isfinite(examples[i].row.overall) and examples[i].decision is None]
    rows = [
        _overall_inputs(examples[i], {p: oof[p][i] for p in LEARNED_PRINCIPLES}, x[i], OVERALL_INPUTS) for i in graded
    ]
    target = np.array([examples[i].row.overall for i in graded])
    weights = np.array([examples[i].weight for i in graded])
    ridge = Ridge(alpha=OVERALL_ALPHA, positive=OVERALL_POSITIVE).fit(np.array(rows), target, sample_weight=weights)
    return Fitted(
        heads,
        ridge.coef_,
        float(ridge.intercept_),
        choose_caps(examples, idx, oof),
        latent,
        fit_inline_owed(examples, idx),
    )


def model_arrays(public: PublicHeads, book: Casebook, fitted: Fitted) -> dict[str, np.ndarray]:
    f32 = np.float32
    arrays = {
        "projection.mean": public.projection_mean.astype(f32),
        "projection.components": public.projection.astype(f32),
        "tone.coef": public.tone_coef.astype(f32),
        "tone.intercept": np.array(public.tone_intercept, dtype=f32),
        "emotion.coef": public.emotion_coef.astype(f32),
        "emotion.intercept": np.array(public.emotion_intercept, dtype=f32),
        "casebook.vectors": book.vectors.astype(f32),
        "casebook.scores": book.scores.astype(f32),
        "casebook.fails": book.fails.astype(f32),
        "overall.coef": fitted.overall_coef.astype(f32),
        "overall.intercept": np.array(fitted.overall_intercept, dtype=f32),
    }
    for p, h in fitted.heads.items():
        for k, v in h.items():
            arrays[f"head.{p}.{k}"] = np.asarray(v, dtype=f32)
    if fitted.latent is not None:
        arrays["latent.coef"] = fitted.latent["coef"].astype(f32)
        arrays["latent.intercept"] = fitted.latent["intercept"].astype(f32)
    if fitted.inline_owed is not None:
        arrays["inline_owed.coef"] = fitted.inline_owed["coef"].astype(f32)
        arrays["inline_owed.intercept"] = fitted.inline_owed["intercept"].astype(f32)
    return arrays


def manifest_for(engine: Engine, public: PublicHeads, book: Casebook, fitted: Fitted, extra: dict) -> dict:
    return {
        "format": 1,
        "scoring_version": SCORING_VERSION,
        "embedder": engine.embedder_name,
        "feature_names": list(FEATURE_NAMES),
        "principles": list(LEARNED_PRINCIPLES),
        "overall_inputs": list(OVERALL_INPUTS),
        "derived": list(DERIVED),
        "latent_principles": list(LEARNED_PRINCIPLES) if fitted.latent is not None else [],
        "inline_owed_principles": list(INLINE_OWED) if fitted.inline_owed is not None else [],
        "casebook_temperature": book.temperature,
        "casebook_exemplars": len(book.keys),
        "caps": [dict(c) for c in fitted.caps],
        "parameters": {
            "source_weights": SOURCE_WEIGHTS,
            "head_C": HEAD_C,
            "latent_C": LATENT_C,
            "inline_owed_C": INLINE_OWED_C,
            "public_C": PUBLIC_C,
            "overall_alpha": OVERALL_ALPHA,
            "overall_positive": OVERALL_POSITIVE,
            "projection_dims": PROJECTION_DIMS,
            "inner_folds": INNER_FOLDS,
            "cap_precision": CAP_PRECISION,
            "cap_min_detections": CAP_MIN_DETECTIONS,
        },
        "public_heads": public.report,
        **extra,
    }


def in_memory_model(engine: Engine, public: PublicHeads, book: Casebook, fitted: Fitted) -> GraderModel:
    """The model exactly as the engine would load it (float32 arrays), without writing a file."""
    arrays = model_arrays(public, book, fitted)
    manifest = manifest_for(engine, public, book, fitted, {})
    return model_from_arrays(arrays, manifest, "in-memory")


def predict(model: GraderModel, examples: Sequence[Example], x: np.ndarray, idx: Iterable[int]) -> dict[int, dict]:
    """What the engine would give each row in ``idx``: overall and principle probabilities (``x``: the dense
    head inputs, ``head_inputs``)."""
    return {i: prediction(model, examples[i], x[i]) for i in idx}


def prediction(model: GraderModel, ex: Example, dense: np.ndarray) -> dict:
    """The engine's overall and principle probabilities for one row, from its dense head inputs and its
    latent terms (read by the model's latent heads, as at grading time)."""
    if ex.decision is not None:
        return {"overall": decision_overall(ex.decision), "principles": {"handling": ex.decision}}
    inputs = np.concatenate([dense, model.latent_inputs(ex.latent)])
    applicable = model.applicable_inline(ex.applicable, ex.complaint_vector)
    scored = score(model, inputs, applicable, ex.weights, ex.timing)
    return {"overall": scored.score, "principles": scored.probabilities}


# -- everything ----------------------------------------------------------------------------------------------
@dataclass
class TrainingSet:
    examples: list[Example]
    x: np.ndarray
    public: PublicHeads
    casebook: Casebook
    reports: list[sources.SourceReport]
    latent_terms: object = None  # the rows' latent terms (``latent_matrix``), None when the embedder has none

    def latent_terms_of(self, examples: Sequence[Example]):
        """The latent matrix of ``examples`` (e.g. this set's rows plus reviews) in this set's term space; None
        when this set has no latent terms."""
        return None if self.latent_terms is None else latent_matrix(examples, self.latent_terms.shape[1])


def load_training_set(
    engine: Engine,
    cases: dict[str, Case],
    shared: Path = sources.DEFAULT_SHARED,
    devset: Path = sources.DEFAULT_DEVSET,
    progress: Progress = _quiet,
    *,
    public: PublicHeads | None = None,
    limit: int | None = None,
) -> TrainingSet:
    """Read every source, featurize, fit the public heads (unless ``public`` is given) and build the casebook.

    ``limit`` keeps only the first rows of the external and real sets (a quick run)."""
    rows = {
        "devset": sources.devset_rows(devset),
        "exemplar": sources.exemplar_rows(cases[c] for c in sorted(cases)),
        "external": sources.external_rows(shared)[:limit],
        "real": sources.real_rows(shared)[:limit],
    }
    counts = {name: len(r) for name, r in rows.items()}
    counts["tweetsumm"] = counts["real"]  # the complaint texts of the real replies, joined on pair_id
    counts["politeness"] = len(sources.tone_examples(shared))
    counts["epitome"] = len(sources.empathy_examples(shared))
    reports = sources.source_reports(shared, devset, counts)
    for rep in reports:
        progress(f"read {rep.name}: {rep.rows} rows from {rep.path}" + (f" ({rep.note})" if rep.note else ""))
    progress(f"read casebook: {len(cases)} cases, {counts['exemplar']} exemplars in all their languages")
    public = public or fit_public(engine, shared, progress)
    book = build_casebook([cases[c] for c in sorted(cases)], engine)
    all_rows = rows["devset"] + rows["exemplar"] + rows["external"] + rows["real"]
    examples = featurize(all_rows, cases, engine, progress)
    dim = engine.embedder.latent_dim
    terms = latent_matrix(examples, dim) if dim else None
    return TrainingSet(examples, head_inputs(examples, public, book), public, book, reports, terms)


def train(
    engine: Engine,
    cases: dict[str, Case],
    shared: Path = sources.DEFAULT_SHARED,
    devset: Path = sources.DEFAULT_DEVSET,
    out: Path | None = None,
    progress: Progress = _quiet,
) -> tuple[Path, dict]:
    """Fit on every row and write the model file; returns its path and manifest."""
    started = time.perf_counter()
    ts = load_training_set(engine, cases, shared, devset, progress)
    fitted = fit(ts.x, ts.examples, np.arange(len(ts.examples)), ts.latent_terms)
    extra = {
        "sources": [dataclasses.asdict(r) for r in ts.reports],
        "casebook": sorted(cases),
        "rows": len(ts.examples),
    }
    manifest = manifest_for(engine, ts.public, ts.casebook, fitted, extra)
    path = out or model_path(engine.embedder_name)
    digest = save_model(path, model_arrays(ts.public, ts.casebook, fitted), manifest)
    progress(
        f"wrote {path} ({path.stat().st_size / 1024:.0f} KB, sha256 {digest[:12]}) in {time.perf_counter() - started:.0f} s"
    )
    for cap in fitted.caps:
        progress(
            f"  cap {cap['principle']}: overall <= {cap['limit']:g} when its probability <= {cap['threshold']:.3f} "
            f"(held-out precision {cap['precision']:.2f} over {cap['detections']} rows)"
        )
    bare = sum(ex.teaches_inline_owed for ex in ts.examples)
    if fitted.inline_owed is None:
        progress(f"  bare complaints: {bare} labelled rows (< {MIN_INLINE_ROWS}): the rules say what they owe")
    else:
        progress(f"  bare complaints: whether {' and '.join(INLINE_OWED)} are owed, read from {bare} labelled rows")
    return path, manifest
