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


def _pointer(loc: tuple[int | str, ...], data: Any) -> str:
    """The JSON pointer of ``loc`` in ``data``, skipping pydantic's union-branch tags."""
    pointer = ""
    current = data
    for element in loc:
        if isinstance(current, dict) and element in current:
            current = current[element]
        elif isinstance(current, list) and isinstance(element, int) and 0 <= element < len(current):
            current = current[element]
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


def problems(exc: ValidationError, doc: Document, model: Model) -> list[Problem]:
    """One located problem per distinct error, most specific first, union noise removed."""
    errors = exc.errors(include_url=False)
    # When a value is a mapping, errors from the scalar branches of its union say nothing useful.
    specific = [e for e in errors if not e["type"].endswith("_type") or e["type"] == "literal_error"]
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in specific or errors:
        loc = tuple(err["loc"])
        pointer = _pointer(loc, doc.data)
        key = loc[-1] if loc else ""
        if err["type"] == "extra_forbidden":
            owner = _owner(model, loc)
            expected = f" (expected one of: {', '.join(_fields(owner))})" if owner else ""
            message = f"unknown key {key!r}{expected}"
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


def validate_config(doc: Document, vocab: Vocabulary) -> tuple[ModelConfig | None, list[Problem]]:
    """``doc.data`` as a :class:`ModelConfig` (the vocabulary says which layer types are activation
    shorthands), or ``None`` and the located problems. Every reader's way to a config: it needs no
    import of pydantic (a valid config may not even import pydantic-core; an invalid one has)."""
    try:
        return ModelConfig.model_validate(doc.data, context={"vocabulary": vocab}), []
    except _validation_error() as exc:  # evaluated only when something was raised
        return None, problems(exc, doc, ModelConfig)
