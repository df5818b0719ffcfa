"""A case's life: draft -> published -> retired (and back), recorded in the case file itself.

The case file is the source of truth for a case and is versioned (``.history/``), so its status lives there
too: ``status`` plus ``status_history`` (who changed it, when). See docs/decisions/0006. Changing the status
edits the YAML *text* (two top-level keys) rather than re-dumping it, so the author's comments and layout stay.
Pure functions; the studio page saves the result with ``save_case_text``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from replycoach.cases.lint import LintWarning, publish_blockers
from replycoach.cases.loader import validate_text
from replycoach.cases.models import Case, CaseStatus, StatusChange

#: The moves the studio offers from each status (draft -> published -> retired; a retired case may go live
#: again, and a published one back to draft for rework).
MOVES: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.draft: (CaseStatus.published,),
    CaseStatus.published: (CaseStatus.retired, CaseStatus.draft),
    CaseStatus.retired: (CaseStatus.published,),
}

_STATUS_LINE = re.compile(r"^status:.*$", re.MULTILINE)
_HISTORY_KEY = re.compile(r"^status_history:[ \t]*(\[\])?[ \t]*$", re.MULTILINE)
_TOP_LEVEL = re.compile(r"^[^\s#-]", re.MULTILINE)


class StatusChangeRefused(ValueError):
    """The change is not allowed (``str(err)`` says why); ``blockers`` lists what keeps a case from going live."""

    def __init__(self, message: str, blockers: list[LintWarning] | None = None) -> None:
        super().__init__(message)
        self.blockers = blockers or []


def published_cases(cases: Mapping[str, Case]) -> dict[str, Case]:
    """The published cases: the only ones a trainee sees, opens, is assigned or is pointed at."""
    return {case_id: case for case_id, case in cases.items() if case.is_published}


def saving_problems(case: Case) -> list[LintWarning]:
    """A published case must stay publishable: its blockers when it is published (a draft may be anything)."""
    return publish_blockers(case) if case.is_published else []


def change_status(yaml_text: str, to: CaseStatus, *, by: str, at: datetime | None = None) -> str:
    """The case file's text with ``status: to`` and a ``status_history`` entry (``by``, ``at``) added.

    Raises ``StatusChangeRefused`` for an invalid case, a move ``MOVES`` does not offer, or publishing a case
    with publishing problems (listed in ``blockers``)."""
    case, problems = validate_text(yaml_text)
    if case is None:
        raise StatusChangeRefused("The case is not valid yet: fix its problems first. " + str(problems[0]))
    to = CaseStatus(to)
    if to not in MOVES[case.status]:
        raise StatusChangeRefused(f"A {case.status.value} case cannot become {to.value}.")
    if to == CaseStatus.published and (blockers := publish_blockers(case)):
        raise StatusChangeRefused("The case is not ready to publish: " + "; ".join(map(str, blockers)), blockers)
    if not (by or "").strip():
        raise StatusChangeRefused("Say who changes the status.")
    by = by.strip()
    moment = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    text = _with_history_entry(
        _with_status(yaml_text, to), f"{{status: {to.value}, by: {_quoted(by)}, at: {moment.isoformat()}}}"
    )
    changed, _ = validate_text(text)
    expected = [*case.status_history, StatusChange(status=to, by=by, at=moment)]
    if changed is None or changed.status != to or changed.status_history != expected:
        raise StatusChangeRefused("The case file's layout is unusual: change the status in the YAML by hand.")
    return text


def _with_status(text: str, to: CaseStatus) -> str:
    if _STATUS_LINE.search(text):
        return _STATUS_LINE.sub(f"status: {to.value}", text, count=1)
    language = re.search(r"^language:.*$", text, re.MULTILINE)
    line = f"status: {to.value}"
    if language is None:
        return f"{text.rstrip()}\n{line}\n"
    return f"{text[: language.end()]}\n{line}{text[language.end() :]}"


def _with_history_entry(text: str, entry: str) -> str:
    """Append ``entry`` (a flow mapping) to the top-level ``status_history`` list, created at the end of the file
    when absent; the new item is indented like the list's existing items."""
    key = _HISTORY_KEY.search(text)
    if key is None:
        return f"{text.rstrip()}\nstatus_history:\n  - {entry}\n"
    if key.group(1):  # "status_history: []"
        return f"{text[: key.start()]}status_history:\n  - {entry}{text[key.end() :]}"
    following = _TOP_LEVEL.search(text, key.end() + 1)
    end = following.start() if following else len(text)
    block = text[key.end() : end].rstrip("\n")
    first_item = re.search(r"^([ \t]*)-", block, re.MULTILINE)
    indent = first_item.group(1) if first_item else "  "
    return f"{text[: key.end()]}{block}\n{indent}- {entry}\n{text[end:]}".rstrip("\n") + "\n"


def _quoted(name: str) -> str:
    """A username as a YAML flow scalar: plain when it is a plain name, else double-quoted."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
