"""Live PyTorch modules, losses and optimizers (real torch objects; skipped without PyTorch).

The agreement tests build the same model as a file and as objects (by running the file) and
check that the live reader and the PyTorch source reader give the same findings."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from nnadvisor.live import read_live
from nnadvisor.rulebase import RuleBase
from tests.live.conftest import (
    PYTORCH,
    file_findings,
    live,
    notes,
    rule_ids,
    run_fixture,
    run_source,
)

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


def agree(rulebase: RuleBase, text: str, model: Any, loss: Any, optimizer: Any, **context: Any) -> set[str]:
    """The rules both readers report (asserting they are the same)."""
    from_file = rule_ids(file_findings(rulebase, text, "python"))
    from_objects = rule_ids(live(rulebase, model, loss, optimizer, **context))
    assert from_objects == from_file, (from_objects, from_file)
    return from_objects


# --- agreement with the source reader ----------------------------------------------------------


def test_sequential_ending_in_softmax_before_cross_entropy_is_nna103_in_both(rulebase: RuleBase) -> None:
    path = PYTORCH / "double_softmax_sequential.py"
    ns = run_fixture(path)
    assert "NNA103" in agree(rulebase, path.read_text(), ns["model"], ns["criterion"], ns["optimizer"])


def test_forward_returning_f_softmax_is_traced_by_fx_and_is_nna103_in_both(rulebase: RuleBase) -> None:
    path = PYTORCH / "double_softmax_forward.py"
    ns = run_fixture(path)
    model = ns["Net"]()
    found = agree(rulebase, path.read_text(), model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    assert "NNA103" in found
    results = read_live(model, nn.CrossEntropyLoss(), None, rulebase, {})
    layers = results[0].doc.data["layers"]
    assert [layer["type"] for layer in layers] == ["dense", "activation", "dropout", "dense", "activation"]
    assert results[0].objects["/layers/4"] == "forward:softmax"
    assert results[0].objects["/layers/3/units"] == "fc2"


def test_correct_classifier_is_clean_in_both_though_its_softmax_is_registered_last(rulebase: RuleBase) -> None:
    """fx gives the call order: the nn.Softmax used only in predict() is not on the output path
    (the registration order, embedding, fc, softmax, would have said double softmax)."""
    path = PYTORCH / "good_logits_ce.py"
    ns = run_fixture(path)
    assert agree(rulebase, path.read_text(), ns["model"], ns["criterion"], ns["optimizer"]) == set()


def test_one_unit_softmax_is_nna201_in_both(rulebase: RuleBase) -> None:
    path = PYTORCH / "single_unit_softmax.py"
    ns = run_fixture(path)
    assert "NNA201" in agree(rulebase, path.read_text(), ns["model"], ns["criterion"], ns["optimizer"])


def test_sigmoid_into_bce_with_logits_is_nna103_in_both(rulebase: RuleBase) -> None:
    path = PYTORCH / "sigmoid_bce_with_logits.py"
    ns = run_fixture(path)
    model = ns["BinaryNet"](n_features=12)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    assert "NNA103" in agree(rulebase, path.read_text(), model, nn.BCEWithLogitsLoss(), optimizer)


LOG_OF_SOFTMAX = '''
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 32), nn.GELU(), nn.Linear(32, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(F.softmax(self.body(x), dim=1))


model = Net()
criterion = nn.{loss}()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)
'''


@pytest.mark.parametrize(("loss", "expected"), [("NLLLoss", set()), ("CrossEntropyLoss", {"NNA104"})])
def test_log_of_softmax_in_forward_is_a_log_softmax_in_both(rulebase: RuleBase, tmp_path: Path, loss: str, expected: set[str]) -> None:
    text = LOG_OF_SOFTMAX.format(loss=loss)
    ns = run_source(text, tmp_path)
    assert agree(rulebase, text, ns["model"], ns["criterion"], ns["optimizer"]) == expected


def test_an_activation_the_training_loop_applies_is_not_seen(rulebase: RuleBase) -> None:
    """good_log_of_softmax.py applies log(softmax(...)) in its training step, not in the model: the
    live model given is a linear output, which NLLLoss does not expect."""
    ns = run_fixture(PYTORCH / "good_log_of_softmax.py")
    assert "NNA102" in rule_ids(live(rulebase, ns["model"], ns["nll"], ns["optimizer"]))


GAN = '''
import torch
from torch import nn


class Discriminator(nn.Module):
    def __init__(self, features: int = 784) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(features, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3),
            nn.Linear(256, 128), nn.LeakyReLU(0.2),
            nn.Linear(128, 1), nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.view(x.size(0), -1))


netD = Discriminator()
criterion = nn.BCELoss()
optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))


def train_step(real: torch.Tensor) -> None:
    optD.zero_grad()
    loss = criterion(netD(real), torch.ones(real.size(0), 1))
    loss.backward()
    optD.step()
'''


def test_gan_discriminator_with_bce_is_clean_in_both(rulebase: RuleBase, tmp_path: Path) -> None:
    ns = run_source(GAN, tmp_path)
    assert agree(rulebase, GAN, ns["netD"], ns["criterion"], ns["optD"]) == set()
    result = read_live(ns["netD"], ns["criterion"], ns["optD"], rulebase, {})[0]
    assert result.objects["/layers/5"] == "net.5"  # Linear(128, 1), through fx into the Sequential
    assert result.doc.data["optimizer"]["beta_1"] == 0.5


def test_gan_discriminator_with_softmax_mistake_agrees(rulebase: RuleBase, tmp_path: Path) -> None:
    text = GAN.replace("nn.Linear(128, 1), nn.Sigmoid()", "nn.Linear(128, 1), nn.Softmax(dim=1)")
    ns = run_source(text, tmp_path)
    assert "NNA201" in agree(rulebase, text, ns["netD"], ns["criterion"], ns["optD"])


MLP = '''
import torch
from torch import nn

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
criterion = nn.CrossEntropyLoss(label_smoothing={smoothing})
optimizer = torch.optim.{optimizer}
'''


@pytest.mark.parametrize(
    ("smoothing", "optimizer", "expected"),
    [
        ("0.1", "Adam(model.parameters(), lr=1e-3)", set()),
        ("0.1", "Adam(model.parameters(), lr=0.5)", {"NNA501"}),
        ("0.1", "SGD(model.parameters(), lr=0.1)", {"NNA504"}),
        ("0.1", "SGD(model.parameters(), lr=0.1, momentum=1.2)", {"NNA502"}),
        ("1.5", "Adam(model.parameters(), lr=1e-3, weight_decay=0.01)", {"NNA602", "NNA505"}),
        ("0.0", "RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=0.0)", {"NNA502"}),
    ],
)
def test_loss_and_optimizer_parameters_agree(rulebase: RuleBase, tmp_path: Path, smoothing: str, optimizer: str, expected: set[str]) -> None:
    text = MLP.format(smoothing=smoothing, optimizer=optimizer)
    ns = run_source(text, tmp_path)
    assert agree(rulebase, text, ns["model"], ns["criterion"], ns["optimizer"]) == expected


# --- what fx cannot trace ----------------------------------------------------------------------

DYNAMIC = '''
import torch
import torch.nn.functional as F
from torch import nn


class Gated(nn.Module):
    """Data-dependent control flow: torch.fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 4)
        self.skip = nn.Linear(16, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.mean() > 0:
            return self.fc2(F.relu(self.fc1(x)))
        return self.skip(x)


model = Gated()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
'''


def test_dynamic_forward_is_unknown_with_a_note_and_no_false_alarm(rulebase: RuleBase, tmp_path: Path) -> None:
    ns = run_source(DYNAMIC, tmp_path)
    found = live(rulebase, ns["model"], ns["criterion"], ns["optimizer"])
    assert rule_ids(found) == set()
    said = notes(found)
    assert any(m.startswith("torch.fx cannot trace Gated.forward (TraceError:") and "what it computes is unknown" in m for m in said), said
    assert any("the output activation is unknown" in m and "at model" in m for m in said), said
    result = read_live(ns["model"], ns["criterion"], ns["optimizer"], rulebase, {})[0]
    assert "/layers/0/activation" in result.unknowns
    assert rule_ids(file_findings(rulebase, DYNAMIC, "python")) == set()


def test_dynamic_softmax_model_fires_nothing_about_its_output(rulebase: RuleBase, tmp_path: Path) -> None:
    text = DYNAMIC.replace("return self.skip(x)", "return F.softmax(self.skip(x), dim=1)")
    ns = run_source(text, tmp_path)
    assert rule_ids(live(rulebase, ns["model"], ns["criterion"], ns["optimizer"])) == set()


PARTLY_DYNAMIC = '''
import torch
from torch import nn


class Gate(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(32, 32)
        self.b = nn.Linear(32, 32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a(x) if x.sum() > 0 else self.b(x)


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(8, 32), nn.ReLU())
        self.gate = Gate()
        self.head = nn.Linear(32, 5)
        self.out = nn.Softmax(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.head(torch.relu(self.gate(self.stem(x)))))
'''


def test_an_untraceable_submodule_is_one_opaque_layer_and_the_rest_is_read(rulebase: RuleBase, tmp_path: Path) -> None:
    ns = run_source(PARTLY_DYNAMIC, tmp_path)
    model = ns["Net"]()
    result = read_live(model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters()), rulebase, {})[0]
    layers = result.doc.data["layers"]
    assert [(layer["type"], layer.get("name")) for layer in layers] == [
        ("dense", "Linear"), ("activation", None), ("other", "Gate"), ("activation", None), ("dense", "Linear"), ("activation", None)
    ]  # fmt: skip
    assert result.objects["/layers/2"] == "gate" and result.objects["/layers/4"] == "head" and result.objects["/layers/5"] == "out"
    gate_note = next(n for n in result.notes if n.message.startswith("torch.fx cannot trace Gate.forward"))
    assert gate_note.pointer == "/layers/2"
    found = live(rulebase, model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters()))
    assert "NNA103" in rule_ids(found)  # the softmax after the known head is still read


TAIL = '''
import torch
from torch import nn


class Tail(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.extra = nn.Linear(16, 16)
        self.fc = nn.Linear(16, 3)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.body(x))
        for _ in range(int(x.shape[0] % 3)):
            h = torch.relu(self.extra(h))
        return self.softmax(self.fc(h))
'''


def test_untraceable_module_ending_in_a_layer_and_an_activation_reads_those_two_and_says_it_assumes(rulebase: RuleBase, tmp_path: Path) -> None:
    ns = run_source(TAIL, tmp_path)
    model = ns["Tail"]()
    result = read_live(model, nn.CrossEntropyLoss(), None, rulebase, {})[0]
    assert [layer["type"] for layer in result.doc.data["layers"]] == ["other", "dense", "activation"]
    assert result.objects["/layers/1/units"] == "fc" and result.objects["/layers/2/activation"] == "softmax"
    assert any("registration order, which is assumed, not known" in n.message and "fc (nn.Linear) and softmax (nn.Softmax)" in n.message for n in result.notes)
    assert "NNA103" in rule_ids(live(rulebase, model, nn.CrossEntropyLoss()))


def test_untraceable_module_without_that_tail_is_unknown(rulebase: RuleBase, tmp_path: Path) -> None:
    ns = run_source(TAIL.replace("self.softmax(self.fc(h))", "torch.softmax(self.fc(h), dim=1)").replace("        self.softmax = nn.Softmax(dim=1)\n", ""), tmp_path)
    found = live(rulebase, ns["Tail"](), nn.CrossEntropyLoss())
    assert rule_ids(found) == set()
    assert any("what it computes is unknown" in m for m in notes(found))


# --- what the graph holds ----------------------------------------------------------------------


class Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inp = nn.Linear(10, 32)
        self.block = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32))
        self.head = nn.Linear(32, 3)
        self.temperature = 2.0

    def forward(self, x: Any) -> Any:
        h = torch.relu(self.inp(x))
        h = h + self.block(h)
        return self.head(h).log_softmax(dim=-1) / 1.0


def test_residual_merge_and_method_activation(rulebase: RuleBase) -> None:
    model = Residual()
    result = read_live(model, nn.NLLLoss(), None, rulebase, {})[0]
    layers = result.doc.data["layers"]
    assert [layer["type"] for layer in layers] == ["dense", "activation", "dense", "activation", "dense", "other", "dense", "activation"]
    assert layers[-1]["activation"] == "log_softmax"
    assert result.objects["/layers/5"] == "forward:add"
    assert rule_ids(live(rulebase, model, nn.NLLLoss())) == set()
    assert "NNA104" in rule_ids(live(rulebase, model, nn.CrossEntropyLoss()))


class TwoHeads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Linear(8, 16)
        self.policy = nn.Linear(16, 4)
        self.value = nn.Linear(16, 1)

    def forward(self, x: Any) -> Any:
        h = torch.tanh(self.trunk(x))
        return F.softmax(self.policy(h), dim=-1), self.value(h)


def test_a_tuple_is_read_by_its_first_element_and_said(rulebase: RuleBase) -> None:
    result = read_live(TwoHeads(), None, None, rulebase, {})[0]
    assert result.doc.data["layers"][-1] == {"type": "activation", "activation": "softmax"}
    assert any("TwoHeads.forward returns a tuple: its first element is read as the output" in n.message for n in result.notes)


def test_leaky_relu_slope_lstm_and_embedding_attributes(rulebase: RuleBase) -> None:
    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(100, 16)
            self.lstm = nn.LSTM(16, 32, batch_first=True, bidirectional=True)
            self.act = nn.LeakyReLU(0.2)
            self.out = nn.Linear(64, 5)

        def forward(self, x: Any) -> Any:
            h, _ = self.lstm(self.emb(x))
            return self.out(self.act(h[:, -1]))

    model = Tagger()
    result = read_live(model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters()), rulebase, {})[0]
    assert result.doc.data["layers"] == [
        {"type": "embedding", "name": "Embedding", "input_dim": 100, "output_dim": 16},
        {"type": "lstm", "name": "LSTM", "units": 32, "bidirectional": True},
        {"type": "activation", "activation": {"name": "leaky_relu", "alpha": 0.2}},
        {"type": "dense", "name": "Linear", "units": 5},
    ]
    # Gradient clipping happens in the training loop, which a live optimizer does not show.
    assert "/optimizer/clipnorm" in result.unknowns
    assert any("whether they are clipped is unknown" in n.message for n in result.notes)


def test_rnn_relu_cell_agrees_on_nna404(rulebase: RuleBase) -> None:
    path = PYTORCH / "rnn_relu_no_clip.py"
    ns = run_fixture(path)
    found = rule_ids(live(rulebase, ns["model"], ns["criterion"], ns["optimizer"]))
    assert "NNA404" in found and "NNA404" in rule_ids(file_findings(rulebase, path.read_text(), "python"))


# --- losses and optimizers ---------------------------------------------------------------------


def test_functional_losses_and_partials(rulebase: RuleBase) -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    assert "NNA103" in rule_ids(live(rulebase, model, F.cross_entropy))
    result = read_live(model, functools.partial(F.cross_entropy, label_smoothing=1.5), None, rulebase, {})[0]
    assert result.doc.data["loss"] == {"name": "CrossEntropyLoss", "label_smoothing": 1.5}
    assert "NNA602" in rule_ids(live(rulebase, model, functools.partial(F.cross_entropy, label_smoothing=1.5)))
    assert rule_ids(live(rulebase, nn.Sequential(nn.Linear(4, 1)), F.binary_cross_entropy_with_logits)) == set()


def test_loss_attributes(rulebase: RuleBase) -> None:
    model = nn.Linear(4, 1)
    loss = read_live(model, nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0])), None, rulebase, {})[0].doc.data["loss"]
    assert loss == {"name": "BCEWithLogitsLoss", "reduction": "mean", "pos_weight": 3.0}
    assert read_live(model, nn.HuberLoss(delta=-1.0), None, rulebase, {})[0].doc.data["loss"]["delta"] == -1.0
    assert read_live(model, nn.SmoothL1Loss(beta=0.5), None, rulebase, {})[0].doc.data["loss"]["delta"] == 0.5
    weighted = read_live(model, nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0])), None, rulebase, {})[0].doc.data["loss"]
    assert weighted["weight"] == [1.0, 2.0]
    assert "NNA602" in rule_ids(live(rulebase, nn.Linear(4, 1), nn.HuberLoss(delta=-1.0)))


def test_custom_loss_and_optimizer_are_unknown_and_said(rulebase: RuleBase) -> None:
    class FocalLoss(nn.Module):
        def forward(self, pred: Any, target: Any) -> Any:
            return pred.mean()

    class MyAdam(torch.optim.Adam):
        def step(self, closure: Any = None) -> Any:
            return super().step(closure)

    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    result = read_live(model, FocalLoss(), MyAdam(model.parameters(), lr=5.0), rulebase, {})[0]
    assert "loss" not in result.doc.data and "optimizer" not in result.doc.data
    said = [n.message for n in result.notes]
    assert any("FocalLoss, not a built-in PyTorch loss: the loss is unknown" in m for m in said), said
    assert any("MyAdam, not a torch.optim optimizer: the optimizer is unknown" in m for m in said), said
    assert {n.pointer for n in result.notes if "unknown" in n.message} >= {"/loss", "/optimizer"}
    assert result.objects["/loss"] == "loss" and result.objects["/optimizer"] == "optimizer"
    findings = live(rulebase, model, FocalLoss(), MyAdam(model.parameters(), lr=5.0))
    assert rule_ids(findings) == set(), findings
    assert {f.object_path for f in findings if "FocalLoss" in f.message} == {"loss"}
    lam = read_live(model, lambda p, y: (p - y).abs().mean(), None, rulebase, {})[0]
    assert "loss" not in lam.doc.data and any("<lambda>" in n.message for n in lam.notes)


def test_param_groups_and_schedulers(rulebase: RuleBase) -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    groups = torch.optim.SGD([{"params": model[0].parameters(), "lr": 0.1}, {"params": model[2].parameters(), "lr": 0.01}], lr=0.05, momentum=0.9)
    result = read_live(model, nn.MSELoss(), groups, rulebase, {})[0]
    assert "learning_rate" not in result.doc.data["optimizer"] and result.doc.data["optimizer"]["momentum"] == 0.9
    assert any("different lr values (0.1, 0.01): learning_rate is unknown" in n.message for n in result.notes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.001)
    optimizer.step()
    scheduler.step()
    result = read_live(model, nn.MSELoss(), optimizer, rulebase, {})[0]
    assert result.doc.data["optimizer"]["learning_rate"] == 1e-3
    assert any("initial lr 0.001 is checked" in n.message for n in result.notes)


def test_tensor_learning_rate(rulebase: RuleBase) -> None:
    model = nn.Linear(4, 1)
    result = read_live(model, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=torch.tensor(0.5)), rulebase, {})[0]
    assert result.doc.data["optimizer"]["learning_rate"] == 0.5


# --- context, objects, notes, problems ---------------------------------------------------------


def test_context_keys_are_added_and_fire_their_rules(rulebase: RuleBase) -> None:
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    result = read_live(model, nn.CrossEntropyLoss(), None, rulebase, {"task": "multiclass", "num_classes": 5, "labels": None})[0]
    assert result.config is not None and result.config.task == "multiclass" and result.config.num_classes == 5
    assert result.objects["/task"] == "task" and "labels" not in result.doc.data
    assert "NNA203" in rule_ids(live(rulebase, model, nn.CrossEntropyLoss(), num_classes=5))
    bad = read_live(model, nn.CrossEntropyLoss(), None, rulebase, {"task": "multiclas"})[0]
    assert bad.config is None and bad.problems and bad.problems[0].pointer == "/task"
    owned = read_live(model, None, None, rulebase, {"loss": "mse"})[0]
    assert owned.config is None and "'loss' is read from the model" in owned.problems[0].message


def test_all_locations_are_the_start_and_notes_name_objects(rulebase: RuleBase) -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.Hardshrink(), nn.Linear(8, 2))
    result = read_live(model, nn.CrossEntropyLoss(), torch.optim.Rprop(model.parameters()), rulebase, {})[0]
    assert {(loc.line, loc.column) for loc in result.doc.locations.values()} == {(1, 1)}
    said = [n.message for n in result.notes]
    assert "activation 'hardshrink' (at 1) is not in nnadvisor's vocabulary: it is treated as unknown" in said
    assert "optimizer 'Rprop' (at optimizer) is not in nnadvisor's vocabulary: it is treated as unknown" in said
    assert all(n.location == (1, 1) for n in result.notes)


def test_not_a_model_is_a_problem_not_an_exception(rulebase: RuleBase) -> None:
    result = read_live("a string", None, None, rulebase, {})
    assert result[0].problems and "not a PyTorch nn.Module or a Keras model: str was given" in result[0].problems[0].message
    only = read_live(None, nn.CrossEntropyLoss(), None, rulebase, {})[0]
    assert only.config is not None and only.doc.data["loss"] == {"name": "CrossEntropyLoss", "label_smoothing": 0.0, "reduction": "mean", "ignore_index": -100}
    assert any("no model was given" in n.message for n in only.notes)


def test_missing_loss_and_optimizer_are_said(rulebase: RuleBase) -> None:
    model = nn.Linear(4, 1)
    assert notes(live(rulebase, model)) == ["no loss and no optimizer were given: the loss and the optimizer are unknown"]
    assert notes(live(rulebase, model, nn.MSELoss())) == ["no optimizer was given: the optimizer is unknown"]


def test_wrappers_are_unwrapped(rulebase: RuleBase) -> None:
    inner = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    assert "NNA103" in rule_ids(live(rulebase, nn.DataParallel(inner), nn.CrossEntropyLoss()))


class Switching(nn.Module):
    """Logits in training, probabilities at inference: CrossEntropyLoss gets logits."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.drop = nn.Dropout(0.5)

    def forward(self, x: Any) -> Any:
        logits = self.fc(self.drop(x))
        if self.training:
            return logits
        return F.softmax(logits, dim=1)


def test_a_model_in_eval_mode_is_read_as_in_training_and_left_in_eval_mode(rulebase: RuleBase) -> None:
    model = Switching().eval()
    found = live(rulebase, model, nn.CrossEntropyLoss())
    assert rule_ids(found) == set()
    assert any(m.startswith("the model is in eval mode: it is read as in training") for m in notes(found))
    assert not model.training and not model.drop.training
    assert rule_ids(live(rulebase, Switching().train(), nn.CrossEntropyLoss())) == set()
