"""The PyTorch fixtures are real code: each one runs (its __main__ block trains one step on a random
batch) where PyTorch is importable. nnadvisor itself never imports or executes them."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from nnadvisor.rulebase import RuleBase
from tests.conftest import CliRunner
from tests.readers.conftest import PYTORCH, check_path

FIXTURES = sorted(PYTORCH.glob("*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_runs_with_pytorch(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    monkeypatch.setenv("NNADVISOR_FIXTURE_MARKER", str(tmp_path / "marker.txt"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    runpy.run_path(str(path), run_name="__main__")


def test_the_side_effect_fixture_really_has_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the next test means something: executing the fixture does create the marker."""
    pytest.importorskip("torch")
    marker = tmp_path / "executed.txt"
    monkeypatch.setenv("NNADVISOR_FIXTURE_MARKER", str(marker))
    runpy.run_path(str(PYTORCH / "side_effect_on_import.py"), run_name="fixture")
    assert marker.exists()


def test_checking_never_executes_the_source(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rulebase: RuleBase) -> None:
    marker = tmp_path / "executed.txt"
    monkeypatch.setenv("NNADVISOR_FIXTURE_MARKER", str(marker))
    source = PYTORCH / "side_effect_on_import.py"
    result = cli("check", "--no-cache", "--format", "json", str(source), cwd=tmp_path)
    assert result.code == 0, result.out
    assert check_path(source, rulebase) == []
    assert not marker.exists()
    assert not (tmp_path / "nnadvisor-fixture-marker.txt").exists()
