"""Evaluate loaded rules against facts and turn what fires into findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from nnadvisor.engine.conditions import Compiled, Condition, compile_condition, leaves
from nnadvisor.engine.loader import PLACEHOLDER, LoadedRule, RuleLoadError, condition_problem, known_paths
from nnadvisor.engine.rule import Fix, Rule
from nnadvisor.facts import Facts
from nnadvisor.findings import Finding, FixOut
from nnadvisor.source import Document, SourceError, parse
from nnadvisor.terms import Task
from nnadvisor.validation import problems
from nnadvisor.vocabulary import Vocabulary


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    when: Compiled | None
    cases: tuple[tuple[Compiled, int], ...]  # (condition, index into rule.cases)
    uses_task: bool
    severity: str | None
    """A rule pack's severity override; otherwise the case's or the rule's own."""

    @classmethod
    def of(cls, loaded: LoadedRule | Rule, severity: str | None = None) -> CompiledRule:
        rule = loaded.rule if isinstance(loaded, LoadedRule) else loaded
        conds: list[Condition] = ([rule.when] if rule.when is not None else []) + [c.when for c in rule.cases]
        return cls(
            rule=rule,
            when=compile_condition(rule.when) if rule.when is not None else None,
            cases=tuple((compile_condition(c.when), i) for i, c in enumerate(rule.cases)),
            uses_task=any(leaf.path == "task" for c in conds for leaf in leaves(c)),
            severity=severity,
        )


def _show(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
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
        return PLACEHOLDER.sub(lambda m: _show(self.get(m.group(1))), template)


def _fix(fix: Fix | None, scope: _Scope) -> FixOut | None:
    if fix is None:
        return None
    patch = []
    for op in fix.patch:
        path = op.path
        if path.startswith("@"):
            fact, _, rest = path[1:].partition("/")
            path = (scope.pointer(fact) or "") + (f"/{rest}" if rest else "")
        entry: dict[str, Any] = {"op": op.op, "path": path}
        if op.value is not None:
            entry["value"] = op.value
        patch.append(entry)
    return FixOut(description=scope.fill(fix.description), patch=patch)


def evaluate(rules: list[CompiledRule], facts: Facts, file: str, doc: Document | None) -> list[Finding]:
    findings: list[Finding] = []
    for compiled in rules:
        rule = compiled.rule
        if rule.source != "rules":
            continue
        items: list[Facts | None] = list(facts.items.get(rule.for_each, [])) if rule.for_each else [None]
        for item in items:
            scope = _Scope(facts, item)
            if compiled.when is not None and compiled.when(scope.get) is not True:
                continue
            case = None
            if compiled.cases:
                case = next((rule.cases[i] for cond, i in compiled.cases if cond(scope.get) is True), None)
                if case is None:
                    continue
            severity = compiled.severity or (case.severity if case else None) or rule.severity
            message = scope.fill((case.message if case and case.message else None) or rule.message)
            if compiled.uses_task and facts.values.get("task_inferred"):
                message += f" (task inferred as {facts.values.get('task')}; set `task:` to confirm)"
            at = (case.at if case and case.at else None) or rule.at
            pointer = next((p for p in (scope.pointer(a) for a in at) if p is not None), "")
            loc = doc.locate(pointer) if doc is not None else None
            findings.append(
                Finding(
                    rule_id=rule.id,
                    name=rule.name,
                    severity=severity,  # type: ignore[arg-type]
                    file=file,
                    line=loc.line if loc else 1,
                    column=loc.column if loc else 1,
                    pointer=pointer,
                    message=message,
                    fix=_fix((case.fix if case and case.fix else None) or rule.fix, scope),
                    demo=rule.demo,
                )
            )
    return findings


# --- inference of facts a config does not state -------------------------------------------


class _InferTask(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Task
    when: Condition


class Inference(BaseModel):
    """``rules/inference.yaml``: the first matching entry sets the fact when it is absent."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    task: list[_InferTask]


@dataclass(frozen=True)
class CompiledInference:
    task: tuple[tuple[Compiled, str], ...]

    def apply(self, facts: Facts) -> None:
        if facts.values.get("task") is not None:
            return
        scope = _Scope(facts, None)
        for cond, value in self.task:
            if cond(scope.get) is True:
                facts.set("task", value)
                facts.set("task_inferred", True)
                return


def load_inference(path: Path, vocab: Vocabulary) -> CompiledInference:
    try:
        doc = parse(path.read_text(encoding="utf-8"))
        inference = Inference.model_validate(doc.data)
    except SourceError as exc:
        raise RuleLoadError(path, exc.line, exc.message) from None
    except ValidationError as exc:
        first = problems(exc, doc, Inference)[0]
        raise RuleLoadError(path, first.location.line, first.message) from None
    paths = known_paths(vocab, None)
    for i, entry in enumerate(inference.task):
        problem = condition_problem(entry.when, paths)
        if problem:
            raise RuleLoadError(path, doc.locate(f"/task/{i}").line, problem)
    return CompiledInference(tuple((compile_condition(e.when), e.value) for e in inference.task))
