"""Shared fixtures: every scenario is run once per session with its default seeds."""

from __future__ import annotations

import pytest

from nnadvisor import demos
from nnadvisor.demos.models import ConfigResult, DemoResult, MetricInfo, make_verdict


@pytest.fixture(scope="session")
def full_results() -> dict[str, DemoResult]:
    """name -> result of ``demos.run(name)`` with the default seeds (about 20 s in total)."""
    return {info.name: demos.run(info.name) for info in demos.list_scenarios()}


def make_result(
    values: dict[str, list[float]],
    recommended: str,
    *,
    higher_is_better: bool = True,
    curves: dict[str, list[list[float]]] | None = None,
) -> DemoResult:
    """A hand-made result whose verdict is computed from ``values``."""
    n = len(next(iter(values.values())))
    metric = MetricInfo(name="test_accuracy", higher_is_better=higher_is_better)
    configs = [
        ConfigResult(
            label=label,
            recommended=label == recommended,
            values=vals,
            curve=(curves or {}).get(label, [[1.0, 0.5, 0.25]] * n),
        )
        for label, vals in values.items()
    ]
    return DemoResult(
        scenario="hand-made",
        claim="a hand-made claim",
        metric=metric,
        seeds=list(range(n)),
        configs=configs,
        verdict=make_verdict(metric, configs),
        seconds=0.0,
        rules=["NNA101"],
    )
