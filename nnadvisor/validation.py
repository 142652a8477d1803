"""Turn a pydantic ``ValidationError`` into located, readable problems.

Shared by the config reader (NNA000 findings) and the rule loader (file:line load errors): both
validate data that came from a :class:`~nnadvisor.source.Document`, so each problem can name the
line of the offending key and say what was expected. The model is a pydantic model (rule files,
problem descriptions) or a :class:`~nnadvisor.records.Record` class (the config format, validated
by pydantic-core without pydantic's models: nothing here imports pydantic).
"""

from __future__ import annotations

import sys
import types
import typing
from typing import TYPE_CHECKING, Any

from nnadvisor.config import ModelConfig
from nnadvisor.records import Record
from nnadvisor.source import Document, Problem, escape_pointer_token

if TYPE_CHECKING:
    from pydantic_core import ValidationError

    from nnadvisor.vocabulary import Vocabulary

Model = type[Any]
"""A pydantic model or a record class."""


_MISSING = object()


def _child(current: Any, element: int | str) -> Any:
    """``current[element]`` when the data has it, else ``_MISSING`` (a union tag such as
    ``LossSpec`` in an error's location is not part of the data)."""
    if isinstance(current, dict) and element in current:
        return current[element]
    if isinstance(current, list) and isinstance(element, int) and 0 <= element < len(current):
        return current[element]
    return _MISSING


def _pointer(loc: tuple[int | str, ...], data: Any) -> str:
    """The JSON pointer of ``loc`` in ``data``, skipping pydantic's union-branch tags."""
    pointer = ""
    current = data
    for element in loc:
        child = _child(current, element)
        if child is not _MISSING:
            current = child
        elif isinstance(current, dict) and isinstance(element, str) and _is_field_tag(element):
            break
        else:
            continue  # a union tag such as 'str' or 'LossSpec'
        pointer += "/" + escape_pointer_token(str(element))
    return pointer


def _is_field_tag(element: str) -> bool:
    """A missing or misspelt key: lowercase field-like names (union tags are type names)."""
    return element.islower() and element not in {"str", "int", "float", "bool", "list", "dict", "none"}


def _field_table(model: Model) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Each field's accepted keys (in order) and annotation."""
    if issubclass(model, Record):
        return {f.name: (f.spellings, f.annotation) for f in model.record_fields.values()}
    table: dict[str, tuple[tuple[str, ...], Any]] = {}
    for name, info in model.model_fields.items():
        choices = getattr(info.validation_alias, "choices", None)
        table[name] = (tuple(str(c) for c in choices) if choices else (info.alias or name,), info.annotation)
    return table


def _is_model(annotation: Any) -> bool:
    if not isinstance(annotation, type):
        return False
    if issubclass(annotation, Record):
        return True
    pydantic_main = sys.modules.get("pydantic.main")  # without it loaded, no pydantic model exists
    return pydantic_main is not None and issubclass(annotation, pydantic_main.BaseModel)


def _fields(model: Model) -> list[str]:
    return [key for keys, _ in _field_table(model).values() for key in keys]


def _models_in(annotation: Any) -> list[Model]:
    if _is_model(annotation):
        return [annotation]
    found: list[Model] = []
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, dict, typing.Annotated):
        for arg in typing.get_args(annotation):
            found.extend(_models_in(arg))
    return found


def _owner(root: Model, loc: tuple[int | str, ...]) -> Model | None:
    """The model that owns the last element of ``loc`` (to list the keys it accepts)."""
    candidates = [root]
    for element in loc[:-1]:
        if isinstance(element, int):
            continue
        named = [m for m in _all_models(root) if m.__name__ == element]
        if named:
            candidates = named
            continue
        nxt: list[Model] = []
        for model in candidates:
            field = _field_table(model).get(element)
            if field is not None:
                nxt.extend(_models_in(field[1]))
        candidates = nxt or candidates
    return candidates[0] if len(candidates) == 1 else None


def _all_models(root: Model) -> list[Model]:
    seen: list[Model] = []
    stack = [root]
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.append(model)
        for _, annotation in _field_table(model).values():
            stack.extend(_models_in(annotation))
    return seen


def _expected(owner: Model | None, key: object) -> str:
    """What to write instead of an unknown key: the closest accepted key ("did you mean"), else
    the keys accepted there."""
    if owner is None:
        return ""
    import difflib

    fields = _fields(owner)
    close = difflib.get_close_matches(str(key).lower(), fields, n=1, cutoff=0.6) if isinstance(key, str) else []
    if close:
        return f"; did you mean {close[0]!r}?"
    return f" (expected one of: {', '.join(fields)})"


def problems(exc: ValidationError, doc: Document, model: Model) -> list[Problem]:
    """One located problem per distinct error, most specific first, union noise removed."""
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in _specific(exc.errors(include_url=False), doc.data):
        loc = tuple(err["loc"])
        pointer = _pointer(loc, doc.data)
        key = loc[-1] if loc else ""
        if err["type"] == "extra_forbidden":
            message = f"unknown key {key!r}{_expected(_owner(model, loc), key)}"
        elif err["type"] == "missing":
            message = f"missing required key {key!r}"
        else:
            where = pointer or "the document"
            message = f"{where}: {err['msg']}"
            if "input" in err and not isinstance(err["input"], (dict, list)):
                message += f" (got {err['input']!r})"
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        out.append(Problem(pointer, doc.locate(pointer), message))
    out.sort(key=lambda p: (p.location.line, p.location.column))
    return out


def _validation_error() -> type[ValidationError]:
    from pydantic_core import ValidationError

    return ValidationError


def _at(loc: tuple[int | str, ...], data: Any) -> Any:
    """The value at ``loc`` in ``data`` (union tags skipped), or ``_MISSING``."""
    current = data
    for element in loc:
        child = _child(current, element)
        if child is not _MISSING:
            current = child
        elif not (isinstance(element, str) and not _is_field_tag(element)):
            return _MISSING
    return current


def _specific(errors: list[Any], data: Any) -> list[Any]:
    """The errors that say something. A value of a union type (``loss: str | LossSpec``) that
    fails every branch gets one error per branch; that of a branch it is not (``str`` for a
    mapping) is noise beside an error from inside the branch it is, and is left out. Other type
    errors (``layers: 3``) are kept."""

    def noise(err: Any) -> bool:
        loc = tuple(err["loc"])
        if not err["type"].endswith("_type") or err["type"] == "literal_error" or not loc:
            return False
        parent, tag = loc[:-1], loc[-1]
        holder = _at(parent, data)
        if isinstance(holder, dict) and tag in holder:
            return False  # a field of the data, not a union branch
        # another branch of the same union got further into the value (it is that branch)
        return any(len(o["loc"]) > len(loc) and tuple(o["loc"])[: len(parent)] == parent for o in errors)

    kept = [e for e in errors if not noise(e)]
    return kept or errors


def _without_unknown_keys(exc: ValidationError, data: Any) -> Any | None:
    """A copy of ``data`` without the unknown keys ``exc`` reports, or ``None`` when ``exc``
    reports anything else (a wrong value, a missing key: the rest cannot be read as meant)."""
    import copy

    errors = _specific(exc.errors(include_url=False), data)
    if not errors or any(e["type"] != "extra_forbidden" for e in errors):
        return None
    out = copy.deepcopy(data)
    for err in errors:
        loc = tuple(err["loc"])
        parent = out
        for element in loc[:-1]:
            child = _child(parent, element)
            parent = parent if child is _MISSING else child  # a union tag leaves it where it is
        if not isinstance(parent, dict) or loc[-1] not in parent:
            return None
        del parent[loc[-1]]
    return out


def validate_config(doc: Document, vocab: Vocabulary, *, partial: bool = False) -> tuple[ModelConfig | None, list[Problem]]:
    """``doc.data`` as a :class:`ModelConfig` (the vocabulary says which layer types are activation
    shorthands), or ``None`` and the located problems. Every reader's way to a config: it needs no
    import of pydantic (a valid config may not even import pydantic-core; an invalid one has).

    ``partial``: when the only problems are unknown keys, also the config read without them, so
    that a caller can report the other findings of the file beside the unknown keys (a typo in
    one key does not hide a softmax + mse). The problems are returned either way."""
    try:
        return ModelConfig.model_validate(doc.data, context={"vocabulary": vocab}), []
    except Exception as exc:  # pydantic-core's ValidationError: imported only when one was raised
        if not isinstance(exc, _validation_error()):
            raise
        found = problems(exc, doc, ModelConfig)
        rest = _without_unknown_keys(exc, doc.data) if partial else None
    if rest is not None:
        try:
            return ModelConfig.model_validate(rest, context={"vocabulary": vocab}), found
        except _validation_error():
            pass
    return None, found
