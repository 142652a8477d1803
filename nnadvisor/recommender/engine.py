"""Recommendation rules at run time: complete the problem, vet it, fire rules, resolve each slot.

Works on validated rule data (plain dicts from the rule-base cache), like the lint engine:
- defaults (``rules/recommend/problem.yaml``) fill what the user did not say, each stated as an
  assumption; checks turn inconsistent input into a usage error or a stated assumption;
- every recommendation rule whose condition is true fires;
- per slot, the firing rule with the highest priority chooses the name; parameters merge from
  every firing rule that agrees with that name (or names nothing), higher priority winning;
  alternatives and notes are collected from all firing rules. A slot no rule names is reported as
  undecided, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnadvisor.engine.conditions import NO_ITEM, Test, compile_condition, reference
from nnadvisor.recommender.model import AlternativeOut, NoteOut, ProblemOut, Recommendation, SlotChoice

SLOTS = ("output_activation", "loss", "optimizer", "hidden_activation")


class ProblemError(Exception):
    """The problem description contradicts itself: a usage error (exit 2)."""


@dataclass(frozen=True)
class CompiledRecommendRule:
    id: str
    priority: int
    when: Test | None
    choose: dict[str, dict[str, Any]]
    alternatives: tuple[dict[str, Any], ...]
    notes: tuple[dict[str, Any], ...]
    rationale: str
    demo: str | None

    @classmethod
    def from_dump(cls, rule: dict[str, Any]) -> CompiledRecommendRule:
        return cls(
            id=rule["id"],
            priority=rule["priority"],
            when=compile_condition(rule["when"]) if rule.get("when") else None,
            choose=rule.get("choose") or {},
            alternatives=tuple(rule.get("alternatives") or ()),
            notes=tuple(rule.get("notes") or ()),
            rationale=" ".join(rule["rationale"].split()),
            demo=rule.get("demo"),
        )


@dataclass(frozen=True)
class RecommendBase:
    rules: tuple[CompiledRecommendRule, ...]
    defaults: tuple[tuple[str, Any, Test | None, str], ...]
    checks: tuple[tuple[str, Test, str, str], ...]

    @classmethod
    def from_dump(cls, data: dict[str, Any]) -> RecommendBase:
        problem = data["problem"]
        return cls(
            rules=tuple(CompiledRecommendRule.from_dump(r) for r in data["rules"]),
            defaults=tuple(
                (d["field"], d["value"], compile_condition(d["when"]) if d.get("when") else None, d["why"])
                for d in problem["defaults"]
            ),
            checks=tuple((c["id"], compile_condition(c["when"]), c["level"], c["message"]) for c in problem["checks"]),
        )


def _fill(template: str, facts: dict[str, Any]) -> str:
    from nnadvisor.engine.compiled import PLACEHOLDER, show

    return PLACEHOLDER.sub(lambda m: show(facts.get(m.group(1))), template)


def complete(given: dict[str, Any], base: RecommendBase) -> tuple[dict[str, Any], list[str]]:
    """The problem with defaults applied, and the assumptions made; raises ProblemError."""
    facts = {k: v for k, v in given.items() if v is not None}
    assumptions: list[str] = []
    for field, value, when, why in base.defaults:
        if facts.get(field) is None and (when is None or when(facts, NO_ITEM)):
            facts[field] = value
            assumptions.append(_fill(why, facts))
    errors: list[str] = []
    for _, when, level, message in base.checks:
        if when(facts, NO_ITEM):
            (errors if level == "error" else assumptions).append(_fill(message, facts))
    if errors:
        raise ProblemError("; ".join(errors))
    return facts, assumptions


def _params(params: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        ref = reference(value)
        out[key] = facts.get(ref) if ref is not None else value
    return {k: v for k, v in out.items() if v is not None}


def _slot(slot: str, firing: list[CompiledRecommendRule], facts: dict[str, Any]) -> SlotChoice:
    namers = [r for r in firing if r.choose.get(slot, {}).get("name")]
    if not namers:
        return SlotChoice(
            name=None,
            params={},
            rationale=f"undecided: no rule covers {slot.replace('_', ' ')} for this problem",
            rules=[],
        )
    chosen = max(namers, key=lambda r: r.priority)  # max() keeps the first of equal priorities
    name = chosen.choose[slot]["name"]
    contributors = sorted(
        (r for r in firing if slot in r.choose and r.choose[slot].get("name") in (None, name)),
        key=lambda r: (r is not chosen, -r.priority),  # the rule that chose the name first
    )
    params: dict[str, Any] = {}
    for rule in sorted(contributors, key=lambda r: r.priority):  # higher priorities overwrite
        params.update(_params(rule.choose[slot].get("params") or {}, facts))
    alternatives: list[AlternativeOut] = []
    for rule in sorted(firing, key=lambda r: -r.priority):
        for alt in rule.alternatives:
            if alt["slot"] == slot and alt["name"] != name and all(a.name != alt["name"] for a in alternatives):
                alternatives.append(AlternativeOut(alt["name"], _params(alt.get("params") or {}, facts), alt["prefer_when"], rule.id))
    return SlotChoice(
        name=name,
        params=params,
        rationale=" ".join(_fill(r.rationale, facts) for r in contributors),
        rules=[r.id for r in contributors],
        alternatives=alternatives,
    )


def recommend(given: dict[str, Any], base: RecommendBase) -> Recommendation:
    facts, assumptions = complete(given, base)
    firing = [r for r in base.rules if r.when is None or r.when(facts, NO_ITEM)]
    slots = {slot: _slot(slot, firing, facts) for slot in SLOTS}
    notes = [NoteOut(n["topic"], _fill(n["text"], facts), r.id) for r in firing for n in r.notes]
    used = {rule_id for choice in slots.values() for rule_id in choice.rules} | {n.rule for n in notes}
    demos = list(dict.fromkeys(r.demo for r in firing if r.demo and r.id in used))
    rationales = {r.id: _fill(r.rationale, facts) for r in firing if r.id in used}
    return Recommendation(
        problem=ProblemOut(facts=facts, given=sorted(k for k, v in given.items() if v is not None), assumptions=assumptions),
        output_activation=slots["output_activation"],
        loss=slots["loss"],
        optimizer=slots["optimizer"],
        hidden_activation=slots["hidden_activation"],
        notes=notes,
        snippets={},
        demos=demos,
        rationales=rationales,
    )
