"""Declared, validated data without importing pydantic: the classes of the config format.

A :class:`Record` subclass declares its fields as class annotations, with :func:`Field` for what
pydantic's ``Field`` would say (a default factory, accepted spellings, bounds) and :func:`before`
for a hook that rewrites the raw input before the fields are validated (pydantic's
``model_validator(mode="before")``). That declaration is the one definition of the format:
:mod:`nnadvisor.config_schema` derives the pydantic models from it (their JSON Schema is what
``nnadvisor schema config`` prints) and, from those, the pydantic-core schema whose
``SchemaValidator`` validates input into instances of the record classes themselves. The core
schema is cached, so validating a config costs pydantic-core's validator only: importing
pydantic's model machinery and building the models costs more than a whole ``check`` may
(budgets.md).

Instances behave like the pydantic models they stand for where nnadvisor uses them: attributes,
``model_validate``, ``model_dump``, ``model_fields_set``, equality and ``repr``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""The default of a field that must be given."""


class RecordField:
    """One declared field: its annotation and what :func:`Field` said about it."""

    __slots__ = ("name", "annotation", "default", "default_factory", "aliases", "ge", "le")

    def __init__(
        self,
        default: Any = REQUIRED,
        *,
        default_factory: Callable[[], Any] | None = None,
        aliases: tuple[str, ...] = (),
        ge: float | None = None,
        le: float | None = None,
    ) -> None:
        self.name = ""
        self.annotation: Any = None
        self.default = default
        self.default_factory = default_factory
        self.aliases = aliases
        self.ge = ge
        self.le = le

    @property
    def spellings(self) -> tuple[str, ...]:
        """The keys that set this field, in order (the aliases, else the name)."""
        return self.aliases or (self.name,)

    def __repr__(self) -> str:
        return (
            f"RecordField({self.name!r}, {self.annotation!r}, default={self.default!r}, "
            f"default_factory={getattr(self.default_factory, '__qualname__', None)}, aliases={self.aliases!r}, ge={self.ge!r}, le={self.le!r})"
        )


def Field(  # noqa: N802 - reads like pydantic's Field, which it stands for
    default: Any = REQUIRED,
    *,
    default_factory: Callable[[], Any] | None = None,
    aliases: tuple[str, ...] = (),
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """A field's default and constraints: ``units: int | None = Field(None, ge=0, aliases=("units", "filters"))``.

    ``aliases`` are the keys accepted for the field, the first one its own name."""
    return RecordField(default, default_factory=default_factory, aliases=aliases, ge=ge, le=le)


def before(func: Callable[..., Any]) -> Any:
    """Mark ``func(cls, data)`` (or ``func(cls, data, info)``, ``info.context`` being the
    validation context) as a hook that rewrites the raw input before the fields are validated."""
    func.__record_before__ = True  # type: ignore[attr-defined]
    return classmethod(func)


class Record:
    """Base of the declared classes; see the module's docstring."""

    # pydantic-core stores the field values as the instance's __dict__ and these three beside it.
    __slots__ = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")
    __pydantic_extra__: None
    __pydantic_fields_set__: set[str]
    __pydantic_private__: None

    record_fields: ClassVar[dict[str, RecordField]] = {}
    """The declared fields, in order (inherited ones first)."""
    record_hooks: ClassVar[tuple[str, ...]] = ()
    """Names of the :func:`before` hooks, in order."""
    record_config: ClassVar[dict[str, Any]] = {}
    """pydantic ``ConfigDict`` settings of the derived model (``extra``, ``strict``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls.record_fields)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if typing.get_origin(annotation) is ClassVar or annotation is ClassVar:
                continue
            declared = cls.__dict__.get(name, REQUIRED)
            spec = declared if isinstance(declared, RecordField) else RecordField(declared)
            spec.name = name
            spec.annotation = annotation
            fields[name] = spec
            if name in cls.__dict__:
                delattr(cls, name)  # instances hold every field in their __dict__
        cls.record_fields = fields
        own = tuple(n for n, v in cls.__dict__.items() if isinstance(v, classmethod) and getattr(v.__func__, "__record_before__", False))
        cls.record_hooks = tuple(h for h in cls.record_hooks if h not in own) + own

    @classmethod
    def model_validate(cls: type[R], obj: Any, *, context: dict[str, Any] | None = None) -> R:
        """Validate ``obj`` into an instance; raises ``pydantic_core.ValidationError``."""
        validator = _VALIDATORS.get(cls)
        if validator is None:
            from nnadvisor.config_schema import validator_for

            validator = _VALIDATORS[cls] = validator_for(cls)
        result: R = validator.validate_python(obj, context=context)
        return result

    def __init__(self, **data: Any) -> None:
        validated = type(self).model_validate(data)
        for slot in Record.__slots__:
            object.__setattr__(self, slot, getattr(validated, slot))

    @property
    def model_fields_set(self) -> set[str]:
        """The fields the input gave (the others have their defaults)."""
        return self.__pydantic_fields_set__

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """The fields as plain data, nested records as dicts (as pydantic's ``model_dump()``)."""
        return {k: _dump(v, exclude_none) for k, v in self.__dict__.items() if not (exclude_none and v is None)}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


def _dump(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, Record):
        return value.model_dump(exclude_none=exclude_none)
    if isinstance(value, list):
        return [_dump(v, exclude_none) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v, exclude_none) for k, v in value.items()}
    return value


_VALIDATORS: dict[type, Any] = {}
"""The ``SchemaValidator`` of each record class, built on first use."""
