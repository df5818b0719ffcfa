"""The case format: one practice case per YAML file in ``scenarios/``.

These pydantic models are the single source of truth for what a case file may hold. The JSON Schema next
to the cases (``scenarios/case.schema.json``) is generated from them, and ``docs/case-format.md`` documents
them with a worked example. Unknown keys are errors everywhere (``extra="forbid"``): a typo in a case file
must never silently vanish.

A case is written in one language (``language``) and may carry ``translations``; ``Case.localized(lang)``
returns a plain single-language case with the translated fields merged in, which is what graders and pages
see. Nothing here knows about Streamlit, the database or the grading engine.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from replycoach.plain_text import check_plain_text

#: The newest case-file format this code reads. Files with an older version get a "too old" error that says
#: how to upgrade; files with a newer one get a "too new" error that says to update ReplyCoach.
SCHEMA_VERSION = 1

Language = Literal["en", "de", "ru", "bg"]
LANGUAGES: tuple[str, ...] = get_args(Language)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

#: Ids of the principles a grade reports on. Defined here (not in ``grading``) because case files refer to
#: them in ``principle_weights`` and in bad exemplars' ``problems``; the grading engine owns how each is scored.
PrincipleId = Literal[
    "empathy",
    "apology",
    "no_script",
    "concrete_promise",
    "timing",
    "personalization",
    "remedy",
    "no_blame",
    "gratitude",
    "private_channel",
    "ownership",
    "handling",
    "concise",
]
PRINCIPLES: tuple[str, ...] = get_args(PrincipleId)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # YAML's double-quoted escapes ("\0", "\x07") let a file carry characters its reader never sees raw.
        for text in value if isinstance(value, list) else (value,):
            if isinstance(text, str):
                check_plain_text(text, "the text")
        return value


class Negativity(StrEnum):
    """The kind of negativity, after the source articles (seed 003 and 000)."""

    constructive = "constructive"  # a (loyal) customer hurt by a real problem
    impulsive = "impulsive"  # venting, general insults, no argument ("you are all selfish and stupid")
    competitor = "competitor"  # planted: vague claims, links to another shop
    troll = "troll"  # self-assertion: "only fools buy this!!!"; not answered
    extortion = "extortion"  # "consumer extremism": demands under threat; refuse politely
    praise_in_disguise = "praise_in_disguise"  # "whatever I order is sold out"


class Handling(StrEnum):
    """How the comment should be handled. A trainee chooses one before writing."""

    public_reply = "public_reply"
    public_then_private = "public_then_private"  # answer publicly, move the details to private messages
    no_reply = "no_reply"  # don't feed trolls
    hide_and_contact_privately = "hide_and_contact_privately"  # obscenity, threats, personal data
    escalate = "escalate"  # hand to a senior person (manager, CEO) who answers


HANDLING_LABELS = {
    Handling.public_reply: "Reply publicly",
    Handling.public_then_private: "Reply publicly and move to private messages",
    Handling.no_reply: "Don't reply",
    Handling.hide_and_contact_privately: "Hide the comment and contact privately",
    Handling.escalate: "Escalate to a senior person",
}


class Platform(StrEnum):
    instagram_comment = "instagram_comment"
    facebook_comment = "facebook_comment"
    facebook_review = "facebook_review"
    twitter = "twitter"
    vk_comment = "vk_comment"
    telegram_comment = "telegram_comment"
    review_site = "review_site"
    google_maps_review = "google_maps_review"
    shop_review = "shop_review"
    email = "email"


class CaseStatus(StrEnum):
    """Where a case is in its life: only published cases reach trainees (docs/decisions/0006)."""

    draft = "draft"  # being written: coaches see it in the studio, trainees never
    published = "published"  # live: in the trainees' case list, assignable
    retired = "retired"  # no longer offered; attempts made on it stay viewable


class StatusChange(_Strict):
    """One step of a case's life: who published or retired it, when."""

    status: CaseStatus
    by: NonEmpty = Field(description="The username of the coach who made the change")
    at: datetime = Field(description="When (ISO 8601 with a time zone)")


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


class Customer(_Strict):
    display_name: str | None = Field(
        None, description="Name shown on the platform; omit when the profile shows none (an anonymous profile)."
    )
    handle: str | None = Field(None, description="Account handle, e.g. @olga.m")
    first_name: str | None = Field(
        None,
        description="The name a reply should address the customer by. Omit when the case gives none: "
        "personalization is then not graded.",
    )


class Post(_Strict):
    """How the complaint appears on its platform."""

    platform: Platform
    brand: NonEmpty = Field(description="The brand's display name on the platform")
    brand_handle: str | None = None
    brand_post: str | None = Field(None, description="The brand's post the comment sits under, if any")
    customer: Customer = Customer()
    posted_at: datetime | None = Field(None, description="When the complaint was posted (ISO 8601)")


class KeyFact(_Strict):
    """A fact of the case that a specific reply should address (the hole in the dress, the queue at the till)."""

    id: Slug
    description: NonEmpty = Field(description="What the reply should address, in the case's language")
    cues: list[NonEmpty] = Field(
        default_factory=list,
        description="Words or short phrases (any inflection) whose presence shows the fact was addressed",
    )


class GoodExemplar(_Strict):
    text: NonEmpty
    score: int = Field(ge=0, le=100, description="The coach's overall score for this reply")
    note: str | None = Field(None, description="Why it is good: what a trainee can learn from it")
    handling: Handling | None = Field(None, description="The handling this reply goes with; default: expected")


class BadExemplar(_Strict):
    text: NonEmpty
    score: int = Field(0, ge=0, le=100, description="The coach's overall score for this reply")
    problems: list[PrincipleId] = Field(min_length=1, description="Principles this reply fails")
    note: NonEmpty = Field(description="What is wrong with it, in the coach's words")
    handling: Handling | None = None


class Exemplars(_Strict):
    good: list[GoodExemplar] = Field(default_factory=list)
    bad: list[BadExemplar] = Field(default_factory=list)


class RealReply(_Strict):
    """What the brand really answered, with the expert's analysis. Shown only after a trainee's attempt."""

    text: NonEmpty
    author: str | None = Field(None, description="Who answered, e.g. the brand account or the CEO")
    after_minutes: float | None = Field(None, ge=0, description="How long after the complaint it came")
    handling: Handling | None = None
    analysis: NonEmpty = Field(description="The expert's analysis of the real reply")
    source: str | None = Field(None, description="Where the case is recorded, e.g. seeds/000 case 1")


class FollowUpTrigger(StrEnum):
    """Which first replies a follow-up answers: chosen by the first reply's overall score."""

    good = "good"  # the reply passed
    mediocre = "mediocre"  # below the pass mark but at least 40
    bad = "bad"  # below 40


class FollowUp(_Strict):
    when: FollowUpTrigger
    text: NonEmpty
    author: str | None = Field(None, description="Who writes it; default the customer. Another user may join in.")


class Persona(_Strict):
    """What an LLM playing the customer needs to know (optional)."""

    mood: str | None = None
    wants: str | None = None
    style: str | None = None


class Translation(_Strict):
    """The case's text in another language. Omitted fields fall back to the original language."""

    title: NonEmpty
    brand_post: str | None = None
    customer: Customer | None = Field(
        None,
        description="The customer as this language's readers see them, e.g. first_name in Cyrillic "
        "(Дарья for Daria); omitted: the original's",
    )
    complaint: NonEmpty
    key_facts: list[KeyFact] | None = Field(
        None, description="Same ids as the original's key facts, translated descriptions and cues"
    )
    exemplars: Exemplars | None = None
    real_reply: RealReply | None = None
    follow_ups: list[FollowUp] | None = None


class Case(_Strict):
    """One practice case."""

    schema_version: int = Field(description=f"Case-file format version; the current one is {SCHEMA_VERSION}")
    id: Slug = Field(description="Stable id; other tools and past attempts refer to it. Never reuse or rename.")
    title: NonEmpty
    language: Language
    status: CaseStatus = Field(
        CaseStatus.published,
        description="draft (not shown to trainees), published (live) or retired (no longer offered); "
        "default published, so case files written before the life cycle stay live",
    )
    status_history: list[StatusChange] = Field(
        default_factory=list, description="Who published or retired the case, when; oldest first (the studio writes it)"
    )
    tags: list[Slug] = Field(default_factory=list)
    difficulty: Difficulty
    source: str | None = Field(None, description="Where the case comes from (seed article, data set, invented)")
    negativity: Negativity
    expected_handling: Handling
    acceptable_handlings: list[Handling] = Field(
        default_factory=list, description="Other handlings a coach accepts (the expected one always is)"
    )
    target_response_minutes: float = Field(gt=0, le=7 * 24 * 60)
    post: Post
    complaint: NonEmpty
    key_facts: list[KeyFact] = Field(default_factory=list)
    principle_weights: dict[PrincipleId, float] = Field(
        default_factory=dict,
        description="Per-case multipliers of the default principle weights (1.5 = half as important again, "
        "0 switches the principle off for this case)",
    )
    exemplars: Exemplars = Exemplars()
    real_reply: RealReply | None = None
    follow_ups: list[FollowUp] = Field(default_factory=list)
    persona: Persona | None = None
    coach_notes: str | None = Field(None, description="Notes for coaches; never shown to trainees")
    translations: dict[Language, Translation] = Field(default_factory=dict)

    @field_validator("schema_version")
    @classmethod
    def _known_schema_version(cls, v: int) -> int:
        if v < SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {v} is too old; this ReplyCoach reads {SCHEMA_VERSION}: "
                "see docs/case-format.md, 'Schema versions', for what changed and how to upgrade the file"
            )
        if v > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {v} is newer than this ReplyCoach understands ({SCHEMA_VERSION}); update ReplyCoach"
            )
        return v

    @field_validator("principle_weights")
    @classmethod
    def _non_negative_weights(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if w < 0:
                raise ValueError(f"weight of {k} must be >= 0, got {w}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.language in self.translations:
            raise ValueError(f"translations must not repeat the case's own language {self.language!r}")
        ids = [f.id for f in self.key_facts]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"key_facts ids repeat: {', '.join(dupes)}")
        for lang, tr in self.translations.items():
            if tr.key_facts is not None:
                extra = {f.id for f in tr.key_facts} - set(ids)
                if extra:
                    raise ValueError(
                        f"translations.{lang}.key_facts has ids not in the case: {', '.join(sorted(extra))}"
                    )
        return self

    # --- derived -------------------------------------------------------------------------------------------

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages the case can be practised in, its own first."""
        return (self.language, *sorted(self.translations))

    @property
    def handlings_accepted(self) -> frozenset[Handling]:
        return frozenset({self.expected_handling, *self.acceptable_handlings})

    @property
    def customer_name(self) -> str | None:
        return self.post.customer.first_name

    @property
    def is_published(self) -> bool:
        """Trainees see, open and get assigned only published cases."""
        return self.status == CaseStatus.published

    @property
    def content_hash(self) -> str:
        """SHA-256 of the case's canonical JSON: every attempt stores it, so reports never mix case versions.

        The life cycle (``status``, ``status_history``) is left out: publishing or retiring a case changes
        nothing a trainee answers or is graded on."""
        content = self.model_dump(mode="json", exclude=set(LIFE_CYCLE_FIELDS))
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def localized(self, language: str) -> Case:
        """This case as a single-language case in ``language`` (translated fields merged in).

        The result keeps the original's ``id`` and carries no translations. Exemplars fall back to the
        original language's when the translation has none (the default embedder is multilingual).
        """
        if language == self.language:
            return self.model_copy(update={"translations": {}})
        try:
            tr = self.translations[language]  # type: ignore[index]
        except KeyError:
            raise KeyError(
                f"case {self.id!r} has no {language!r} version; it can be practised in {', '.join(self.languages)}"
            ) from None
        post = self.post.model_copy(
            update={"brand_post": tr.brand_post or self.post.brand_post, "customer": tr.customer or self.post.customer}
        )
        update: dict = {
            "language": language,
            "title": tr.title,
            "complaint": tr.complaint,
            "post": post,
            "translations": {},
        }
        if tr.key_facts is not None:
            update["key_facts"] = tr.key_facts
        if tr.exemplars is not None:
            update["exemplars"] = tr.exemplars
        if tr.real_reply is not None:
            update["real_reply"] = tr.real_reply
        if tr.follow_ups is not None:
            update["follow_ups"] = tr.follow_ups
        return self.model_copy(update=update)

    def follow_up_for(self, first_score: float, pass_mark: float) -> FollowUp | None:
        """The scripted follow-up that answers a first reply with this overall score, if the case has one."""
        trigger = (
            FollowUpTrigger.good
            if first_score >= pass_mark
            else FollowUpTrigger.mediocre
            if first_score >= 40
            else FollowUpTrigger.bad
        )
        for f in self.follow_ups:
            if f.when == trigger:
                return f
        return None


#: Fields about a case's life, not its content (left out of ``Case.content_hash``).
LIFE_CYCLE_FIELDS = ("status", "status_history")


class Complaint(_Strict):
    """A complaint with no case file (``replycoach grade`` inline input): graded on the principles alone."""

    text: NonEmpty
    customer_name: str | None = None
    channel: Platform | None = None
    language: Language | None = None
