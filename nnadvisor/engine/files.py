"""The shapes of the rule-base files (pydantic): rules, the vocabulary, inference.

Used when the rule base is validated (see docs/rule-format.md); the hot path of ``check`` works
on the validated data, dumped to plain dicts and compiled (:mod:`nnadvisor.engine.compiled`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, model_validator

from nnadvisor.terms import Expects, Framework, LabelFormat, LossFamily, OutputRange, Severity, Task

Op = Literal[
    "equals", "not_equals", "in", "not_in", "contains", "not_contains", "contains_any",
    "gt", "gte", "lt", "lte", "between", "outside", "exists", "not_exists",
]  # fmt: skip
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}\d{3}$")]
"""``NNA`` + three digits for the built-in rules; rule packs use a prefix of their own."""
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Leaf(_Strict):
    path: str
    op: Op
    value: Any = None


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


def _kind(data: Any) -> str | None:
    if isinstance(data, (Leaf, AllOf, AnyOf, NotOf)):
        return type(data).__name__
    if isinstance(data, Mapping):
        for key, tag in (("all", "AllOf"), ("any", "AnyOf"), ("not", "NotOf")):
            if key in data:
                return tag
        return "Leaf"  # validate as a leaf, so the error names the missing keys
    return None


Condition = Annotated[
    Union[
        Annotated[Leaf, Tag("Leaf")],
        Annotated[AllOf, Tag("AllOf")],
        Annotated[AnyOf, Tag("AnyOf")],
        Annotated[NotOf, Tag("NotOf")],
    ],
    Discriminator(_kind, custom_error_type="condition", custom_error_message="a condition is a mapping with one of all, any, not or path"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class PatchOp(_Strict):
    """A JSON Patch (RFC 6902) operation; ``path`` may start with ``@fact.path`` (that fact's pointer)."""

    op: Literal["add", "remove", "replace", "test"]
    path: str
    value: Any = None


class Fix(_Strict):
    description: Text
    patch: list[PatchOp] = Field(default_factory=list)
    applicability: Literal["safe", "unsafe"] = "unsafe"
    """``safe`` only when the fix cannot change what a correct program computes (as ruff uses the
    word): ``check --fix`` applies it. Changing a loss or an output activation changes training,
    so almost every fix here is ``unsafe`` and applied only with ``--unsafe-fixes``."""


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
    format: str = "nnadvisor"
    """The reader for ``raw`` (``keras``, ``pytorch``, ...): examples of reader rules use it."""
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
    supersedes: list[RuleId] = Field(default_factory=list)
    """Rules that say the same thing in a more general way: where this rule and one of them fire
    at the same config key, only this rule's finding is reported, and its message names the other."""
    demo: Slug | None = None
    examples: Examples

    @model_validator(mode="after")
    def _has_condition(self) -> Rule:
        if self.source == "rules" and self.when is None and not self.cases:
            raise ValueError("a rule needs `when` or `cases`")
        if self.source == "rules" and not self.at:
            raise ValueError("a rule needs `at`: the fact paths whose config key a finding points at")
        return self


# --- rules/vocabulary.yaml --------------------------------------------------------------------


class Alias(_Strict):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    framework: Framework | None = None


class ActivationEntry(_Strict):
    aliases: list[str | Alias] = Field(default_factory=list)
    range: OutputRange
    nonlinear: bool = True
    probability: bool = False
    saturating: bool = False


class FrameworkOverride(_Strict):
    from_logits: bool | None = None
    labels: list[LabelFormat] | None = None
    expects: Expects | None = None


class LossEntry(_Strict):
    aliases: list[str | Alias] = Field(default_factory=list)
    family: LossFamily
    expects: Expects
    from_logits_expects: Expects | None = None
    labels: list[LabelFormat]
    frameworks: dict[Framework, FrameworkOverride] = Field(default_factory=dict)


class OptimizerEntry(_Strict):
    aliases: list[str | Alias] = Field(default_factory=list)
    family: str


ModulePath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
"""A dotted module path as Python code writes it (``torch.nn``, ``tf.keras.losses``)."""


class VocabularyFile(_Strict):
    activations: dict[str, ActivationEntry]
    losses: dict[str, LossEntry]
    optimizers: dict[str, OptimizerEntry]
    qualifiers: dict[Literal["activation", "loss", "optimizer"], dict[ModulePath, Framework | None]] = Field(default_factory=dict)
    """Per kind, the module paths a name may be written under (``torch.nn.CrossEntropyLoss``) and
    the framework whose semantics the path brings (``None``: none in particular)."""


# --- rules/inference.yaml ---------------------------------------------------------------------


class InferTask(_Strict):
    value: Task
    when: Condition


class InferenceFile(_Strict):
    """The first matching entry sets the fact when the config does not give it."""

    task: list[InferTask]


# --- rules/recommend/ ---------------------------------------------------------------------------

Slot = Literal["output_activation", "loss", "optimizer", "hidden_activation"]
SLOT_KIND: dict[str, str] = {
    "output_activation": "activation",
    "loss": "loss",
    "optimizer": "optimizer",
    "hidden_activation": "activation",
}


class Choice(_Strict):
    """A rule's contribution to one slot: a canonical name, parameters, or both.

    A parameter value may be ``{ref: fact.path}`` (``units: {ref: num_classes}``)."""

    name: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class Alternative(_Strict):
    slot: Slot
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    prefer_when: Text


class Note(_Strict):
    topic: Slug
    text: Text


class RecommendExample(_Strict):
    problem: dict[str, Any]
    expect: dict[Slot, str] = Field(min_length=1)
    """Slot -> canonical name the recommendation must choose for ``problem``."""


class RecommendRule(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^NNR\d{3}$")]
    name: Slug
    priority: int = Field(ge=0, le=1000)
    """Per slot, the firing rule with the highest priority chooses the name."""
    when: Condition | None = None
    """Absent: the rule always fires (a default)."""
    choose: dict[Slot, Choice] = Field(default_factory=dict)
    alternatives: list[Alternative] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    rationale: Text
    references: list[Text] = Field(min_length=1)
    demo: Slug | None = None
    examples: list[RecommendExample] = Field(min_length=1)


class ProblemDefault(_Strict):
    """Sets a problem field the user did not give; ``why`` is stated as an assumption."""

    field: str
    value: Any
    when: Condition | None = None
    why: Text


class ProblemCheck(_Strict):
    """An inconsistent problem: ``error`` is a usage error (exit 2), ``assumption`` is stated."""

    id: Slug
    when: Condition
    level: Literal["error", "assumption"]
    message: Text


class ProblemFile(_Strict):
    """``rules/recommend/problem.yaml``."""

    defaults: list[ProblemDefault]
    checks: list[ProblemCheck]
