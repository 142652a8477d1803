"""Every recommendation rule's examples, and the rule base's own consistency."""

from __future__ import annotations

from typing import Any

import pytest

from nnadvisor.engine.files import RecommendExample
from nnadvisor.recommender.engine import recommend
from nnadvisor.rulebase import RuleBase, recommend_models

RULES = recommend_models()
CASES = [pytest.param(rule.id, i, ex, id=f"{rule.id}-{i}") for rule in RULES for i, ex in enumerate(rule.examples)]


@pytest.mark.parametrize(("rule_id", "index", "example"), CASES)
def test_example(rule_id: str, index: int, example: RecommendExample, rulebase: RuleBase) -> None:
    rec = recommend(example.problem, rulebase.recommend)
    chosen: dict[str, Any] = {slot: choice.name for slot, choice in rec.slots().items()}
    for slot, name in example.expect.items():
        assert chosen[slot] == name, f"{rule_id} example {index}: {slot} is {chosen[slot]}, expected {name}"
    fired = {r for choice in rec.slots().values() for r in choice.rules} | {n.rule for n in rec.notes} | {
        a.rule for choice in rec.slots().values() for a in choice.alternatives
    }
    assert rule_id in fired, f"{rule_id} example {index} does not make the rule contribute"


def test_rule_ids_are_unique_and_sorted() -> None:
    ids = [r.id for r in RULES]
    assert ids == sorted(set(ids))
