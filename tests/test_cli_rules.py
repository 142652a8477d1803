"""``nnadvisor rules``, ``explain`` and ``--version`` through the real entry point."""

from __future__ import annotations

import json

from nnadvisor import __version__
from nnadvisor.rulebase import rule_models
from tests.conftest import CliRunner


def test_version(cli: CliRunner) -> None:
    result = cli("--version")
    assert (result.code, result.out) == (0, f"nnadvisor {__version__}\n")


def test_rules_lists_every_rule(cli: CliRunner) -> None:
    result = cli("rules")
    assert result.code == 0
    for rule in rule_models():
        assert rule.id in result.out and rule.name in result.out


def test_rules_json(cli: CliRunner) -> None:
    data = json.loads(cli("rules", "--format", "json").out)
    assert [r["id"] for r in data] == sorted(r["id"] for r in data)
    assert {"id": "NNA101", "name": "softmax-with-regression-loss", "severity": "error", "category": "output-loss", "demo": "multiclass-loss"} in data


def test_explain_by_code_and_name(cli: CliRunner) -> None:
    by_code = cli("explain", "nna101")
    by_name = cli("explain", "softmax-with-regression-loss")
    assert by_code.code == 0 and by_code.out == by_name.out
    for part in ("Why", "Fix", "Examples (bad)", "Examples (good)", "References", "nnadvisor demo multiclass-loss"):
        assert part in by_code.out


def test_explain_json_includes_examples(cli: CliRunner) -> None:
    data = json.loads(cli("explain", "NNA501", "--format", "json").out)
    assert data["id"] == "NNA501" and data["examples"]["bad"]


def test_explain_unknown_code_suggests(cli: CliRunner) -> None:
    result = cli("explain", "NNA10")
    assert result.code == 2
    assert "no rule 'NNA10'" in result.err and "did you mean" in result.err
