"""Compiled conditions agree with a plain three-valued (Kleene) evaluator of the same data.

The compiler splits each condition into "is true" and "is false" tests that short-circuit; the
reference below is the definition: leaves over unknown facts are unknown, ``not`` keeps unknown,
``all`` is false if any part is false, else unknown if any part is unknown, and ``any`` dually.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nnadvisor.engine.conditions import OPERATORS, compile_condition, reference
from tests.conftest import examples

PATHS = ["task", "output.units", "loss.labels", "item.type", "item.index"]
SCALARS = st.one_of(st.sampled_from(["dense", "softmax", "binary", "multiclass"]), st.integers(-2, 4), st.booleans())
FACT = st.one_of(st.none(), SCALARS, st.lists(SCALARS, max_size=3))


def _operand(op: str) -> st.SearchStrategy[Any]:
    shape = OPERATORS[op][1]
    ref = st.sampled_from(PATHS).map(lambda p: {"ref": p})
    if shape == "none":
        return st.none()
    if shape == "list":
        return st.one_of(st.lists(SCALARS, min_size=1, max_size=3), ref)
    if shape == "pair":
        return st.tuples(st.integers(-2, 4), st.integers(-2, 4)).map(list)
    return st.one_of(SCALARS, ref)


LEAF = st.sampled_from(sorted(OPERATORS)).flatmap(
    lambda op: st.builds(lambda path, value: {"path": path, "op": op, "value": value}, st.sampled_from(PATHS), _operand(op))
)
CONDITION = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(inner, min_size=1, max_size=3).map(lambda c: {"any": c}),
        inner.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)
FACTS = st.fixed_dictionaries({p: FACT for p in PATHS})


def kleene(cond: dict[str, Any], facts: dict[str, Any]) -> bool | None:
    if "not" in cond:
        inner = kleene(cond["not"], facts)
        return None if inner is None else not inner
    if "all" in cond or "any" in cond:
        parts = [kleene(c, facts) for c in cond.get("all", cond.get("any", []))]
        decisive = "all" not in cond  # all: a false part decides; any: a true part decides
        if decisive in parts:
            return decisive
        return None if None in parts else not decisive
    fact = facts[cond["path"]]
    if cond["op"] == "exists":
        return fact is not None
    if cond["op"] == "not_exists":
        return fact is None
    ref = reference(cond["value"])
    value = facts[ref] if ref is not None else cond["value"]
    if fact is None or value is None:
        return None
    try:
        return bool(OPERATORS[cond["op"]][0](fact, value))
    except TypeError:
        return None


@settings(max_examples=examples(2000), deadline=None)
@given(CONDITION, FACTS)
def test_compiled_condition_is_true_exactly_when_kleene_says_true(cond: dict[str, Any], facts: dict[str, Any]) -> None:
    model = {k: v for k, v in facts.items() if not k.startswith("item.")}
    item = {k[5:]: v for k, v in facts.items() if k.startswith("item.")}
    expected = kleene(cond, facts)
    assert compile_condition(cond)(model, item) is (expected is True)
    assert compile_condition({"not": cond})(model, item) is (expected is False)
