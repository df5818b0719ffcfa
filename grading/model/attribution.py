"""Which sentence moved a learned score most: leave one sentence out and score again.

The reply's meaning is approximated by the mean of its sentences' vectors; leaving a sentence out is the
mean of the others. Each variant is re-scored through the same semantic signals and heads (the rules'
features stay as they are: their words are shown as evidence of their own), and the difference to the
all-sentences mean is the sentence's share in the principle's probability. Only numpy work: the sentences
were embedded with the reply. The reply's latent terms are held as they are (they come from one pass over the
whole reply), so a sentence's share is the share of what the embedding sees in it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from grading.features.extract import ReplyFeatures
from grading.features.vector import engineered_features
from grading.model.heads import GraderModel
from grading.result import Evidence

#: A sentence is shown as evidence when leaving it out moves the probability by at least this much.
MIN_SHIFT = 0.08
#: Principles lost by something said (a blaming sentence, a stock phrase, padding, the wrong kind of answer):
#: the evidence is the sentence that costs most. Every other principle is earned by something said: the
#: evidence is the sentence that earns most. (Leaving out an unrelated sentence raises any share a little,
#: so "costs" is not shown for an earned principle, nor "earns" for a lost one.)
LOST_BY_SAYING = frozenset({"no_blame", "no_script", "concise", "handling"})


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def sentence_shifts(model: GraderModel, feats: ReplyFeatures) -> list[dict[str, float]]:
    """Per sentence, per principle: probability with every sentence minus probability without this one."""
    vectors = feats.semantics.sentence_vectors
    if vectors is None or feats.references is None or len(vectors) < 2:
        return []

    def probabilities(vector: np.ndarray) -> dict[str, float]:
        sem = feats.references.signals(vector)
        engineered = engineered_features(feats.context, feats.rules, sem)
        return model.probabilities(model.head_inputs(engineered, vector, feats.semantics.latent))

    whole = probabilities(_unit(vectors.mean(axis=0)))
    shifts = []
    for i in range(len(vectors)):
        others = np.delete(vectors, i, axis=0)
        without = probabilities(_unit(others.mean(axis=0)))
        shifts.append({p: whole[p] - without[p] for p in whole})
    return shifts


def sentence_evidence(
    model: GraderModel, feats: ReplyFeatures, applicable: Mapping[str, bool]
) -> dict[str, tuple[Evidence, ...]]:
    """principle -> the sentence that raised it most and the one that lowered it most (when they moved it
    by ``MIN_SHIFT`` or more), as evidence spans of the reply."""
    shifts = sentence_shifts(model, feats)
    sentences = feats.context.text.sentences
    out: dict[str, tuple[Evidence, ...]] = {}
    if not shifts or len(shifts) != len(sentences):
        return out
    for p in model.heads:
        if not applicable.get(p):
            continue
        if p in LOST_BY_SAYING:
            i = min(range(len(shifts)), key=lambda k: shifts[k][p])
            if shifts[i][p] <= -MIN_SHIFT:
                out[p] = (Evidence(sentences[i].start, sentences[i].end, "-", "this sentence costs it most"),)
        else:
            i = max(range(len(shifts)), key=lambda k: shifts[k][p])
            if shifts[i][p] >= MIN_SHIFT:
                out[p] = (Evidence(sentences[i].start, sentences[i].end, "+", "this sentence earns it most"),)
    return out
