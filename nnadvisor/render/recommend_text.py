"""``recommend`` for people: a short expert answer, then the why, the alternatives and the code."""

from __future__ import annotations

import textwrap
from typing import Any

from nnadvisor.recommender.model import Recommendation, SlotChoice
from nnadvisor.render.style import Styler

WIDTH = 88
LABELS = {
    "output_activation": "Output",
    "loss": "Loss",
    "optimizer": "Optimizer",
    "hidden_activation": "Hidden",
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


FRAMEWORKS = {"keras": "Keras", "pytorch": "PyTorch"}


def _choice(slot: str, choice: SlotChoice, facts: dict[str, Any], names: dict[str, str]) -> str:
    if slot == "hidden_activation" and facts.get("depth") == 0:
        return "none: no hidden layers (depth 0)"
    if choice.name is None:
        return "undecided"
    if slot in names:
        return names[slot]
    params = dict(choice.params)
    units = params.pop("units", None)
    text = choice.name
    if units is not None:
        text += f", {units} unit{'s' if units != 1 else ''}"
    if params:
        text += " (" + ", ".join(f"{k}={_value(v)}" for k, v in params.items()) + ")"
    return text


def _wrap(text: str, indent: str) -> str:
    """Wrapped at WIDTH; a bullet indent ("  - ") continues under the text."""
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))


def _headline(rec: Recommendation) -> str:
    facts = rec.problem.facts
    task = facts.get("task")
    bits = []
    if facts.get("num_classes") and task in ("multiclass", "multilabel"):
        bits.append(f"{facts['num_classes']} classes")
    if facts.get("labels"):
        bits.append(f"{facts['labels']} labels")
    for key in ("target_range", "outliers"):
        if facts.get(key) not in (None, "none", "unbounded"):
            bits.append(f"{key.replace('_', ' ')} {facts[key]}")
    bits.append(f"{facts.get('architecture', 'mlp')}, depth {facts.get('depth')}")
    bits.append(str(facts.get("framework")))
    return f"Recommendation for a {task} problem ({'; '.join(bits)})"


def render(rec: Recommendation, *, color: bool = False, code: bool = True, names: dict[str, str] | None = None) -> str:
    """The recommendation for people. ``names``: each slot as the problem's framework writes it
    (:func:`nnadvisor.recommender.snippets.code_names`), shown instead of the canonical names; the
    code shown is the framework's (both for ``generic``)."""
    s = Styler(color)
    facts = rec.problem.facts
    lines = [s(_headline(rec), "bold"), ""]
    for slot, choice in rec.slots().items():
        label = f"{LABELS[slot]:<10}"
        rules = f"  [{', '.join(choice.rules)}]" if choice.rules else ""
        lines.append(f"  {s(label, 'bold')} {s(_choice(slot, choice, facts, names or {}), 'green' if choice.name else 'yellow')}{s(rules, 'dim')}")
    lines += ["", s("Why", "bold")]
    explained: set[str] = set()
    for slot, choice in rec.slots().items():
        fresh = [r for r in choice.rules if r not in explained]
        explained.update(fresh)
        text = " ".join(rec.rationales[r] for r in fresh) if fresh else (
            f"see above ({', '.join(choice.rules)})" if choice.rules else choice.rationale
        )
        lines.append(_wrap(f"{LABELS[slot]}: {text}", "  - "))
    alternatives = [(slot, alt) for slot, choice in rec.slots().items() for alt in choice.alternatives]
    if alternatives:
        lines += ["", s("Alternatives", "bold")]
        for slot, alt in alternatives:
            params = ", ".join(f"{k}={_value(v)}" for k, v in alt.params.items() if k != "units")
            name = f"{alt.name} ({params})" if params else alt.name
            lines.append(_wrap(f"{LABELS[slot]} {name}: when {alt.prefer_when}", "  - "))
    if rec.notes:
        lines += ["", s("Notes", "bold")]
        lines += [_wrap(note.text, "  - ") for note in rec.notes]
    if rec.problem.assumptions:
        lines += ["", s("Assumed", "bold")]
        lines += [_wrap(a, "  - ") for a in rec.problem.assumptions]
    if rec.demos:
        lines += ["", s("Evidence", "bold") + f": nnadvisor demo {' | '.join(rec.demos)}"]
    if code:
        framework = facts.get("framework")
        for name, title in FRAMEWORKS.items():
            if rec.snippets.get(name) and framework in (name, "generic", None):
                lines += ["", s(title, "bold"), textwrap.indent(rec.snippets[name].rstrip("\n"), "    ")]
    return "\n".join(lines) + "\n"
