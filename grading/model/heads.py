"""The learned grader at grading time: numpy only, read from the model file that ``replycoach train`` writes.

Flow for one reply (see docs/grading.md):

1. **derived features** from the reply's embedding: a fixed projection (PCA fitted on public text), a tone
   head (polite vs rude, learned from the Stanford politeness corpus), an emotion head (acknowledges
   feelings, learned from EPITOME), and from the casebook's exemplars most like the reply an estimate of the
   coach's grade and the share of them whose coach named the handling a problem (``CASEBOOK_FAULTS``);
2. **principle heads**: one logistic regression per principle over the engineered features
   (``grading.features.vector``) plus the derived ones and, where the embedder has them, one logit per
   principle from the reply's latent terms (``LatentHeads``): the probability that a coach marks it present;
3. **overall**: a linear model, fitted on coach grades, of the case-weighted mean of those probabilities
   and a few signals that the mean cannot see; then a time penalty and caps for confident severe faults.

Nothing here trains: the model file is data (arrays and a JSON manifest), loaded without pickle.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grading.features.embeddings import LatentTerms
from grading.features.vector import FEATURE_NAMES

MODEL_DIR = Path(__file__).resolve().parent
#: The values the overall model reads (``scoring.overall_candidates``), in order; a model file names its own.
OVERALL_INPUTS = (
    "weighted_mean",
    "exemplar_estimate",
    "casebook_estimate",
    "tone",
    "chosen_accepted",
    "inline",
    "p.no_blame",
    "p.handling",
    "p.no_script",
    "p.concise",
    "p.apology",
)
#: Principles whose failing share among the casebook's nearest exemplars is a derived feature: a reply like
#: the casebook's replies that fed a troll, rewarded a threat or argued in public, in any case and language.
#: Handling alone: with every principle's share, the heads leaned on the topic of the nearest exemplars (a
#: price complaint's bad replies) and leaving one sentence out pointed at helpful sentences as faults.
CASEBOOK_FAULTS = ("handling",)
#: Features derived from the embedding, appended to the engineered ones for the principle heads.
DERIVED = ("tone", "emotion", "casebook_estimate", *(f"casebook_fails.{p}" for p in CASEBOOK_FAULTS))
#: The derived features of a model file from before the casebook's faults (grader 2.1 and earlier), whose
#: manifest does not list them.
_DERIVED_BEFORE_2_2 = ("tone", "emotion", "casebook_estimate")


class ModelMismatch(RuntimeError):
    """The model file does not fit this code (other features, other embedder): retrain with ``replycoach train``."""


@dataclass(frozen=True)
class LinearHead:
    """A (standardised) logistic or linear model: ``sigmoid(((x - mean) / scale) @ coef + intercept)``."""

    coef: np.ndarray
    intercept: float
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None

    def logit(self, x: np.ndarray) -> np.ndarray:
        z = x if self.mean is None else (x - self.mean) / self.scale
        return z @ self.coef + self.intercept

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logit(x), -50.0, 50.0)))


@dataclass(frozen=True)
class LatentHeads:
    """Per principle, a logistic regression over the reply's latent terms (a sparse vector of
    ``coef.shape[1]`` terms); its logits are inputs of every principle head, after the dense ones."""

    principles: tuple[str, ...]
    coef: np.ndarray  # (len(principles), latent dim), float32
    intercept: np.ndarray  # (len(principles),)

    def logits(self, terms: LatentTerms | None) -> np.ndarray:
        """No terms (an empty reply, or an embedding that failed) reads as a reply where none fires."""
        if terms is None or len(terms[0]) == 0:
            return self.intercept.astype(np.float64)
        idx, val = terms
        return self.coef[:, idx].astype(np.float64) @ val.astype(np.float64) + self.intercept


@dataclass(frozen=True)
class InlineOwed:
    """For a complaint without a case file: per principle (``apology``, ``ownership``), a logistic regression
    over the complaint's vector of whether a coach holds it owed at all. A case file says whether the company
    is at fault (its ``negativity``); a bare complaint does not, and a neutral question or a pure insult owes
    no apology. Learned from coaches' labels of real brands' replies (a label "does not apply" = not owed)."""

    principles: tuple[str, ...]
    coef: np.ndarray  # (len(principles), embedding dim)
    intercept: np.ndarray  # (len(principles),)

    def owed(self, complaint_vector: np.ndarray) -> dict[str, bool]:
        logits = self.coef @ complaint_vector.astype(np.float64) + self.intercept
        return {p: bool(z >= 0.0) for p, z in zip(self.principles, logits, strict=True)}


@dataclass(frozen=True)
class Cap:
    """Cap the overall at ``limit`` when the principle's probability is at or below ``threshold``."""

    principle: str
    threshold: float
    limit: float


@dataclass(frozen=True)
class GraderModel:
    embedder: str
    projection_mean: np.ndarray = field(repr=False)
    projection: np.ndarray = field(repr=False)  # (k, dim)
    tone: LinearHead = field(repr=False)
    emotion: LinearHead = field(repr=False)
    casebook_vectors: np.ndarray = field(repr=False)  # (n, dim): every exemplar of the casebook
    casebook_scores: np.ndarray = field(repr=False)
    #: (n, len(CASEBOOK_FAULTS)): 1 where the exemplar's coach named the principle among its problems
    casebook_fails: np.ndarray = field(repr=False)
    casebook_temperature: float
    heads: dict[str, LinearHead] = field(repr=False)
    overall: LinearHead = field(repr=False)  # identity link: ``logit`` is the grade
    overall_inputs: tuple[str, ...]
    caps: tuple[Cap, ...]
    manifest: dict = field(repr=False)
    fingerprint: str  # first 12 hex digits of the model file's SHA-256: part of GRADER_VERSION
    latent: LatentHeads | None = field(default=None, repr=False)  # None: trained without latent terms
    inline_owed: InlineOwed | None = field(default=None, repr=False)  # None: trained before grader 2.4

    # -- derived features -------------------------------------------------------------------------------
    def derived(self, reply_vector: np.ndarray) -> dict[str, float]:
        v = reply_vector.astype(np.float64)
        weights = casebook_weights(self.casebook_vectors, self.casebook_temperature, reply_vector)
        return {
            "tone": float(self.tone.probability(v)),
            "emotion": float(self.emotion.probability(v)),
            **casebook_derived(weights, self.casebook_scores, self.casebook_fails),
        }

    def casebook_estimate(self, reply_vector: np.ndarray) -> float:
        """0-100: the coach scores of the casebook's exemplars, weighted by how like the reply they are."""
        return casebook_estimate(self.casebook_vectors, self.casebook_scores, self.casebook_temperature, reply_vector)

    def dense_inputs(self, engineered: np.ndarray, reply_vector: np.ndarray) -> np.ndarray:
        """The head inputs that come from the rules and the reply's embedding (training's ``head_inputs``)."""
        derived = self.derived(reply_vector)
        projected = (reply_vector.astype(np.float64) - self.projection_mean) @ self.projection.T
        return np.concatenate([engineered, [derived[k] for k in DERIVED], projected])

    def latent_inputs(self, terms: LatentTerms | None) -> np.ndarray:
        """The latent heads' logits (none when the model has no latent heads)."""
        return np.zeros(0) if self.latent is None else self.latent.logits(terms)

    def head_inputs(
        self, engineered: np.ndarray, reply_vector: np.ndarray, latent: LatentTerms | None = None
    ) -> np.ndarray:
        """Everything the principle heads read: dense inputs, then the latent heads' logits."""
        return np.concatenate([self.dense_inputs(engineered, reply_vector), self.latent_inputs(latent)])

    def applicable_inline(self, applicable: Mapping[str, bool], complaint_vector: np.ndarray | None) -> dict[str, bool]:
        """The rules' applicability, less what a complaint without a case file does not owe (``InlineOwed``);
        as the rules say for a case (``complaint_vector`` None) or a model without such heads."""
        out = dict(applicable)
        if self.inline_owed is not None and complaint_vector is not None:
            for p, owed in self.inline_owed.owed(complaint_vector).items():
                out[p] = bool(out.get(p, False)) and owed
        return out

    # -- principles and overall -------------------------------------------------------------------------
    def probabilities(self, inputs: np.ndarray) -> dict[str, float]:
        return {p: round(float(h.probability(inputs)), 4) for p, h in self.heads.items()}

    def overall_from(self, values: Mapping[str, float]) -> float:
        x = np.array([values[k] for k in self.overall_inputs], dtype=np.float64)
        return float(np.clip(self.overall.logit(x), 0.0, 100.0))


def casebook_weights(
    vectors: np.ndarray, temperature: float, reply_vector: np.ndarray, keep: np.ndarray | None = None
) -> np.ndarray:
    """Each exemplar's weight (summing to 1) by how like the reply it is; 0 outside ``keep`` (a mask)."""
    sims = np.round(vectors @ reply_vector.astype(np.float32), 4).astype(np.float64)
    if keep is not None:
        sims = np.where(keep, sims, -np.inf)
    weights = np.exp((sims - sims.max()) / temperature)
    return weights / weights.sum()


def casebook_estimate(
    vectors: np.ndarray,
    scores: np.ndarray,
    temperature: float,
    reply_vector: np.ndarray,
    keep: np.ndarray | None = None,
) -> float:
    """Kernel estimate of the coach's grade from exemplars (``keep``: a mask of the exemplars to use)."""
    return float(casebook_weights(vectors, temperature, reply_vector, keep) @ scores)


def casebook_derived(weights: np.ndarray, scores: np.ndarray, fails: np.ndarray) -> dict[str, float]:
    """The derived features read from the casebook with ``weights``: the grade estimate (0-1) and, per
    principle of ``CASEBOOK_FAULTS``, the weighted share of exemplars that fail it."""
    shares = weights @ fails
    return {
        "casebook_estimate": float(weights @ scores) / 100.0,
        **{f"casebook_fails.{p}": float(shares[k]) for k, p in enumerate(CASEBOOK_FAULTS)},
    }


def weighted_mean(probabilities: Mapping[str, float | None], weights: Mapping[str, float]) -> float:
    """Case-weighted mean of the principle probabilities that apply (None: not applicable)."""
    total = sum(weights.get(p, 0.0) for p, s in probabilities.items() if s is not None)
    if total <= 0:
        return 0.5
    return sum(weights.get(p, 0.0) * s for p, s in probabilities.items() if s is not None) / total


def model_path(embedder: str) -> Path:
    return MODEL_DIR / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', embedder)}.npz"


def model_bytes(arrays: Mapping[str, np.ndarray], manifest: dict) -> bytes:
    """A model file's bytes (compressed arrays + the manifest as JSON), with fixed member order and dates, so
    the same arrays and manifest always give the same bytes (and so the same grader version)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.save(member, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue())
        info = zipfile.ZipInfo("manifest.json.npy", date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        member = io.BytesIO()
        np.save(member, np.array(json.dumps(manifest, sort_keys=True, ensure_ascii=False)), allow_pickle=False)
        zf.writestr(info, member.getvalue())
    return buffer.getvalue()


def save_model(path: Path, arrays: Mapping[str, np.ndarray], manifest: dict) -> str:
    """Write the model file atomically; returns its SHA-256."""
    data = model_bytes(arrays, manifest)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return hashlib.sha256(data).hexdigest()


def _head(arrays: Mapping[str, np.ndarray], prefix: str, *, standardised: bool = True) -> LinearHead:
    return LinearHead(
        coef=arrays[f"{prefix}.coef"].astype(np.float64),
        intercept=float(arrays[f"{prefix}.intercept"]),
        mean=arrays[f"{prefix}.mean"].astype(np.float64) if standardised else None,
        scale=arrays[f"{prefix}.scale"].astype(np.float64) if standardised else None,
    )


def read_model(path: Path) -> GraderModel:
    """Load and check a model file; ``ModelMismatch`` when it was trained on other features."""
    return model_from_bytes(Path(path).read_bytes(), source=Path(path).name)


def model_from_bytes(raw: bytes, *, source: str = "the model") -> GraderModel:
    """A model from a model file's bytes (a file, or a grader the team trained, stored in the database)."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    manifest = json.loads(str(arrays.pop("manifest.json")))
    return model_from_arrays(arrays, manifest, hashlib.sha256(raw).hexdigest()[:12], source=source)


def model_from_arrays(
    arrays: Mapping[str, np.ndarray], manifest: dict, fingerprint: str, *, source: str = "the model"
) -> GraderModel:
    """A ``GraderModel`` from its arrays and manifest (as written by ``save_model``, or fresh from training)."""
    names = tuple(manifest["feature_names"])
    if names != FEATURE_NAMES:
        missing = sorted(set(FEATURE_NAMES) - set(names))
        extra = sorted(set(names) - set(FEATURE_NAMES))
        raise ModelMismatch(
            f"{source} was trained on other features (missing {missing[:5]}, unknown {extra[:5]}): "
            "run `replycoach train` to rebuild it"
        )
    derived = tuple(manifest.get("derived", _DERIVED_BEFORE_2_2))
    if derived != DERIVED:
        raise ModelMismatch(
            f"{source} derives other features from the embedding ({len(derived)}, this code {len(DERIVED)}): "
            "run `replycoach train` to rebuild it"
        )
    heads = {p: _head(arrays, f"head.{p}") for p in manifest["principles"]}
    latent = _optional_heads(LatentHeads, "latent", arrays, manifest, np.float32)
    inline_owed = _optional_heads(InlineOwed, "inline_owed", arrays, manifest, np.float64)
    caps = tuple(Cap(c["principle"], float(c["threshold"]), float(c["limit"])) for c in manifest["caps"])
    return GraderModel(
        embedder=manifest["embedder"],
        projection_mean=arrays["projection.mean"].astype(np.float64),
        projection=arrays["projection.components"].astype(np.float64),
        tone=_head(arrays, "tone", standardised=False),
        emotion=_head(arrays, "emotion", standardised=False),
        casebook_vectors=arrays["casebook.vectors"].astype(np.float32),
        casebook_scores=arrays["casebook.scores"].astype(np.float64),
        casebook_fails=arrays["casebook.fails"].astype(np.float64),
        casebook_temperature=float(manifest["casebook_temperature"]),
        heads=heads,
        overall=_head(arrays, "overall", standardised=False),
        overall_inputs=tuple(manifest["overall_inputs"]),
        caps=caps,
        manifest=manifest,
        fingerprint=fingerprint,
        latent=latent,
        inline_owed=inline_owed,
    )


def _optional_heads(kind, name: str, arrays: Mapping[str, np.ndarray], manifest: dict, coef_dtype):
    """Heads a model file holds only since some version (``<name>.coef`` and ``.intercept``, principles in the
    manifest's ``<name>_principles``); None for a file without them."""
    principles = manifest.get(f"{name}_principles")
    if not principles:
        return None
    return kind(
        tuple(principles), arrays[f"{name}.coef"].astype(coef_dtype), arrays[f"{name}.intercept"].astype(np.float64)
    )


def file_fingerprint(embedder: str) -> str | None:
    """The first 12 hex digits of the shipped model file's SHA-256 (None: no model for ``embedder``)."""
    path = model_path(embedder)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None


_MODELS: dict[str, GraderModel | None] = {}
_LOCK = threading.Lock()


def load_model(embedder: str) -> GraderModel | None:
    """The shipped model for ``embedder`` (loaded once per process), or None when none is shipped."""
    with _LOCK:
        if embedder not in _MODELS:
            path = model_path(embedder)
            _MODELS[embedder] = read_model(path) if path.is_file() else None
        return _MODELS[embedder]
