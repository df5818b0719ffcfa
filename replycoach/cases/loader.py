"""Reading and validating case files: the casebook (``load_library``), one text (``validate_text``), saving.

One bad file never stops the rest: every valid case is loaded and every problem is reported as a
:class:`CaseProblem` that prints ``file ==> field ==> problem (line N)``. Parsed files are cached by path and
the file's identity and times (inode, mtime, ctime, size: one ``lstat`` per file), so Streamlit pages may call
:func:`load_library` on every rerun and each app process sees a case saved by another one at its next rerun.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from replycoach.cases.models import SCHEMA_VERSION, Case
from replycoach.cases.problems import CaseProblem, line_of, problems_from_validation
from replycoach.cases.safe_yaml import YamlProblem, parse_yaml, read_case_text

__all__ = [
    "CaseLibrary",
    "CaseProblem",
    "SaveResult",
    "case_files_in",
    "load_files",
    "load_library",
    "save_case_text",
    "validate_file",
    "validate_text",
]

#: Case files are ``*.yaml`` (or ``*.yml``) directly in the scenarios directory. Sub-directories and hidden
#: files are not cases: ``.history/`` holds earlier versions with the same ids.
CASE_SUFFIXES = (".yaml", ".yml")


@dataclass
class CaseLibrary:
    """Every valid case in a set of files, and every problem found.

    ``cases`` and ``paths`` are keyed by case id; ``files`` lists every file looked at, valid or not.
    """

    cases: dict[str, Case] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    problems: list[CaseProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def files_with_problems(self) -> list[str]:
        return sorted({p.file for p in self.problems})


def validate_text(yaml_text: str, filename: str = "<draft>") -> tuple[Case | None, list[CaseProblem]]:
    """Validate a case's YAML text: the case if it is valid, else None and every problem found.

    For live validation in the case editor; nothing is read from or written to disk.
    """
    try:
        parsed = parse_yaml(yaml_text)
    except YamlProblem as exc:
        return None, [CaseProblem(filename, exc.message, (), exc.line, exc.column)]
    if parsed.root is None:
        return None, [CaseProblem(filename, "file is empty; a case starts with 'schema_version: 1'")]
    data = parsed.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
        return None, [
            CaseProblem(
                filename, f"the top level must be a mapping (schema_version: 1, id: ..., ...), got {kind}", (), 1
            )
        ]
    version_problem = _schema_version_problem(data, parsed.root, filename)
    if version_problem:
        # A file in another format version would fail in many unrelated places; the version is the news.
        return None, [version_problem]
    try:
        return Case.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from_validation(exc, Case, parsed.root, filename)


def _schema_version_problem(data: dict[str, Any], root: Any, filename: str) -> CaseProblem | None:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version == SCHEMA_VERSION:
        return None
    try:
        Case.model_validate({"schema_version": version})
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err["loc"] == ("schema_version",):
                message = err["msg"].removeprefix("Value error, ")
                return CaseProblem(filename, message, ("schema_version",), line_of(root, ("schema_version",)))
    return None


def validate_file(path: Path | str, display_name: str | None = None) -> tuple[Case | None, list[CaseProblem]]:
    """Read and validate one case file (uncached). Problems name the file as ``display_name`` or the path."""
    path = Path(path)
    name = display_name or str(path)
    try:
        text = read_case_text(path)
    except YamlProblem as exc:
        return None, [CaseProblem(name, exc.message, (), exc.line, exc.column)]
    except OSError as exc:
        return None, [CaseProblem(name, f"cannot be read: {exc.strerror or exc}")]
    return validate_text(text, name)


# --- the cache --------------------------------------------------------------------------------------------

_CacheKey = tuple[str, str]  # location (see _location), name shown in problems
_cache: dict[_CacheKey, tuple[tuple[int, ...], Case | None, list[CaseProblem]]] = {}
_cache_lock = threading.Lock()
_CACHE_LIMIT = 4096


def _location(path: Path) -> str:
    """Where ``path`` is, with its folder resolved but not the file itself: a symbolic link stays itself (and is
    refused when read) instead of turning into the file it points at."""
    return str(path.parent.resolve() / path.name)


def _validate_cached(path: Path) -> tuple[Case | None, list[CaseProblem]]:
    name = str(path)
    try:
        st = path.lstat()
    except OSError as exc:
        return None, [CaseProblem(name, f"cannot be read: {exc.strerror or exc}")]
    key = (_location(path), name)
    # A save renames a new file over the old one (a new inode); an edit in place changes ctime even when the
    # editor restores mtime, or the file system's clock is too coarse to tell two writes apart.
    stamp = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1], list(hit[2])
    case, problems = validate_file(path)
    with _cache_lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[key] = (stamp, case, list(problems))
    return case, problems


def forget_cached(path: Path | str) -> None:
    """Drop a file from the cache (after writing it: an mtime may not change within its resolution)."""
    location = _location(Path(path))
    with _cache_lock:
        for key in [k for k in _cache if k[0] == location]:
            del _cache[key]


# --- the library ------------------------------------------------------------------------------------------


def case_files_in(directory: Path | str) -> list[Path]:
    """The case files directly in ``directory``, sorted by name (hidden files and sub-directories skipped).

    Symbolic links are listed, not followed: reading one is refused with a problem that names it, so a link
    to a file elsewhere (``/etc/passwd``, a case in another folder) never shows what it points at."""
    directory = Path(directory)
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in CASE_SUFFIXES and not p.name.startswith(".") and (p.is_symlink() or p.is_file())
    )


def load_files(files: Iterable[Path | str]) -> CaseLibrary:
    """Load the given case files into one library; ids must be unique across them.

    When two files share an id, the first (in the order given) keeps it and the later one is reported with
    both files named, so earlier attempts stay attached to the case they were made on.
    """
    lib = CaseLibrary()
    seen: set[str] = set()
    for raw in files:
        path = Path(raw)
        location = _location(path)
        if location in seen:
            continue
        seen.add(location)
        lib.files.append(path)
        case, problems = _validate_cached(path)
        lib.problems.extend(problems)
        if case is None:
            continue
        if case.id in lib.cases:
            lib.problems.append(_duplicate_id_problem(case.id, path, lib.paths[case.id]))
            continue
        lib.cases[case.id] = case
        lib.paths[case.id] = path
    return lib


def _duplicate_id_problem(case_id: str, path: Path, first: Path) -> CaseProblem:
    text = _read_quietly(path)
    line = None
    if text is not None:
        with contextlib.suppress(YamlProblem):  # it parsed when it was validated; a race is no reason to fail
            line = line_of(parse_yaml(text).root, ("id",))
    return CaseProblem(
        str(path), f"duplicate id {case_id!r}: {first} already uses it; ids must be unique", ("id",), line
    )


def _read_quietly(path: Path) -> str | None:
    try:
        return read_case_text(path)
    except (OSError, YamlProblem):
        return None


def load_library(directory: Path | str) -> CaseLibrary:
    """Every case in ``directory`` (``*.yaml`` directly in it) and every problem; cheap to call again.

    A missing directory gives an empty library with one problem rather than an exception, so a page can
    show the message.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return CaseLibrary(problems=[CaseProblem(str(directory), "is not a directory (no cases can be loaded)")])
    return load_files(case_files_in(directory))


# Saving lives in its own module; it is part of this module's contract (docs/architecture.md).
from replycoach.cases.saving import SaveResult, save_case_text  # noqa: E402
