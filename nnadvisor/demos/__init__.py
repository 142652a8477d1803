"""Demonstrations: each piece of advice backed by numbers from the NumPy reference.

A scenario trains or probes several configurations side by side over several seeds (default
0..4) and reports the metric per configuration and seed, the loss curves, how many seeds the
recommended configuration won, and a verdict line computed from those numbers.

API::

    list_scenarios() -> list[ScenarioInfo]          # name, claim, rules (no NumPy imported)
    run(name, seeds=None) -> DemoResult             # UnknownScenarioError (a KeyError) if unknown
    scenarios_for_rules(["NNA101"]) -> ["multiclass-loss"]

This package knows nothing about the CLI or the rule engine; renderers live in
``nnadvisor.render.demo_text`` (and ``demo_plot``).
"""

from __future__ import annotations

from .models import (
    SCHEMA_VERSION,
    Comparison,
    ConfigResult,
    DemoResult,
    MetricInfo,
    ScenarioInfo,
    Verdict,
    make_comparison,
    make_verdict,
    recommended_wins,
)
from .registry import (
    DEFAULT_SEEDS,
    SCENARIO_NAMES,
    UnknownScenarioError,
    get_scenario,
    list_scenarios,
    run,
    scenarios_for_rules,
)

__all__ = [
    "DEFAULT_SEEDS",
    "SCENARIO_NAMES",
    "SCHEMA_VERSION",
    "Comparison",
    "ConfigResult",
    "DemoResult",
    "MetricInfo",
    "ScenarioInfo",
    "UnknownScenarioError",
    "Verdict",
    "get_scenario",
    "list_scenarios",
    "make_comparison",
    "make_verdict",
    "recommended_wins",
    "run",
    "scenarios_for_rules",
]
