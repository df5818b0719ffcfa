"""The case as a trainee answered it, years of edits later.

Every attempt stores the ``content_hash`` of the case in the language the trainee practised
(``Case.localized(language).content_hash``). Saving a case keeps the previous file in
``<scenarios>/.history/<id>/`` (``replycoach.cases.saving``), so the version an attempt was graded against can
be found again: the current file when nothing the trainee saw or was graded on changed, else the history.
Re-grading and training from reviews use it, so a label is never read against a case the trainee never saw.
"""

from __future__ import annotations

from pathlib import Path

from replycoach.cases.loader import validate_file
from replycoach.cases.models import Case
from replycoach.cases.saving import HISTORY_DIR


def localized_hash(case: Case, language: str) -> str | None:
    """The content hash an attempt in ``language`` on ``case`` stores (None: the case has no such language)."""
    try:
        return case.localized(language).content_hash
    except KeyError:
        return None


def answered_version(
    scenarios: Path | str, current: Case | None, case_id: str, language: str, content_hash: str
) -> Case | None:
    """The case localized to ``language`` whose hash is ``content_hash``: ``current`` (the library's case, None
    when it was deleted) or a kept earlier version; None when no kept version matches."""
    candidates = [current] if current is not None else []
    history = Path(scenarios) / HISTORY_DIR / case_id
    if history.is_dir() and not history.is_symlink():
        kept = sorted((p for p in history.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()), reverse=True)
        candidates += [case for case, _ in map(validate_file, kept) if case is not None and case.id == case_id]
    for case in candidates:
        if localized_hash(case, language) == content_hash:
            return case.localized(language)
    return None
