"""What the grader learns from: every labelled source as plain rows, read where it lives, never copied.

Sources (each names its file; ``describe`` prints what was read):

* ``devset``: the team's coach-graded dev set (``benchmarks/devset/devset.jsonl``, in the repository);
* ``exemplar``: every good and bad exemplar of every case in every language, with its coach score (bad
  exemplars also say which principles they fail);
* ``external``: coach-graded replies by other writers to the casebook's cases
  (``../shared/benchmarks/external_replies.jsonl``);
* ``real``: real brands' first replies on Twitter, graded by a coach, as inline complaints
  (``../shared/benchmarks/real_replies.jsonl`` joined with TweetSumm's complaint texts);
* ``politeness``: Stanford politeness requests, top vs bottom quartile (``../shared/data``): teaches tone;
* ``epitome``: EPITOME peer-support replies with "emotional reaction" levels (``../shared/data``): teaches
  the acknowledgement of feelings.

The files under ``../shared`` carry research licences: they are read at training time only, and only the
fitted coefficients are shipped. Every reader returns ``[]`` when its file is absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grading.model.devset import DEFAULT_DEVSET, read_devset
from replycoach.cases.models import LANGUAGES, Case
from replycoach.config import PROJECT_ROOT

#: Where ``../shared`` is for a checkout of the project (``replycoach train --shared`` overrides it).
DEFAULT_SHARED = PROJECT_ROOT.parent / "shared"
EXTERNAL = Path("benchmarks") / "external_replies.jsonl"
REAL = Path("benchmarks") / "real_replies.jsonl"
TWEETSUMM_PAIRS = Path("data") / "tweetsumm_customer_care" / "tweetsumm_first_reply_pairs.jsonl"
POLITENESS = Path("data") / "stanford_politeness" / "politeness.jsonl"
EPITOME = Path("data") / "epitome_empathy" / "epitome_reddit.jsonl"
#: Complaint texts longer than this are cut (a tweet thread; the embedder reads ~256 tokens anyway).
COMPLAINT_CHARS = 2000


@dataclass(frozen=True)
class LabelledReply:
    """A reply with a coach's grade: overall 0-100 and per principle 1 / 0.5 / 0 / None (not applicable)."""

    source: str  # devset, exemplar, external, real
    id: str
    case_id: str | None  # None: an inline complaint (no case file)
    language: str
    reply: str
    overall: float
    labels: dict[str, float | None]
    handling: str | None = None
    response_seconds: float | None = None
    complaint: str | None = None  # inline complaints only
    customer_name: str | None = None  # inline complaints only
    #: For an exemplar: which one of its case ("good"/"bad", index), so its own text is left out of the
    #: exemplars it is compared with.
    exemplar: tuple[str, int] | None = None
    translation_of: str | None = None  # dev set: the id of the original this row translates
    #: A coach's review of a trainee's attempt: the trainee (reviews are evaluated on trainees and cases the
    #: candidate did not train on) and the key of the case version the trainee answered.
    trainee: str | None = None
    case_version: str | None = None
    #: A review of a second turn: the customer's follow-up the reply answers (graded as the engine grades it,
    #: ``CaseView.following_up``).
    follow_up: str | None = None

    @property
    def fold_key(self) -> str:
        """Rows that must stay on the same side of a split: a case's rows together; inline rows alone."""
        return self.case_id or self.id


@dataclass(frozen=True)
class ToneExample:
    text: str
    polite: int  # 1 polite (top quartile), 0 impolite (bottom quartile)
    id: str


@dataclass(frozen=True)
class EmpathyExample:
    context: str
    response: str
    level: int  # emotional reactions 0 / 1 / 2
    id: str


@dataclass
class SourceReport:
    """What one source contributed: for ``replycoach train`` to print and the model manifest to keep."""

    name: str
    path: str
    rows: int
    sha256: str | None  # of the file read (None: absent)
    note: str = ""
    extra: dict = field(default_factory=dict)


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def devset_rows(path: Path = DEFAULT_DEVSET) -> list[LabelledReply]:
    return [
        LabelledReply(
            source="devset",
            id=r["id"],
            case_id=r["case"],
            language=r["language"],
            reply=r["reply"],
            overall=float(r["coach"]["overall"]),
            labels=dict(r["coach"]["principles"]),
            handling=r["handling"],
            response_seconds=float(r["response_seconds"]),
            translation_of=r.get("translation_of"),
        )
        for r in read_devset(path)
    ]


def exemplar_rows(cases: Iterable[Case]) -> list[LabelledReply]:
    """Each exemplar in each language its case has, scored by the coach who wrote the case."""
    out: list[LabelledReply] = []
    for case in cases:
        for lang in [case.language, *(lang for lang in LANGUAGES if lang != case.language)]:
            try:
                loc = case.localized(lang)
            except KeyError:
                continue
            expected = loc.expected_handling.value
            for kind, exemplars in (("good", loc.exemplars.good), ("bad", loc.exemplars.bad)):
                for i, e in enumerate(exemplars):
                    out.append(
                        LabelledReply(
                            source="exemplar",
                            id=f"{case.id}:{lang}:{kind}{i}",
                            case_id=case.id,
                            language=lang,
                            reply=e.text,
                            overall=float(e.score),
                            labels={p: 0 for p in getattr(e, "problems", ())},  # a bad one names what it fails
                            handling=e.handling.value if e.handling else expected,
                            exemplar=(kind, i),
                        )
                    )
    return out


def external_rows(shared: Path = DEFAULT_SHARED) -> list[LabelledReply]:
    path = shared / EXTERNAL
    if not path.is_file():
        return []
    return [
        LabelledReply(
            source="external",
            id=r["id"],
            case_id=r["case"],
            language=r["language"],
            reply=r["reply"],
            overall=float(r["overall"]),
            labels=dict(r["labels"]),
            handling=r["handling"],
            response_seconds=float(r["response_seconds"]),
        )
        for r in _jsonl(path)
    ]


def real_rows(shared: Path = DEFAULT_SHARED) -> list[LabelledReply]:
    path, pairs_path = shared / REAL, shared / TWEETSUMM_PAIRS
    if not (path.is_file() and pairs_path.is_file()):
        return []
    pairs = {p["id"]: p for p in _jsonl(pairs_path)}
    out = []
    for r in _jsonl(path):
        pair = pairs.get(r["pair_id"])
        if pair is None:
            continue
        out.append(
            LabelledReply(
                source="real",
                id=r["pair_id"],
                case_id=None,
                language="en",
                reply=pair["response"],
                overall=float(r["overall"]),
                labels=dict(r["labels"]),
                complaint=pair["context"][:COMPLAINT_CHARS],
                customer_name=r.get("customer_name"),
            )
        )
    return out


def tone_examples(shared: Path = DEFAULT_SHARED) -> list[ToneExample]:
    path = shared / POLITENESS
    if not path.is_file():
        return []
    out = []
    for r in _jsonl(path):
        quartile = r["labels"].get("binary_quartile")
        if quartile in ("polite", "impolite"):
            out.append(ToneExample(r["response"], 1 if quartile == "polite" else 0, r["id"]))
    return out


def empathy_examples(shared: Path = DEFAULT_SHARED) -> list[EmpathyExample]:
    path = shared / EPITOME
    if not path.is_file():
        return []
    return [
        EmpathyExample(r["context"][:COMPLAINT_CHARS], r["response"], int(r["labels"]["emotional_reactions"]), r["id"])
        for r in _jsonl(path)
    ]


def source_reports(shared: Path, devset: Path, counts: dict[str, int]) -> list[SourceReport]:
    """One report per source: path, rows used and the file's SHA-256 (None when absent)."""
    files = {
        "devset": devset,
        "external": shared / EXTERNAL,
        "real": shared / REAL,
        "tweetsumm": shared / TWEETSUMM_PAIRS,
        "politeness": shared / POLITENESS,
        "epitome": shared / EPITOME,
    }
    return [
        SourceReport(name, _shown(path), counts.get(name, 0), file_digest(path), "" if path.is_file() else "absent")
        for name, path in files.items()
    ]


def _shown(path: Path) -> str:
    """A path as written in the manifest, the same in any checkout: inside the project relative to it
    ("benchmarks/devset/devset.jsonl"), beside it as "../shared/..."; whatever the checkout's folder is named."""
    resolved = Path(path).resolve()
    for base, prefix in ((PROJECT_ROOT, ""), (PROJECT_ROOT.parent, "../")):
        try:
            return prefix + resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(path)
