"""The shape of a rule file (one YAML file per rule under ``rules/``); see docs/rule-format.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from nnadvisor.engine.conditions import Condition
from nnadvisor.terms import Severity

RuleId = Annotated[str, StringConstraints(pattern=r"^NNA\d{3}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PatchOp(_Strict):
    """A JSON Patch (RFC 6902) operation; ``path`` may start with ``@fact.path`` (that fact's pointer)."""

    op: Literal["add", "remove", "replace", "test"]
    path: str
    value: Any = None


class Fix(_Strict):
    description: Text
    patch: list[PatchOp] = Field(default_factory=list)


class Case(_Strict):
    """One outcome of a rule with several (severity, message) variants; the first true case wins."""

    when: Condition
    severity: Severity | None = None
    message: Text | None = None
    fix: Fix | None = None
    at: list[str] | None = None


class Example(_Strict):
    """A config (as data) or raw file text (for parse errors) that a rule must fire on, or not."""

    config: dict[str, Any] | None = None
    raw: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Example:
        if (self.config is None) == (self.raw is None):
            raise ValueError("an example has exactly one of config or raw")
        return self


class Examples(_Strict):
    bad: list[Example] = Field(min_length=1)
    good: list[Example] = Field(min_length=1)


class Rule(_Strict):
    id: RuleId
    name: Slug
    severity: Severity
    category: Slug
    message: Text
    rationale: Text
    fix: Fix | None = None
    references: list[Text] = Field(min_length=1)
    source: Literal["rules", "reader"] = "rules"
    """``reader``: findings come from reading the file (NNA000), the rule only documents them."""
    for_each: Literal["layers", "names"] | None = None
    when: Condition | None = None
    cases: list[Case] = Field(default_factory=list)
    at: list[str] = Field(default_factory=list)
    demo: Slug | None = None
    examples: Examples

    @model_validator(mode="after")
    def _has_condition(self) -> Rule:
        if self.source == "rules" and self.when is None and not self.cases:
            raise ValueError("a rule needs `when` or `cases`")
        if self.source == "rules" and not self.at:
            raise ValueError("a rule needs `at`: the fact paths whose config key a finding points at")
        return self
