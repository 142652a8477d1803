"""``rules`` and ``explain`` for people."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from nnadvisor.engine.files import Example, Rule
from nnadvisor.render.style import SEVERITY_STYLE, Styler

WIDTH = 88


def rules_table(rules: Sequence[Mapping[str, Any]], *, color: bool = False) -> str:
    s = Styler(color)
    name_w = max((len(r["name"]) for r in rules), default=4)
    lines = [s(f"{'code':<7} {'name':<{name_w}} {'severity':<8} category", "bold")]
    for r in rules:
        severity = s(f"{r['severity']:<8}", SEVERITY_STYLE[r["severity"]])
        lines.append(f"{r['id']:<7} {r['name']:<{name_w}} {severity} {r['category']}")
    return "\n".join(lines) + "\n"


def _para(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def _example(example: Example) -> str:
    body = example.raw if example.raw is not None else yaml.safe_dump(example.config, sort_keys=False, default_flow_style=None, width=WIDTH)
    text = textwrap.indent(body.rstrip("\n"), "      ")
    return (f"    # {example.note}\n" if example.note else "") + text


def explain_rule(rule: Rule, *, color: bool = False) -> str:
    s = Styler(color)
    out = [
        f"{s(rule.id, 'bold')} {s(rule.name, 'bold')} ({s(rule.severity, SEVERITY_STYLE[rule.severity])}, {rule.category})",
        "",
        _para(rule.message),
        "",
        s("Why", "bold"),
        _para(rule.rationale),
    ]
    if rule.fix is not None:
        out += ["", s("Fix", "bold"), _para(rule.fix.description)]
        if rule.fix.patch:
            out.append("  patch: " + json.dumps([op.model_dump(exclude_none=True) for op in rule.fix.patch]))
    for kind, style in (("bad", "red"), ("good", "green")):
        out += ["", s(f"Examples ({kind})", "bold", style)]
        for ex in getattr(rule.examples, kind):
            out.append(_example(ex))
            out.append("")
        out.pop()
    out += ["", s("References", "bold")] + [f"  - {ref}" for ref in rule.references]
    if rule.demo:
        out += ["", f"Evidence: nnadvisor demo {rule.demo}"]
    return "\n".join(out) + "\n"
