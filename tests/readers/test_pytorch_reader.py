"""The PyTorch reader on focused snippets: what it resolves statically, and what it says it cannot."""

from __future__ import annotations

from typing import Any

from nnadvisor import readers
from nnadvisor.findings import Finding
from nnadvisor.rulebase import RuleBase
from tests.readers.conftest import check_text, codes, serious

HEADER = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n"


def check(body: str, rulebase: RuleBase) -> list[Finding]:
    return check_text(HEADER + body, rulebase, "pytorch", "model.py")


def config(body: str, rulebase: RuleBase) -> dict[str, Any]:
    (result,) = readers.read((HEADER + body).encode(), "pytorch", rulebase, "model.py")
    assert result.config is not None, result.problems
    return result.config.model_dump(exclude_none=True)


def notes(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.rule_id == "NNA002"]


def line(body: str, needle: str) -> int:
    return (HEADER + body).splitlines().index(next(r for r in (HEADER + body).splitlines() if needle in r)) + 1


def test_functional_loss_in_training_function(rulebase: RuleBase) -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 4)

    def forward(self, x):
        return x.softmax(dim=1)  if False else self.fc(x).softmax(dim=1)


def train(model, x, y):
    loss = F.cross_entropy(model(x), y)
    return loss


model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
train(model, torch.randn(2, 10), torch.tensor([0, 3]))
"""
    cfg = config(body, rulebase)
    assert cfg["loss"] == "F.cross_entropy"  # as written: messages and fixes name it so
    assert cfg["layers"][-1] == {"type": "activation", "activation": "softmax"}
    assert codes(check(body, rulebase)) == {"NNA103"}


def test_a_parameter_without_a_call_in_the_file_is_not_guessed(rulebase: RuleBase) -> None:
    """``train(model, ...)`` is never called here: its ``model`` could be anything, so the
    reader says so instead of taking the file's ``model`` for it."""
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 4)

    def forward(self, x):
        return self.fc(x).softmax(dim=1)


def train(model, x, y):
    return F.cross_entropy(model(x), y)


model = Net()
"""
    findings = check(body, rulebase)
    assert serious(findings) == []
    assert any("what is fed into CrossEntropyLoss" in m and "not resolved" in m for m in notes(findings))


def test_training_branch_is_the_output(rulebase: RuleBase) -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 3)

    def forward(self, x):
        logits = self.fc(x)
        if not self.training:
            return F.softmax(logits, dim=1)
        return logits


criterion = nn.CrossEntropyLoss()
"""
    findings = check(body, rulebase)
    assert serious(findings) == []
    assert config(body, rulebase)["layers"] == [{"type": "dense", "name": "Linear", "units": 3}]


def test_differing_return_paths_leave_the_output_unknown(rulebase: RuleBase) -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 3)

    def forward(self, x, probabilities=False):
        logits = self.fc(x)
        if probabilities:
            return F.softmax(logits, dim=1)
        return logits


criterion = nn.CrossEntropyLoss()
"""
    findings = check(body, rulebase)
    assert serious(findings) == []
    assert any("several paths" in m for m in notes(findings))


def test_module_constants_and_non_literal_arguments(rulebase: RuleBase) -> None:
    body = """
import argparse
LR = 0.5
args = argparse.ArgumentParser().parse_args()

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
criterion = nn.BCELoss()
opt_a = torch.optim.Adam(model.parameters(), lr=LR, eps=args.eps)
"""
    cfg = config(body, rulebase)
    assert cfg["optimizer"] == {"name": "Adam", "learning_rate": 0.5}
    findings = check(body, rulebase)
    assert "NNA501" in codes(findings)  # 0.5 is far outside Adam's usual range
    assert any("eps of Adam" in m and "not a literal" in m for m in notes(findings))
    (note,) = [f for f in findings if "eps of Adam" in f.message]
    assert note.line == line(body, "opt_a =")


def test_factory_arguments_are_bound(rulebase: RuleBase) -> None:
    body = """
def make(n_out, hidden=16):
    return nn.Sequential(nn.Linear(8, hidden), nn.ReLU(), nn.Linear(hidden, n_out), nn.Softmax(dim=1))


model = make(1)
criterion = nn.NLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
    cfg = config(body, rulebase)
    assert [layer.get("units") for layer in cfg["layers"]] == [16, None, 1, None]
    assert codes(check(body, rulebase)) == {"NNA105", "NNA201"}


def test_output_units_not_resolved_skip_unit_checks(rulebase: RuleBase) -> None:
    body = """
import sys


def make(n_out):
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, n_out), nn.Softmax(dim=1))


model = make(int(sys.argv[1]))
criterion = nn.NLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
    findings = check(body, rulebase)
    assert "NNA201" not in codes(findings)  # the width is unknown, so single-unit softmax is not claimed
    assert "NNA105" in codes(findings)  # but softmax into NLLLoss is certain
    assert any("width of the output" in m for m in notes(findings))


def test_instantiation_arguments_are_bound(rulebase: RuleBase) -> None:
    body = """
class Head(nn.Module):
    def __init__(self, hidden, num_classes=10):
        super().__init__()
        self.hidden = nn.Linear(32, hidden)
        self.out = nn.Linear(hidden, num_classes)
        self.act = nn.Softmax(dim=-1)

    def forward(self, x):
        return self.act(self.out(torch.relu(self.hidden(x))))


model = Head(64, num_classes=1)
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
    cfg = config(body, rulebase)
    assert [layer.get("units") for layer in cfg["layers"] if layer["type"] == "dense"] == [64, 1]
    findings = check(body, rulebase)
    assert "NNA201" in codes(findings)
    hit = next(f for f in findings if f.rule_id == "NNA201")
    assert hit.line == line(body, "self.act = nn.Softmax")


def test_defaults_used_when_the_class_is_not_instantiated(rulebase: RuleBase) -> None:
    body = """
class Net(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.fc = nn.Linear(10, num_classes)

    def forward(self, x):
        return self.fc(x)
"""
    assert config(body, rulebase)["layers"][0]["units"] == 5
    assert any("not instantiated" in m and "num_classes=5" in m for m in notes(check(body, rulebase)))


def test_sequential_ordered_dict_add_module_and_inheritance(rulebase: RuleBase) -> None:
    body = """
from collections import OrderedDict


class Base(nn.Module):
    def forward(self, x):
        return self.body(x)


class Child(Base):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 8)), ("act", nn.Tanh()), ("fc2", nn.Linear(8, 2))]))


model = Child()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
    cfg = config(body, rulebase)
    assert [(layer["type"], layer.get("units"), layer.get("activation")) for layer in cfg["layers"]] == [
        ("dense", 8, None),
        ("activation", None, "tanh"),
        ("dense", 2, None),
    ]
    assert serious(check(body, rulebase)) == []


def test_model_built_by_a_function_and_moved_to_a_device(rulebase: RuleBase) -> None:
    body = """
def build_model():
    layers = [nn.Linear(3, 8), nn.ReLU()]
    layers.append(nn.Linear(8, 1))
    return nn.Sequential(*layers)


device = "cpu"
model = torch.compile(build_model().to(device))
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
    cfg = config(body, rulebase)
    assert [layer.get("units") for layer in cfg["layers"]] == [8, None, 1]
    assert serious(check(body, rulebase)) == []


def test_model_list_iterated_in_forward(rulebase: RuleBase) -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 8), nn.Linear(8, 8)])
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        for layer in self.layers:
            x = F.relu(layer(x))
        return F.log_softmax(self.out(x), dim=1)


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.NLLLoss()
"""
    cfg = config(body, rulebase)
    assert [layer["type"] for layer in cfg["layers"]] == ["dense", "activation", "dense", "activation", "dense", "activation"]
    assert serious(check(body, rulebase)) == []


def test_each_loss_is_checked_with_the_output_it_reads(rulebase: RuleBase) -> None:
    body = """
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))


def train_a(x, y):
    return nn.CrossEntropyLoss()(model(x), y)


def train_b(x, y):
    return nn.MSELoss()(model(x), y)
"""
    findings = check(body, rulebase)
    # Each (model output, loss) pair is checked: both uses of the softmax output are wrong.
    found = {(f.rule_id, f.message.split("]")[0] + "]") for f in serious(findings)}
    assert found == {
        ("NNA103", "[the nn.Sequential at line 6 into CrossEntropyLoss (line 10)]"),
        ("NNA101", "[the nn.Sequential at line 6 into MSELoss (line 14)]"),
    }


def test_loss_chosen_by_a_condition_or_custom_class(rulebase: RuleBase) -> None:
    conditional = """
import sys
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
criterion = nn.CrossEntropyLoss() if len(sys.argv) > 1 else nn.MSELoss()
"""
    findings = check(conditional, rulebase)
    assert serious(findings) == [] and any("chosen by a condition" in m for m in notes(findings))
    custom = """
class FocalLoss(nn.Module):
    def forward(self, logits, target):
        return F.cross_entropy(logits, target)


model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
criterion = FocalLoss()
"""
    findings = check(custom, rulebase)
    # F.cross_entropy inside the custom loss class is not the criterion: the loss is unknown.
    assert serious(findings) == []
    assert any("custom class FocalLoss" in m for m in notes(findings))
    assert "loss" not in config(custom, rulebase)


def test_eval_loss_does_not_compete_with_the_training_loss(rulebase: RuleBase) -> None:
    body = """
model = nn.Sequential(nn.Linear(4, 3))


def train(x, y):
    return F.cross_entropy(model(x), y)


def evaluate(x, y):
    return F.mse_loss(model(x).softmax(1), F.one_hot(y, 3).float())
"""
    assert config(body, rulebase)["loss"] == "F.cross_entropy"


def test_gradient_clipping_calls(rulebase: RuleBase) -> None:
    base = """
class Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(4, 8, batch_first=True)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y[:, -1])


model = Seq()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""
    assert codes(check(base, rulebase)) == {"NNA503"}
    clipped = base + "\ntorch.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)\n"
    assert config(clipped, rulebase)["optimizer"]["clipvalue"] == 0.5
    assert codes(check(clipped, rulebase)) == set()
    variable = base + "\nimport sys\nnn.utils.clip_grad_norm_(model.parameters(), float(sys.argv[1]))\n"
    findings = check(variable, rulebase)
    assert codes(findings) == set()
    assert any("non-literal threshold" in m for m in notes(findings))


def test_lightning_module(rulebase: RuleBase) -> None:
    body = """
import lightning as L


class LitClassifier(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        return F.nll_loss(logits, y)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


trainer = L.Trainer(max_epochs=3, gradient_clip_val=1.0)
"""
    cfg = config(body, rulebase)
    assert cfg["optimizer"]["clipnorm"] == 1.0
    assert cfg["layers"][0]["units"] == 64
    assert codes(check(body, rulebase)) == {"NNA102"}  # logits into NLLLoss, which expects log-probabilities


def test_rnn_nonlinearity_variable_is_unknown(rulebase: RuleBase) -> None:
    body = """
ACT = input()


class M(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.rnn = nn.RNN(4, 8, nonlinearity=act)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        return self.out(self.rnn(x)[0])


model = M(ACT)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
nn.utils.clip_grad_norm_(model.parameters(), 1.0)
criterion = nn.MSELoss()
"""
    findings = check(body, rulebase)
    assert "NNA404" not in codes(findings)
    assert any("nonlinearity of nn.RNN" in m for m in notes(findings))


def test_log_of_softmax_and_tensor_methods(rulebase: RuleBase) -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        return torch.log(F.softmax(self.fc(x), dim=1))


model = Net()
criterion = nn.NLLLoss()
"""
    assert config(body, rulebase)["layers"][-1]["activation"] == "log_softmax"
    assert serious(check(body, rulebase)) == []


def test_nothing_to_check_is_said(rulebase: RuleBase) -> None:
    findings = check("def helper(x):\n    return torch.zeros(3)\n", rulebase)
    assert [f.rule_id for f in findings] == ["NNA002"]
    assert "nothing was checked" in findings[0].message


def test_training_script_without_a_model_class(rulebase: RuleBase) -> None:
    body = """
from mymodels import ResNet

model = ResNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
"""
    findings = check(body, rulebase)
    assert codes(findings) == {"NNA501"}
    assert any("no model" in m for m in notes(findings))
