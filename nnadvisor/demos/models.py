"""Result models of the demonstrations and the verdict arithmetic.

Pure pydantic and the standard library (no NumPy), so a caller can validate, load and render
results without paying for the numerical stack.

The JSON contract (docs: evidence.md) is the prefix of :class:`DemoResult`::

    {"schema_version": 1, "scenario", "claim", "metric": {"name", "higher_is_better"}, "seeds",
     "configs": [{"label", "recommended", "values", "curve"}],
     "verdict": {"recommended_wins", "of", "summary"}, "seconds"}

Fields added beyond the contract: ``rules``, ``curve_label``, ``curves_comparable``,
``comparisons`` (secondary tables with their own computed summaries), ``notes`` (lines generated
from measured numbers), ``extra`` (the raw analytic numbers) and ``seed_counts`` (the ``details``
that are per-seed yes/no flags, shown as a number of seeds) on the result; ``details`` (further
per-seed measurements) on each config; ``supported``, ``ties`` and ``beats`` on the verdict.

The verdict is arithmetic, never prose written by hand: ``recommended_wins`` counts the seeds on
which the recommended configuration is *strictly* better than every other configuration of the
same table (a tie for first place is not a win), and the summary line is generated from the
values. A result whose verdict does not match its own values fails validation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION: Literal[1] = 1

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
"""Every number in a result is finite: JSON has no NaN or infinity, and a diverged run is
reported through ``details`` and the metric definition, not through a non-number."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricInfo(_Model):
    """What is compared: ``name`` (e.g. ``test_accuracy``) and its direction."""

    name: str
    higher_is_better: bool


class ScenarioInfo(_Model):
    """A scenario as listed by ``nnadvisor demo`` (no numbers: nothing has run)."""

    name: str
    claim: str
    rules: list[str]


class ConfigResult(_Model):
    """One configuration over all seeds: the final metric per seed and the loss curve per seed.

    ``curve[i]`` is the training loss per epoch on seed ``seeds[i]``; it is shorter than the
    others when that run stopped early (a non-finite loss). ``details`` holds further per-seed
    measurements (e.g. ``test_accuracy`` next to a log-loss metric, ``grad_ratio``,
    ``diverged`` as 0/1), each a list aligned with ``seeds``.
    """

    label: str
    recommended: bool
    values: list[FiniteFloat]
    curve: list[list[FiniteFloat]]
    details: dict[str, list[FiniteFloat]] = Field(default_factory=dict)


class Verdict(_Model):
    """``recommended_wins`` of ``of`` seeds, and one generated line saying what that means.

    ``supported`` is ``recommended_wins > of / 2``; ``ties`` counts seeds on which the
    recommended configuration shared first place (not wins); ``beats[label]`` counts the seeds on
    which it was strictly better than that one other configuration.
    """

    recommended_wins: int
    of: int
    summary: str
    supported: bool
    ties: int = 0
    beats: dict[str, int] = Field(default_factory=dict)


class Comparison(_Model):
    """A secondary table: more configurations measured on the same seeds.

    Used where the claim does not rank every configuration shown (e.g. several activations that
    all train at depth 15, or the same losses under another optimizer). ``verdict`` is present
    when the table has a recommended configuration; ``summary`` is always generated.
    """

    title: str
    metric: MetricInfo
    configs: list[ConfigResult]
    summary: str
    verdict: Verdict | None = None


class DemoResult(_Model):
    """One run of one scenario; see the module docstring for the contract."""

    schema_version: Literal[1] = SCHEMA_VERSION
    scenario: str
    claim: str
    metric: MetricInfo
    seeds: list[int]
    configs: list[ConfigResult]
    verdict: Verdict
    seconds: FiniteFloat
    rules: list[str] = Field(default_factory=list)
    curve_label: str = "training loss per epoch"
    curves_comparable: bool = False
    comparisons: list[Comparison] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    seed_counts: list[str] = Field(default_factory=list)
    """``details`` keys that are 0/1 per seed (``diverged``): tables show how many seeds (2/5),
    as the ``won`` column does, not their mean."""

    @field_validator("extra")
    @classmethod
    def _extra_is_finite_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_json(value, "extra")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DemoResult:
        n = len(self.seeds)
        if n == 0:
            raise ValueError("a result needs at least one seed")
        _check_table(self.configs, n, "configs", need_recommended=True)
        expected = make_verdict(self.metric, self.configs)
        if (self.verdict.recommended_wins, self.verdict.of) != (
            expected.recommended_wins,
            expected.of,
        ):
            raise ValueError(
                f"verdict says {self.verdict.recommended_wins}/{self.verdict.of} but the values "
                f"give {expected.recommended_wins}/{expected.of}"
            )
        for comp in self.comparisons:
            _check_table(comp.configs, n, f"comparison {comp.title!r}", need_recommended=False)
        for key in self.seed_counts:
            for c in [*self.configs, *(c for comp in self.comparisons for c in comp.configs)]:
                if any(v not in (0.0, 1.0) for v in c.details.get(key, ())):
                    raise ValueError(f"seed count {key!r} of {c.label!r} is not 0 or 1 per seed")
        return self


def _check_json(value: Any, where: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: non-finite number {value!r}")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where}: key {k!r} is not a string")
            _check_json(v, f"{where}.{k}")
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_json(v, f"{where}[{i}]")
        return
    raise ValueError(f"{where}: {type(value).__name__} is not JSON")


def _check_table(
    configs: Sequence[ConfigResult], n: int, where: str, *, need_recommended: bool
) -> None:
    if not configs:
        raise ValueError(f"{where}: no configurations")
    labels = [c.label for c in configs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"{where}: duplicate labels")
    recommended = sum(c.recommended for c in configs)
    if recommended > 1 or (need_recommended and recommended != 1):
        raise ValueError(f"{where}: expected exactly one recommended configuration")
    for c in configs:
        if len(c.values) != n or len(c.curve) != n:
            raise ValueError(f"{where}: {c.label!r} needs one value and one curve per seed")
        for key, vals in c.details.items():
            if len(vals) != n:
                raise ValueError(f"{where}: {c.label!r} details {key!r} needs one entry per seed")


# --- verdict arithmetic ---------------------------------------------------------------------


def _better(a: float, b: float, higher_is_better: bool) -> bool:
    return a > b if higher_is_better else a < b


def seed_winners(configs: Sequence[ConfigResult], higher_is_better: bool) -> list[int | None]:
    """Per seed, the index of the configuration strictly better than all others, or None (tie)."""
    n = len(configs[0].values)
    out: list[int | None] = []
    for s in range(n):
        vals = [c.values[s] for c in configs]
        best = max(vals) if higher_is_better else min(vals)
        at_best = [i for i, v in enumerate(vals) if v == best]
        out.append(at_best[0] if len(at_best) == 1 else None)
    return out


def recommended_wins(configs: Sequence[ConfigResult], higher_is_better: bool) -> int:
    """Seeds on which the recommended configuration beat every other one (ties are not wins)."""
    rec = _recommended_index(configs)
    return sum(1 for w in seed_winners(configs, higher_is_better) if w == rec)


def _recommended_index(configs: Sequence[ConfigResult]) -> int:
    idx = [i for i, c in enumerate(configs) if c.recommended]
    if len(idx) != 1:
        raise ValueError("expected exactly one recommended configuration")
    return idx[0]


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def fmt(x: float) -> str:
    """A number for a summary line: three significant digits, scientific when tiny or huge."""
    if x == 0.0:
        return "0"
    a = abs(x)
    if a >= 1e4 or a < 1e-3:
        return f"{x:.2e}"
    return f"{x:.3g}"


def _human(metric: MetricInfo) -> str:
    return metric.name.replace("_", " ")


def _vs_text(configs: Sequence[ConfigResult], skip: int | None = None) -> str:
    return ", ".join(
        f"{c.label} {fmt(mean(c.values))}" for i, c in enumerate(configs) if i != skip
    )


def make_verdict(metric: MetricInfo, configs: Sequence[ConfigResult]) -> Verdict:
    """Compute the verdict of a table with one recommended configuration.

    The summary is one line generated from the numbers. When the recommended configuration does
    not win on most seeds it starts with ``claim NOT supported:``.
    """
    rec = _recommended_index(configs)
    hib = metric.higher_is_better
    n = len(configs[rec].values)
    winners = seed_winners(configs, hib)
    wins = sum(1 for w in winners if w == rec)
    rv = configs[rec].values
    ties = 0
    for s in range(n):
        rivals = [c.values[s] for i, c in enumerate(configs) if i != rec]
        if rivals and rv[s] == (max(rivals) if hib else min(rivals)):
            ties += 1
    beats = {
        c.label: sum(1 for s in range(n) if _better(rv[s], c.values[s], hib))
        for i, c in enumerate(configs)
        if i != rec
    }
    supported = 2 * wins > n
    r = configs[rec]
    others = [c for i, c in enumerate(configs) if i != rec]
    head = f"{r.label} wins {wins}/{n} seeds" if supported else (
        f"claim NOT supported: {r.label} wins only {wins}/{n} seeds"
    )
    summary = (
        f"{head}: mean {_human(metric)} {fmt(mean(r.values))} vs {_vs_text(configs, skip=rec)}"
    )
    if ties:
        summary += f"; tied for best on {ties}"
    if not supported and others:
        lost_to = [
            f"{c.label} on {n - beats[c.label]}/{n}" for c in others if beats[c.label] < n
        ]
        if lost_to:
            summary += "; it was not better than " + ", ".join(lost_to)
    return Verdict(
        recommended_wins=wins,
        of=n,
        summary=summary,
        supported=supported,
        ties=ties,
        beats=beats,
    )


def summarize_table(metric: MetricInfo, configs: Sequence[ConfigResult]) -> str:
    """One generated line for a table without a recommended configuration."""
    if len(configs) == 1:
        return f"mean {_human(metric)}: {configs[0].label} {fmt(mean(configs[0].values))}"
    n = len(configs[0].values)
    winners = seed_winners(configs, metric.higher_is_better)
    counts = [sum(1 for w in winners if w == i) for i in range(len(configs))]
    ranked = sorted(
        range(len(configs)),
        key=lambda i: mean(configs[i].values),
        reverse=metric.higher_is_better,
    )
    means = ", ".join(f"{configs[i].label} {fmt(mean(configs[i].values))}" for i in ranked)
    top = max(range(len(configs)), key=lambda i: counts[i])
    if 2 * counts[top] > n:
        lead = f"{configs[top].label} best on {counts[top]}/{n} seeds"
    else:
        spread = ", ".join(
            f"{configs[i].label} {counts[i]}" for i in range(len(configs)) if counts[i]
        )
        lead = f"no configuration best on most seeds (best per seed: {spread or 'ties'})"
    return f"{lead}; mean {_human(metric)}: {means}"


def make_comparison(
    title: str, metric: MetricInfo, configs: Sequence[ConfigResult]
) -> Comparison:
    """Build a secondary table with its generated summary (and verdict if one is recommended)."""
    if any(c.recommended for c in configs):
        verdict = make_verdict(metric, configs)
        return Comparison(
            title=title,
            metric=metric,
            configs=list(configs),
            summary=verdict.summary,
            verdict=verdict,
        )
    return Comparison(
        title=title, metric=metric, configs=list(configs), summary=summarize_table(metric, configs)
    )
