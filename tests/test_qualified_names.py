"""Names as users write them (issue 14, item 8): qualified spellings resolve like the bare names.

The module paths are data (``qualifiers`` in rules/vocabulary.yaml); :mod:`nnadvisor.vocabulary`
only removes the longest listed path. A dotted name under any other path stays unknown (NNA001).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnadvisor.rulebase import RuleBase
from tests.conftest import CliRunner


@pytest.mark.parametrize(
    ("kind", "written", "canonical", "framework"),
    [
        ("loss", "nn.CrossEntropyLoss", "categorical_crossentropy", "pytorch"),
        ("loss", "torch.nn.CrossEntropyLoss", "categorical_crossentropy", "pytorch"),
        ("loss", "F.cross_entropy", "categorical_crossentropy", "pytorch"),
        ("loss", "torch.nn.functional.binary_cross_entropy_with_logits", "binary_crossentropy", "pytorch"),
        ("loss", "keras.losses.Huber", "huber", "keras"),
        ("loss", "tf.keras.losses.SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "keras"),
        ("optimizer", "tf.keras.optimizers.Adam", "adam", "keras"),
        ("optimizer", "torch.optim.AdamW", "adamw", "pytorch"),
        ("optimizer", "keras.optimizers.legacy.SGD", "sgd", "keras"),
        ("activation", "nn.Softmax", "softmax", "pytorch"),
        ("activation", "keras.activations.relu", "relu", "keras"),
        ("activation", "tf.nn.sigmoid", "sigmoid", None),
    ],
)
def test_qualified_names_resolve(rulebase: RuleBase, kind: str, written: str, canonical: str, framework: str | None) -> None:
    resolved = rulebase.vocabulary.resolve(kind, written)  # type: ignore[arg-type]
    assert resolved is not None and resolved.canonical == canonical and resolved.framework == framework


def test_alias_params_survive_the_prefix(rulebase: RuleBase) -> None:
    resolved = rulebase.vocabulary.resolve("loss", "nn.BCEWithLogitsLoss")
    assert resolved is not None and resolved.params == {"from_logits": True}


@pytest.mark.parametrize("written", ["mypackage.Adam", "torch.nn.modules.loss.Adam", "nn.CrossEntropyLoss.x"])
def test_other_paths_stay_unknown(rulebase: RuleBase, written: str) -> None:
    assert rulebase.vocabulary.resolve("optimizer" if "Adam" in written else "loss", written) is None


def _check(cli: CliRunner, tmp_path: Path, text: str) -> list[dict[str, object]]:
    config = tmp_path / "model.yaml"
    config.write_text(text)
    result = cli("check", "--format", "json", str(config))
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = json.loads(result.out)["findings"]
    return findings


def test_qualified_names_in_a_config(cli: CliRunner, tmp_path: Path) -> None:
    clean = """task: multiclass
labels: integer
num_classes: 3
framework: pytorch
layers:
  - {type: dense, units: 16, activation: nn.ReLU}
  - {type: dense, units: 3}
loss: torch.nn.CrossEntropyLoss
optimizer: {name: torch.optim.AdamW, lr: 0.001}
"""
    assert _check(cli, tmp_path, clean) == []
    keras = "task: regression\nlayers:\n  - {type: dense, units: 1}\nloss: keras.losses.Huber\noptimizer: tf.keras.optimizers.Adam\n"
    assert _check(cli, tmp_path, keras) == []


def test_qualified_names_fire_rules_like_bare_ones(cli: CliRunner, tmp_path: Path) -> None:
    double = "layers:\n  - {type: dense, units: 3, activation: nn.Softmax}\nloss: nn.CrossEntropyLoss\n"
    found = _check(cli, tmp_path, double)
    assert [f["rule_id"] for f in found] == ["NNA103"]
    assert "nn.CrossEntropyLoss" in str(found[0]["message"])  # the name as written


def test_the_prefix_brings_its_framework(cli: CliRunner, tmp_path: Path) -> None:
    # keras.losses.Hinge converts 0/1 labels itself (NNA304 is about hinge outside Keras).
    hinge = "task: binary\nlabels: binary\nlayers:\n  - {type: dense, units: 1}\nloss: "
    assert [f["rule_id"] for f in _check(cli, tmp_path, hinge + "hinge\n")] == ["NNA304"]
    assert _check(cli, tmp_path, hinge + "keras.losses.Hinge\n") == []


def test_unknown_qualified_name_suggests_from_the_last_part(cli: CliRunner, tmp_path: Path) -> None:
    found = _check(cli, tmp_path, "layers:\n  - {type: dense, units: 1}\nloss: mse\noptimizer: mypackage.Adam\n")
    assert [f["rule_id"] for f in found] == ["NNA001"]
    assert "did you mean adam" in str(found[0]["message"])
