"""``nnadvisor demo``, ``explain --demo`` and ``recommend --demo`` through the real entry point."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from nnadvisor import demos
from tests.conftest import CliRunner


def test_demo_lists_scenarios(cli: CliRunner) -> None:
    result = cli("demo")
    assert result.code == 0
    for info in demos.list_scenarios():
        assert info.name in result.out
    data = json.loads(cli("demo", "--format", "json").out)
    assert [d["name"] for d in data] == [i.name for i in demos.list_scenarios()]
    assert all(set(d) == {"name", "claim", "rules"} for d in data)


def test_demo_json_follows_the_contract(cli: CliRunner) -> None:
    result = cli("demo", "robust-regression", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    for key in ("schema_version", "scenario", "claim", "metric", "seeds", "configs", "verdict", "seconds"):
        assert key in data
    assert data["scenario"] == "robust-regression" and data["seeds"] == [0, 1, 2, 3, 4]
    recommended = [c for c in data["configs"] if c["recommended"]]
    assert len(recommended) == 1
    result_model = demos.DemoResult.model_validate(data)
    wins = demos.recommended_wins(result_model.configs, result_model.metric.higher_is_better)
    assert data["verdict"]["recommended_wins"] == wins


def test_demo_text_has_table_verdict_and_curves(cli: CliRunner) -> None:
    out = cli("demo", "robust-regression").out
    assert "verdict:" in out and "mean" in out and "won" in out
    assert any(ch in out for ch in "▁▂▃▄▅▆▇█")


def test_unknown_demo_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("demo", "multiclass-los")
    assert result.code == 2 and "multiclass-loss" in result.err


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is not None, reason="matplotlib is installed")
def test_plot_without_matplotlib_says_how_to_get_it(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("demo", "robust-regression", "--plot", str(tmp_path / "curves.png"))
    assert result.code == 2 and "matplotlib" in result.err


def test_explain_demo_runs_the_rules_scenario(cli: CliRunner) -> None:
    result = cli("explain", "NNA601", "--demo")
    assert result.code == 0
    assert "NNA601" in result.out and "robust-regression" in result.out and "verdict:" in result.out


@pytest.mark.slow
def test_recommend_demo_runs_the_scenarios_behind_the_fired_rules(cli: CliRunner) -> None:
    data = json.loads(cli("recommend", "--task", "regression", "--outliers", "some", "--format", "json", "--demo").out)
    assert data["demos"] and [d["scenario"] for d in data["demo_results"]] == data["demos"]
    assert "robust-regression" in data["demos"]
