"""The problem description ``recommend`` advises on (config-format.md, "Problem description").

:class:`ProblemDescription` validates a ``--problem`` file; CLI flags arrive already typed. Both
become a plain dict of facts (:data:`PROBLEM_PATHS`), which the defaults and consistency checks of
``rules/recommend/problem.yaml`` complete and vet before the recommendation rules see it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nnadvisor.facts import PathType, enum_path
from nnadvisor.terms import Architecture, Framework, LabelFormat, Outliers, Task, TargetRange, TuningBudget

PROBLEM_PATHS: dict[str, PathType] = {
    "task": enum_path(Task),
    "labels": enum_path(LabelFormat),
    "num_classes": PathType("int"),
    "target_range": enum_path(TargetRange),
    "outliers": enum_path(Outliers),
    "depth": PathType("int", doc="number of hidden layers"),
    "architecture": enum_path(Architecture),
    "framework": enum_path(Framework),
    "samples": PathType("int", doc="training examples"),
    "sparse_features": PathType("bool"),
    "tuning_budget": enum_path(TuningBudget),
    "imbalance": PathType("number", doc="majority/minority class ratio"),
}


class ProblemDescription(BaseModel):
    """A problem file (YAML or JSON). Every field but ``task`` is optional."""

    model_config = ConfigDict(extra="forbid")

    task: Task
    labels: LabelFormat | None = None
    num_classes: int | None = Field(None, ge=1)
    target_range: TargetRange | None = None
    outliers: Outliers | None = None
    depth: int | None = Field(None, ge=0, le=1000)
    architecture: Architecture | None = None
    framework: Framework | None = None
    samples: int | None = Field(None, ge=1)
    sparse_features: bool | None = None
    tuning_budget: TuningBudget | None = None
    imbalance: float | None = Field(None, ge=1.0)


class ProblemFileError(Exception):
    """A problem file that cannot be used: ``file:line: what``."""


def read_problem(raw: bytes | None, path: str) -> dict[str, Any]:
    """The fields of a problem file (``raw``: its bytes, or None to read ``path``), validated."""
    from pydantic import ValidationError

    from nnadvisor.source import SourceError, read_bytes
    from nnadvisor.validation import problems

    try:
        data = raw if raw is not None else Path(path).read_bytes()
    except OSError as exc:
        raise ProblemFileError(f"{path}: {exc.strerror or exc}") from None
    try:
        doc = read_bytes(data)
    except SourceError as exc:
        raise ProblemFileError(f"{path}:{exc.line}: {exc.message}") from None
    if not isinstance(doc.data, dict):
        raise ProblemFileError(f"{path}:1: expected a mapping of problem fields (task, labels, num_classes, ...)")
    try:
        ProblemDescription.model_validate(doc.data)
    except ValidationError as exc:
        first = problems(exc, doc, ProblemDescription)[0]
        raise ProblemFileError(f"{path}:{first.location.line}: {first.message}") from None
    return dict(doc.data)
