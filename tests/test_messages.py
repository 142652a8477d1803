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




def _supersede(config: str) -> list[Any]:
    import yaml

    from nnadvisor.engine.compiled import supersede
    from nnadvisor.lint import check_data
    from nnadvisor.rulebase import load_rulebase

    base = load_rulebase()
    return supersede(check_data(yaml.safe_load(config), base, "model.yaml"), base.compiled)


def test_supersede_keeps_one_finding_per_mistake() -> None:
    (finding,) = [f for f in _supersede(SOFTMAX_MSE) if f.pointer == "/loss"]
    assert finding.rule_id == "NNA101" and finding.severity == "error"
    assert finding.message.endswith("(also NNA108 squared-error-for-classification-output)")


def test_supersede_leaves_the_other_rule_where_the_winner_is_not_reported() -> None:
    import yaml

    from nnadvisor.engine.compiled import supersede
    from nnadvisor.lint import check_data
    from nnadvisor.rulebase import load_rulebase

    base = load_rulebase()
    found = check_data(yaml.safe_load(SOFTMAX_MSE), base, "model.yaml")
    assert {f.rule_id for f in found} >= {"NNA101", "NNA108"}  # evaluation reports both
    ignored = supersede([f for f in found if f.rule_id != "NNA101"], base.compiled)  # --ignore NNA101
    assert [f.rule_id for f in ignored] == ["NNA108"] and "(also" not in ignored[0].message
    other_file = check_data(yaml.safe_load(SOFTMAX_MSE), base, "other.yaml")
    both = supersede([f for f in found if f.rule_id == "NNA101"] + [f for f in other_file if f.rule_id == "NNA108"], base.compiled)
    assert sorted(f.rule_id for f in both) == ["NNA101", "NNA108"]  # different files do not supersede


def test_softmax_mse_on_a_classification_task_is_one_finding(cli: CliRunner, tmp_path: Path) -> None:
    code, found, _ = check(cli, tmp_path, SOFTMAX_MSE)
    assert code == 1
    assert [f["rule_id"] for f in found] == ["NNA101"]
    assert found[0]["severity"] == "error"
    assert found[0]["message"].endswith("(also NNA108 squared-error-for-classification-output)")


def test_the_superseded_rule_still_reports_where_the_other_does_not_fire(cli: CliRunner, tmp_path: Path) -> None:
    sigmoid = "task: binary\nlayers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: mse\n"
    assert [f["rule_id"] for f in check(cli, tmp_path, sigmoid)[1]] == ["NNA108"]


DOUBLE_SQUASHING = [
    ("framework: pytorch\nlayers:\n  - {type: dense, units: 5, activation: sigmoid}\nloss: CrossEntropyLoss\n", "NNA106", ["NNA103"]),
    ("task: multilabel\nnum_classes: 4\nframework: pytorch\nlayers:\n  - {type: dense, units: 4, activation: softmax}\nloss: BCEWithLogitsLoss\n", "NNA107", ["NNA103", "NNA204"]),
    ("framework: pytorch\nlayers:\n  - {type: dense, units: 1, activation: softmax}\nloss: BCEWithLogitsLoss\n", "NNA201", ["NNA103"]),
]


@pytest.mark.parametrize(("config", "winner", "named"), DOUBLE_SQUASHING)
def test_double_squashing_is_one_finding_after_supersede(config: str, winner: str, named: list[str]) -> None:
    found = _supersede(config)
    at = [f for f in found if f.pointer == found[0].pointer]
    assert [f.rule_id for f in at] == [winner] and all(code in at[0].message for code in named)


@pytest.mark.parametrize(("config", "winner", "named"), DOUBLE_SQUASHING)
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


# --- unknown keys -----------------------------------------------------------------------------


def test_unknown_key_says_did_you_mean(cli: CliRunner, tmp_path: Path) -> None:
    code, found, _ = check(cli, tmp_path, "layerz:\n  - {type: dense, unit: 1}\nloss: mse\n")
    assert code == 1
    assert [f["message"] for f in found] == ["unknown key 'layerz'; did you mean 'layers'?"]
    _, found, _ = check(cli, tmp_path, "layers:\n  - {type: dense, unit: 1, activaton: relu}\nloss: mse\n")
    assert [f["message"] for f in found] == ["unknown key 'unit'; did you mean 'units'?", "unknown key 'activaton'; did you mean 'activation'?"]


def test_unknown_key_without_a_close_one_lists_the_keys(cli: CliRunner, tmp_path: Path) -> None:
    _, found, _ = check(cli, tmp_path, "layers:\n  - {type: dense, units: 1}\nloss: mse\ncolour: red\n")
    assert found[0]["message"].startswith("unknown key 'colour' (expected one of: framework, task, labels")


def test_a_wrong_value_beside_an_unknown_key_is_still_reported(cli: CliRunner, tmp_path: Path) -> None:
    _, found, _ = check(cli, tmp_path, "layers: 3\ncolour: red\n")
    assert {f["message"].split(":")[0] for f in found} == {"/layers", "unknown key 'colour' (expected one of"}


def test_partial_config_keeps_what_can_be_read() -> None:
    from nnadvisor.rulebase import load_rulebase
    from nnadvisor.source import read_bytes
    from nnadvisor.validation import validate_config

    vocab = load_rulebase().vocabulary
    doc = read_bytes(SOFTMAX_MSE.replace("loss: mse", "loss: mse\nlayerz: []").encode())
    assert validate_config(doc, vocab) == (None, validate_config(doc, vocab)[1])
    config, problems = validate_config(doc, vocab, partial=True)
    assert config is not None and config.loss == "mse" and [p.message for p in problems] == ["unknown key 'layerz'; did you mean 'layers'?"]
    wrong_value = read_bytes(b"layers: 3\nlayerz: []\n")
    assert validate_config(wrong_value, vocab, partial=True)[0] is None


def test_an_unknown_key_does_not_hide_the_other_findings(cli: CliRunner, tmp_path: Path) -> None:
    _, found, _ = check(cli, tmp_path, SOFTMAX_MSE.replace("loss: mse", "loss: mse\nlayerz: []"))
    assert sorted(f["rule_id"] for f in found) == ["NNA000", "NNA101"]


# --- input that is not a config's text ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("task: binary\nloss: mse\n".encode("utf-16"), "UTF-16 text: re-save the file as UTF-8"),
        ("task: binary\nloss: mse\n".encode("utf-16-le"), "UTF-16 text (without a byte-order mark): re-save the file as UTF-8"),
        ("task: binary\n".encode("utf-32"), "UTF-32 text: re-save the file as UTF-8"),
    ],
)
def test_utf16_text_gets_a_hint(cli: CliRunner, tmp_path: Path, raw: bytes, hint: str) -> None:
    code, found, _ = check(cli, tmp_path, raw)
    assert code == 1 and [f["message"] for f in found] == [hint]


def test_an_hdf5_file_gets_a_hint(cli: CliRunner, tmp_path: Path) -> None:
    code, found, _ = check(cli, tmp_path, b"\x89HDF\r\n\x1a\n\x00\x00\x00\x00\x00\x08\x08\x00" + bytes(64), "model.h5", "--force")
    assert code == 1
    (message,) = [f["message"] for f in found]
    assert message.startswith("an HDF5 file (Keras .h5 weights or a legacy .h5 model)") and "model.to_json()" in message and ".keras" in message


def test_binary_content_without_a_known_signature(cli: CliRunner, tmp_path: Path) -> None:
    _, found, _ = check(cli, tmp_path, b"\x00\x01\x02binary\xff\x00")
    assert [f["message"] for f in found] == ["binary content (NUL bytes): not a YAML or JSON document"]


def test_a_huge_document_without_aliases_is_not_called_an_alias_bomb(cli: CliRunner, tmp_path: Path) -> None:
    huge = json.dumps({"layers": [{"type": "dense", "units": 1}] * 40_000, "loss": "mse"})
    _, found, _ = check(cli, tmp_path, huge, "big.json")
    (message,) = [f["message"] for f in found]
    assert "alias" not in message and message.startswith("document has more than 100,000 values")


def test_an_alias_bomb_is_named_so(cli: CliRunner, tmp_path: Path) -> None:
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]\n" for i in range(1, 7)
    )
    _, found, _ = check(cli, tmp_path, bomb, "model.yaml", "--force")
    (message,) = [f["message"] for f in found]
    assert "through its aliases (an alias bomb?)" in message
