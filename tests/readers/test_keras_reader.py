"""The Keras reader: Keras 3 JSON and .keras archives (real files from tools/make_keras_fixtures.py),
legacy tf.keras / Keras 2 JSON, functional graphs, per-output losses, and what it leaves unknown."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from nnadvisor import readers
from nnadvisor.readers import ReadResult
from nnadvisor.rulebase import RuleBase
from tests.conftest import CliRunner
from tests.readers.conftest import KERAS, check_path, check_text, codes, line_of, serious


def read(path: Path, rulebase: RuleBase) -> list[ReadResult]:
    fmt = readers.archive_format(path, None)
    raw = readers.read_archive(path) if fmt else path.read_bytes()
    return readers.read(raw, fmt or readers.detect(path.name, raw), rulebase, str(path))


def dump(result: ReadResult) -> dict[str, Any]:
    assert result.config is not None, result.problems
    return result.config.model_dump(exclude_none=True)


def dense(name: str, units: int, activation: Any = "linear", **extra: Any) -> dict[str, Any]:
    return {"module": "keras.layers", "class_name": "Dense", "config": {"name": name, "units": units, "activation": activation, **extra}}


def sequential(layers: list[dict[str, Any]], compile_config: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    if compile_config is not None:
        doc["compile_config"] = compile_config
    return json.dumps(doc, indent=2)


def compiled(loss: Any, optimizer: Any = None) -> dict[str, Any]:
    opt = optimizer or {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.001}}
    return {"optimizer": opt, "loss": loss}


# --- real Keras files ----------------------------------------------------------------------------


def test_sequential_model_read_in_order(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "double_softmax.json", rulebase)
    config = dump(result)
    assert config["framework"] == "keras"
    assert [(layer["type"], layer.get("units"), layer.get("activation")) for layer in config["layers"]] == [
        ("dense", 32, "relu"),
        ("dense", 10, "softmax"),
    ]
    assert config["loss"]["name"] == "SparseCategoricalCrossentropy" and config["loss"]["from_logits"] is True
    assert config["optimizer"]["name"] == "Adam"
    assert config["optimizer"]["learning_rate"] == 0.001  # float32 0.0010000000474974513 read as 0.001


def test_locations_are_lines_of_the_keras_json(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "double_softmax.json", rulebase)
    text = (KERAS / "double_softmax.json").read_text()
    assert result.doc is not None
    loc = result.doc.locations
    assert (loc["/loss/from_logits"].line, loc["/loss/from_logits"].column) == line_of(text, '"from_logits"')
    assert (loc["/loss/name"].line, loc["/loss/name"].column) == line_of(text, '"class_name": "SparseCategoricalCrossentropy"')
    assert loc["/optimizer/learning_rate"].line == line_of(text, '"learning_rate"')[0]
    assert loc["/layers/1/units"].line == line_of(text, '"units": 10')[0]


def test_activation_layers_leaky_relu_and_dropout(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "double_softmax_layers.json", rulebase)
    layers = dump(result)["layers"]
    assert layers[1] == {"type": "activation", "activation": {"name": "leaky_relu", "alpha": 0.1}}
    assert layers[2]["type"] == "dropout" and layers[2]["rate"] == 0.2
    assert layers[-1] == {"type": "activation", "activation": "softmax"}


def test_functional_graph_is_traced_not_listed(rulebase: RuleBase) -> None:
    """The layers list reversed gives the same model: the path comes from output_layers."""
    (straight,) = read(KERAS / "double_softmax_layers.json", rulebase)
    (shuffled,) = read(KERAS / "shuffled_double_softmax_layers.json", rulebase)
    assert dump(straight)["layers"] == dump(shuffled)["layers"]


def test_branches_follow_the_longest_path_and_keep_inner_merges_opaque(rulebase: RuleBase) -> None:
    """A merge inside the network stays as an opaque layer: the layers around it are not one
    straight stack (a linear layer before it does not compose with the one after it)."""
    (result,) = read(KERAS / "branches.json", rulebase)
    layers = dump(result)["layers"]
    assert [layer.get("name") for layer in layers] == ["a1", "a2", "Concatenate", "out"]
    assert layers[2]["type"] == "other" and "activation" not in layers[2]
    assert "/layers/2/activation" in result.unknowns


def test_multi_output_model_checks_each_head_with_its_own_loss(rulebase: RuleBase) -> None:
    results = read(KERAS / "multi_output.json", rulebase)
    assert [r.head for r in results] == ["cls", "reg", "flag"]
    losses = [dump(r)["loss"] for r in results]
    assert losses[0] == "sparse_categorical_crossentropy"
    assert losses[1]["name"] == "Huber"
    assert losses[2]["name"] == "BinaryCrossentropy" and losses[2]["from_logits"] is True
    for path in (KERAS / "multi_output.json", KERAS / "multi_output.keras", KERAS / "compact_multi_output.json"):
        findings = serious(check_path(path, rulebase))
        assert [(f.rule_id, f.message.split("]")[0]) for f in findings] == [("NNA103", "[head flag")], findings
    text = (KERAS / "multi_output.json").read_text()
    (hit,) = serious(check_path(KERAS / "multi_output.json", rulebase))
    assert hit.line == line_of(text, '"activation": "sigmoid"')[0]


def test_compact_json_findings_differ_by_column(rulebase: RuleBase) -> None:
    path = KERAS / "compact_double_softmax.json"
    (hit,) = serious(check_path(path, rulebase))
    assert (hit.line, hit.column) == (1, line_of(path.read_text(), '"activation": "softmax"')[1])


def test_archive_and_json_agree(rulebase: RuleBase) -> None:
    for name in ("double_softmax", "good_multiclass", "multi_output", "uncompiled"):
        from_json = [(f.rule_id, f.message) for f in check_path(KERAS / f"{name}.json", rulebase)]
        from_archive = [(f.rule_id, f.message) for f in check_path(KERAS / f"{name}.keras", rulebase)]
        assert from_json == from_archive, name


def test_uncompiled_model_is_linted_for_what_it_has(rulebase: RuleBase) -> None:
    for name in ("uncompiled.json", "uncompiled.keras"):
        findings = check_path(KERAS / name, rulebase)
        assert serious(findings) == []
        (note,) = findings
        assert note.rule_id == "NNA002" and note.severity == "info"
        assert "not compiled" in note.message and "loss" in note.message
    one_unit = check_path(KERAS / "legacy_keras21_list_config.json", rulebase)
    assert codes(one_unit) == {"NNA201"}  # an uncompiled model still has an output to check


def test_recurrent_cell_activation_and_clipping(rulebase: RuleBase) -> None:
    findings = check_path(KERAS / "lstm_relu_no_clip.json", rulebase)
    assert codes(findings) == {"NNA404", "NNA503"}
    text = (KERAS / "lstm_relu_no_clip.json").read_text()
    nna404 = next(f for f in findings if f.rule_id == "NNA404")
    assert nna404.line == line_of(text, '"activation": "relu"')[0]
    assert serious(check_path(KERAS / "good_lstm_clipped.json", rulebase)) == []


# --- legacy tf.keras / Keras 2 -----------------------------------------------------------------


def test_legacy_lr_alpha_and_optimizer_config(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "legacy_keras22_softmax_mse.json", rulebase)
    config = dump(result)
    assert config["layers"][1] == {"type": "activation", "activation": {"name": "leaky_relu", "alpha": 0.3}}
    assert config["optimizer"] == {"name": "Adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}
    assert config["loss"] == "mean_squared_error"
    text = (KERAS / "legacy_keras22_softmax_mse.json").read_text()
    assert result.doc is not None and result.doc.locations["/optimizer/learning_rate"].line == line_of(text, '"lr"')[0]


def test_legacy_wrappers_and_sgd(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "legacy_keras2_lstm_sgd_lr.json", rulebase)
    config = dump(result)
    lstm = config["layers"][1]
    assert (lstm["type"], lstm["units"], lstm["bidirectional"], lstm["recurrent_activation"]) == ("lstm", 64, True, "hard_sigmoid")
    assert config["optimizer"] == {"name": "SGD", "learning_rate": 0.01, "momentum": 0.9, "nesterov": True, "clipnorm": 1.0}


def test_tensorflow_js_model_json(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "legacy_tfjs_model.json", rulebase)
    config = dump(result)
    assert config["optimizer"]["name"] == "Adamax"  # "Custom>Adamax"
    assert config["loss"] == "sparse_categorical_crossentropy"
    assert [layer["type"] for layer in config["layers"]] == ["dense", "dropout", "dense"]


def test_legacy_functional_inbound_nodes(rulebase: RuleBase) -> None:
    (result,) = read(KERAS / "legacy_tf2_functional_double_sigmoid.json", rulebase)
    assert [layer["name"] for layer in dump(result)["layers"]] == ["dense", "output"]


# --- shapes of the format, unknowns -------------------------------------------------------------


def test_unknown_activation_is_a_note_not_an_unknown_name_error(rulebase: RuleBase) -> None:
    text = sequential([dense("hidden", 8, "relu"), dense("out", 3, "softsign")], compiled("categorical_crossentropy"))
    findings = check_text(text, rulebase, "keras")
    assert serious(findings) == []
    (note,) = findings
    assert note.rule_id == "NNA002" and "softsign" in note.message
    assert note.line == line_of(text, '"activation": "softsign"')[0]


def test_custom_output_layer_makes_the_output_unknown(rulebase: RuleBase) -> None:
    custom = {"module": None, "class_name": "my_pkg>TemperatureScale", "config": {"name": "scale"}, "registered_name": "my_pkg>TemperatureScale"}
    text = sequential([dense("hidden", 8, "relu"), dense("logits", 3), custom], compiled("categorical_crossentropy"))
    findings = check_text(text, rulebase, "keras")
    assert serious(findings) == []  # without the custom layer this would be NNA102 (logits into a probability loss)
    assert any(f.rule_id == "NNA002" and "TemperatureScale" in f.message for f in findings)
    plain = sequential([dense("hidden", 8, "relu"), dense("logits", 3)], compiled("categorical_crossentropy"))
    assert codes(check_text(plain, rulebase, "keras")) == {"NNA102"}


def test_activation_given_as_a_serialised_layer_or_function(rulebase: RuleBase) -> None:
    as_layer = {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"name": "lr", "negative_slope": 0.2}}
    as_function = {"module": "builtins", "class_name": "function", "config": "softmax", "registered_name": "function"}
    text = sequential([dense("hidden", 8, as_layer), dense("out", 3, as_function)], compiled("mse"))
    (result,) = readers.read(text.encode(), "keras", rulebase)
    layers = dump(result)["layers"]
    assert layers[0]["activation"] == {"name": "leaky_relu", "alpha": 0.2}
    assert layers[1]["activation"] == "softmax"
    assert codes(check_text(text, rulebase, "keras")) == {"NNA101"}


def test_loss_as_a_function_object(rulebase: RuleBase) -> None:
    loss = {"module": "builtins", "class_name": "function", "config": "binary_crossentropy", "registered_name": "function"}
    text = sequential([dense("out", 1)], compiled(loss))
    findings = serious(check_text(text, rulebase, "keras"))
    assert [f.rule_id for f in findings] == ["NNA102"]


def test_custom_loss_is_unknown_and_said(rulebase: RuleBase) -> None:
    loss = {"module": "builtins", "class_name": "function", "config": "my_focal", "registered_name": "function"}
    findings = check_text(sequential([dense("out", 3, "softmax")], compiled(loss)), rulebase, "keras")
    assert serious(findings) == []
    assert any(f.rule_id == "NNA002" and "my_focal" in f.message for f in findings)


def test_per_output_loss_list_follows_output_order(rulebase: RuleBase) -> None:
    inp = {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}, "name": "x", "inbound_nodes": []}

    def node(source: str) -> list[dict[str, Any]]:
        return [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "keras_history": [source, 0, 0]}}], "kwargs": {}}]

    a = {**dense("a", 3, "softmax"), "name": "a", "inbound_nodes": node("x")}
    b = {**dense("b", 1, "sigmoid"), "name": "b", "inbound_nodes": node("x")}
    doc = {
        "class_name": "Functional",
        "config": {"name": "f", "layers": [b, inp, a], "input_layers": ["x", 0, 0], "output_layers": [["a", 0, 0], ["b", 0, 0]]},
        "compile_config": compiled(["mse", "binary_crossentropy"]),
    }
    findings = serious(check_text(json.dumps(doc, indent=2), rulebase, "keras"))
    assert [(f.rule_id, f.message.startswith("[head a]")) for f in findings] == [("NNA101", True)]


def test_learning_rate_schedule_uses_its_initial_rate(rulebase: RuleBase) -> None:
    schedule = {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config": {"initial_learning_rate": 5.0, "decay_steps": 1000, "decay_rate": 0.9}}
    opt = {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": schedule}}
    findings = check_text(sequential([dense("out", 3, "softmax")], compiled("categorical_crossentropy", opt)), rulebase, "keras")
    assert "NNA501" in codes(findings)
    assert any(f.rule_id == "NNA002" and "ExponentialDecay" in f.message for f in findings)


def test_loss_scale_optimizer_is_unwrapped(rulebase: RuleBase) -> None:
    inner = {"module": "keras.optimizers", "class_name": "SGD", "config": {"name": "sgd", "learning_rate": 0.01, "momentum": 0.9}}
    opt = {"module": "keras.optimizers", "class_name": "LossScaleOptimizer", "config": {"name": "loss_scale_optimizer", "inner_optimizer": inner}}
    (result,) = readers.read(sequential([dense("out", 1, "sigmoid")], compiled("binary_crossentropy", opt)).encode(), "keras", rulebase)
    assert dump(result)["optimizer"] == {"name": "SGD", "learning_rate": 0.01, "momentum": 0.9}


def test_subclassed_model_checks_loss_and_optimizer_only(rulebase: RuleBase) -> None:
    doc = {"class_name": "MyModel", "config": {"units": 10}, "compile_config": compiled("sparse_categorical_crossentropy")}
    findings = check_text(json.dumps(doc), rulebase, "keras")
    assert serious(findings) == []
    assert any(f.rule_id == "NNA002" and "MyModel" in f.message for f in findings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "not a Keras model"),
        ('{"layers": []}', "not a Keras model"),
        ('{"class_name": "Sequential", "config": ', "invalid YAML"),
        ('{"model_config": "{not json", "training_config": null}', "not JSON"),
    ],
)
def test_not_a_keras_model_is_nna000(text: str, message: str, rulebase: RuleBase) -> None:
    (finding,) = check_text(text, rulebase, "keras")
    assert finding.rule_id == "NNA000" and message in finding.message


# --- detection ----------------------------------------------------------------------------------


def test_json_is_detected_by_content(tmp_path: Path, rulebase: RuleBase) -> None:
    keras_json = (KERAS / "double_softmax.json").read_bytes()
    assert readers.detect("model.json", keras_json) == "keras"
    assert readers.detect("model.json", b'{"layers": [], "loss": "mse"}') == "nnadvisor"
    assert readers.detect("model.yaml", b"class_name: Sequential\nconfig:\n  layers: []\n") == "keras"
    assert readers.detect("model.yaml", b"layers: []\nloss: mse\n") == "nnadvisor"
    assert readers.detect("-", keras_json) == "keras"
    assert readers.detect("-", (KERAS / "good_multiclass.keras").read_bytes()) == "keras"
    sorted_keys = json.dumps(json.loads(keras_json), sort_keys=True).encode()
    assert readers.detect("m.json", sorted_keys) == "keras"
    assert readers.detect("m.json", (KERAS / "legacy_tfjs_model.json").read_bytes()) == "keras"
    assert readers.detect("m.json", (KERAS / "legacy_keras22_softmax_mse.json").read_bytes()) == "keras"


def test_cli_reads_keras_files_stdin_and_forced_format(cli: CliRunner, tmp_path: Path) -> None:
    renamed = tmp_path / "model.txt"
    renamed.write_bytes((KERAS / "double_softmax.json").read_bytes())
    forced = json.loads(cli("check", "--no-cache", "--format", "json", "--input-format", "keras", str(renamed)).out)
    assert [f["rule_id"] for f in forced["findings"]] == ["NNA103"]
    piped = cli("check", "--no-cache", "--format", "json", "-", stdin=(KERAS / "double_softmax.json").read_bytes())
    assert [f["rule_id"] for f in json.loads(piped.out)["findings"]] == ["NNA103"]
    archive = cli("check", "--no-cache", "--format", "json", "--stdin-filename", "m.keras", "-", stdin=(KERAS / "double_softmax.keras").read_bytes())
    assert [f["rule_id"] for f in json.loads(archive.out)["findings"]] == ["NNA103"]
    assert cli("check", "--input-format", "tensorflow", str(renamed)).code == 2


def test_directory_walk_finds_keras_files(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    for name in ("double_softmax.json", "good_multiclass.keras", "uncompiled.keras"):
        (tmp_path / "models" / name).write_bytes((KERAS / name).read_bytes())
    (tmp_path / "models" / "package.json").write_text('{"name": "web", "version": "1.0.0"}')
    doc = json.loads(cli("check", "--no-cache", "--format", "json", str(tmp_path / "models")).out)
    assert doc["summary"]["files"] == 3
    assert {Path(f["file"]).name for f in doc["findings"]} == {"double_softmax.json", "uncompiled.keras"}


def test_archive_lines_refer_to_config_json(rulebase: RuleBase) -> None:
    findings = serious(check_path(KERAS / "double_softmax.keras", rulebase))
    with zipfile.ZipFile(KERAS / "double_softmax.keras") as zf:
        config = zf.read("config.json").decode()
    assert [(f.line, f.column) for f in findings] == [line_of(config, '"activation": "softmax"')]


def test_fix_patches_are_not_offered_for_foreign_formats(rulebase: RuleBase) -> None:
    (hit,) = serious(check_path(KERAS / "double_softmax.json", rulebase))
    assert hit.fix is not None and hit.fix.description and hit.fix.patch == []


def test_results_cache_keys_on_the_archive_members(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.keras"
    path.write_bytes((KERAS / "double_softmax.keras").read_bytes())
    first = cli("check", "--format", "json", str(path)).out
    second = cli("check", "--format", "json", str(path)).out  # served from the cache
    assert first == second and json.loads(first)["findings"][0]["rule_id"] == "NNA103"
    copy = tmp_path / "copy.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(copy, "w") as dst:
        for info in src.infolist():
            data = src.read(info) if info.filename != "model.weights.h5" else b"other weights"
            dst.writestr(info.filename, data)
    assert readers.read_archive(copy) == readers.read_archive(path)  # the weights are not part of the key
