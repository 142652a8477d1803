"""Every example of every rule runs: a ``bad`` example must make its rule fire, a ``good`` one must not.

Each rule is evaluated on its own (as rule packs run their examples): a rule that another one
supersedes (``supersedes:``) still fires on its bad examples, even where the full rule base reports
the other rule's finding instead.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from nnadvisor.engine.compiled import CompiledRule
from nnadvisor.engine.files import Example
from nnadvisor.lint import check_bytes, check_data
from nnadvisor.rulebase import RuleBase, rule_models

_RULES = rule_models()
CASES = [
    pytest.param(rule.id, kind, i, ex, id=f"{rule.id}-{kind}-{i}")
    for rule in _RULES
    for kind in ("bad", "good")
    for i, ex in enumerate(getattr(rule.examples, kind))
]


def _fired(example: Example, rulebase: RuleBase) -> list[str]:
    if example.config is not None:
        findings = check_data(example.config, rulebase)
    else:
        assert example.raw is not None
        findings = check_bytes(example.raw.encode(), "<example>", rulebase, example.format)
    return [f.rule_id for f in findings]


def _solo(rule_id: str, rulebase: RuleBase) -> RuleBase:
    """The rule base with only ``rule_id`` evaluated; a reader rule (NNA000, NNA003) reports on
    what the whole rule base finds (an unused suppression is one the other rules did not use)."""
    rule = rulebase.rule(rule_id)
    assert rule is not None
    if rule.get("source") == "reader":
        return rulebase
    return replace(rulebase, compiled=(CompiledRule.from_dump(rule),))


@pytest.mark.parametrize(("rule_id", "kind", "index", "example"), CASES)
def test_example(rule_id: str, kind: str, index: int, example: Example, rulebase: RuleBase) -> None:
    fired = _fired(example, _solo(rule_id, rulebase))
    if kind == "bad":
        assert rule_id in fired, f"{rule_id} bad example {index} did not fire (got {fired})"
    else:
        assert rule_id not in fired, f"{rule_id} good example {index} fired"


def test_every_rule_has_bad_and_good_examples() -> None:
    for rule in _RULES:
        assert rule.examples.bad and rule.examples.good, rule.id
