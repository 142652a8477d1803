"""Execute a scenario plan over seeds and assemble the :class:`DemoResult`.

A scenario module exposes ``plan() -> Plan``: the configurations of its main table (one
recommended), optional secondary comparisons, and an optional probe that computes analytic
numbers and generated notes from what was measured. Each configuration is a function
``seed -> Run`` that must depend on nothing but the seed, so a seed's value is the same whether it
runs alone or among others (the tests check this).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import models
from ._blas import single_thread
from .models import ConfigResult, DemoResult, MetricInfo


@dataclass(frozen=True)
class Run:
    """One configuration on one seed: the final metric, the loss per epoch, further numbers."""

    value: float
    curve: list[float]
    details: dict[str, float] = field(default_factory=dict)


RunFn = Callable[[int], Run]


@dataclass(eq=False)
class Config:
    """A labelled configuration; ``fn(seed)`` trains/probes it and returns a :class:`Run`.

    Identity matters: the same object placed in the main table and in a comparison runs once.
    """

    label: str
    fn: RunFn
    recommended: bool = False


@dataclass
class Group:
    """A secondary comparison table; ``metric`` defaults to the scenario's metric.

    With ``ranked=False`` the table makes no recommendation (every ``recommended`` flag is
    dropped there) and its summary only says which configuration was best on most seeds.
    """

    title: str
    configs: list[Config]
    metric: MetricInfo | None = None
    ranked: bool = True


class Measured:
    """The runs of every configuration, per seed, for probes that derive further numbers."""

    def __init__(self) -> None:
        self._runs: dict[int, list[Run]] = {}

    def add(self, cfg: Config, runs: list[Run]) -> None:
        self._runs[id(cfg)] = runs

    def has(self, cfg: Config) -> bool:
        return id(cfg) in self._runs

    def runs(self, cfg: Config) -> list[Run]:
        return self._runs[id(cfg)]

    def values(self, cfg: Config) -> list[float]:
        return [r.value for r in self.runs(cfg)]

    def detail(self, cfg: Config, key: str) -> list[float]:
        return [r.details[key] for r in self.runs(cfg)]


Probe = Callable[[Sequence[int], Measured], tuple[dict[str, Any], list[str]]]


@dataclass
class Plan:
    configs: list[Config]
    comparisons: list[Group] = field(default_factory=list)
    probe: Probe | None = None
    curve_label: str = "training loss per epoch"
    curves_comparable: bool = False
    seed_counts: tuple[str, ...] = ()
    """``details`` keys that are 0/1 flags per seed (shown as a number of seeds)."""


def _measure(cfg: Config, seeds: Sequence[int], measured: Measured) -> list[Run]:
    if not measured.has(cfg):
        runs = [cfg.fn(s) for s in seeds]
        for s, r in zip(seeds, runs):
            if not math.isfinite(r.value):
                raise RuntimeError(f"{cfg.label!r} seed {s}: non-finite metric {r.value!r}")
        measured.add(cfg, runs)
    return measured.runs(cfg)


def _result(cfg: Config, runs: list[Run], recommended: bool) -> ConfigResult:
    keys = list(runs[0].details)
    return ConfigResult(
        label=cfg.label,
        recommended=recommended,
        values=[float(r.value) for r in runs],
        curve=[[float(v) for v in r.curve] for r in runs],
        details={k: [float(r.details[k]) for r in runs] for k in keys},
    )


def execute(
    *,
    name: str,
    claim: str,
    rules: Sequence[str],
    metric: MetricInfo,
    plan_fn: Callable[[], Plan],
    seeds: Sequence[int],
) -> DemoResult:
    """Run ``plan_fn()`` on ``seeds`` and return the validated result (timed end to end)."""
    start = time.perf_counter()
    with single_thread():
        plan = plan_fn()
        measured = Measured()
        main = [_result(c, _measure(c, seeds, measured), c.recommended) for c in plan.configs]
        comparisons = []
        for group in plan.comparisons:
            gm = group.metric or metric
            table = [
                _result(c, _measure(c, seeds, measured), c.recommended and group.ranked)
                for c in group.configs
            ]
            comparisons.append(models.make_comparison(group.title, gm, table))
        extra: dict[str, Any] = {}
        notes: list[str] = []
        if plan.probe is not None:
            extra, notes = plan.probe(seeds, measured)
    verdict = models.make_verdict(metric, main)
    seconds = time.perf_counter() - start
    return DemoResult(
        scenario=name,
        claim=claim,
        metric=metric,
        seeds=list(seeds),
        configs=main,
        verdict=verdict,
        seconds=round(seconds, 3),
        rules=list(rules),
        curve_label=plan.curve_label,
        curves_comparable=plan.curves_comparable,
        comparisons=comparisons,
        notes=notes,
        extra=extra,
        seed_counts=list(plan.seed_counts),
    )
