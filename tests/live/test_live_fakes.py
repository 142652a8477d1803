"""FAKE framework objects: plain Python classes named and shaped like Keras' and PyTorch's (their
class names and modules, their attributes), so that the live reader's logic is tested where
neither framework is installed. These prove nothing about the real frameworks: the tests that
do are ``test_torch_live.py`` and ``test_keras_live.py`` (skipped without them).

The fake Keras models return the JSON real Keras wrote (``tests/fixtures/keras/``), so that their
findings can be compared with the Keras file reader's on the same file."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nnadvisor.live import duck, read_live
from nnadvisor.live.places import Places, rewrite
from nnadvisor.live.torch_module import TorchModel
from nnadvisor.readers._model import Assembly
from nnadvisor.readers.pytorch.catalogue import catalogue
from nnadvisor.rulebase import RuleBase
from tests.live.conftest import KERAS, file_findings, live, notes, rule_ids

LIVE_PACKAGE = Path(__file__).resolve().parents[2] / "nnadvisor" / "live"


def fake_class(name: str, module: str, *bases: type, **attrs: Any) -> type:
    """A class called ``name`` whose ``__module__`` is ``module`` (what duck typing looks at)."""
    return type(name, bases or (object,), {"__module__": module, **attrs})


# --- fake Keras ---------------------------------------------------------------------------------

FakeKerasLayer = fake_class("Layer", "keras.src.layers.layer")
FakeKerasModel = fake_class("Model", "keras.src.models.model", FakeKerasLayer)
FakeKerasFunctional = fake_class("Functional", "keras.src.models.functional", FakeKerasModel)
FakeKerasSequential = fake_class("Sequential", "keras.src.models.sequential", FakeKerasModel)


class FakeKerasObject:
    """A fake Keras loss or optimizer: ``get_config()`` returns what it was given."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)


FakeCategoricalCrossentropy = fake_class("CategoricalCrossentropy", "keras.src.losses.losses", FakeKerasObject)
FakeAdam = fake_class("Adam", "keras.src.optimizers.adam", FakeKerasObject)
FakeTfKerasAdam = fake_class("Adam", "keras.optimizers.optimizer_v2.adam", FakeKerasObject)


def fake_keras3_model(fixture: str, cls: type = FakeKerasSequential) -> Any:
    """A FAKE Keras 3 model whose ``to_json()`` is a committed fixture (real Keras 3.15 output)."""
    text = (KERAS / fixture).read_text()
    model = cls()
    model.to_json = lambda: text
    model.get_compile_config = lambda: json.loads(text).get("compile_config")
    return model


def test_fake_keras3_compiled_model_agrees_with_its_file(rulebase: RuleBase) -> None:
    for fixture in ("double_softmax.json", "good_multiclass.json", "single_unit_softmax.json", "softmax_mse.json", "lstm_relu_no_clip.json"):
        from_file = rule_ids(file_findings(rulebase, (KERAS / fixture).read_bytes(), "keras", fixture))
        assert rule_ids(live(rulebase, fake_keras3_model(fixture))) == from_file, fixture


def test_fake_keras3_functional_multi_output_agrees_with_its_file(rulebase: RuleBase) -> None:
    model = fake_keras3_model("multi_output.json", FakeKerasFunctional)
    from_file = file_findings(rulebase, (KERAS / "multi_output.json").read_bytes(), "keras", "multi_output.json")
    found = live(rulebase, model)
    assert rule_ids(found) == rule_ids(from_file) == {"NNA103"}
    assert [f.message for f in found if f.rule_id == "NNA103"] == [f.message for f in from_file if f.rule_id == "NNA103"]
    heads = {r.head: r for r in read_live(model, None, None, rulebase, {})}
    assert heads["flag"].objects["/layers/1"] == "flag" and heads["flag"].objects["/loss/from_logits"] == "loss['flag']"


def test_fake_keras_loss_object_on_an_uncompiled_model(rulebase: RuleBase) -> None:
    model = fake_keras3_model("uncompiled.json")
    loss = FakeCategoricalCrossentropy({"name": "categorical_crossentropy", "reduction": "sum_over_batch_size", "from_logits": True, "label_smoothing": 0.0, "axis": -1})
    optimizer = FakeAdam({"name": "adam", "learning_rate": 0.0010000000474974513, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07})
    result = read_live(model, loss, optimizer, rulebase, {})[0]
    assert result.doc.data["loss"] == {"name": "CategoricalCrossentropy", "from_logits": True, "label_smoothing": 0.0, "axis": -1}
    assert result.doc.data["optimizer"]["learning_rate"] == 0.001
    assert result.objects["/layers/1/activation"] == "dense_24" and result.objects["/loss/from_logits"] == "loss"
    assert rule_ids(live(rulebase, model, loss, optimizer)) == {"NNA103"}
    assert notes(live(rulebase, model)) == ["no loss and no optimizer were given, and the model is not compiled: the loss and the optimizer are unknown"]


def test_fake_tf_keras_model_reads_loss_and_optimizer_attributes(rulebase: RuleBase) -> None:
    """tf.keras (Keras 2): ``to_json()`` has no compile config; ``model.loss`` and
    ``model.optimizer`` say what it is compiled with."""
    saved = json.loads((KERAS / "legacy_keras22_softmax_mse.json").read_text())
    cls = fake_class("Sequential", "keras.engine.sequential", fake_class("Model", "keras.engine.training", fake_class("Layer", "keras.engine.base_layer")))
    model = cls()
    model.to_json = lambda: json.dumps({**saved["model_config"], "keras_version": saved["keras_version"], "backend": "tensorflow"})
    model.loss = saved["training_config"]["loss"]
    model.optimizer = FakeTfKerasAdam({"name": "Adam", **saved["training_config"]["optimizer_config"]["config"]})
    from_file = rule_ids(file_findings(rulebase, (KERAS / "legacy_keras22_softmax_mse.json").read_bytes(), "keras", "legacy.json"))
    assert from_file and rule_ids(live(rulebase, model)) == from_file
    assert read_live(model, None, None, rulebase, {})[0].doc.data["optimizer"]["learning_rate"] == 0.001


def test_fake_keras_model_whose_to_json_raises_is_read_from_get_config(rulebase: RuleBase) -> None:
    saved = json.loads((KERAS / "double_softmax.json").read_text())
    model = FakeKerasSequential()

    def broken() -> str:
        raise TypeError("cannot serialise a custom layer")

    model.to_json = broken
    model.get_config = lambda: saved["config"]
    found = live(rulebase, model, "sparse_categorical_crossentropy", "adam")
    assert rule_ids(found) == set() and not notes(found)
    model.get_config = broken
    found = live(rulebase, model, "sparse_categorical_crossentropy", "adam")
    assert any(m.startswith("the model's configuration cannot be read (to_json() raised TypeError; get_config() raised TypeError)") for m in notes(found))


def test_fake_torch_loss_for_a_keras_model_is_unknown(rulebase: RuleBase) -> None:
    loss = FakeCrossEntropyLoss()
    found = live(rulebase, fake_keras3_model("uncompiled.json"), loss, "adam")
    assert any("the loss is a PyTorch loss, not a Keras loss: the loss is unknown" in m for m in notes(found)), notes(found)


# --- fake PyTorch -------------------------------------------------------------------------------


class _ModuleBody:
    def __init__(self, **attrs: Any) -> None:
        self._children: dict[str, Any] = {}
        for key, value in attrs.items():
            setattr(self, key, value)

    def add(self, name: str, child: Any) -> Any:
        self._children[name] = child
        return self

    def named_children(self) -> list[tuple[str, Any]]:
        return list(self._children.items())

    def forward(self, x: Any) -> Any:
        return x

    def get_submodule(self, target: str) -> Any:
        node: Any = self
        for part in target.split("."):
            node = node._children[part]
        return node


FakeModule = fake_class("Module", "torch.nn.modules.module", _ModuleBody)
FakeSequential = fake_class("Sequential", "torch.nn.modules.container", FakeModule, forward=lambda self, x: x)
FakeLinear = fake_class("Linear", "torch.nn.modules.linear", FakeModule, forward=lambda self, x: x)
FakeSoftmax = fake_class("Softmax", "torch.nn.modules.activation", FakeModule, forward=lambda self, x: x)
FakeReLU = fake_class("ReLU", "torch.nn.modules.activation", FakeModule, forward=lambda self, x: x)
FakeLoss = fake_class("_Loss", "torch.nn.modules.loss", FakeModule)
FakeCrossEntropyLoss = fake_class("CrossEntropyLoss", "torch.nn.modules.loss", FakeLoss, forward=lambda self, x, y: x)
FakeOptimizer = fake_class("Optimizer", "torch.optim.optimizer")
FakeTorchAdam = fake_class("Adam", "torch.optim.adam", FakeOptimizer, step=lambda self: None)


def fake_sequential(*children: Any) -> Any:
    seq = FakeSequential()
    for i, child in enumerate(children):
        seq.add(str(i), child)
    return seq


def fake_loss(**attrs: Any) -> Any:
    defaults = {"reduction": "mean", "ignore_index": -100, "label_smoothing": 0.0, "weight": None}
    return FakeCrossEntropyLoss(**{**defaults, **attrs})


def fake_adam(lr: float = 1e-3) -> Any:
    opt = FakeTorchAdam()
    opt.defaults = {"lr": lr, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, "amsgrad": False, "foreach": None}
    opt.param_groups = [{"params": [], **opt.defaults}]
    return opt


SEQUENTIAL_SOURCE = """
import torch
from torch import nn

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr={lr})
"""


@pytest.mark.parametrize(("lr", "expected"), [(1e-3, {"NNA103"}), (0.5, {"NNA103", "NNA501"})])
def test_fake_torch_sequential_agrees_with_the_same_source(rulebase: RuleBase, lr: float, expected: set[str]) -> None:
    model = fake_sequential(FakeLinear(out_features=64), FakeReLU(), FakeLinear(out_features=10), FakeSoftmax(dim=1))
    assert rule_ids(file_findings(rulebase, SEQUENTIAL_SOURCE.format(lr=lr), "python")) == expected
    assert rule_ids(live(rulebase, model, FakeCrossEntropyLoss(reduction="mean", ignore_index=-100, label_smoothing=0.0), fake_adam(lr))) == expected
    result = read_live(model, None, None, rulebase, {})[0]
    assert result.objects["/layers/3/activation"] == "3" and result.objects["/layers/2/units"] == "2"


def test_fake_torch_loss_attributes_and_optimizer_groups(rulebase: RuleBase) -> None:
    model = fake_sequential(FakeLinear(out_features=3))
    result = read_live(model, fake_loss(label_smoothing=1.5), fake_adam(), rulebase, {})[0]
    assert result.doc.data["loss"] == {"name": "CrossEntropyLoss", "label_smoothing": 1.5, "reduction": "mean", "ignore_index": -100}
    assert result.doc.data["optimizer"] == {
        "name": "Adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-08, "weight_decay": 0, "amsgrad": False
    }  # fmt: skip
    assert "NNA602" in rule_ids(live(rulebase, model, fake_loss(label_smoothing=1.5), fake_adam()))
    opt = fake_adam()
    opt.param_groups = [{"params": [], **opt.defaults, "lr": 0.1}, {"params": [], **opt.defaults, "lr": 0.01}]
    result = read_live(model, None, opt, rulebase, {})[0]
    assert "learning_rate" not in result.doc.data["optimizer"]
    assert any("different lr values (0.1, 0.01)" in n.message for n in result.notes)


def test_fake_torch_custom_module_without_a_trace_falls_back_to_registration_order(rulebase: RuleBase) -> None:
    """The fake is not a real module: torch.fx (when installed) cannot trace it, nor is it there
    without torch. Either way the reader falls back to the registration order, and says so."""
    Net = fake_class("Net", "user_code", FakeModule)
    tail = Net().add("fc1", FakeLinear(out_features=8)).add("fc2", FakeLinear(out_features=3)).add("out", FakeSoftmax())
    result = read_live(tail, fake_loss(), None, rulebase, {})[0]
    assert [layer["type"] for layer in result.doc.data["layers"]] == ["other", "dense", "activation"]
    assert any(n.message.startswith("torch.fx cannot trace Net.forward") and "which is assumed, not known" in n.message for n in result.notes)
    assert "NNA103" in rule_ids(live(rulebase, tail, fake_loss()))
    plain = Net().add("fc1", FakeLinear(out_features=8)).add("fc2", FakeLinear(out_features=3))
    found = live(rulebase, plain, fake_loss())
    assert rule_ids(found) == set()
    assert any("what it computes is unknown" in m for m in notes(found))


class FakeNode:
    """A FAKE ``torch.fx.Node``: what the graph walk reads of one."""

    def __init__(self, op: str, name: str, target: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> None:
        self.op, self.name, self.target, self.args, self.kwargs = op, name, target, args, kwargs or {}
        self.meta: dict[str, Any] = {}

    @property
    def all_input_nodes(self) -> list[FakeNode]:
        found = [a for a in self.args if isinstance(a, FakeNode)]
        return found + [v for v in self.kwargs.values() if isinstance(v, FakeNode)]


FakeNode.__name__ = "Node"


def _fake_function(module: str, name: str) -> Any:
    def fn(*args: Any, **kwargs: Any) -> Any:
        return None

    fn.__module__, fn.__name__ = module, name
    return fn


def test_fake_fx_graph_walk(rulebase: RuleBase) -> None:
    """x -> fc1 -> F.relu -> (x2 = fc2(h)) + skip(h) -> .view -> F.softmax: the longest branch."""
    root = FakeModule().add("fc1", FakeLinear(out_features=16)).add("fc2", FakeLinear(out_features=16)).add("skip", FakeLinear(out_features=16))
    root.add("head", FakeLinear(out_features=4))
    x = FakeNode("placeholder", "x", "x")
    fc1 = FakeNode("call_module", "fc1", "fc1", (x,))
    relu = FakeNode("call_function", "relu", _fake_function("torch.nn.functional", "relu"), (fc1,))
    fc2 = FakeNode("call_module", "fc2", "fc2", (relu,))
    act2 = FakeNode("call_method", "tanh", "tanh", (fc2,))
    skip = FakeNode("call_module", "skip", "skip", (relu,))
    add = FakeNode("call_function", "add", _fake_function("_operator", "add"), (act2, skip))
    head = FakeNode("call_module", "head", "head", (add,))
    view = FakeNode("call_method", "view", "view", (head, -1, 4))
    scaled = FakeNode("call_function", "truediv", _fake_function("_operator", "truediv"), (view, 2.0))
    soft = FakeNode("call_function", "softmax", _fake_function("torch.nn.functional", "softmax"), (scaled,), {"dim": 1})
    soft.meta["nn_module_stack"] = {}
    out = FakeNode("output", "output", "output", (soft,))
    graph = type("Graph", (), {"nodes": [x, fc1, relu, fc2, act2, skip, add, head, view, scaled, soft, out]})()
    cat = catalogue(rulebase.frameworks["pytorch"])
    asm = Assembly("pytorch", rulebase.vocabulary)
    places = Places()
    reader = TorchModel(cat, asm, places, duck.Names([]))
    entries = reader.graph(graph, root, "", 0)
    assert [(e.layer["type"], e.layer.get("activation"), e.merge) for e in entries] == [
        ("dense", None, False), ("activation", "relu", False), ("dense", None, False), ("activation", "tanh", False),
        ("other", None, True), ("dense", None, False), ("activation", "softmax", False),
    ]  # fmt: skip
    assert [places.paths[e.where.line] for e in entries] == ["fc1", "forward:relu", "fc2", "forward:tanh", "forward:add", "head", "forward:softmax"]


# --- duck typing, notes, import hygiene ---------------------------------------------------------


def test_duck_recognises_by_class_names_and_modules() -> None:
    assert duck.is_torch_module(FakeLinear()) and not duck.is_torch_module(FakeKerasSequential())
    assert duck.is_keras_model(FakeKerasSequential(), frozenset({"Model"})) and not duck.is_keras_model(FakeLinear(), frozenset({"Model"}))
    assert duck.is_torch_optimizer(fake_adam()) and duck.is_keras_object(FakeAdam({}))
    assert duck.describe(FakeLinear()) == "torch.nn.modules.linear.Linear"
    assert duck.plain((1, 2.5)) == [1, 2.5]


def test_rewrite_names_objects_for_lines() -> None:
    paths = {1: "model", 3: "head.1", 5: "loss"}
    assert rewrite("activation 'x' (line 3) is not in nnadvisor's vocabulary", paths) == "activation 'x' (at head.1) is not in nnadvisor's vocabulary"
    assert rewrite("loss at line 5 is neither a name nor a serialised loss: it is unknown", paths) == "loss at loss is neither a name nor a serialised loss: it is unknown"
    assert rewrite("the output passes through X (line 3), which is not resolved statically", paths) == "the output passes through X (at head.1), which is not resolved"
    assert rewrite("line 9 stays", paths) == "line 9 stays"


def test_not_a_model_is_a_problem(rulebase: RuleBase) -> None:
    result = read_live(object(), None, None, rulebase, {})
    assert result[0].config is None and result[0].problems[0].message == "not a PyTorch nn.Module or a Keras model: object was given"


def test_the_live_package_imports_no_framework_and_no_numpy() -> None:
    code = (
        "import sys; import nnadvisor.live, nnadvisor.live.torch_module, nnadvisor.live.keras_model, nnadvisor.live.objects; "
        "print([m for m in ('torch', 'keras', 'tensorflow', 'numpy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=LIVE_PACKAGE.parents[1])
    assert out.stdout.strip() == "[]"
    for path in LIVE_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in ("torch", "keras", "tensorflow", "tf_keras", "numpy")], (path.name, names)
