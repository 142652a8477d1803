"""Rules at run time: validated rule data compiled into closures, evaluated against facts.

Input is plain data (a ``Rule`` dumped by the loader, or the same dump read back from the
rule-base cache), so this module needs no pydantic model classes of the rule files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nnadvisor.engine.conditions import NO_ITEM, Test, compile_condition, leaves
from nnadvisor.findings import Finding, FixOut
from nnadvisor.terms import Severity

if TYPE_CHECKING:
    from nnadvisor.facts import Facts
    from nnadvisor.source import Document

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


@dataclass(frozen=True)
class Outcome:
    """What a firing rule (or one of its cases) reports."""

    severity: Severity
    message: str
    at: tuple[str, ...]
    fix: dict[str, Any] | None
    uses_task: bool
    """The conditions that led here read ``task``: say so when the task was only inferred."""


@dataclass(frozen=True)
class CompiledRule:
    id: str
    name: str
    demo: str | None
    for_each: str | None
    reader_only: bool
    when: Test | None
    cases: tuple[tuple[Test, Outcome], ...]
    default: Outcome | None
    """The outcome when there are no cases."""
    supersedes: tuple[str, ...] = ()
    """Rules whose finding at the same config key this rule's finding replaces (:func:`supersede`)."""

    @classmethod
    def from_dump(cls, rule: dict[str, Any], severity: Severity | None = None) -> CompiledRule:
        """``severity`` is a rule pack's override; it wins over the rule's and its cases'."""

        def outcome(part: dict[str, Any]) -> Outcome:
            conditions = [c for c in (rule.get("when"), part.get("when")) if c]
            return Outcome(
                severity=severity or part.get("severity") or rule["severity"],
                message=part.get("message") or rule["message"],
                at=tuple(part.get("at") or rule.get("at") or ()),
                fix=part.get("fix") or rule.get("fix"),
                uses_task=any(leaf["path"] == "task" for c in conditions for leaf in leaves(c)),
            )

        cases = rule.get("cases") or []
        return cls(
            id=rule["id"],
            name=rule["name"],
            demo=rule.get("demo"),
            for_each=rule.get("for_each"),
            reader_only=rule.get("source") == "reader",
            when=compile_condition(rule["when"]) if rule.get("when") else None,
            cases=tuple((compile_condition(c["when"]), outcome(c)) for c in cases),
            default=None if cases else outcome({}),
            supersedes=tuple(rule.get("supersedes") or ()),
        )


def show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    return str(value)


class _Scope:
    """Fact lookup for one evaluation: the model's facts, and ``item.*`` for a for_each item."""

    def __init__(self, facts: Facts, item: Facts | None) -> None:
        self.facts = facts
        self.item = item

    def get(self, path: str) -> Any:
        if path.startswith("item.") and self.item is not None:
            return self.item.values.get(path[5:])
        return self.facts.values.get(path)

    def pointer(self, path: str) -> str | None:
        if path.startswith("item.") and self.item is not None:
            return self.item.pointers.get(path[5:])
        return self.facts.pointers.get(path)

    def fill(self, template: str) -> str:
        return PLACEHOLDER.sub(lambda m: show(self.get(m.group(1))), template)


def _fix(fix: dict[str, Any] | None, scope: _Scope) -> FixOut | None:
    if fix is None:
        return None
    patch = []
    for op in fix.get("patch") or []:
        path = op["path"]
        if path.startswith("@"):
            fact, _, rest = path[1:].partition("/")
            path = (scope.pointer(fact) or "") + (f"/{rest}" if rest else "")
        entry: dict[str, Any] = {"op": op["op"], "path": path}
        if op.get("value") is not None:
            entry["value"] = op["value"]
        patch.append(entry)
    return FixOut(description=scope.fill(fix["description"]), patch=patch, applicability=fix.get("applicability", "unsafe"))


def _first_case(cases: tuple[tuple[Test, Outcome], ...], values: Mapping[str, Any], item_values: Mapping[str, Any]) -> Outcome | None:
    for test, outcome in cases:
        if test(values, item_values):
            return outcome
    return None


_MODEL_SCOPE: tuple[tuple[Mapping[str, Any], None]] = ((NO_ITEM, None),)


def evaluate(rules: tuple[CompiledRule, ...], facts: Facts, file: str, doc: Document | None) -> list[Finding]:
    findings: list[Finding] = []
    values = facts.values
    for rule in rules:
        if rule.reader_only:
            continue
        scopes = [(item.values, item) for item in facts.items.get(rule.for_each, ())] if rule.for_each else _MODEL_SCOPE
        for item_values, item in scopes:
            if rule.when is not None and not rule.when(values, item_values):
                continue
            outcome = rule.default or _first_case(rule.cases, values, item_values)
            if outcome is None:
                continue
            scope = _Scope(facts, item)
            message = scope.fill(outcome.message)
            if outcome.uses_task and facts.values.get("task_inferred"):
                message += f" (task inferred as {facts.values.get('task')}; set `task:` to confirm)"
            pointer = next((p for p in map(scope.pointer, outcome.at) if p is not None), "")
            loc = doc.locate(pointer) if doc is not None else None
            findings.append(
                Finding(
                    rule_id=rule.id,
                    name=rule.name,
                    severity=outcome.severity,
                    file=file,
                    line=loc.line if loc else 1,
                    column=loc.column if loc else 1,
                    pointer=pointer,
                    message=message,
                    fix=_fix(outcome.fix, scope),
                    demo=rule.demo,
                )
            )
    return findings


def supersede(findings: list[Finding], rules: tuple[CompiledRule, ...]) -> list[Finding]:
    """One finding per mistake: where a rule and a rule it ``supersedes`` both report the same
    config key of the same file (the same pointer, so the same line and column), the superseded
    finding is dropped and the other's message names it
    (``(also NNA108 squared-error-for-classification-output)``).

    Run on the findings that are reported, after ``--select``/``--ignore``, per-file ignores and
    suppressions: a superseded rule still reports where the rule that supersedes it is not
    selected (``--select NNA108``), ignored or suppressed. ``findings`` may span several files."""
    winners = {r.id: r.supersedes for r in rules if r.supersedes}
    if not winners or len(findings) < 2:
        return findings
    at = {(f.file, f.cell, f.pointer, f.rule_id): f for f in findings}
    dropped: set[int] = set()
    for f in findings:
        named = []
        for other in winners.get(f.rule_id, ()):
            loser = at.get((f.file, f.cell, f.pointer, other))
            if loser is not None and id(loser) not in dropped:
                dropped.add(id(loser))
                named.append(f"{loser.rule_id} {loser.name}")
        if named:
            f.message += f" (also {' and '.join(named)})"
    return [f for f in findings if id(f) not in dropped] if dropped else findings


@dataclass(frozen=True)
class CompiledInference:
    """``rules/inference.yaml`` compiled: sets ``task`` (and ``task_inferred``) when absent."""

    task: tuple[tuple[Test, str], ...]

    @classmethod
    def from_dump(cls, data: dict[str, Any]) -> CompiledInference:
        return cls(tuple((compile_condition(e["when"]), e["value"]) for e in data["task"]))

    def apply(self, facts: Facts) -> None:
        if facts.values.get("task") is not None:
            return
        for test, value in self.task:
            if test(facts.values, NO_ITEM):
                facts.set("task", value)
                facts.set("task_inferred", True)
                return
