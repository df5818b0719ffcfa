"""Problems found in case files, written so an author can act on them.

Every problem prints pre-commit style, ``file ==> field ==> problem (line N)``: the file, the path to the
offending value inside the case, what is wrong, and the YAML line where the value (or its enclosing mapping)
sits. Pydantic's validation errors are translated here; unknown keys get a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import enum
import types
import typing
from dataclasses import dataclass, field

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]

#: The pattern of ``models.Slug`` (ids, tags): its errors get a plain-words message.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@dataclass(frozen=True)
class CaseProblem:
    """One thing wrong with one case file.

    ``loc`` is the path to the value inside the case (keys and list indexes), empty for whole-file problems;
    ``line`` and ``column`` are 1-based positions in the file where known.
    """

    file: str
    message: str
    loc: Loc = field(default=())
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file, *(str(p) for p in self.loc), self.message]
        text = " ==> ".join(parts)
        if self.line is not None and self.column is not None:
            return f"{text} (line {self.line}, column {self.column})"
        if self.line is not None:
            return f"{text} (line {self.line})"
        return text


# --- finding a value's line in the composed YAML ----------------------------------------------------------


def node_at(root: yaml.Node | None, loc: Loc) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The deepest YAML node along ``loc``, and the key node it sits under (None for list items).

    A pydantic ``loc`` is a path of mapping keys and list indexes; dict-key errors end in ``"[key]"``, for
    which the key's own node is returned. A missing key resolves to its enclosing mapping.
    """
    node, key_of_node = root, None
    for part in loc:
        if part == "[key]":
            return key_of_node, key_of_node
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    node, key_of_node = value_node, key_node
                    break
            else:
                return node, key_of_node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node, key_of_node = node.value[part], None
        else:
            return node, key_of_node
    return node, key_of_node


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the value at ``loc``: its key's line when it has one (a block list or a folded
    text starts on the line after its key, but the author looks for the key)."""
    node, key_node = node_at(root, loc)
    shown = key_node or node
    return None if shown is None else shown.start_mark.line + 1


# --- which model (or type) sits at a location: for suggestions ---------------------------------------------


def _unwrap(tp: typing.Any) -> list[typing.Any]:
    """The concrete types behind Optional/Union/Annotated."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _unwrap(arg) if t is not type(None)]
    return [tp]


def type_at(model: type[BaseModel], loc: Loc) -> typing.Any:
    """The declared type at ``loc`` under ``model`` (None if the path leaves the model)."""
    current: typing.Any = model
    for part in loc:
        if part == "[key]":
            return None
        candidates = _unwrap(current)
        nxt = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(cand, type) and issubclass(cand, BaseModel) and isinstance(part, str):
                if part in cand.model_fields:
                    nxt = cand.model_fields[part].annotation
            elif origin is list and isinstance(part, int):
                nxt = typing.get_args(cand)[0]
            elif origin is dict:
                nxt = typing.get_args(cand)[1]
            if nxt is not None:
                break
        if nxt is None:
            return None
        current = nxt
    return current


def _key_type_at(model: type[BaseModel], loc: Loc) -> typing.Any:
    """The key type of the dict declared at ``loc`` (for errors in a mapping's keys)."""
    for cand in _unwrap(type_at(model, loc)):
        if typing.get_origin(cand) is dict:
            return typing.get_args(cand)[0]
    return None


def _choices(tp: typing.Any) -> list[str]:
    """Valid spellings for a model's keys, an enum or a Literal at some location."""
    out: list[str] = []
    for cand in _unwrap(tp) if tp is not None else []:
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            out += list(cand.model_fields)
        elif isinstance(cand, type) and issubclass(cand, enum.Enum):
            out += [str(m.value) for m in cand]
        elif typing.get_origin(cand) is typing.Literal:
            out += [str(a) for a in typing.get_args(cand)]
    return out


def _suggest(word: object, choices: list[str]) -> str:
    if not isinstance(word, str) or not choices:
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower().replace("-", "_").replace(" ", "_"), choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_YAML_KIND = {
    dict: "a mapping",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true/false",
    type(None): "nothing (null)",
}


def _kind(value: object) -> str:
    return _YAML_KIND.get(type(value), type(value).__name__)


def _field_named_in(message: str, model: type[BaseModel]) -> Loc:
    """Whole-model checks report no location; their messages start with the field they are about
    ("translations.de.key_facts has ids ..."), which is enough to point at a line."""
    first = message.split(" ", 1)[0]
    parts = tuple(first.split("."))
    return parts if parts[0] in model.model_fields else ()


def problems_from_validation(
    error: ValidationError, model: type[BaseModel], root: yaml.Node | None, filename: str
) -> list[CaseProblem]:
    """Translate pydantic's errors into :class:`CaseProblem` s with lines, sorted by line."""
    problems = []
    for err in error.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        kind = err["type"]
        message = err["msg"]
        shown_loc = loc
        if kind == "extra_forbidden":
            key = loc[-1] if loc else "?"
            shown_loc = loc[:-1]
            message = f"unknown key {key!r}{_suggest(key, _choices(type_at(model, shown_loc)))}"
        elif kind == "missing":
            message = "missing required key"
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = f"should be a mapping (key: value lines), got {_kind(err.get('input'))}"
        elif kind == "list_type":
            message = f"should be a list (lines starting with '- '), got {_kind(err.get('input'))}"
        elif kind == "string_type":
            value = err.get("input")
            hint = "" if isinstance(value, dict | list) else " (put it in quotes)"
            message = f"should be text, got {_kind(value)}{hint}"
        elif kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == SLUG_PATTERN:
            message = (
                f"{err.get('input')!r} should be lower-case letters, digits and single hyphens (like 'dress-hole')"
            )
        elif kind in ("enum", "literal_error"):
            expected = _key_type_at(model, loc[:-2]) if loc and loc[-1] == "[key]" else type_at(model, loc)
            message += _suggest(err.get("input"), _choices(expected))
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        if loc and loc[-1] == "[key]":
            shown_loc = loc[:-1]
            message = f"key {loc[-2]!r}: {message}" if len(loc) >= 2 else message
            shown_loc = shown_loc[:-1]
        line = line_of(root, loc or _field_named_in(message, model))
        problems.append(CaseProblem(filename, message, shown_loc, line))
    return sorted(problems, key=lambda p: (p.line or 0, [str(x) for x in p.loc]))
