"""A trainee's reply proposed to its case as an exemplar, good or bad ("Use as an exemplar" on the review page).

``with_exemplar`` is pure: the case file's text with the exemplar added in the attempt's language (the case's own
language: the top-level ``exemplars``; another: ``translations.<language>.exemplars``). ``propose_exemplar`` reads
the case file, adds it and saves it the way the case studio does: validated, the previous version kept in
``.history``, a conflict with a save made meanwhile or an invalid result kept as a draft, never written.

The coach's file stays as written: the exemplar is added with ruamel.yaml's round-trip editing, which keeps
comments, key order, quoting and block scalars, so the change is the new lines alone (a file the studio's form
wrote is extended by the same writer, ``dump_case``). Whatever is written must read back as exactly the case
with the exemplar added; the previous version is in ``.history`` in any case.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

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
    translation = None if language == case.language else language
    starts_own = _append_exemplar(data, translation, proposal.kind, entry) and translation is not None
    return ProposedText(_least_changed(yaml_text, translation, proposal.kind, entry, data), starts_own)


def _append_exemplar(document, translation: str | None, kind: str, entry: dict, mapping=dict, sequence=list) -> bool:
    """Append ``entry`` to the ``kind`` exemplars of ``document`` (of ``translation``, when given), creating what
    is missing with ``mapping``/``sequence`` (plain for data, ruamel.yaml's for a round-trip edit). True when
    that language had no exemplars of its own."""
    holder = document["translations"][translation] if translation else document
    had_none = holder.get("exemplars") is None
    if had_none:
        holder["exemplars"] = mapping()
    if holder["exemplars"].get(kind) is None:
        holder["exemplars"][kind] = sequence()
    holder["exemplars"][kind].append(mapping(entry))
    return had_none


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


#: Layouts tried for the round-trip edit, as ruamel.yaml's (mapping, sequence, offset) indentation: the
#: casebook's hand-written style, PyYAML's (the studio's form), and two wider ones; long lines stay whole.
_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4))


def _least_changed(yaml_text: str, translation: str | None, kind: str, entry: dict, intended: dict) -> str:
    """``yaml_text`` with ``entry`` added, in the layout that changes fewest of its lines: a round-trip edit
    (comments and the coach's layout kept) or, for a file the studio's form wrote, ``dump_case`` itself (which
    adds only the new lines to its own output). A round-trip edit must read back as exactly ``intended``."""
    kept = yaml_text.splitlines()
    best: tuple[int, str] | None = None
    for text in _candidates(yaml_text, translation, kind, entry, intended):  # lazily: one that only adds lines wins
        changed = sum(1 for line in difflib.ndiff(kept, text.splitlines()) if line.startswith("- "))
        if best is None or changed < best[0]:
            best = (changed, text)
        if changed == 0:
            break
    assert best is not None  # the studio's writer is always a candidate
    return best[1]


def _candidates(yaml_text: str, translation: str | None, kind: str, entry: dict, intended: dict):
    for style in _STYLES:
        edited = _round_trip(yaml_text, style, translation, kind, entry)
        if edited is not None and parse_yaml(edited).data == intended:
            yield edited
    yield dump_case(intended)


def _round_trip(yaml_text: str, style: tuple[int, int, int], translation: str | None, kind: str, entry: dict):
    """The round-trip edit in one indentation ``style``; None when ruamel.yaml cannot do it."""
    editor = YAML()  # round-trip: comments, order, quotes and block scalars survive
    editor.preserve_quotes = True
    editor.indent(mapping=style[0], sequence=style[1], offset=style[2])
    editor.width = 4096  # never re-wrap the coach's long lines
    try:
        document = editor.load(yaml_text)
        block_scalars = {k: LiteralScalarString(v) if isinstance(v, str) and "\n" in v else v for k, v in entry.items()}
        _append_exemplar(document, translation, kind, block_scalars, CommentedMap, CommentedSeq)
        out = io.StringIO()
        editor.dump(document, out)
    except (YAMLError, KeyError, TypeError, AttributeError, ValueError):
        return None
    return out.getvalue()
