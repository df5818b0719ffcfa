"""Reading untrusted YAML safely: ``yaml.safe_load`` semantics, plus limits and positions.

Case files come from coaches' editors and from the studio page, so the reader must never run code, hang or
eat memory whatever it is given. On top of PyYAML's safe loader this module

* rejects symbolic links, files that are not regular files and files over :data:`MAX_FILE_BYTES` before
  reading them, and names the first byte that is not UTF-8;
* caps aliases and the size the document would have with every alias expanded ("billion laughs"),
  recursive aliases and nesting depth;
* allows only plain-data tags, so ``!!python/object...`` is an error rather than a silent failure later;
* reports duplicate keys, which PyYAML would otherwise silently overwrite;
* keeps the composed node tree, so validation errors can point at a line.

Events come from libyaml's parser where it is installed (eight times faster), but the node tree is always
built by PyYAML's Python composer: libyaml's own composer recurses in C and crashes the whole process on
deeply nested input, where the Python one is stopped cleanly at :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

#: Case files are a few kilobytes; anything over a megabyte is a mistake (or an attack), not a case.
MAX_FILE_BYTES = 1024 * 1024
#: A case may reuse text with anchors and aliases, but needs only a handful.
MAX_ALIASES = 100
#: Values (scalars, lists, mappings) the document may hold once every alias is expanded.
MAX_EXPANDED_VALUES = 100_000
#: Mappings and lists nested inside each other; a case nests about five deep.
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
#: Plain data only. Timestamps stay allowed because ``post.posted_at`` is naturally written as one.
ALLOWED_TAGS = frozenset(
    _CORE + name for name in ("null", "bool", "int", "float", "str", "seq", "map", "timestamp", "merge")
)


class YamlProblem(Exception):
    """The text cannot be read as a case's YAML; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class ParsedYaml:
    """The composed node tree (for line numbers) and the plain Python data built from it."""

    root: yaml.Node | None
    data: Any


def _size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    return f"{size / 1024**2:.1f} MB" if size >= 100 * 1024 else f"{size:,} bytes"


SYMLINK_MESSAGE = (
    "is a symbolic link; case files must be regular files in the case folder "
    "(a link could show any file on the server): copy the case into the folder instead"
)


def read_case_bytes(path: Path) -> bytes:
    """The file's bytes, refusing (without reading it) a symbolic link, anything but a regular file (a FIFO
    would block forever, a device never end) and a file over :data:`MAX_FILE_BYTES`.

    The file is opened with ``O_NOFOLLOW`` and checked through its open descriptor, so a link swapped in
    between a check and the read is refused too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise YamlProblem(SYMLINK_MESSAGE) from None
        raise
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise YamlProblem("is not a regular file (a folder, device or pipe?); case files are plain text files")
        if info.st_size > MAX_FILE_BYTES:
            raise YamlProblem(
                f"file is too large ({_size_text(info.st_size)}; the limit is 1 MB): is this really a case file?"
            )
        # Read one byte past the limit: the file may have grown since fstat().
        raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem("file is too large (over 1 MB; the limit is 1 MB): is this really a case file?")
    return raw


def read_case_text(path: Path) -> str:
    """:func:`read_case_bytes` decoded with :func:`decode_utf8`: how every case or draft file is read."""
    return decode_utf8(read_case_bytes(path))


def decode_utf8(raw: bytes) -> str:
    """Decode as UTF-8 (a leading byte-order mark is dropped), naming the offending byte and its offset."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded; save the file as UTF-8",
            line,
        ) from None
    return text.removeprefix("\ufeff")


def check_text_size(text: str) -> None:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise YamlProblem(f"text is too large ({_size_text(size)}; the limit is 1 MB)")


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


try:
    from yaml._yaml import CParser as _Parser  # libyaml's event parser: iterative, fast
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser as _Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


class _LimitedLoader(_Parser, Composer, SafeConstructor, Resolver):
    """Safe loading (PyYAML's SafeConstructor and Resolver) whose Python composer counts aliases and depth."""

    # libyaml's parser class also defines the composer methods (in C): use the Python ones.
    get_single_node = Composer.get_single_node
    compose_document = Composer.compose_document
    compose_scalar_node = Composer.compose_scalar_node
    compose_sequence_node = Composer.compose_sequence_node
    compose_mapping_node = Composer.compose_mapping_node

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlProblem(
                    f"too many aliases (more than {MAX_ALIASES}); a case file needs few if any",
                    mark.line + 1,
                    mark.column + 1,
                )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1, mark.column + 1)
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


def _check_tree(root: yaml.Node) -> None:
    """Tags, duplicate keys, recursive aliases and the expanded size, in one pass over the node tree.

    Aliases make the tree a graph (one node object under several parents); sizes are memoised per node so
    the pass stays linear however large the expansion would be.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def visit(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise YamlProblem("an alias refers to the list or mapping it is in (a recursive alias)", _line(node))
        if node.tag not in ALLOWED_TAGS:
            raise YamlProblem(_tag_message(node.tag), _line(node), node.start_mark.column + 1)
        on_path.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += visit(child)
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _CORE + "merge":
                    if key_node.value in seen:
                        raise YamlProblem(
                            f"duplicate key {key_node.value!r} (first at line {seen[key_node.value]}); "
                            "the later value would silently win",
                            _line(key_node),
                        )
                    seen[key_node.value] = _line(key_node)
                total += visit(key_node) + visit(value_node)
        on_path.discard(key)
        if total > MAX_EXPANDED_VALUES:
            raise YamlProblem(
                f"aliases expand to more than {MAX_EXPANDED_VALUES:,} values (an alias bomb?); "
                "write the text out instead of nesting aliases",
                _line(node),
            )
        sizes[key] = total
        return total

    visit(root)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _tag_message(tag: str) -> str:
    name = _tag_name(tag)
    if "python/" in tag:
        return f"tag {name} would construct a Python object; case files hold plain text, numbers, lists and mappings"
    return f"tag {name} is not allowed; case files hold plain text, numbers, lists and mappings"


def parse_yaml(text: str) -> ParsedYaml:
    """Parse one YAML document safely; raises :class:`YamlProblem` with a position where there is one."""
    check_text_size(text)
    loader = None
    try:
        loader = _LimitedLoader(text)  # the reader rejects control characters already here
        root = loader.get_single_node()
        if root is None:
            return ParsedYaml(None, None)
        _check_tree(root)
        data = loader.construct_document(root)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        raise YamlProblem(
            f"malformed YAML: {what}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlProblem(
            f"character U+{code:04X} at position {exc.position} is not allowed in YAML "
            "(a control character; was this file saved as text?)",
            line,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"malformed YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()
    return ParsedYaml(root, data)
