"""The recommendation (the JSON contract of cli.md for ``recommend --format json``).

Standard-library dataclasses, like the lint findings, so that ``recommend`` starts without
building pydantic models; ``nnadvisor schema recommendation`` derives the JSON Schema from them
with pydantic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class AlternativeOut:
    name: str
    params: dict[str, Any]
    prefer_when: str
    rule: str


@dataclass
class SlotChoice:
    """One decision. ``name`` is None when the rules cannot decide (``rationale`` says why)."""

    name: str | None
    params: dict[str, Any]
    rationale: str
    rules: list[str]
    alternatives: list[AlternativeOut] = field(default_factory=list)


@dataclass
class NoteOut:
    topic: str
    text: str
    rule: str


@dataclass
class ProblemOut:
    """The problem as the rules saw it: every field, and what was assumed to get there."""

    facts: dict[str, Any]
    given: list[str]
    assumptions: list[str]


@dataclass
class Recommendation:
    problem: ProblemOut
    output_activation: SlotChoice
    loss: SlotChoice
    optimizer: SlotChoice
    hidden_activation: SlotChoice
    notes: list[NoteOut]
    snippets: dict[str, str]
    demos: list[str]
    rationales: dict[str, str]
    """Rule id -> its rationale, for every rule that contributed (each slot's text joins these)."""
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": data.pop("schema_version"), **data}

    def slots(self) -> dict[str, SlotChoice]:
        return {
            "output_activation": self.output_activation,
            "loss": self.loss,
            "optimizer": self.optimizer,
            "hidden_activation": self.hidden_activation,
        }
