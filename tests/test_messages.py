"""Messages users read (issue 14, item 9), through the real entry point: one finding per mistake
(``supersedes``), fix texts for the framework at hand, unknown keys with "did you mean" and the
rest of the file still checked, suppressions that name unknown codes or none, and input that is
not text (UTF-16, HDF5) or too big."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nnadvisor.engine.errors import RuleLoadError
from nnadvisor.engine.loader import load_rule_dir, load_vocabulary_file
from nnadvisor.resources import rules_dir
from tests.conftest import CliRunner


def check(cli: CliRunner, tmp_path: Path, text: str | bytes, name: str = "model.yaml", *args: str) -> tuple[int, list[dict[str, Any]], str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    result = cli("check", "--format", "json", *args, str(path))
    report = json.loads(result.out) if result.out else {"findings": []}
    return result.code, report["findings"], result.err


# --- one finding per mistake ------------------------------------------------------------------

SOFTMAX_MSE = "task: multiclass\nnum_classes: 3\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n"


def test_softmax_mse_on_a_classification_task_is_one_finding(cli: CliRunner, tmp_path: Path) -> None:
    code, found, _ = check(cli, tmp_path, SOFTMAX_MSE)
    assert code == 1
    assert [f["rule_id"] for f in found] == ["NNA101"]
    assert found[0]["severity"] == "error"
    assert found[0]["message"].endswith("(also NNA108 squared-error-for-classification-output)")


def test_the_superseded_rule_still_reports_where_the_other_does_not_fire(cli: CliRunner, tmp_path: Path) -> None:
    sigmoid = "task: binary\nlayers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: mse\n"
    assert [f["rule_id"] for f in check(cli, tmp_path, sigmoid)[1]] == ["NNA108"]


@pytest.mark.parametrize(
    ("config", "winner", "named"),
    [
        ("framework: pytorch\nlayers:\n  - {type: dense, units: 5, activation: sigmoid}\nloss: CrossEntropyLoss\n", "NNA106", ["NNA103"]),
        ("task: multilabel\nnum_classes: 4\nframework: pytorch\nlayers:\n  - {type: dense, units: 4, activation: softmax}\nloss: BCEWithLogitsLoss\n", "NNA107", ["NNA103", "NNA204"]),
        ("framework: pytorch\nlayers:\n  - {type: dense, units: 1, activation: softmax}\nloss: BCEWithLogitsLoss\n", "NNA201", ["NNA103"]),
    ],
)
def test_double_squashing_is_reported_once(cli: CliRunner, tmp_path: Path, config: str, winner: str, named: list[str]) -> None:
    found = check(cli, tmp_path, config)[1]
    at_output = [f for f in found if f["pointer"] == found[0]["pointer"]]
    assert [f["rule_id"] for f in at_output] == [winner]
    assert all(code in at_output[0]["message"] for code in named)


def test_explain_says_what_a_rule_supersedes(cli: CliRunner) -> None:
    out = cli("explain", "NNA101").out
    assert "Supersedes NNA108" in out


def _rules_dir_with(tmp_path: Path, edit: tuple[str, str, str]) -> Path:
    """A copy of rules/lint with one file edited (name, old text, new text)."""
    target = tmp_path / "lint"
    target.mkdir()
    for path in (rules_dir() / "lint").glob("*.yaml"):
        text = path.read_text()
        if path.name.startswith(edit[0]):
            assert edit[1] in text
            text = text.replace(edit[1], edit[2])
        (target / path.name).write_text(text)
    return target


@pytest.mark.parametrize(
    ("new", "error"),
    [
        ("supersedes: [NNA999]", "supersedes unknown rule NNA999"),
        ("supersedes: [NNA101]", "NNA101 cannot supersede itself"),
    ],
)
def test_supersedes_is_checked_when_rules_load(tmp_path: Path, new: str, error: str) -> None:
    directory = _rules_dir_with(tmp_path, ("NNA101", "supersedes: [NNA108]", new))
    with pytest.raises(RuleLoadError, match=error):
        load_rule_dir(directory, load_vocabulary_file(rules_dir() / "vocabulary.yaml"))


def test_rules_that_supersede_each_other_are_refused(tmp_path: Path) -> None:
    directory = _rules_dir_with(tmp_path, ("NNA108", "at: [loss.name, output.activation]\n", "at: [loss.name, output.activation]\nsupersedes: [NNA101]\n"))
    with pytest.raises(RuleLoadError, match="supersede each other"):
        load_rule_dir(directory, load_vocabulary_file(rules_dir() / "vocabulary.yaml"))


# --- fix texts for the framework at hand -------------------------------------------------------

DOUBLE_SOFTMAX = "framework: {framework}\nlayers:\n  - {{type: dense, units: 3, activation: softmax}}\nloss: {loss}\n"


def test_nna103_fix_for_pytorch_names_pytorch_and_the_loss_as_written(cli: CliRunner, tmp_path: Path) -> None:
    found = check(cli, tmp_path, DOUBLE_SOFTMAX.format(framework="pytorch", loss="nn.CrossEntropyLoss"))[1]
    fix = found[0]["fix"]["description"]
    assert "Keras" not in fix and "from_logits" not in fix
    assert "nn.CrossEntropyLoss receives the logits" in fix and "torch.softmax" in fix


def test_nna103_fix_for_keras_offers_from_logits(cli: CliRunner, tmp_path: Path) -> None:
    found = check(cli, tmp_path, DOUBLE_SOFTMAX.format(framework="keras", loss="{name: categorical_crossentropy, from_logits: true}"))[1]
    fix = found[0]["fix"]["description"]
    assert "from_logits=False" in fix and "torch" not in fix


def test_nna103_fix_without_a_framework_mentions_both(cli: CliRunner, tmp_path: Path) -> None:
    found = check(cli, tmp_path, DOUBLE_SOFTMAX.format(framework="generic", loss="{name: categorical_crossentropy, from_logits: true}"))[1]
    assert "in Keras" in found[0]["fix"]["description"]
