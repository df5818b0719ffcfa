"""A trainee's reply proposed to its case as an exemplar, good or bad ("Use as an exemplar" on the review page).

``with_exemplar`` is pure: the case file's text with the exemplar added in the attempt's language (the case's own
language: the top-level ``exemplars``; another: ``translations.<language>.exemplars``). ``propose_exemplar`` reads
the case file, adds it and saves it the way the case studio does: validated, the previous version kept in
``.history``, a conflict with a save made meanwhile or an invalid result kept as a draft, never written. The text
is rewritten from its data, as the studio's form does (comments in the file are not kept; the previous version
with them is in ``.history``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from replycoach.cases.draft import dump_case
from replycoach.cases.lifecycle import saving_problems
from replycoach.cases.loader import validate_text
from replycoach.cases.models import PRINCIPLES, Handling
from replycoach.cases.problems import CaseProblem
from replycoach.cases.safe_yaml import YamlProblem, parse_yaml
from replycoach.cases.saving import SaveResult, keep_draft, read_for_editing, save_case_text

GOOD, BAD = "good", "bad"


class ExemplarRefused(ValueError):
    """The proposal cannot become an exemplar (``str(err)`` says why); nothing was written."""


@dataclass(frozen=True)
class ExemplarProposal:
    """What a coach proposes: the reply, good or bad, the coach's overall score (0-100), a note (why it is good;
    for a bad one, required: what is wrong) and, for a bad one, the principles it fails (at least one)."""

    kind: str
    text: str
    score: int
    note: str = ""
    problems: tuple[str, ...] = ()
    handling: str | None = None


@dataclass(frozen=True)
class ProposedText:
    """The case text with the exemplar added. ``starts_own_exemplars``: the language had no exemplars of its own
    (it showed the original language's), and from now on it has its own: this one."""

    yaml_text: str
    starts_own_exemplars: bool


@dataclass(frozen=True)
class ExemplarOutcome:
    """What ``propose_exemplar`` did: ``save`` as ``save_case_text`` reports it (``saved``, ``conflict``,
    ``problems``, ``draft_path``, ``history_path``)."""

    save: SaveResult
    starts_own_exemplars: bool = False
    problems: list = field(default_factory=list)  # publishing problems that kept a live case from being saved


def exemplar_entry(proposal: ExemplarProposal) -> dict:
    """The proposal as a case file's exemplar mapping; ``ExemplarRefused`` with what is wrong."""
    if proposal.kind not in (GOOD, BAD):
        raise ExemplarRefused(f"An exemplar is {GOOD!r} or {BAD!r}, not {proposal.kind!r}.")
    text = (proposal.text or "").strip()
    if not text:
        raise ExemplarRefused("An empty reply cannot be an exemplar.")
    if isinstance(proposal.score, bool) or not isinstance(proposal.score, int) or not 0 <= proposal.score <= 100:
        raise ExemplarRefused(f"The exemplar's score is a whole number within 0-100, got {proposal.score!r}.")
    note = (proposal.note or "").strip()
    entry: dict = {"text": text, "score": proposal.score}
    if proposal.kind == BAD:
        unknown = [p for p in proposal.problems if p not in PRINCIPLES]
        if unknown:
            raise ExemplarRefused(f"Unknown principles: {', '.join(unknown)}.")
        if not proposal.problems:
            raise ExemplarRefused("Say which principles the bad exemplar fails (at least one).")
        if not note:
            raise ExemplarRefused("A bad exemplar needs a note: what is wrong with it, for the trainee to learn.")
        entry["problems"] = list(dict.fromkeys(proposal.problems))
    if note:
        entry["note"] = note
    if proposal.handling is not None:
        entry["handling"] = Handling(proposal.handling).value
    return entry


def with_exemplar(yaml_text: str, language: str, proposal: ExemplarProposal) -> ProposedText:
    """``yaml_text`` (a valid case) with ``proposal`` added to the exemplars of ``language``. ``ExemplarRefused``
    for a bad proposal, a case that is not valid now, a language the case does not have, or a reply that is
    already one of that language's exemplars."""
    entry = exemplar_entry(proposal)
    case, problems = validate_text(yaml_text)
    if case is None:
        raise ExemplarRefused("The case file is not valid now, so nothing was added: " + str(problems[0]))
    if language not in case.languages:
        raise ExemplarRefused(f"The case has no {language!r} version (it has {', '.join(case.languages)}).")
    try:
        data = parse_yaml(yaml_text).data
    except YamlProblem as err:  # validate_text read it a moment ago; only a race could bring us here
        raise ExemplarRefused(f"The case file could not be read: {err.message}") from None
    existing = case.localized(language).exemplars
    if entry["text"] in [e.text.strip() for e in (*existing.good, *existing.bad)]:
        raise ExemplarRefused("This reply is already an exemplar of the case in this language.")
    if language == case.language:
        holder, starts_own = data, False
    else:
        holder = data["translations"][language]
        starts_own = holder.get("exemplars") is None
    exemplars = holder.get("exemplars") or {}
    exemplars.setdefault(proposal.kind, []).append(entry)
    holder["exemplars"] = exemplars
    return ProposedText(dump_case(data), starts_own)


def propose_exemplar(
    path: Path | str, language: str, proposal: ExemplarProposal, *, data_dir: Path | str | None = None
) -> ExemplarOutcome:
    """Add ``proposal`` to the case file at ``path`` in ``language`` and save it through the studio's save
    (``save_case_text`` with ``based_on`` the version read): validated, history kept, a conflict or an invalid
    result kept as a draft. A published case that would no longer be publishable is kept as a draft too.
    ``ExemplarRefused`` (nothing written, nothing kept) for a bad proposal; ``OSError``/``YamlProblem`` when the
    file cannot be read."""
    text, version = read_for_editing(path)
    proposed = with_exemplar(text, language, proposal)
    unfinished = _new_publishing_problems(text, proposed.yaml_text)
    if unfinished:
        draft = keep_draft(path, proposed.yaml_text, data_dir=data_dir)
        problems = [CaseProblem(str(path), str(w)) for w in unfinished]
        refused = SaveResult(False, Path(path), None, problems, draft_path=draft)
        return ExemplarOutcome(refused, proposed.starts_own_exemplars, unfinished)
    result = save_case_text(path, proposed.yaml_text, data_dir=data_dir, based_on=version)
    return ExemplarOutcome(result, proposed.starts_own_exemplars)


def _new_publishing_problems(before: str, after: str) -> list:
    """The publishing problems of the case text ``after`` that ``before`` did not have (by kind and place)."""
    old_case, _ = validate_text(before)
    new_case, _ = validate_text(after)
    had = {(w.code, w.where) for w in (saving_problems(old_case) if old_case is not None else [])}
    return [w for w in (saving_problems(new_case) if new_case is not None else []) if (w.code, w.where) not in had]
