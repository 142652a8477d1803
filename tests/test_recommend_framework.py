"""``recommend`` for one framework, through the real entry point: the code shown, the names in the
answer, class weights in the code, ``--emit config|keras|pytorch`` (and JSON), ``--depth 0``, and
the recommendation rules in ``explain`` and ``rules --recommend`` (issue 14, item 7)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner


def text(cli: CliRunner, *args: str) -> str:
    result = cli("recommend", *args)
    assert result.code == 0, result.err
    return result.out


def headline(out: str) -> dict[str, str]:
    """The four answer lines: label -> the text after it (rules included)."""
    lines = out.split("\n\n", 2)[1].splitlines()
    return {line.split()[0]: line.split(None, 1)[1] for line in lines}


def sections(out: str) -> set[str]:
    return {line for line in out.splitlines() if line in ("Keras", "PyTorch")}


@pytest.mark.parametrize(
    ("framework", "shown"),
    [("pytorch", {"PyTorch"}), ("keras", {"Keras"}), ("generic", {"Keras", "PyTorch"}), (None, {"Keras", "PyTorch"})],
)
def test_framework_chooses_the_code_shown(cli: CliRunner, framework: str | None, shown: set[str]) -> None:
    args = ["--task", "binary"] + (["--framework", framework] if framework else [])
    assert sections(text(cli, *args)) == shown
    data = json.loads(text(cli, *args, "--format", "json"))
    assert set(data["snippets"]) == {"keras", "pytorch"}  # the JSON contract keeps both


def test_pytorch_answer_names_pytorch_classes(cli: CliRunner) -> None:
    answer = headline(text(cli, "--task", "binary", "--framework", "pytorch"))
    assert answer["Loss"].startswith("nn.BCEWithLogitsLoss()")
    assert "binary_crossentropy" not in answer["Loss"] and "from_logits" not in answer["Loss"]
    assert answer["Output"].startswith("logits (no activation), 1 unit")
    assert answer["Optimizer"].startswith("torch.optim.Adam(lr=0.001)")
    assert answer["Hidden"].startswith("nn.ReLU(), nn.init.kaiming_normal_")
    multiclass = headline(text(cli, "--task", "multiclass", "--num-classes", "10", "--framework", "pytorch"))
    assert multiclass["Loss"].startswith("nn.CrossEntropyLoss()") and multiclass["Output"].startswith("logits (no activation), 10 units")
    rnn = headline(text(cli, "--task", "regression", "--architecture", "rnn", "--framework", "pytorch"))
    assert rnn["Optimizer"].startswith("torch.optim.Adam(lr=0.001), clip_grad_norm_(max_norm=1.0)")
    assert rnn["Hidden"].startswith("nn.LSTM with a tanh cell")


def test_keras_answer_names_keras_classes(cli: CliRunner) -> None:
    answer = headline(text(cli, "--task", "regression", "--outliers", "some", "--framework", "keras"))
    assert answer["Loss"].startswith("keras.losses.Huber(delta=1.0)")
    assert answer["Optimizer"].startswith("keras.optimizers.Adam(learning_rate=0.001)")
    generic = headline(text(cli, "--task", "regression", "--outliers", "some"))
    assert generic["Loss"].startswith("huber (delta=1)")  # no framework: the canonical names


def _snippets(cli: CliRunner, *args: str) -> dict[str, str]:
    data: dict[str, Any] = json.loads(text(cli, *args, "--format", "json"))
    return data["snippets"]  # type: ignore[no-any-return]


def test_imbalance_puts_class_weights_into_the_code(cli: CliRunner) -> None:
    binary = _snippets(cli, "--task", "binary", "--imbalance", "20")
    assert "pos_weight = torch.full((1,), 20.0)" in binary["pytorch"]
    assert "loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)" in binary["pytorch"]
    assert "class_weight = {0: 1.0, 1: 20.0}" in binary["keras"] and "class_weight=class_weight)" in binary["keras"]
    multiclass = _snippets(cli, "--task", "multiclass", "--num-classes", "4", "--imbalance", "20")
    assert "loss_fn = nn.CrossEntropyLoss(weight=class_weight)" in multiclass["pytorch"] and "torch.ones(4)" in multiclass["pytorch"]
    assert "class_weight = {i: 1.0 for i in range(4)}" in multiclass["keras"]
    multilabel = _snippets(cli, "--task", "multilabel", "--num-classes", "5", "--imbalance", "20")
    assert "pos_weight = torch.full((5,), 20.0)" in multilabel["pytorch"]
    assert "does not apply to multi-hot targets" in multilabel["keras"] and "class_weight=class_weight" not in multilabel["keras"]
    balanced = _snippets(cli, "--task", "binary")
    assert "pos_weight" not in balanced["pytorch"] and "class_weight" not in balanced["keras"]
    for snippet in (*binary.values(), *multiclass.values(), *multilabel.values()):
        compile(snippet, "<snippet>", "exec")
        assert max(len(line) for line in snippet.splitlines()) <= 120


@pytest.mark.parametrize(
    "args",
    [
        ("--task", "binary", "--imbalance", "20"),
        ("--task", "multilabel", "--num-classes", "5", "--imbalance", "20"),
        ("--task", "multiclass", "--num-classes", "4", "--imbalance", "20"),
    ],
)
def test_weighted_pytorch_snippets_train(cli: CliRunner, args: tuple[str, ...]) -> None:
    torch = pytest.importorskip("torch")
    code = _snippets(cli, *args)["pytorch"]
    namespace: dict[str, Any] = {"__name__": "snippet"}
    torch.manual_seed(0)
    exec(compile(code, "<pytorch snippet>", "exec"), namespace)  # noqa: S102 - the snippet is ours
    x = torch.randn(4, 20)
    y = torch.randint(0, 4, (4,)) if "multiclass" in args else torch.randint(0, 2, (4, 5 if "multilabel" in args else 1)).float()
    loss = namespace["train_step"](x, y)
    assert math.isfinite(loss) and loss > 0
    weight = namespace["loss_fn"].pos_weight if "multiclass" not in args else namespace["loss_fn"].weight
    assert weight is not None


def test_emit_code_prints_only_the_program(cli: CliRunner) -> None:
    keras = text(cli, "--task", "binary", "--emit", "keras")
    pytorch = text(cli, "--task", "binary", "--emit", "pytorch")
    assert keras.startswith("# nnadvisor recommendation as Keras 3 code") and "import keras" in keras
    assert pytorch.startswith("# nnadvisor recommendation as PyTorch code") and "def train_step(x, y):" in pytorch
    assert keras == _snippets(cli, "--task", "binary")["keras"]
    compile(keras, "<keras>", "exec")
    compile(pytorch, "<pytorch>", "exec")


def test_emit_config_as_json_is_a_config_check_accepts(cli: CliRunner, tmp_path: Path) -> None:
    import yaml

    args = ("--task", "multiclass", "--num-classes", "5", "--emit", "config")
    as_json = json.loads(text(cli, *args, "--format", "json"))
    assert as_json == yaml.safe_load(text(cli, *args))
    config = tmp_path / "model.json"
    config.write_text(json.dumps(as_json))
    checked = cli("check", "--format", "json", str(config))
    assert checked.code == 0 and json.loads(checked.out)["findings"] == []


def test_emit_code_with_json_or_demo_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("recommend", "--task", "binary", "--emit", "pytorch", "--format", "json")
    assert result.code == 2 and "--format json goes with --emit config" in result.err
    result = cli("recommend", "--task", "binary", "--emit", "config", "--demo")
    assert result.code == 2 and "--demo cannot go with --emit config" in result.err


def test_depth_zero_has_no_hidden_layer(cli: CliRunner) -> None:
    out = text(cli, "--task", "binary", "--depth", "0")
    assert headline(out)["Hidden"].startswith("none: no hidden layers (depth 0)")
    assert "# hidden layers: none (depth 0)" in out and "hidden activation: linear" not in out
    assert "Dense(64" not in out and "nn.Linear(width, 64)" not in out
    config = text(cli, "--task", "binary", "--depth", "0", "--emit", "config", "--format", "json")
    assert [layer["type"] for layer in json.loads(config)["layers"]] == ["dense"]


def test_explain_a_recommendation_rule(cli: CliRunner) -> None:
    result = cli("explain", "NNR120")
    assert result.code == 0, result.err
    for part in ("NNR120 multiclass-integer-labels", "Fires when task = multiclass and labels = integer", "sparse_categorical_crossentropy", "Why", "References", "nnadvisor demo multiclass-loss"):
        assert part in result.out
    assert cli("explain", "multiclass-integer-labels").out == result.out
    data = json.loads(cli("explain", "NNR120", "--format", "json").out)
    assert data["id"] == "NNR120" and data["choose"]["loss"]["name"] == "sparse_categorical_crossentropy"
    unknown = cli("explain", "NNR12")
    assert unknown.code == 2 and "did you mean NNR1" in unknown.err


def test_rules_recommend_lists_the_recommendation_rules(cli: CliRunner) -> None:
    from nnadvisor.rulebase import recommend_models

    result = cli("rules", "--recommend")
    assert result.code == 0
    for rule in recommend_models():
        assert rule.id in result.out and rule.name in result.out
    assert "NNR120" in result.out and "loss: sparse_categorical_crossentropy" in result.out
    data = json.loads(cli("rules", "--recommend", "--format", "json").out)
    assert {"NNR120", "NNR320"} <= {r["id"] for r in data}
    assert next(r for r in data if r["id"] == "NNR120")["priority"] == 100


def test_explain_shows_messages_not_templates(cli: CliRunner) -> None:
    out = cli("explain", "NNA103").out
    assert "{output.activation}" not in out and "{loss.given}" not in out
    assert "softmax output into CrossEntropyLoss, which applies its own softmax to logits" in out


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
@pytest.mark.parametrize(
    "args",
    [
        ("--task", "binary", "--labels", "signed"),
        ("--task", "binary", "--imbalance", "500"),
        ("--task", "multilabel", "--num-classes", "4"),
        ("--task", "multiclass", "--architecture", "transformer"),
        ("--task", "regression", "--target-range", "non-negative", "--sparse-features"),
    ],
)
def test_the_answer_never_shows_code_placeholders(cli: CliRunner, framework: str, args: tuple[str, ...]) -> None:
    answer = headline(text(cli, *args, "--framework", framework, "--no-code"))
    assert set(answer) == {"Output", "Loss", "Optimizer", "Hidden"}
    for line in answer.values():
        assert "None" not in line and "TODO" not in line and "${" not in line
