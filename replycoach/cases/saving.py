"""Saving a case's text from the editor without ever losing work.

A valid text replaces the case file atomically (temporary file + ``os.replace``) and the previous version
is kept in ``<scenarios>/.history/<id>/<timestamp>.yaml``. An invalid text never touches the case file: it
is kept as a draft in ``<data_dir>/drafts/`` and the problems are returned. Import from
``replycoach.cases.loader``, which re-exports these names.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from replycoach.cases.loader import (
    CASE_SUFFIXES,
    _validate_cached,
    case_files_in,
    forget_cached,
    validate_text,
)
from replycoach.cases.models import Case
from replycoach.cases.problems import CaseProblem

HISTORY_DIR = ".history"
DRAFTS_DIR = "drafts"


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_case_text` did.

    ``saved`` is True when the case file now holds the text (``changed`` False if it already did);
    ``history_path`` is where the previous version was kept; ``draft_path`` where an invalid text was kept.
    """

    saved: bool
    path: Path
    case: Case | None = None
    problems: list[CaseProblem] = field(default_factory=list)
    changed: bool = False
    history_path: Path | None = None
    draft_path: Path | None = None


def save_case_text(
    path: Path | str, yaml_text: str, *, data_dir: Path | str | None = None, now: datetime | None = None
) -> SaveResult:
    """Validate ``yaml_text`` and, if it is a valid case whose id no other file uses, write it to ``path``.

    ``data_dir`` defaults to the settings' data directory (drafts go to its ``drafts/``).
    """
    path = Path(path)
    stamp = _stamp(now)
    case, problems = validate_text(yaml_text, str(path))
    if path.suffix not in CASE_SUFFIXES:
        problems.append(CaseProblem(str(path), "case files must end in .yaml to be loaded"))
    if case is not None:
        problems += id_conflicts(case.id, path)
    if problems:
        draft = _keep_draft(path, yaml_text, data_dir, stamp)
        return SaveResult(False, path, None, problems, draft_path=draft)

    new_bytes = yaml_text.encode("utf-8")
    history = None
    if path.exists():
        old_bytes = path.read_bytes()
        if old_bytes == new_bytes:
            return SaveResult(True, path, case, [], changed=False)
        history = _unique(path.parent / HISTORY_DIR / case.id, stamp)
        _write_atomically(history, old_bytes)
    _write_atomically(path, new_bytes)
    forget_cached(path)
    return SaveResult(True, path, case, [], changed=True, history_path=history)


def id_conflicts(case_id: str, path: Path | str) -> list[CaseProblem]:
    """Problems if saving a case with ``case_id`` at ``path`` would clash with other files' ids.

    Another case file in the same directory may not use the id, and an existing case file may not change
    its id (past attempts refer to it): a new id belongs in a new file.
    """
    path = Path(path)
    problems = []
    directory = path.parent
    if path.exists():
        current, _ = _validate_cached(path)
        if current is not None and current.id != case_id:
            problems.append(
                CaseProblem(
                    str(path),
                    f"id changed from {current.id!r} to {case_id!r}; ids are stable (past attempts refer to "
                    "them): save the new case under a new file name instead",
                    ("id",),
                )
            )
    if directory.is_dir():
        target = path.resolve()
        for other in case_files_in(directory):
            if other.resolve() == target:
                continue
            other_case, _ = _validate_cached(other)
            if other_case is not None and other_case.id == case_id:
                problems.append(CaseProblem(str(path), f"duplicate id {case_id!r}: {other} already uses it", ("id",)))
    return problems


def drafts_for(path: Path | str, data_dir: Path | str | None = None) -> list[Path]:
    """Drafts kept for the case file ``path``, newest first."""
    drafts = _drafts_dir(data_dir)
    stem = Path(path).stem
    if not drafts.is_dir():
        return []
    return sorted(drafts.glob(f"{stem}--*.yaml"), reverse=True)


def _drafts_dir(data_dir: Path | str | None) -> Path:
    if data_dir is None:
        from replycoach.config import get_settings  # settings only when the caller gave no directory

        data_dir = get_settings().data_dir
    return Path(data_dir) / DRAFTS_DIR


def _keep_draft(path: Path, text: str, data_dir: Path | str | None, stamp: str) -> Path:
    draft = _unique(_drafts_dir(data_dir), stamp, prefix=f"{path.stem}--")
    _write_atomically(draft, text.encode("utf-8", errors="surrogatepass"))
    return draft


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _unique(directory: Path, stamp: str, prefix: str = "") -> Path:
    candidate = directory / f"{prefix}{stamp}.yaml"
    n = 1
    while candidate.exists():
        candidate = directory / f"{prefix}{stamp}-{n}.yaml"
        n += 1
    return candidate


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a hidden temporary file in the same directory and ``os.replace``: readers see the old
    file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
