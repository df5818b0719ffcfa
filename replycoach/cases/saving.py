"""Saving a case's text from the editor without ever losing work.

A valid text replaces the case file atomically (temporary file + ``os.replace``) and the previous version
is kept in ``<scenarios>/.history/<id>/<timestamp>.yaml``. An invalid text never touches the case file: it
is kept as a draft in ``<data_dir>/drafts/`` and the problems are returned. Import from
``replycoach.cases.loader``, which re-exports these names.

Two coaches editing the same case: the editor says which version of the file it started from
(``based_on``, from :func:`file_version`). If the file changed meanwhile, nothing is written, the text is
kept as a draft and the result carries the current file, so the editor can show both
(:func:`conflict_diff`). The check and the write happen under a lock on the case folder, so two saves in
the same moment cannot both pass the check. Callers that pass no ``based_on`` (the command line, scripts)
save as before.

A symbolic link is never written through (nor read: see ``safe_yaml.read_case_bytes``).
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from replycoach.cases.loader import (
    CASE_SUFFIXES,
    _location,
    _validate_cached,
    case_files_in,
    forget_cached,
    validate_text,
)
from replycoach.cases.models import Case
from replycoach.cases.problems import CaseProblem
from replycoach.cases.safe_yaml import SYMLINK_MESSAGE, YamlProblem, decode_utf8, read_case_bytes

HISTORY_DIR = ".history"
DRAFTS_DIR = "drafts"
#: The version of a case file that does not exist (yet): what a new case's editor starts from.
NO_FILE = ""


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_case_text` did.

    ``saved`` is True when the case file now holds the text (``changed`` False if it already did);
    ``history_path`` is where the previous version was kept; ``draft_path`` where an unsaved text was kept.
    ``version`` is the file's version after the call (see :func:`file_version`). ``conflict`` is True when the
    file changed since the version the editor started from; ``current_text`` is then what the file holds now
    (None: it was deleted), and ``version`` is its version.
    """

    saved: bool
    path: Path
    case: Case | None = None
    problems: list[CaseProblem] = field(default_factory=list)
    changed: bool = False
    history_path: Path | None = None
    draft_path: Path | None = None
    version: str = NO_FILE
    conflict: bool = False
    current_text: str | None = None


def save_case_text(
    path: Path | str,
    yaml_text: str,
    *,
    data_dir: Path | str | None = None,
    now: datetime | None = None,
    based_on: str | None = None,
) -> SaveResult:
    """Validate ``yaml_text`` and, if it is a valid case whose id no other file uses, write it to ``path``.

    ``based_on`` is the version of the file the text was edited from (:func:`file_version`; :data:`NO_FILE`
    for a new file); when the file is no longer that version nothing is written (``conflict``). None skips
    the check. ``data_dir`` defaults to the settings' data directory (drafts go to its ``drafts/``).
    """
    path = Path(path)
    stamp = _stamp(now)
    case, problems = validate_text(yaml_text, str(path))
    if path.suffix not in CASE_SUFFIXES:
        problems.append(CaseProblem(str(path), "case files must end in .yaml to be loaded"))
    if path.is_symlink():
        problems.append(CaseProblem(str(path), SYMLINK_MESSAGE))
    if problems:
        return _unsaved(path, yaml_text, data_dir, stamp, problems)

    new_bytes = yaml_text.encode("utf-8")
    with _folder_lock(path.parent):
        try:
            old_bytes = _current_bytes(path)
        except YamlProblem as exc:  # e.g. a link or a huge file swapped in: never written over or through
            return _unsaved(path, yaml_text, data_dir, stamp, [CaseProblem(str(path), exc.message)])
        current = _version_of(old_bytes)
        if based_on is not None and based_on != current:
            problem = CaseProblem(
                str(path),
                "was changed by someone else since you opened it"
                if old_bytes is not None
                else "was deleted by someone else since you opened it",
            )
            result = _unsaved(path, yaml_text, data_dir, stamp, [problem])
            current_text = None if old_bytes is None else old_bytes.decode("utf-8", errors="replace")
            return replace(result, version=current, conflict=True, current_text=current_text)
        problems = id_conflicts(case.id, path)
        if problems:
            return _unsaved(path, yaml_text, data_dir, stamp, problems)
        if old_bytes == new_bytes:
            return SaveResult(True, path, case, [], changed=False, version=current)
        history = None
        if old_bytes is not None:
            history = _unique(path.parent / HISTORY_DIR / case.id, stamp)
            _write_atomically(history, old_bytes)
        _write_atomically(path, new_bytes)
    forget_cached(path)
    return SaveResult(True, path, case, [], changed=True, history_path=history, version=_version_of(new_bytes))


def file_version(path: Path | str) -> str:
    """The version of a case file to pass back as ``save_case_text(based_on=...)``: a SHA-256 of its bytes, or
    :data:`NO_FILE` when there is none. Raises ``YamlProblem`` for a file that cannot be a case file (a link)."""
    return _version_of(_current_bytes(Path(path)))


def read_for_editing(path: Path | str) -> tuple[str, str]:
    """(text, version) of a case or draft file read once through the guarded reader, for an editor that will
    save it back with ``based_on=version``. Raises ``YamlProblem`` (a link, too large, not UTF-8) or
    ``OSError``."""
    data = read_case_bytes(Path(path))
    return decode_utf8(data), _version_of(data)


def conflict_diff(current_text: str | None, mine: str, name: str) -> str:
    """A unified diff from the file as it is now to the editor's text (empty when they are the same)."""
    lines = difflib.unified_diff(
        (current_text or "").splitlines(keepends=True),
        mine.splitlines(keepends=True),
        fromfile=f"{name} (as saved by someone else)" if current_text is not None else f"{name} (deleted)",
        tofile=f"{name} (yours)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _current_bytes(path: Path) -> bytes | None:
    try:
        return read_case_bytes(path)
    except FileNotFoundError:
        return None


def _version_of(data: bytes | None) -> str:
    return NO_FILE if data is None else hashlib.sha256(data).hexdigest()


@contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on the case folder itself (no lock file to clutter it) while one save checks the
    version and writes: processes on this machine queue behind each other."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _unsaved(
    path: Path, yaml_text: str, data_dir: Path | str | None, stamp: str, problems: list[CaseProblem]
) -> SaveResult:
    draft = _keep_draft(path, yaml_text, data_dir, stamp)
    return SaveResult(False, path, None, problems, draft_path=draft)


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
        target = _location(path)
        for other in case_files_in(directory):
            if _location(other) == target:
                continue
            other_case, _ = _validate_cached(other)
            if other_case is not None and other_case.id == case_id:
                problems.append(CaseProblem(str(path), f"duplicate id {case_id!r}: {other} already uses it", ("id",)))
    return problems


def keep_draft(path: Path | str, yaml_text: str, *, data_dir: Path | str | None = None) -> Path:
    """Keep ``yaml_text`` as a draft of the case file ``path`` (as an invalid save does) and say where."""
    return _keep_draft(Path(path), yaml_text, data_dir, _stamp(None))


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
    """A new file name in ``directory``, reserved by creating the (empty) file: two saves in the same
    microsecond never pick the same name and overwrite each other's text."""
    directory.mkdir(parents=True, exist_ok=True)
    n = 0
    while True:
        candidate = directory / (f"{prefix}{stamp}.yaml" if n == 0 else f"{prefix}{stamp}-{n}.yaml")
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            n += 1
            continue
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
