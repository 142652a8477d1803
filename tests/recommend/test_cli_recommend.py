"""``nnadvisor recommend`` through the real entry point: every row of the recommendation table
(rules.md), the problem file, inconsistent input, ``--emit config`` and the output formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner


def rec(cli: CliRunner, *args: str) -> dict[str, Any]:
    result = cli("recommend", "--format", "json", *args)
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def names(data: dict[str, Any]) -> tuple[str, str, str, str]:
    return tuple(data[s]["name"] for s in ("output_activation", "loss", "optimizer", "hidden_activation"))  # type: ignore[return-value]


def alternatives(data: dict[str, Any], slot: str) -> set[str]:
    return {a["name"] for a in data[slot]["alternatives"]}


def notes(data: dict[str, Any]) -> str:
    return " ".join(n["text"] for n in data["notes"])


# --- the recommendation table, row by row --------------------------------------------------


def test_regression_unbounded(cli: CliRunner) -> None:
    data = rec(cli, "--task", "regression")
    assert names(data)[:2] == ("linear", "mse")
    assert data["output_activation"]["params"] == {"units": 1}


def test_regression_with_some_outliers_is_huber(cli: CliRunner) -> None:
    data = rec(cli, "--task", "regression", "--outliers", "some")
    assert names(data)[:2] == ("linear", "huber")
    assert data["loss"]["params"] == {"delta": 1.0}
    assert "mae" in alternatives(data, "loss")
    assert "outliers" in data["loss"]["rationale"] and "mse" in data["loss"]["rationale"]


def test_regression_with_heavy_outliers_is_mae_or_huber(cli: CliRunner) -> None:
    data = rec(cli, "--task", "regression", "--outliers", "heavy")
    assert names(data)[:2] == ("linear", "mae")
    assert "huber" in alternatives(data, "loss")
    assert "median" in data["loss"]["rationale"]


def test_regression_unit_interval(cli: CliRunner) -> None:
    data = rec(cli, "--task", "regression", "--target-range", "unit-interval")
    assert names(data)[:2] == ("sigmoid", "mse")
    assert "binary_crossentropy" in alternatives(data, "loss")


def test_regression_non_negative(cli: CliRunner) -> None:
    data = rec(cli, "--task", "regression", "--target-range", "non-negative")
    assert names(data)[:2] == ("softplus", "mse")
    assert {"relu", "linear"} <= alternatives(data, "output_activation")
    assert "poisson" in alternatives(data, "loss")


def test_binary_zero_one_labels(cli: CliRunner) -> None:
    data = rec(cli, "--task", "binary")
    assert names(data)[:2] == ("sigmoid", "binary_crossentropy")
    assert data["output_activation"]["params"] == {"units": 1}
    pytorch = rec(cli, "--task", "binary", "--framework", "pytorch")
    assert names(pytorch)[:2] == ("linear", "binary_crossentropy")
    assert pytorch["loss"]["params"]["from_logits"] is True
    assert "BCEWithLogitsLoss" in pytorch["snippets"]["pytorch"]


def test_binary_signed_labels(cli: CliRunner) -> None:
    data = rec(cli, "--task", "binary", "--labels", "signed")
    assert names(data)[:2] == ("linear", "hinge")
    assert "binary_crossentropy" in alternatives(data, "loss")
    assert "(y + 1) / 2" in notes(data)


def test_multiclass_integer_labels(cli: CliRunner) -> None:
    data = rec(cli, "--task", "multiclass", "--labels", "integer", "--num-classes", "10")
    assert names(data)[:2] == ("softmax", "sparse_categorical_crossentropy")
    assert data["output_activation"]["params"] == {"units": 10}
    pytorch = rec(cli, "--task", "multiclass", "--num-classes", "10", "--framework", "pytorch")
    assert names(pytorch)[:2] == ("linear", "sparse_categorical_crossentropy")
    assert pytorch["loss"]["params"]["from_logits"] is True
    assert "CrossEntropyLoss" in pytorch["snippets"]["pytorch"]


@pytest.mark.parametrize("labels", ["one-hot", "probabilities"])
def test_multiclass_one_hot_or_soft_labels(cli: CliRunner, labels: str) -> None:
    data = rec(cli, "--task", "multiclass", "--labels", labels, "--num-classes", "5")
    assert names(data)[:2] == ("softmax", "categorical_crossentropy")
    assert names(rec(cli, "--task", "multiclass", "--labels", labels, "--num-classes", "5", "--framework", "pytorch"))[0] == "linear"


def test_multilabel(cli: CliRunner) -> None:
    data = rec(cli, "--task", "multilabel", "--num-classes", "6")
    assert names(data)[:2] == ("sigmoid", "binary_crossentropy")
    assert data["output_activation"]["params"] == {"units": 6}
    pytorch = rec(cli, "--task", "multilabel", "--num-classes", "6", "--framework", "pytorch")
    assert names(pytorch)[:2] == ("linear", "binary_crossentropy") and pytorch["loss"]["params"]["from_logits"] is True


def test_hidden_shallow_is_relu_and_very_deep_is_leaky_relu_with_he_init(cli: CliRunner) -> None:
    shallow = rec(cli, "--task", "binary", "--depth", "3")
    assert shallow["hidden_activation"]["name"] == "relu"
    deep = rec(cli, "--task", "binary", "--depth", "20")
    assert deep["hidden_activation"]["name"] == "leaky_relu"
    assert deep["hidden_activation"]["params"]["initializer"] == "he_normal"
    assert {"gelu", "silu"} <= alternatives(deep, "hidden_activation")


def test_transformer(cli: CliRunner) -> None:
    data = rec(cli, "--task", "multiclass", "--num-classes", "4", "--architecture", "transformer")
    assert data["hidden_activation"]["name"] == "gelu"
    assert data["optimizer"]["name"] == "adamw"
    assert "warm" in notes(data).lower()


def test_recurrent(cli: CliRunner) -> None:
    data = rec(cli, "--task", "regression", "--architecture", "rnn")
    assert data["hidden_activation"]["name"] == "tanh"
    assert data["optimizer"]["name"] == "adam" and data["optimizer"]["params"]["clipnorm"] == 1.0
    assert "rmsprop" in alternatives(data, "optimizer")
    assert "clip_grad_norm_" in data["snippets"]["pytorch"]


def test_default_optimizer(cli: CliRunner) -> None:
    data = rec(cli, "--task", "binary")
    assert data["optimizer"]["name"] == "adam" and data["optimizer"]["params"] == {"learning_rate": 0.001}


def test_large_data_high_budget_cnn_offers_sgd(cli: CliRunner) -> None:
    args = ("--task", "multiclass", "--num-classes", "100", "--architecture", "cnn", "--samples", "1000000")
    tuned = rec(cli, *args, "--tuning-budget", "high")
    sgd = [a for a in tuned["optimizer"]["alternatives"] if a["name"] == "sgd" and a["rule"] == "NNR302"]
    assert sgd and sgd[0]["params"]["momentum"] == 0.9
    assert "schedule" in notes(tuned) or "cosine" in notes(tuned)
    assert not any(a["rule"] == "NNR302" for a in rec(cli, *args, "--tuning-budget", "low")["optimizer"]["alternatives"])


def test_sparse_features(cli: CliRunner) -> None:
    assert rec(cli, "--task", "binary", "--sparse-features")["optimizer"]["name"] == "adagrad"
    assert rec(cli, "--task", "binary", "--dense-features")["optimizer"]["name"] == "adam"


def test_class_imbalance(cli: CliRunner) -> None:
    moderate = rec(cli, "--task", "binary", "--imbalance", "10")
    assert moderate["loss"]["name"] == "binary_crossentropy" and "class_weight" in notes(moderate)
    extreme = rec(cli, "--task", "binary", "--imbalance", "500")
    assert extreme["loss"]["name"] == "focal" and extreme["loss"]["params"]["gamma"] == 2.0


def test_dataset_size(cli: CliRunner) -> None:
    assert "300 training examples" in notes(rec(cli, "--task", "regression", "--samples", "300"))
    assert notes(rec(cli, "--task", "regression", "--samples", "300000")) == ""


# --- input: problem file, inconsistencies, defaults -----------------------------------------


def test_problem_file_and_flags_override(cli: CliRunner, tmp_path: Path) -> None:
    problem = tmp_path / "problem.yaml"
    problem.write_text("task: multiclass\nlabels: one-hot\nnum_classes: 7\nframework: keras\n")
    data = rec(cli, "--problem", str(problem))
    assert names(data)[:2] == ("softmax", "categorical_crossentropy") and data["output_activation"]["params"]["units"] == 7
    overridden = rec(cli, "--problem", str(problem), "--framework", "pytorch")
    assert overridden["output_activation"]["name"] == "linear"
    assert overridden["problem"]["facts"]["framework"] == "pytorch"


def test_problem_file_errors_are_located(cli: CliRunner, tmp_path: Path) -> None:
    problem = tmp_path / "problem.yaml"
    problem.write_text("task: multiclass\nnum_clases: 7\n")
    result = cli("recommend", "--problem", str(problem))
    assert result.code == 2
    assert f"{problem}:2: unknown key 'num_clases'" in result.err and "num_classes" in result.err


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("--task", "binary", "--num-classes", "7"), "--task binary means two classes"),
        (("--task", "binary", "--outliers", "heavy"), "does not apply to a binary task"),
        (("--task", "regression", "--labels", "one-hot"), "are class labels"),
        (("--task", "multiclass", "--target-range", "unit-interval"), "does not apply to a multiclass task"),
        (("--task", "regression", "--num-classes", "3"), "applies to classification"),
        (("--labels", "integer",), "--task is required"),
        (("--task", "ranking",), "ranking"),
    ],
)
def test_inconsistent_input_is_a_usage_error(cli: CliRunner, args: tuple[str, ...], text: str) -> None:
    result = cli("recommend", *args)
    assert result.code == 2
    assert text in result.err
    assert "Traceback" not in result.err


def test_defaults_are_stated_as_assumptions(cli: CliRunner) -> None:
    data = rec(cli, "--task", "multiclass")
    assumptions = " ".join(data["problem"]["assumptions"])
    assert "integer class indices" in assumptions and "num_classes not given" in assumptions
    assert data["problem"]["given"] == ["task"]
    assert data["output_activation"]["params"] == {}  # units unknown: not invented


# --- outputs ---------------------------------------------------------------------------------


def test_json_contract(cli: CliRunner) -> None:
    data = rec(cli, "--task", "multiclass", "--num-classes", "3")
    assert {"schema_version", "problem", "output_activation", "loss", "optimizer", "hidden_activation", "notes", "snippets"} <= set(data)
    for slot in ("output_activation", "loss", "optimizer", "hidden_activation"):
        assert set(data[slot]) == {"name", "params", "rationale", "rules", "alternatives"}
        assert data[slot]["rules"] and data[slot]["rationale"]
    assert set(data["snippets"]) == {"keras", "pytorch"}


def test_text_output_reads_like_an_answer(cli: CliRunner) -> None:
    result = cli("recommend", "--task", "multiclass", "--num-classes", "10", "--labels", "integer")
    assert result.code == 0
    out = result.out
    assert out.startswith("Recommendation for a multiclass problem (10 classes; integer labels")
    for part in ("Output", "softmax, 10 units", "sparse_categorical_crossentropy", "Why", "Alternatives", "Keras", "PyTorch", "nnadvisor demo multiclass-loss"):
        assert part in out
    no_code = cli("recommend", "--task", "binary", "--no-code").out
    assert "\nKeras\n" not in no_code and "\nPyTorch\n" not in no_code and "import" not in no_code


def test_emit_config_is_clean_under_check(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("recommend", "--task", "regression", "--architecture", "rnn", "--outliers", "some", "--emit", "config")
    assert result.code == 0
    config = tmp_path / "emitted.yaml"
    config.write_text(result.out)
    checked = cli("check", "--format", "json", str(config))
    assert checked.code == 0 and json.loads(checked.out)["findings"] == []
    assert "huber" in result.out and "clipnorm: 1.0" in result.out


def test_emit_config_needs_the_class_count(cli: CliRunner) -> None:
    result = cli("recommend", "--task", "multiclass", "--emit", "config")
    assert result.code == 2 and "--num-classes" in result.err
