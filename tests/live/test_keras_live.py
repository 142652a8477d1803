"""Live Keras 3 models (real keras objects; skipped without Keras 3 and a backend for it).

Keras is imported with ``KERAS_BACKEND`` set to an installed backend (torch, else jax, else
tensorflow) unless the environment names one. The agreement tests build the models of
``tools/make_keras_fixtures.py`` (which wrote ``tests/fixtures/keras/*.json``) and check that the
live reader gives the findings the Keras file reader gives for the committed file and for the
model's own ``to_json()``, both compiled and with the loss and optimizer given as objects."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from nnadvisor.live import read_live
from nnadvisor.rulebase import RuleBase
from tests.live.conftest import KERAS, file_findings, live, notes, rule_ids

if "keras" not in sys.modules and "KERAS_BACKEND" not in os.environ:
    backend = next((b for b in ("torch", "jax", "tensorflow") if importlib.util.find_spec(b) is not None), None)
    if backend is not None:
        os.environ["KERAS_BACKEND"] = backend
keras = pytest.importorskip("keras")
if int(keras.__version__.split(".")[0]) != 3:
    pytest.skip("these tests build Keras 3 models", allow_module_level=True)
layers = keras.layers
TOOLS = Path(__file__).resolve().parents[2] / "tools" / "make_keras_fixtures.py"


def _builders() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_keras_fixtures", TOOLS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDERS = _builders()
NAMES = sorted(BUILDERS.MODELS)


@pytest.mark.parametrize("name", NAMES)
def test_compiled_model_agrees_with_its_saved_json_and_the_committed_fixture(rulebase: RuleBase, name: str) -> None:
    model = BUILDERS.MODELS[name]()
    from_objects = rule_ids(live(rulebase, model))
    assert from_objects == rule_ids(file_findings(rulebase, model.to_json(indent=2), "keras", f"{name}.json"))
    assert from_objects == rule_ids(file_findings(rulebase, (KERAS / f"{name}.json").read_bytes(), "keras", f"{name}.json"))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "uncompiled"])
def test_uncompiled_model_with_loss_and_optimizer_objects_agrees_with_the_compiled_file(rulebase: RuleBase, name: str) -> None:
    compiled = BUILDERS.MODELS[name]()
    bare = type(compiled).from_config(compiled.get_config())
    assert not bare.get_compile_config()
    from_objects = live(rulebase, bare, compiled.loss, compiled.optimizer)
    assert rule_ids(from_objects) == rule_ids(file_findings(rulebase, compiled.to_json(indent=2), "keras", f"{name}.json"))
    assert not any("not compiled" in m or "no loss" in m for m in notes(from_objects))


def mlp(units: int, activation: str | None) -> Any:
    return keras.Sequential([keras.Input((20,)), layers.Dense(32, activation="relu"), layers.Dense(units, activation=activation)])


def test_softmax_output_with_a_from_logits_loss_object_is_nna103(rulebase: RuleBase) -> None:
    model = mlp(10, "softmax")
    found = live(rulebase, model, keras.losses.CategoricalCrossentropy(from_logits=True), keras.optimizers.Adam(1e-3))
    assert rule_ids(found) == {"NNA103"}
    nna103 = next(f for f in found if f.rule_id == "NNA103")
    assert nna103.object_path in (model.layers[-1].name, "loss")
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True), optimizer="adam")
    assert rule_ids(file_findings(rulebase, model.to_json(), "keras", "m.json")) == {"NNA103"}


def test_correct_models_are_clean(rulebase: RuleBase) -> None:
    assert rule_ids(live(rulebase, mlp(10, None), keras.losses.SparseCategoricalCrossentropy(from_logits=True), keras.optimizers.Adam(1e-3))) == set()
    assert rule_ids(live(rulebase, mlp(10, "softmax"), "sparse_categorical_crossentropy", "adam")) == set()
    assert rule_ids(live(rulebase, mlp(1, "sigmoid"), keras.losses.binary_crossentropy, keras.optimizers.SGD(0.01, momentum=0.9))) == set()


def test_one_unit_softmax_and_sigmoid_into_from_logits(rulebase: RuleBase) -> None:
    assert "NNA201" in rule_ids(live(rulebase, mlp(1, "softmax"), keras.losses.BinaryCrossentropy(), "adam"))
    assert "NNA103" in rule_ids(live(rulebase, mlp(1, "sigmoid"), keras.losses.BinaryCrossentropy(from_logits=True), "adam"))


def test_gan_discriminator_is_clean(rulebase: RuleBase) -> None:
    disc = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Conv2D(64, 3, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2),
         layers.Flatten(), layers.Dropout(0.3), layers.Dense(1, activation="sigmoid")],
        name="discriminator",
    )  # fmt: skip
    optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    assert rule_ids(live(rulebase, disc, keras.losses.BinaryCrossentropy(), optimizer)) == set()
    disc.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=optimizer)
    assert rule_ids(file_findings(rulebase, disc.to_json(), "keras", "d.json")) == set()


def test_objects_are_layer_names_nested_models_and_per_output_losses(rulebase: RuleBase) -> None:
    inner = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu", name="inner_dense")], name="inner")
    inp = keras.Input((8,), name="x")
    h = inner(inp)
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    reg = layers.Dense(1, name="reg")(h)
    model = keras.Model(inp, {"cls": cls, "reg": reg})
    results = read_live(model, {"cls": keras.losses.CategoricalCrossentropy(from_logits=True), "reg": "mse"}, "adam", rulebase, {})
    by_head = {r.head: r for r in results}
    assert set(by_head) == {"cls", "reg"}
    cls_result = by_head["cls"]
    assert cls_result.objects["/layers/0"] == "inner.inner_dense"
    assert cls_result.objects["/layers/1/activation"] == "cls"
    assert cls_result.objects["/loss/from_logits"] == "loss['cls']"
    assert by_head["reg"].objects["/loss"] == "loss['reg']"
    assert all(loc == (1, 1) for r in results for loc in r.doc.locations.values())
    found = live(rulebase, model, {"cls": keras.losses.CategoricalCrossentropy(from_logits=True), "reg": "mse"}, "adam")
    assert [f.message.startswith("[head cls]") for f in found if f.rule_id == "NNA103"] == [True]


def test_keras_on_the_torch_backend_is_read_as_keras() -> None:
    """A Keras 3 model on the torch backend is a torch.nn.Module too: it is read as Keras."""
    from nnadvisor.rulebase import load_rulebase

    result = read_live(mlp(3, "softmax"), None, None, load_rulebase(), {})[0]
    assert result.config is not None and result.config.framework == "keras"


class Scorer(keras.Model):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hidden = layers.Dense(16, activation="relu")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, x: Any) -> Any:
        return self.out(self.hidden(x))


def test_subclassed_model_layers_are_unknown_loss_and_optimizer_are_checked(rulebase: RuleBase) -> None:
    model = Scorer()
    model(keras.ops.zeros((2, 5)))
    found = live(rulebase, model, keras.losses.CategoricalCrossentropy(from_logits=True), keras.optimizers.Adam(learning_rate=0.5))
    assert rule_ids(found) == {"NNA501"}  # no claim about the (unknown) output
    assert any(m.startswith("Scorer is a subclassed model: its config has no layers") and "not necessarily the order call() uses them" in m for m in notes(found))


def test_uncompiled_without_loss_and_custom_objects_are_said(rulebase: RuleBase) -> None:
    model = mlp(3, "softmax")
    assert notes(live(rulebase, model)) == ["no loss and no optimizer were given, and the model is not compiled: the loss and the optimizer are unknown"]
    assert notes(live(rulebase, model, "categorical_crossentropy")) == ["no optimizer was given and the model is not compiled with one: the optimizer is unknown"]

    def my_loss(y_true: Any, y_pred: Any) -> Any:
        return keras.ops.mean(y_pred)

    found = live(rulebase, model, my_loss, "adam")
    assert rule_ids(found) == set()
    assert any("my_loss, not a Keras loss: the loss is unknown" in m for m in notes(found)), notes(found)


def test_compiled_loss_is_replaced_by_the_one_given(rulebase: RuleBase) -> None:
    model = mlp(10, "softmax")
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    assert rule_ids(live(rulebase, model)) == set()
    assert rule_ids(live(rulebase, model, keras.losses.SparseCategoricalCrossentropy(from_logits=True))) == {"NNA103"}


def test_context_is_added(rulebase: RuleBase) -> None:
    found = live(rulebase, mlp(10, "softmax"), "categorical_crossentropy", "adam", labels="integer")
    assert "NNA301" in rule_ids(found)


def test_the_same_finding_on_two_heads_is_reported_for_each(rulebase: RuleBase) -> None:
    inp = keras.Input((8,))
    h = layers.Dense(16, activation="relu")(inp)
    model = keras.Model(inp, {"a": layers.Dense(3, activation="softmax", name="a")(h), "b": layers.Dense(4, activation="softmax", name="b")(h)})
    found = [f for f in live(rulebase, model, keras.losses.CategoricalCrossentropy(from_logits=True), "adam") if f.rule_id == "NNA103"]
    assert sorted(f.object_path or "" for f in found) == ["a", "b"]
