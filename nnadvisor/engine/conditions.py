"""Rule conditions: ``all`` / ``any`` / ``not`` over leaves ``{path, op, value}``.

The operators are a closed set of plain functions; a rule cannot name anything else. Conditions
use three-valued logic: a leaf over an unknown fact (``None``) is *unknown*, ``not unknown`` is
unknown, and a rule fires only when its condition is *true*. So a rule that needs the task never
fires on a config that does not say it, negated or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

Truth = bool | None  # None: unknown
Lookup = Callable[[str], Any]


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# name -> (function(fact, operand), operand shape). Shapes: "none", "scalar", "list", "pair".
OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "equals": (lambda a, b: bool(a == b), "scalar"),
    "not_equals": (lambda a, b: bool(a != b), "scalar"),
    "in": (lambda a, b: a in b, "list"),
    "not_in": (lambda a, b: a not in b, "list"),
    "contains": (lambda a, b: b in a, "scalar"),
    "not_contains": (lambda a, b: b not in a, "scalar"),
    "contains_any": (lambda a, b: any(x in a for x in b), "list"),
    "gt": (lambda a, b: bool(a > b), "scalar"),
    "gte": (lambda a, b: bool(a >= b), "scalar"),
    "lt": (lambda a, b: bool(a < b), "scalar"),
    "lte": (lambda a, b: bool(a <= b), "scalar"),
    "between": (lambda a, b: bool(b[0] <= a <= b[1]), "pair"),
    "outside": (lambda a, b: bool(a < b[0] or a > b[1]), "pair"),
    "exists": (lambda a, b: True, "none"),
    "not_exists": (lambda a, b: True, "none"),
}
Op = Literal[
    "equals", "not_equals", "in", "not_in", "contains", "not_contains", "contains_any",
    "gt", "gte", "lt", "lte", "between", "outside", "exists", "not_exists",
]  # fmt: skip
NUMERIC_OPS = frozenset({"gt", "gte", "lt", "lte", "between", "outside"})
LIST_FACT_OPS = frozenset({"contains", "not_contains", "contains_any"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Leaf(_Strict):
    path: str
    op: Op
    value: Any = None


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


def _kind(data: Any) -> str | None:
    if isinstance(data, Mapping):
        for key, tag in (("all", "AllOf"), ("any", "AnyOf"), ("not", "NotOf")):
            if key in data:
                return tag
        return "Leaf"  # validate as a leaf, so the error names the missing keys
    return None


Condition = Annotated[
    Union[
        Annotated[Leaf, Tag("Leaf")],
        Annotated[AllOf, Tag("AllOf")],
        Annotated[AnyOf, Tag("AnyOf")],
        Annotated[NotOf, Tag("NotOf")],
    ],
    Discriminator(_kind, custom_error_type="condition", custom_error_message="a condition is a mapping with one of all, any, not or path"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


def reference(operand: Any) -> str | None:
    """``{ref: other.path}`` compares against another fact instead of a literal."""
    if isinstance(operand, Mapping) and set(operand) == {"ref"} and isinstance(operand["ref"], str):
        return operand["ref"]
    return None


def leaves(cond: Condition) -> list[Leaf]:
    if isinstance(cond, Leaf):
        return [cond]
    if isinstance(cond, AllOf):
        return [leaf for c in cond.all for leaf in leaves(c)]
    if isinstance(cond, AnyOf):
        return [leaf for c in cond.any for leaf in leaves(c)]
    return leaves(cond.not_)


Compiled = Callable[[Lookup], Truth]


def compile_condition(cond: Condition) -> Compiled:
    """A closure evaluating ``cond`` against a fact lookup, in Kleene three-valued logic."""
    if isinstance(cond, Leaf):
        fn, _ = OPERATORS[cond.op]
        path, operand, op = cond.path, cond.value, cond.op
        if op == "exists":
            return lambda get: get(path) is not None
        if op == "not_exists":
            return lambda get: get(path) is None

        ref = reference(operand)

        def leaf(get: Lookup) -> Truth:
            fact = get(path)
            value = get(ref) if ref is not None else operand
            if fact is None or value is None:
                return None
            try:
                return fn(fact, value)
            except TypeError:
                return None

        return leaf
    if isinstance(cond, NotOf):
        inner = compile_condition(cond.not_)

        def negate(get: Lookup) -> Truth:
            value = inner(get)
            return None if value is None else not value

        return negate
    parts = [compile_condition(c) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
    if isinstance(cond, AllOf):

        def all_of(get: Lookup) -> Truth:
            unknown = False
            for part in parts:
                value = part(get)
                if value is False:
                    return False
                unknown = unknown or value is None
            return None if unknown else True

        return all_of

    def any_of(get: Lookup) -> Truth:
        unknown = False
        for part in parts:
            value = part(get)
            if value is True:
                return True
            unknown = unknown or value is None
        return None if unknown else False

    return any_of
