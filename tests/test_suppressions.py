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
    doc = json.loads(cli("check", "--format", "json", str(path)).out)
    assert sorted(f["rule_id"] for f in doc["findings"]) == ["NNA000", "NNA003"]
    assert "NNA000 cannot be suppressed" in next(f["message"] for f in doc["findings"] if f["rule_id"] == "NNA003")


def test_suppressions_in_an_unreadable_file_are_not_called_unused(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layers: [{type: dense, units: 1}]  # nnadvisor: ignore[NNA402]\nloss: mse  # nnadvisor: ignore\nlayerz: 1\nx: [\n")
    assert [f[0] for f in findings(cli, path)] == ["NNA000"]


def test_unknown_code_is_reported_as_unknown_not_unused(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layers:\n  - {type: dense, units: 1}  # nnadvisor: ignore[NNA999, NNA402]\nloss: mse\noptimizer: adam\n")
    doc = json.loads(cli("check", "--format", "json", str(path)).out)
    messages = [f["message"] for f in doc["findings"]]
    assert messages == [
        "unknown rule code in suppression: NNA999 (no rule has it; `nnadvisor rules` lists the codes)",
        "unused suppression: NNA402 reported nothing on line 2",
    ]
    assert all(f["rule_id"] == "NNA003" and f["severity"] == "info" for f in doc["findings"])


def test_a_prefix_is_a_known_code(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layers:\n  - {type: dense, units: 1}  # nnadvisor: ignore[NNA4]\nloss: mse\noptimizer: adam\n")
    (finding,) = json.loads(cli("check", "--format", "json", str(path)).out)["findings"]
    assert finding["message"] == "unused suppression: NNA4 reported nothing on line 2"


def test_bare_ignore_silences_every_code_on_its_line(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    config = "task: multiclass\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\noptimizer: {name: adam, learning_rate: -1}\n"
    path.write_text(config)
    assert {f[0] for f in findings(cli, path)} >= {"NNA101", "NNA501"}  # and NNA108 until supersede() is wired
    path.write_text(config.replace("loss: mse", "loss: mse  # nnadvisor: ignore").replace("learning_rate: -1}", "learning_rate: -1}  # nnadvisor: ignore"))
    assert findings(cli, path) == []
    path.write_text(config.replace("loss: mse", "# the softmax is on purpose: nnadvisor: ignore\nloss: mse"))
    assert {f[0] for f in findings(cli, path)} == {"NNA501"}


def test_unused_bare_ignore_is_reported(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("layers:\n  - {type: dense, units: 1}  # nnadvisor: ignore\nloss: mse\noptimizer: adam\n")
    (finding,) = json.loads(cli("check", "--format", "json", str(path)).out)["findings"]
    assert (finding["rule_id"], finding["line"]) == ("NNA003", 2)
    assert finding["message"] == "unused suppression: `# nnadvisor: ignore` silenced nothing on line 2"


def test_malformed_suppressions_are_reported_and_silence_nothing(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("task: multiclass\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse  # nnadvisor: ignore NNA101\n")
    found = json.loads(cli("check", "--format", "json", str(path)).out)["findings"]
    assert {"NNA101", "NNA003"} <= {f["rule_id"] for f in found}
    assert "write the codes in brackets, `# nnadvisor: ignore[NNA101]`" in next(f["message"] for f in found if f["rule_id"] == "NNA003")
    path.write_text("layers:\n  - {type: dense, units: 1}  # nnadvisor: ignore[]\nloss: mse\n")
    (finding,) = json.loads(cli("check", "--format", "json", str(path)).out)["findings"]
    assert "no code in the brackets" in finding["message"]


def test_bare_ignore_in_python(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    source = "import torch\nfrom torch import nn\n\nmodel = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=-1))\nloss_fn = nn.CrossEntropyLoss()\n\n\ndef step(x, y):\n    return loss_fn(model(x), y)\n"
    path.write_text(source)
    assert ("NNA103", 4) in findings(cli, path)
    path.write_text(source.replace("(dim=-1))\n", "(dim=-1))  # nnadvisor: ignore\n"))
    assert findings(cli, path) == []
