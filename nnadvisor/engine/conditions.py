"""Evaluating rule conditions: ``all`` / ``any`` / ``not`` over leaves ``{path, op, value}``.

Conditions arrive here as plain data, already validated (:mod:`nnadvisor.engine.files`), and
are compiled into closures once. The operators are a closed set of plain functions; a rule cannot
name anything else. Three-valued logic: a leaf over an unknown fact (``None``) is *unknown*,
``not unknown`` is unknown, and a rule fires only when its condition is *true*, so a rule that
needs the task never fires on a config that does not say it, negated or not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Truth = bool | None  # None: unknown
Lookup = Callable[[str], Any]
Compiled = Callable[[Lookup], Truth]


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
NUMERIC_OPS = frozenset({"gt", "gte", "lt", "lte", "between", "outside"})
LIST_FACT_OPS = frozenset({"contains", "not_contains", "contains_any"})


def reference(operand: Any) -> str | None:
    """``{ref: other.path}`` compares against another fact instead of a literal."""
    if isinstance(operand, Mapping) and set(operand) == {"ref"} and isinstance(operand["ref"], str):
        return operand["ref"]
    return None


def leaves(cond: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "all" in cond or "any" in cond:
        return [leaf for c in cond.get("all", cond.get("any", [])) for leaf in leaves(c)]
    if "not" in cond:
        return leaves(cond["not"])
    return [cond]


def compile_condition(cond: Mapping[str, Any]) -> Compiled:
    """A closure evaluating ``cond`` against a fact lookup, in Kleene three-valued logic."""
    if "not" in cond:
        inner = compile_condition(cond["not"])

        def negate(get: Lookup) -> Truth:
            value = inner(get)
            return None if value is None else not value

        return negate
    if "all" in cond:
        parts = [compile_condition(c) for c in cond["all"]]

        def all_of(get: Lookup) -> Truth:
            unknown = False
            for part in parts:
                value = part(get)
                if value is False:
                    return False
                unknown = unknown or value is None
            return None if unknown else True

        return all_of
    if "any" in cond:
        options = [compile_condition(c) for c in cond["any"]]

        def any_of(get: Lookup) -> Truth:
            unknown = False
            for part in options:
                value = part(get)
                if value is True:
                    return True
                unknown = unknown or value is None
            return None if unknown else False

        return any_of
    path, op, operand = cond["path"], cond["op"], cond.get("value")
    if op == "exists":
        return lambda get: get(path) is not None
    if op == "not_exists":
        return lambda get: get(path) is None
    fn = OPERATORS[op][0]
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
