"""A pure-Python reading of the pydantic-core schemas of the config format, for valid input only.

Importing pydantic-core costs about 0.18x of the start-up floor of ``check`` (budgets.md allows
the whole uncached check 1.0x), while a config is validated once per run. So a config is first
validated here, by closures compiled from the same (cached) core schema that pydantic-core would
run. This path only ever *accepts*: anything it is not sure of (a type it does not check exactly,
a constraint it does not know, a key it did not use, an error of any kind) makes it give up, and
the caller (:class:`~nnadvisor.config_schema.RecordValidator`) asks pydantic-core itself, which
then produces the result or the ``ValidationError`` with its own messages. Errors therefore read
exactly as pydantic-core words them, and a property test checks that whatever this path accepts,
pydantic-core accepts with the same result.

What is read: ``definitions``, ``definition-ref``, ``model`` (record classes, strict, extra
forbidden), ``model-fields``, ``model-field`` (validation aliases of one key), ``default``
(value or factory), ``function-before`` (the records' before hooks), ``nullable``, ``union``
(smart mode: exactly one choice may accept), ``list``, ``literal`` (strings), ``str``, ``int``
(``ge``/``le``), ``float`` and ``bool``, all strict: ``"64"`` is not a number, ``1`` is a number
(and becomes ``1.0``) but not a boolean. A schema using anything else compiles to ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nnadvisor.records import Record

Check = Callable[[Any, Any], Any]
"""A compiled schema: ``check(value, context) -> validated value``; raises :class:`GiveUp`."""


class GiveUp(Exception):
    """This path is not sure; pydantic-core decides."""


class Unsupported(Exception):
    """The schema uses something this module does not read."""


class _Info:
    """What a ``with-info`` hook is given: pydantic-core's ``ValidationInfo``, as far as used."""

    __slots__ = ("context",)
    mode = "python"
    config = None
    data = None
    field_name = None

    def __init__(self, context: Any) -> None:
        self.context = context


def compile_schema(schema: dict[str, Any]) -> Check | None:
    """The checking function of a core schema, or ``None`` if it uses what is not read here."""
    try:
        return _Compiler(schema).top()
    except (Unsupported, KeyError, TypeError, ValueError):
        return None


def _only(schema: dict[str, Any], *allowed: str) -> None:
    extra = set(schema) - {"type", "ref", *allowed}
    if extra:
        raise Unsupported(f"{schema['type']}: {sorted(extra)}")


class _Compiler:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.root = schema
        self.definitions: dict[str, dict[str, Any]] = {}
        self.compiled: dict[str, Check] = {}
        if schema.get("type") == "definitions":
            _only(schema, "schema", "definitions")
            self.definitions = {d["ref"]: d for d in schema["definitions"]}
            self.root = schema["schema"]

    def top(self) -> Check:
        return self.node(self.root)

    def node(self, schema: dict[str, Any]) -> Check:
        kind = schema["type"]
        method = getattr(self, "c_" + kind.replace("-", "_"), None)
        if method is None:
            raise Unsupported(kind)
        compiled: Check = method(schema)
        return compiled

    def c_definition_ref(self, schema: dict[str, Any]) -> Check:
        _only(schema, "schema_ref")
        ref = schema["schema_ref"]
        if ref not in self.compiled:
            cell: list[Check] = []
            self.compiled[ref] = lambda v, c: cell[0](v, c)  # a reference inside its own definition
            cell.append(self.node(self.definitions[ref]))
            self.compiled[ref] = cell[0]
        return self.compiled[ref]

    def c_str(self, schema: dict[str, Any]) -> Check:
        _only(schema, "strict")

        def check(v: Any, c: Any) -> Any:
            if type(v) is str:
                return v
            raise GiveUp

        return check

    def c_bool(self, schema: dict[str, Any]) -> Check:
        _only(schema, "strict")

        def check(v: Any, c: Any) -> Any:
            if type(v) is bool:
                return v
            raise GiveUp

        return check

    def c_int(self, schema: dict[str, Any]) -> Check:
        _only(schema, "strict", "ge", "le")
        ge, le = schema.get("ge"), schema.get("le")
        if any(b is not None and type(b) is not int for b in (ge, le)):
            raise Unsupported("int bounds")

        def check(v: Any, c: Any) -> Any:
            if type(v) is int and (ge is None or v >= ge) and (le is None or v <= le):
                return v
            raise GiveUp

        return check

    def c_float(self, schema: dict[str, Any]) -> Check:
        _only(schema, "strict")

        def check(v: Any, c: Any) -> Any:
            if type(v) is float:
                return v
            if type(v) is int and -(2**53) <= v <= 2**53:  # exactly representable: float(v) is what pydantic-core returns
                return float(v)
            raise GiveUp

        return check

    def c_literal(self, schema: dict[str, Any]) -> Check:
        _only(schema, "expected")
        expected = schema["expected"]
        if not all(type(e) is str for e in expected):
            raise Unsupported("literal of other than strings")
        allowed = frozenset(expected)

        def check(v: Any, c: Any) -> Any:
            if type(v) is str and v in allowed:
                return v
            raise GiveUp

        return check

    def c_nullable(self, schema: dict[str, Any]) -> Check:
        _only(schema, "schema", "strict")
        inner = self.node(schema["schema"])

        def check(v: Any, c: Any) -> Any:
            return None if v is None else inner(v, c)

        return check

    def c_list(self, schema: dict[str, Any]) -> Check:
        _only(schema, "items_schema", "strict")
        item = self.node(schema["items_schema"])

        def check(v: Any, c: Any) -> Any:
            if type(v) is not list:
                raise GiveUp
            return [item(x, c) for x in v]

        return check

    def c_union(self, schema: dict[str, Any]) -> Check:
        _only(schema, "choices", "strict", "mode")
        if schema.get("mode", "smart") != "smart" or not all(isinstance(ch, dict) for ch in schema["choices"]):
            raise Unsupported("union mode or labelled choices")
        choices = [self.node(ch) for ch in schema["choices"]]

        def check(v: Any, c: Any) -> Any:
            found: list[Any] = []
            for choice in choices:
                try:
                    found.append(choice(v, c))
                except GiveUp:
                    continue
            if len(found) == 1:  # more than one: smart mode's tie-breaking is pydantic-core's to do
                return found[0]
            raise GiveUp

        return check

    def _hook(self, schema: dict[str, Any]) -> Check:
        """The function of a ``function-before`` schema, run alone."""
        _only(schema, "function", "schema")
        if set(schema["function"]) - {"type", "function"} or schema["function"]["type"] not in ("no-info", "with-info"):
            raise Unsupported("function")
        func = schema["function"]["function"]
        with_info = schema["function"]["type"] == "with-info"

        def run(v: Any, c: Any) -> Any:
            try:
                return func(v, _Info(c)) if with_info else func(v)
            except Exception:  # noqa: BLE001 - pydantic-core reports it (or raises it) itself
                raise GiveUp from None

        return run

    def c_function_before(self, schema: dict[str, Any]) -> Check:
        hook, inner = self._hook(schema), self.node(schema["schema"])
        return lambda v, c: inner(hook(v, c), c)

    def c_model(self, schema: dict[str, Any]) -> Check:
        _only(schema, "cls", "schema", "config", "custom_init", "root_model")
        cls = schema["cls"]
        config = schema.get("config") or {}
        if not (isinstance(cls, type) and issubclass(cls, Record)) or schema.get("custom_init") or schema.get("root_model"):
            raise Unsupported("model class")
        if set(config) - {"title", "strict", "extra_fields_behavior"} or config.get("strict") is not True or config.get("extra_fields_behavior") != "forbid":
            raise Unsupported("model config")
        inner = schema["schema"]
        hook: Check | None = None
        if inner["type"] == "function-before":  # a before hook of the record: on the raw input
            hook, inner = self._hook(inner), inner["schema"]
        if inner["type"] != "model-fields":
            raise Unsupported("model without fields")
        fields = self.model_fields(inner)
        new = cls.__new__

        def check(v: Any, c: Any) -> Any:
            if hook is not None:
                v = hook(v, c)
            if type(v) is not dict:
                raise GiveUp
            values, fields_set = fields(v, c)
            obj = new(cls)
            obj.__dict__ = values
            obj.__pydantic_fields_set__ = fields_set
            obj.__pydantic_extra__ = None
            obj.__pydantic_private__ = None
            return obj

        return check

    def model_fields(self, schema: dict[str, Any]) -> Any:
        _only(schema, "fields", "model_name", "computed_fields")
        if schema.get("computed_fields"):
            raise Unsupported("computed fields")
        table: list[tuple[str, tuple[str, ...], Check, bool, Any, Callable[[], Any] | None]] = []
        for name, field in schema["fields"].items():
            _only(field, "schema", "validation_alias")
            keys: tuple[str, ...] = (name,)
            if "validation_alias" in field:
                alias = field["validation_alias"]
                if isinstance(alias, str):
                    keys = (alias,)
                elif all(isinstance(p, list) and len(p) == 1 and isinstance(p[0], str) for p in alias):
                    keys = tuple(p[0] for p in alias)
                else:
                    raise Unsupported("alias path")
            inner = field["schema"]
            has_default, default, factory = False, None, None
            if inner["type"] == "default":
                _only(inner, "schema", "default", "default_factory", "default_factory_takes_data")
                if inner.get("default_factory_takes_data"):
                    raise Unsupported("default factory taking data")
                has_default = True
                if "default_factory" in inner:
                    factory = inner["default_factory"]
                elif "default" in inner:
                    default = inner["default"]
                    if not (default is None or type(default) in (str, int, float, bool)):
                        raise Unsupported("mutable default")  # pydantic-core would copy it
                else:
                    raise Unsupported("default")
                inner = inner["schema"]
            table.append((name, keys, self.node(inner), has_default, default, factory))

        def check(v: dict[str, Any], c: Any) -> tuple[dict[str, Any], set[str]]:
            values: dict[str, Any] = {}
            fields_set: set[str] = set()
            used = 0
            for name, keys, inner, has_default, default, factory in table:
                for key in keys:
                    if key in v:
                        values[name] = inner(v[key], c)
                        fields_set.add(name)
                        used += 1
                        break
                else:
                    if not has_default:
                        raise GiveUp
                    values[name] = factory() if factory is not None else default
            if used != len(v):  # a key no field took (extra, a second spelling, not a string)
                raise GiveUp
            return values, fields_set

        return check
