"""``rules`` and ``explain`` for people."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from nnadvisor.engine.files import Example, RecommendRule, Rule
from nnadvisor.findings import Finding
from nnadvisor.render.style import SEVERITY_STYLE, Styler

WIDTH = 88
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")
_OPS = {
    "equals": "=", "not_equals": "!=", "in": "in", "not_in": "not in", "contains": "contains",
    "not_contains": "does not contain", "contains_any": "contains one of", "gt": ">", "gte": ">=",
    "lt": "<", "lte": "<=", "between": "between", "outside": "outside",
}  # fmt: skip


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


def readable(template: str, left: str = "<", right: str = ">") -> str:
    """A message template for people: ``{loss.given}`` becomes ``<loss given>``."""
    return _PLACEHOLDER.sub(lambda m: left + m.group(1).replace(".", " ").replace("_", " ") + right, template)


def recommend_table(rules: Sequence[Mapping[str, Any]], *, color: bool = False) -> str:
    """``rules --recommend``: code, name, priority and what each recommendation rule sets."""
    s = Styler(color)
    name_w = max((len(r["name"]) for r in rules), default=4)
    lines = [s(f"{'code':<7} {'name':<{name_w}} {'priority':>8}  sets", "bold")]
    for r in rules:
        lines.append(f"{r['id']:<7} {r['name']:<{name_w}} {r['priority']:>8}  {_sets(r)}")
    return "\n".join(lines) + "\n"


def _sets(rule: Mapping[str, Any]) -> str:
    parts = [f"{slot}: {choice.get('name') or 'parameters'}" for slot, choice in (rule.get("choose") or {}).items()]
    parts += [f"note: {note['topic']}" for note in rule.get("notes") or ()]
    if not parts and rule.get("alternatives"):
        parts = ["alternatives only"]
    return "; ".join(parts)


def condition_text(cond: Mapping[str, Any] | None) -> str:
    """A condition for people: ``task = multiclass and labels in [integer, one-hot]``."""
    if cond is None:
        return "always"
    if "all" in cond:
        return " and ".join(_grouped(c) for c in cond["all"])
    if "any" in cond:
        return " or ".join(_grouped(c) for c in cond["any"])
    if "not" in cond:
        return f"not ({condition_text(cond['not'])})"
    op, value = cond["op"], cond.get("value")
    if op in ("exists", "not_exists"):
        return f"{cond['path']} {'is known' if op == 'exists' else 'is unknown'}"
    if isinstance(value, Mapping) and "ref" in value:
        shown = str(value["ref"])
    elif isinstance(value, list):
        shown = f"[{', '.join(_value(v) for v in value)}]"
    else:
        shown = _value(value)
    return f"{cond['path']} {_OPS[op]} {shown}"


def _grouped(cond: Mapping[str, Any]) -> str:
    text = condition_text(cond)
    return f"({text})" if ("all" in cond or "any" in cond) else text


def _value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _params(params: Mapping[str, Any]) -> str:
    shown = []
    for key, value in params.items():
        if isinstance(value, Mapping) and "ref" in value:
            shown.append(f"{key}=<{value['ref']}>")
        else:
            shown.append(f"{key}={_value(value)}")
    return f" ({', '.join(shown)})" if shown else ""


def explain_recommend_rule(rule: RecommendRule, *, color: bool = False) -> str:
    """``explain NNR120``: when the recommendation rule fires, what it chooses, and why."""
    s = Styler(color)
    data = rule.model_dump(mode="json", by_alias=True)
    out = [
        f"{s(rule.id, 'bold')} {s(rule.name, 'bold')} (recommendation rule, priority {rule.priority})",
        "",
        _para("Fires when " + condition_text(data.get("when"))),
    ]
    if data["choose"]:
        out += ["", s("Chooses", "bold")]
        for slot, choice in data["choose"].items():
            what = choice.get("name") or "(parameters of the chosen name)"
            out.append(f"  - {slot.replace('_', ' ')}: {what}{_params(choice.get('params') or {})}")
    if data["notes"]:
        out += ["", s("Notes", "bold")] + [_para(f"- {readable(n['text'])}", "  ") for n in data["notes"]]
    if data["alternatives"]:
        out += ["", s("Alternatives", "bold")]
        for alt in data["alternatives"]:
            line = f"- {alt['slot'].replace('_', ' ')} {alt['name']}{_params(alt.get('params') or {})}: when {alt['prefer_when']}"
            out.append(textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="    "))
    out += ["", s("Why", "bold"), _para(readable(rule.rationale))]
    out += ["", s("Examples", "bold")]
    for example in rule.examples:
        problem = ", ".join(f"{k}={_value(v)}" for k, v in example.problem.items())
        expect = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in example.expect.items())
        out.append(textwrap.fill(f"- {problem} -> {expect}", WIDTH, initial_indent="  ", subsequent_indent="    "))
    out += ["", s("References", "bold")] + [f"  - {ref}" for ref in rule.references]
    if rule.demo:
        out += ["", f"Evidence: nnadvisor demo {rule.demo}"]
    return "\n".join(out) + "\n"


def explain_rule(rule: Rule, *, color: bool = False, example: Finding | None = None) -> str:
    """``explain NNA101``. ``example``: what the rule reports on its first bad example, shown
    instead of the message and fix templates (which name facts, not values)."""
    s = Styler(color)
    out = [
        f"{s(rule.id, 'bold')} {s(rule.name, 'bold')} ({s(rule.severity, SEVERITY_STYLE[rule.severity])}, {rule.category})",
        "",
    ]
    if example is not None:
        out += [_para(example.message), _para("(as reported for the first bad example below)", "    ")]
    else:
        out.append(_para(readable(rule.message)))
    if rule.supersedes:
        out += ["", _para(f"Supersedes {', '.join(rule.supersedes)}: where one of them fires at the same config key, only this rule's finding is reported, and it names the other.")]
    out += ["", s("Why", "bold"), _para(rule.rationale)]
    if example is not None and example.fix is not None:
        out += ["", s("Fix", "bold") + " (for that example)", _para(example.fix.description)]
        if example.fix.patch:
            out.append("  patch: " + json.dumps(example.fix.patch))
    elif rule.fix is not None:
        out += ["", s("Fix", "bold"), _para(readable(rule.fix.description))]
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
