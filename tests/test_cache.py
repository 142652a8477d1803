"""The rule-base and results caches change speed only, never results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nnadvisor.resources import rules_dir
from nnadvisor.rulebase import load_rulebase
from tests.conftest import CliRunner

BAD = "layers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(directory))
    return directory


def test_cached_results_equal_fresh_results(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    fresh = cli("check", "--no-cache", "--format", "json", str(config))
    assert not (cache / "results-v1").exists()
    first = cli("check", "--format", "json", str(config))
    second = cli("check", "--format", "json", str(config))
    assert fresh.out == first.out == second.out and second.code == 1
    assert list((cache / "results-v1").rglob("*.json"))


def test_same_content_under_another_name_reports_that_name(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(BAD)
    b.write_text(BAD)
    cli("check", str(a))
    doc = json.loads(cli("check", "--format", "json", str(b)).out)
    assert {f["file"] for f in doc["findings"]} == {str(b)}


def test_edited_file_misses(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    assert cli("check", str(config)).code == 1
    config.write_text(BAD.replace("loss: mse", "loss: categorical_crossentropy"))
    assert cli("check", str(config)).code == 0


def test_corrupt_cache_entries_are_ignored(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    expected = cli("check", "--format", "json", str(config)).out
    for entry in cache.rglob("*.json"):
        entry.write_text("{not json")
    assert cli("check", "--format", "json", str(config)).out == expected


def test_edited_rule_invalidates_the_rule_base(tmp_path: Path, cache: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    before = load_rulebase(root)
    rule = root / "lint" / "NNA101-softmax-with-regression-loss.yaml"
    rule.write_text(rule.read_text().replace("severity: error", "severity: warning", 1))
    after = load_rulebase(root)
    assert before.fingerprint != after.fingerprint
    assert {r["id"]: r["severity"] for r in after.rules}["NNA101"] == "warning"
    assert load_rulebase(root, use_cache=False).rules == after.rules


def test_invalid_rule_is_a_usage_error_with_file_and_line(cli: CliRunner, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    rule = root / "lint" / "NNA101-softmax-with-regression-loss.yaml"
    rule.write_text(rule.read_text().replace("path: loss.family", "path: loss.familly"))
    monkeypatch.setattr("nnadvisor.rulebase.rules_dir", lambda: root)
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    result = cli("check", str(config))
    assert result.code == 2
    assert "NNA101-softmax-with-regression-loss.yaml:" in result.err
    assert "unknown path 'loss.familly'" in result.err and "did you mean 'loss.family'" in result.err
