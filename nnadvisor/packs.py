"""Rule packs: a directory of extra rule files, plus optional severity overrides of built-ins.

```
team-rules/
  TEAM001-no-sgd-for-transformers.yaml   # a rule, same format as rules/lint/ (docs/rule-format.md)
  overrides.yaml                         # severity: {NNA402: error, NNA504: warning}
```

A pack is data: validated like the built-in rules (paths, operators, operand types, templates),
and, unlike the built-ins (which the test suite checks), every example of every pack rule is run
when the pack loads; a rule that fails its own examples is rejected with its file and line.
Pack rule ids use their own prefix (``TEAM001``); reusing a built-in id is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nnadvisor.engine.compiled import CompiledRule
from nnadvisor.engine.errors import RuleLoadError
from nnadvisor.rulebase import RuleBase
from nnadvisor.terms import Severity

OVERRIDES = "overrides.yaml"


class OverridesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    severity: dict[str, Severity] = Field(default_factory=dict)


def _fingerprint(directory: Path) -> str:
    h = hashlib.sha256(str(directory.resolve()).encode())
    for path in sorted(directory.glob("*.yaml")):
        st = path.stat()
        h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def load_pack(directory: Path, base: RuleBase) -> tuple[list[dict[str, Any]], dict[str, Severity]]:
    """The pack's rules (as plain data) and severity overrides; raises RuleLoadError."""
    from nnadvisor.engine.loader import load_rule_file, read_validated

    if not directory.is_dir():
        raise RuleLoadError(directory, 1, "rule pack is not a directory")
    vocab = base.vocabulary
    builtin = {r["id"] for r in base.rules}
    rules: list[dict[str, Any]] = []
    overrides: dict[str, Severity] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == OVERRIDES:
            data, doc = read_validated(path, OverridesFile)
            for code, severity in data.severity.items():
                if code not in builtin:
                    raise RuleLoadError(path, doc.locate(f"/severity/{code}").line, f"{code} is not a built-in rule")
                overrides[code] = severity
            continue
        loaded = load_rule_file(path, vocab)
        rule = loaded.rule
        if rule.id in builtin or any(r["id"] == rule.id for r in rules):
            raise RuleLoadError(path, loaded.doc.locate("/id").line, f"rule id {rule.id} is already defined")
        _run_examples(loaded, base)
        rules.append(rule.model_dump(mode="json", by_alias=True, exclude={"examples"}))
    return rules, overrides


def _run_examples(loaded: Any, base: RuleBase) -> None:
    from nnadvisor.lint import check_bytes, check_data

    rule = loaded.rule
    solo = replace(base, compiled=(CompiledRule.from_dump(rule.model_dump(mode="json", by_alias=True)),))
    for kind in ("bad", "good"):
        for i, example in enumerate(getattr(rule.examples, kind)):
            if example.config is not None:
                findings = check_data(example.config, solo)
            else:
                findings = check_bytes(example.raw.encode(), "<example>", solo, example.format)
            fired = any(f.rule_id == rule.id for f in findings)
            if fired != (kind == "bad"):
                where = loaded.doc.locate(f"/examples/{kind}/{i}").line
                verb = "does not fire on" if kind == "bad" else "fires on"
                raise RuleLoadError(loaded.file, where, f"{rule.id} {verb} its own {kind} example {i}")


def with_packs(base: RuleBase, directories: Sequence[Path]) -> RuleBase:
    """``base`` plus the packs' rules and overrides; the fingerprint covers the packs too."""
    if not directories:
        return base
    rules = list(base.rules)
    overrides: dict[str, Severity] = {}
    fingerprint = base.fingerprint
    for directory in directories:
        extra, severity = load_pack(directory, replace(base, rules=tuple(rules)))
        rules += extra
        overrides.update(severity)
        fingerprint = hashlib.sha256(f"{fingerprint}:{_fingerprint(directory)}".encode()).hexdigest()[:24]
    rules = [{**r, "severity": overrides.get(r["id"], r["severity"])} for r in rules]
    compiled = tuple(CompiledRule.from_dump(r, severity=overrides.get(r["id"])) for r in rules)
    return replace(base, rules=tuple(rules), compiled=compiled, fingerprint=fingerprint)
