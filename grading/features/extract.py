"""Everything the grader computes about one reply before any learned model: the analysed text, each rule
grader's verdict (score, evidence, tip), the semantic signals and the engineered feature vector.

One function, ``extract``, used by the engine at grading time and by training (``grading.model.train``), so
a model is trained on exactly what it will see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from grading.case_view import CaseView
from grading.features import semantic
from grading.features.context import GradingContext
from grading.features.embeddings import Embedder
from grading.features.semantic import References, Semantics
from grading.features.text import analyse, reply_language
from grading.features.vector import engineered_features
from grading.graders import Grader, grade_safely
from grading.result import PrincipleGrade
from replycoach.cases.models import PRINCIPLES


@dataclass(frozen=True)
class ReplyFeatures:
    context: GradingContext  # the rules' view of the reply: no semantic blending
    rules: dict[str, PrincipleGrade]  # each principle's rule grade: rule score (a feature), evidence, tip
    semantics: Semantics  # empty when no embedder ran or embedding failed
    references: References | None
    engineered: np.ndarray
    warnings: tuple[str, ...]


def extract(
    case: CaseView,
    reply: str,
    *,
    response_seconds: float | None,
    handling: str | None,
    earlier: tuple[str, ...],
    embedder: Embedder | None,
    graders: Mapping[str, Grader],
    sentences: bool = True,
    training: bool = False,
) -> ReplyFeatures:
    """``sentences``: also embed each sentence (for the evidence of learned heads; training does not need it).
    ``training``: the reply is a labelled row, so its latent terms may be kept in the disk cache."""
    text = analyse(reply, reply_language(reply, case.language))
    warnings: list[str] = []
    sem, refs = Semantics(), None
    if embedder is not None and reply.strip():
        parts = tuple(s.text for s in text.sentences) if sentences else ()
        try:
            sem, refs = semantic.compute(embedder, case, reply, text.language, earlier, parts, persist_reply=training)
        except Exception as exc:  # grading goes on from the rules; the warning says why
            warnings.append(f"embeddings unavailable ({type(exc).__name__}: {exc}); graded on rules alone")
    ctx = GradingContext(case, reply, text, response_seconds, handling, earlier, Semantics())
    rules = {pid: grade_safely(graders.get(pid), pid, ctx) for pid in PRINCIPLES}
    return ReplyFeatures(ctx, rules, sem, refs, engineered_features(ctx, rules, sem), tuple(warnings))
