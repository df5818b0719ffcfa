"""The engineered part of a reply's feature vector: what the rules, the lexicon, the time expressions and the
semantic signals say, plus the kind of case and the chosen handling, as named numbers in a fixed order.

The learned heads (``grading.model``) read this vector, together with what they derive from the reply's
embedding themselves (projection, tone, emotion, similarity to the casebook's exemplars). The names are
stored in the model file and checked on load, so a model never reads a vector it was not trained on.

The reply's language is deliberately not a feature: the same reply in another language must grade alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from grading.case_view import CaseView
from grading.features.context import GradingContext
from grading.features.lexicon import load_lexicon
from grading.features.semantic import Semantics
from grading.result import PrincipleGrade
from replycoach.cases.models import PRINCIPLES, Handling, Negativity

#: Lexicons whose group counts are features (each group of each lexicon is one count).
COUNTED_LEXICONS = (
    "apology",
    "blame",
    "empathy",
    "gratitude",
    "handling",
    "ownership",
    "private",
    "promise",
    "remedy",
    "stock",
)
_NEGATIVITIES = tuple(n.value for n in Negativity)
_HANDLINGS = tuple(h.value for h in Handling)
#: A principle's rule score when the rule says it does not apply (the "not applicable" flag says so too).
NOT_APPLICABLE = 0.5


def _lexicon_groups() -> tuple[tuple[str, str], ...]:
    return tuple((name, g.name) for name in COUNTED_LEXICONS for g in load_lexicon(name).groups)


def feature_names() -> tuple[str, ...]:
    names: list[str] = []
    names += [f"rule.{p}" for p in PRINCIPLES]
    names += [f"rule_na.{p}" for p in PRINCIPLES]
    names += [f"count.{lex}.{group}" for lex, group in _lexicon_groups()]
    names += ["count.time_expressions", "facts_cued"]
    names += [f"exemplar.{p}" for p in PRINCIPLES]
    names += [f"prototype.{p}" for p in PRINCIPLES]
    names += ["exemplar_estimate", "exemplar_estimate_na", "specific", "fact_mean", "fact_max", "complaint_similarity"]
    names += [f"negativity.{n}" for n in _NEGATIVITIES]
    names += ["company_at_fault", "has_name", "inline"]
    names += [f"expected.{h}" for h in _HANDLINGS]
    names += [f"chosen.{h}" for h in _HANDLINGS]
    names += ["chosen_accepted", "log_chars", "log_words", "log_sentences"]
    return tuple(names)


FEATURE_NAMES = feature_names()


def engineered_features(ctx: GradingContext, rules: Mapping[str, PrincipleGrade], sem: Semantics) -> np.ndarray:
    """The vector named by ``FEATURE_NAMES`` for one reply.

    ``ctx`` is the rules' context (no semantic blending), ``rules`` the rule graders' grades on it, ``sem``
    the semantic signals (empty when no embedder ran: the semantic features then sit at their neutral value).
    """
    case: CaseView = ctx.case
    v: dict[str, float] = {}
    for p in PRINCIPLES:
        score = rules[p].score if p in rules else None
        v[f"rule.{p}"] = NOT_APPLICABLE if score is None else float(score)
        v[f"rule_na.{p}"] = 1.0 if score is None else 0.0
    for lex, group in _lexicon_groups():
        v[f"count.{lex}.{group}"] = math.log1p(sum(1 for m in ctx.find(lex) if m.group == group))
    v["count.time_expressions"] = math.log1p(len(ctx.times()))
    if case.facts:
        cued = ctx.fact_matches()
        v["facts_cued"] = sum(1 for ms in cued.values() if ms) / len(case.facts)
    else:
        v["facts_cued"] = 0.0
    for p in PRINCIPLES:
        v[f"exemplar.{p}"] = sem.exemplar.get(p, 0.5)
        v[f"prototype.{p}"] = sem.prototype.get(p, 0.5)
    v["exemplar_estimate"] = (sem.exemplar_overall if sem.exemplar_overall is not None else 50.0) / 100.0
    v["exemplar_estimate_na"] = 1.0 if sem.exemplar_overall is None else 0.0
    v["specific"] = 0.5 if sem.specific is None else sem.specific
    fact_signals = list(sem.facts.values())
    v["fact_mean"] = float(np.mean(fact_signals)) if fact_signals else 0.5
    v["fact_max"] = float(np.max(fact_signals)) if fact_signals else 0.5
    v["complaint_similarity"] = 0.0 if sem.complaint_similarity is None else sem.complaint_similarity
    for n in _NEGATIVITIES:
        v[f"negativity.{n}"] = 1.0 if case.negativity == n else 0.0
    v["company_at_fault"] = 1.0 if case.company_at_fault else 0.0
    v["has_name"] = 1.0 if case.customer_name else 0.0
    v["inline"] = 1.0 if case.case_id is None else 0.0
    for h in _HANDLINGS:
        v[f"expected.{h}"] = 1.0 if case.expected_handling == h else 0.0
        v[f"chosen.{h}"] = 1.0 if ctx.handling == h else 0.0
    v["chosen_accepted"] = 1.0 if ctx.handling in case.accepted_handlings else 0.0
    v["log_chars"] = math.log1p(len(ctx.reply))
    v["log_words"] = math.log1p(ctx.text.word_count)
    v["log_sentences"] = math.log1p(len(ctx.text.sentences))
    return np.array([v[name] for name in FEATURE_NAMES], dtype=np.float64)
