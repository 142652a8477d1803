"""The pydantic side of the config format: models derived from the records, a cached core schema.

The declarations in :mod:`nnadvisor.config` (:class:`~nnadvisor.records.Record` classes) are the
one definition of the format. From them this module derives

- the pydantic models (:func:`pydantic_model`), from which pydantic generates the JSON Schema
  (``nnadvisor schema config``) and the pydantic-core schema; and
- a ``pydantic_core.SchemaValidator`` per record class (:func:`validator_for`), built from that
  core schema with the record classes in place of the models, so that validation produces
  instances of the records themselves.

Importing pydantic's model machinery and building the models costs about 0.6x of the start-up
floor of ``check`` (budgets.md), so the core schemas and the JSON Schemas are cached as JSON in the
cache directory (``config-schema-<name>.json``, next to the rule-base cache), the few Python
objects in a core schema written as references: the record class of a model (``{"$record":
name}``), a :func:`~nnadvisor.records.before` hook (``{"$hook": [class, name]}``) and a default
factory (``{"$factory": "list"}``). The file is found by, and records, a stamp of what the schemas
are made from: the installed pydantic and pydantic-core (path, size and mtime of their
``__init__.py``: an upgrade rewrites them), ``records.py``, this module and the module declaring
the records (likewise), and every declared field (so the values of a ``Literal`` imported from
:mod:`nnadvisor.terms` count). A change to any of them misses the cache; a cache that cannot be
read or written only costs time; ``NNADVISOR_NO_CACHE=1`` builds in memory.

Even with the schema cached, importing pydantic-core costs about 0.18x of that floor, so a
:class:`RecordValidator` first runs the schema's pure-Python reading (:mod:`nnadvisor.core_validator`),
which only accepts what it is sure of, and hands everything else to pydantic-core, whose result or
``ValidationError`` is then the answer. After :data:`FAST_CHECKS` inputs pydantic-core takes over
for good (it is faster per input, and its import has paid for itself).
"""

from __future__ import annotations

import builtins
import json
import os
import sys
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnadvisor.core_validator import GiveUp, compile_schema
from nnadvisor.fingerprint import short
from nnadvisor.records import REQUIRED, Record

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic_core import SchemaValidator

FORMAT = 1
FAST_CHECKS = 256
"""Inputs a :class:`RecordValidator` checks in pure Python before pydantic-core takes over."""
_FACTORIES = ("list", "dict")
"""Default factories a cached schema may name (builtins)."""

_MODELS: dict[type[Record], type[BaseModel]] = {}
_RECORD_OF: dict[type, type[Record]] = {}
_SCHEMAS: dict[str, dict[str, Any]] = {}
"""Per module declaring records: the cached document (``core`` and ``json_schema`` per class name)."""


# --------------------------------------------------------------------------- pydantic models


def pydantic_model(cls: type[Record]) -> type[BaseModel]:
    """The pydantic model a record class stands for (built once): same name, docstring, fields,
    defaults, accepted spellings, bounds, configuration and before-validators."""
    built = _MODELS.get(cls)
    if built is not None:
        return built
    from pydantic import AliasChoices, ConfigDict, create_model, model_validator
    from pydantic import Field as PydanticField

    fields: dict[str, Any] = {}
    for spec in cls.record_fields.values():
        kwargs: dict[str, Any] = {}
        if spec.default_factory is not None:
            kwargs["default_factory"] = spec.default_factory
        elif spec.default is not REQUIRED:
            kwargs["default"] = spec.default
        if spec.aliases:
            kwargs["validation_alias"] = AliasChoices(*spec.aliases)
        if spec.ge is not None:
            kwargs["ge"] = spec.ge
        if spec.le is not None:
            kwargs["le"] = spec.le
        fields[spec.name] = (_pydantic_type(spec.annotation), PydanticField(**kwargs))
    hook: Any = model_validator(mode="before")
    validators: dict[str, Any] = {name: hook(classmethod(getattr(cls, name).__func__)) for name in cls.record_hooks}
    config = ConfigDict(**cls.record_config, json_schema_extra=_alias_properties)  # type: ignore[typeddict-item]
    model: type[BaseModel] = create_model(
        cls.__name__, __config__=config, __doc__=cls.__doc__, __module__=cls.__module__, __validators__=validators, **fields
    )
    _MODELS[cls] = model
    _RECORD_OF[model] = cls
    return model


def _pydantic_type(annotation: Any) -> Any:
    """``annotation`` with every record class replaced by its pydantic model."""
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return pydantic_model(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_pydantic_type(a) for a in args)]  # noqa: UP007
    if origin is list:
        return list[_pydantic_type(args[0])]  # type: ignore[misc]
    if origin is dict:
        return dict[_pydantic_type(args[0]), _pydantic_type(args[1])]  # type: ignore[misc]
    return annotation


def _alias_properties(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """List every accepted spelling in the JSON Schema (pydantic shows only the field name)."""
    props = schema.get("properties", {})
    for name, info in cls.model_fields.items():
        for alias in getattr(info.validation_alias, "choices", ())[1:]:
            props.setdefault(str(alias), props.get(name, {}))
    props.update(getattr(_RECORD_OF.get(cls), "_extra_schema_properties", {}))


# --------------------------------------------------------------------------- the cached schemas


def _family(cls: type[Record]) -> tuple[str, dict[str, type[Record]]]:
    """The module declaring ``cls`` and its public record classes by name."""
    module = sys.modules[cls.__module__]
    found = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, Record) and value.__module__ == cls.__module__ and not name.startswith("_")
    }
    found.setdefault(cls.__name__, cls)
    return cls.__module__, found


def _file_stamp(path: str | None) -> str:
    try:
        st = os.stat(path or "")
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _package_file(name: str) -> str | None:
    """Where a package's ``__init__.py`` is, without importing it."""
    from importlib.machinery import PathFinder

    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__file__", None)
    spec = PathFinder.find_spec(name)
    return spec.origin if spec is not None else None


def _stamp(module: str, family: dict[str, type[Record]]) -> str:
    """What the schemas of ``module``'s records are made from (see the module docstring)."""
    lines = [f"format {FORMAT}"]
    lines += [f"{name} {_file_stamp(_package_file(name))}" for name in ("pydantic", "pydantic_core")]
    lines += [f"{name} {_file_stamp(sys.modules[name].__file__)}" for name in (Record.__module__, __name__, module)]
    for name, cls in sorted(family.items()):
        lines.append(f"{name}: {cls.__doc__!r} {cls.record_config} {cls.record_hooks} {list(cls.record_fields.values())}")
    return "\n".join(lines)


def _build(family: dict[str, type[Record]]) -> dict[str, Any]:
    """Derive the models and write out their core schemas and JSON Schemas (imports pydantic)."""
    from pydantic import TypeAdapter

    models = {name: pydantic_model(cls) for name, cls in family.items()}
    return {
        "core": {name: _encode(model.__pydantic_core_schema__) for name, model in models.items()},
        "json_schema": {name: TypeAdapter(model).json_schema() for name, model in models.items()},
    }


def _document(cls: type[Record]) -> tuple[dict[str, Any], dict[str, type[Record]]]:
    from nnadvisor.rulebase import cache_dir, caching_enabled, write_cache_file

    module, family = _family(cls)
    document = _SCHEMAS.get(module)
    if document is None:
        stamp = _stamp(module, family)
        path = cache_dir() / f"config-schema-{short(stamp)}.json"
        if caching_enabled():
            document = _read(path, stamp)
        if document is None:
            document = {**_build(family), "stamp": stamp}
            if caching_enabled():
                write_cache_file(path, document)
        _SCHEMAS[module] = document
    return document, family


def _read(path: Path, stamp: str) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and data.get("stamp") == stamp and isinstance(data.get("core"), dict) and isinstance(data.get("json_schema"), dict):
        return data
    return None


class RecordValidator:
    """Validates input into a record class: pure Python first, pydantic-core when that gives up
    (see the module docstring). ``validate_python`` is ``SchemaValidator.validate_python``'s."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.fast = compile_schema(schema)
        self.fast_left = FAST_CHECKS
        self._core: SchemaValidator | None = None

    def validate_python(self, obj: Any, *, context: dict[str, Any] | None = None) -> Any:
        if self.fast is not None and self.fast_left > 0:
            self.fast_left -= 1
            try:
                return self.fast(obj, context)
            except GiveUp:
                pass
        return self.core.validate_python(obj, context=context)

    @property
    def core(self) -> SchemaValidator:
        """pydantic-core's validator of the same schema (built, and pydantic-core imported, on first use)."""
        if self._core is None:
            from pydantic_core import SchemaValidator

            self._core = SchemaValidator(self.schema)
        return self._core


def validator_for(cls: type[Record]) -> RecordValidator:
    """The validator of a record class: its cached core schema, the record classes in place."""
    document, family = _document(cls)
    return RecordValidator(_decode(document["core"][cls.__name__], family))


def json_schema(cls: type[Record]) -> dict[str, Any]:
    """The JSON Schema pydantic generates for the record's model (from the cache when it can)."""
    document, _ = _document(cls)
    schema: dict[str, Any] = json.loads(json.dumps(document["json_schema"][cls.__name__]))  # a copy the caller may change
    return schema


def _encode(node: Any) -> Any:
    """A core schema as JSON data: models, hooks and factories as references (see the module
    docstring); ``metadata`` (pydantic's JSON Schema functions) and ``serialization`` left out,
    since only validation uses the cached schema."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("metadata", "serialization"):
                continue
            if key == "cls":
                out[key] = {"$record": _RECORD_OF[value].__name__}
            elif key == "function" and callable(value):
                owner = getattr(value, "__self__", None)
                if owner not in _RECORD_OF or value.__name__ not in _RECORD_OF[owner].record_hooks:
                    raise TypeError(f"cannot cache the validator function {value!r}")
                out[key] = {"$hook": [_RECORD_OF[owner].__name__, value.__name__]}
            elif key == "default_factory":
                if getattr(value, "__name__", None) not in _FACTORIES or getattr(builtins, value.__name__) is not value:
                    raise TypeError(f"cannot cache the default factory {value!r}")
                out[key] = {"$factory": value.__name__}
            else:
                out[key] = _encode(value)
        return out
    if isinstance(node, (list, tuple)):
        return [_encode(v) for v in node]
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    raise TypeError(f"cannot cache {node!r} in a core schema")


def _decode(node: Any, family: dict[str, type[Record]]) -> Any:
    if isinstance(node, dict):
        if len(node) == 1:
            if "$record" in node:
                return family[node["$record"]]
            if "$hook" in node:
                owner, name = node["$hook"]
                return getattr(family[owner], name)
            if "$factory" in node and node["$factory"] in _FACTORIES:
                return getattr(builtins, node["$factory"])
        return {k: _decode(v, family) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v, family) for v in node]
    return node
