"""Inline ``# nnadvisor: ignore[...]`` suppressions, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner

DEEP = "\n".join(
    ["task: multiclass", "num_classes: 3", "layers:"]
    + ["  - {type: dense, units: 8, activation: sigmoid}"] * 6
    + ["  - {type: dense, units: 3, activation: softmax}", "loss: categorical_crossentropy", "optimizer: adam", ""]
)


def findings(cli: CliRunner, path: Path) -> list[tuple[str, int]]:
    doc = json.loads(cli("check", "--format", "json", str(path)).out)
    return [(f["rule_id"], f["line"]) for f in doc["findings"]]


def test_trailing_comment_suppresses_that_line(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(DEEP)
    before = findings(cli, path)
    assert ("NNA402", 3) in before
    path.write_text(DEEP.replace("layers:", "layers:  # nnadvisor: ignore[NNA402]"))
    assert ("NNA402", 3) not in findings(cli, path)


def test_comment_line_suppresses_the_next_line(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(DEEP.replace("layers:", "# sigmoid is intended here; nnadvisor: ignore[NNA4]\nlayers:"))
    assert not [f for f in findings(cli, path) if f[0] == "NNA402"]


def test_unused_suppression_is_reported(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layers:\n  - {type: dense, units: 1}  # nnadvisor: ignore[NNA402, NNA101]\nloss: mse\noptimizer: adam\n")
    doc = json.loads(cli("check", "--format", "json", str(path)).out)
    (finding,) = doc["findings"]
    assert (finding["rule_id"], finding["severity"], finding["line"]) == ("NNA003", "info", 2)
    assert "NNA402, NNA101" in finding["message"]
    assert cli("check", "--ignore", "NNA003", str(path)).code == 0


def test_nna000_cannot_be_suppressed(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layers: [  # nnadvisor: ignore[NNA000]\n")
    assert [f[0] for f in findings(cli, path)] == ["NNA000"]
