"""Fixes written into PyTorch programs: each program seeds one mistake; its fix must give the
expected source (every other line, comment included, byte-identical), re-check clean of the rule
with no new error or warning, and offer nothing more for the rule. The last tests are programs
whose fix must not be written (``None``)."""

from __future__ import annotations

import pytest

from nnadvisor.fixes import Edit
from nnadvisor.rulebase import RuleBase
from tests.fixes.test_python_edits import assert_fix, assert_no_fix, synthetic

# --- output activations -------------------------------------------------------------------------

MLP = """import torch
import torch.nn as nn

# A small MNIST classifier: the logits go to CrossEntropyLoss.
model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 256),
    nn.ReLU(),
    nn.Linear(256, 10),
    nn.Softmax(dim=1),  # probabilities, for the demo notebook
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def train_epoch(loader):
    model.train()
    for images, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
"""


def test_a_trailing_softmax_element_of_a_sequential_is_removed_with_its_line(rulebase: RuleBase) -> None:
    found = assert_fix(MLP, rulebase, "NNA103", MLP.replace("    nn.Softmax(dim=1),  # probabilities, for the demo notebook\n", ""))
    assert found == [Edit(10, 1, 11, 1, "")]


def test_an_inline_sequential_keeps_its_layout(rulebase: RuleBase) -> None:
    text = MLP.replace(
        "model = nn.Sequential(\n    nn.Flatten(),\n    nn.Linear(784, 256),\n    nn.ReLU(),\n    nn.Linear(256, 10),\n    nn.Softmax(dim=1),  # probabilities, for the demo notebook\n)\n",
        "model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10), nn.Softmax(dim=1))\n",
    )
    assert_fix(text, rulebase, "NNA103", text.replace(", nn.Softmax(dim=1))", ")"))


CNN = """import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    \"\"\"CIFAR-10 classifier.\"\"\"

    def __init__(self, n_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 8 * 8, 256)
        self.fc2 = nn.Linear(256, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return F.softmax(self.fc2(x), dim=1)


model = SmallCNN()
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def step(images, labels):
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()
"""


def test_a_returned_functional_softmax_becomes_its_argument(rulebase: RuleBase) -> None:
    assert_fix(CNN, rulebase, "NNA103", CNN.replace("return F.softmax(self.fc2(x), dim=1)", "return self.fc2(x)"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("return torch.softmax(self.fc2(x), -1)", "return self.fc2(x)"),
        ("return self.fc2(x).softmax(dim=-1)", "return self.fc2(x)"),
        ("return F.log_softmax(self.fc2(x), dim=1)", "return self.fc2(x)"),
    ],
)
def test_other_spellings_of_a_softmax_output(rulebase: RuleBase, written: str, expected: str) -> None:
    text = CNN.replace("return F.softmax(self.fc2(x), dim=1)", written)
    rule = "NNA104" if "log_softmax" in written else "NNA103"
    assert_fix(text, rulebase, rule, text.replace(written, expected))


def test_a_statement_that_only_rebinds_is_deleted(rulebase: RuleBase) -> None:
    text = CNN.replace(
        "        return F.softmax(self.fc2(x), dim=1)\n",
        "        x = self.fc2(x)\n        x = F.softmax(x, dim=1)  # class probabilities\n        return x\n",
    )
    assert_fix(text, rulebase, "NNA103", text.replace("        x = F.softmax(x, dim=1)  # class probabilities\n", ""))


def test_a_named_result_used_only_by_the_return(rulebase: RuleBase) -> None:
    text = CNN.replace("        return F.softmax(self.fc2(x), dim=1)\n", "        probs = F.softmax(self.fc2(x), dim=1)\n        return probs\n")
    assert_fix(text, rulebase, "NNA103", text.replace("probs = F.softmax(self.fc2(x), dim=1)", "probs = self.fc2(x)"))


MODULE_ATTRIBUTE = """import torch
from torch import nn


class TextClassifier(nn.Module):
    def __init__(self, vocab_size: int, n_classes: int) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, 64)
        self.hidden = nn.Linear(64, 64)
        self.head = nn.Linear(64, n_classes)
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, tokens, offsets):
        h = torch.relu(self.hidden(self.embed(tokens, offsets)))
        logits = self.head(h)
        return self.softmax(logits)


model = TextClassifier(20000, 4)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)


def train(batches):
    for tokens, offsets, labels in batches:
        optimizer.zero_grad()
        loss_fn(model(tokens, offsets), labels).backward()
        optimizer.step()
"""


def test_a_softmax_module_attribute_is_removed_where_forward_uses_it(rulebase: RuleBase) -> None:
    assert_fix(MODULE_ATTRIBUTE, rulebase, "NNA103", MODULE_ATTRIBUTE.replace("return self.softmax(logits)", "return logits"))


def test_a_module_attribute_rebinding_line_is_deleted(rulebase: RuleBase) -> None:
    text = MODULE_ATTRIBUTE.replace(
        "        logits = self.head(h)\n        return self.softmax(logits)\n",
        "        x = self.head(h)\n        x = self.softmax(x)\n        return x\n",
    )
    assert_fix(text, rulebase, "NNA103", text.replace("        x = self.softmax(x)\n", ""))


GAN = """import torch
import torch.nn as nn

LATENT = 64


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(LATENT, 256),
            nn.ReLU(),
            nn.Linear(256, 784),
            nn.Tanh(),  # images in [-1, 1]
        )

    def forward(self, z):
        return self.net(z).view(-1, 1, 28, 28)


class Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(784, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, 1),
            nn.Sigmoid(),  # probability that the image is real
        )

    def forward(self, img):
        return self.net(img.view(img.size(0), -1))


netG, netD = Generator(), Discriminator()
adversarial = nn.BCEWithLogitsLoss()
opt_g = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))


def train_step(real):
    batch = real.size(0)
    fake = netG(torch.randn(batch, LATENT))
    opt_d.zero_grad()
    d_loss = adversarial(netD(real), torch.ones(batch, 1)) + adversarial(netD(fake.detach()), torch.zeros(batch, 1))
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss = adversarial(netD(fake), torch.ones(batch, 1))
    g_loss.backward()
    opt_g.step()
"""


def test_a_gan_discriminator_loses_its_sigmoid_and_the_generator_keeps_its_tanh(rulebase: RuleBase) -> None:
    assert_fix(GAN, rulebase, "NNA103", GAN.replace("            nn.Sigmoid(),  # probability that the image is real\n", ""))


SEQ2SEQ = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self, vocab: int, hidden: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)

    def forward(self, src):
        _, h = self.gru(self.embed(src))
        return h


class Decoder(nn.Module):
    def __init__(self, vocab: int, hidden: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tgt, h):
        out, h = self.gru(self.embed(tgt), h)
        return F.softmax(self.out(out), dim=-1), h


encoder, decoder = Encoder(5000, 256), Decoder(5000, 256)
criterion = nn.NLLLoss(ignore_index=0)
optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)


def step(src, tgt_in, tgt_out):
    optimizer.zero_grad()
    log_probs, _ = decoder(tgt_in, encoder(src))
    loss = criterion(log_probs.reshape(-1, 5000), tgt_out.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_([*encoder.parameters(), *decoder.parameters()], 1.0)
    optimizer.step()
"""


def test_an_encoder_decoder_softmax_into_nll_becomes_log_softmax(rulebase: RuleBase) -> None:
    assert_fix(SEQ2SEQ, rulebase, "NNA105", SEQ2SEQ.replace("return F.softmax(self.out(out), dim=-1), h", "return F.log_softmax(self.out(out), dim=-1), h"))


MULTI_HEAD = """import torch
import torch.nn as nn
import torch.nn.functional as F


class FaceAttributes(nn.Module):
    \"\"\"One backbone, two heads: the expression (7 classes) and the age (a number).\"\"\"

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU())
        self.expression = nn.Linear(128, 7)
        self.age = nn.Linear(128, 1)

    def forward(self, features):
        h = self.backbone(features)
        return F.softmax(self.expression(h), dim=1), self.age(h).squeeze(-1)


model = FaceAttributes()
ce, mse = nn.CrossEntropyLoss(), nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def step(features, expression, age):
    optimizer.zero_grad()
    expression_pred, age_pred = model(features)
    loss = ce(expression_pred, expression) + 0.1 * mse(age_pred, age)
    loss.backward()
    optimizer.step()
"""


def test_one_head_of_a_multi_head_model(rulebase: RuleBase) -> None:
    assert_fix(MULTI_HEAD, rulebase, "NNA103", MULTI_HEAD.replace("return F.softmax(self.expression(h), dim=1), self.age(h)", "return self.expression(h), self.age(h)"))


FACTORY = """import torch
from torch import nn


def make_classifier(n_in: int, n_classes: int, hidden: int = 128) -> nn.Sequential:
    layers = [nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)]
    layers.append(nn.Softmax(dim=1))
    return nn.Sequential(*layers)


model = make_classifier(40, 6)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for x, y in []:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
"""


def test_a_factory_that_appends_a_softmax(rulebase: RuleBase) -> None:
    assert_fix(FACTORY, rulebase, "NNA103", FACTORY.replace("    layers.append(nn.Softmax(dim=1))\n", ""))


def test_a_factory_list_that_ends_with_a_softmax(rulebase: RuleBase) -> None:
    text = FACTORY.replace(
        "    layers = [nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)]\n    layers.append(nn.Softmax(dim=1))\n",
        "    layers = [nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_classes), nn.Softmax(dim=1)]\n",
    )
    assert_fix(text, rulebase, "NNA103", text.replace(", nn.Softmax(dim=1)]", "]"))


LOOP = """import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 5))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def train(loader, epochs=3):
    for epoch in range(epochs):
        correct = 0
        for x, y in loader:
            logits = model(x)
            probs = F.softmax(logits, dim=1)
            loss = F.cross_entropy(probs, y)
            correct += (probs.argmax(dim=1) == y).sum().item()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(epoch, correct)
"""


def test_a_custom_loop_softmax_before_the_loss_keeps_the_probabilities_for_the_metric(rulebase: RuleBase) -> None:
    assert_fix(LOOP, rulebase, "NNA103", LOOP.replace("loss = F.cross_entropy(probs, y)", "loss = F.cross_entropy(logits, y)"))


def test_a_custom_loop_softmax_used_only_by_the_loss(rulebase: RuleBase) -> None:
    text = LOOP.replace("            logits = model(x)\n            probs = F.softmax(logits, dim=1)\n", "            probs = F.softmax(model(x), dim=1)\n").replace(
        "            correct += (probs.argmax(dim=1) == y).sum().item()\n", ""
    )
    assert_fix(text, rulebase, "NNA103", text.replace("probs = F.softmax(model(x), dim=1)", "probs = model(x)"))


SINGLE_UNIT = """import torch
from torch import nn

model = nn.Sequential(
    nn.Linear(30, 16),
    nn.ReLU(),
    nn.Linear(16, 1),
    nn.Softmax(dim=1),
)
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def step(x, y):
    optimizer.zero_grad()
    loss = criterion(model(x).squeeze(1), y.float())
    loss.backward()
    optimizer.step()
"""


def test_a_one_unit_softmax_module_becomes_a_sigmoid(rulebase: RuleBase) -> None:
    assert_fix(SINGLE_UNIT, rulebase, "NNA201", SINGLE_UNIT.replace("nn.Softmax(dim=1),", "nn.Sigmoid(),"))


def test_a_one_unit_functional_softmax_becomes_a_sigmoid(rulebase: RuleBase) -> None:
    text = CNN.replace("self.fc2 = nn.Linear(256, n_classes)", "self.fc2 = nn.Linear(256, 1)").replace(
        "criterion = nn.CrossEntropyLoss(label_smoothing=0.1)", "criterion = nn.BCELoss()"
    )
    assert_fix(text, rulebase, "NNA201", text.replace("return F.softmax(self.fc2(x), dim=1)", "return F.sigmoid(self.fc2(x))"))


FRAUD = """import torch
import torch.nn as nn


class FraudDetector(nn.Module):
    def __init__(self, n_features: int = 16) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.out = nn.Linear(32, 1)
        nn.init.zeros_(self.out.weight)

    def forward(self, x):
        return self.out(self.body(x))


model = FraudDetector()
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in []:
    loss = criterion(model(x), y)
"""


def test_a_sigmoid_is_put_on_a_linear_output_trained_with_bce(rulebase: RuleBase) -> None:
    assert_fix(FRAUD, rulebase, "NNA102", FRAUD.replace("return self.out(self.body(x))", "return torch.sigmoid(self.out(self.body(x)))"))


def test_a_relu_is_put_between_stacked_linears(rulebase: RuleBase) -> None:
    text = GAN.replace("            nn.Linear(784, 256),\n            nn.LeakyReLU(0.2),\n", "            nn.Linear(784, 512),\n            nn.Linear(512, 256),\n            nn.LeakyReLU(0.2),\n").replace(
        "            nn.Sigmoid(),  # probability that the image is real\n", ""
    )
    assert_fix(text, rulebase, "NNA403", text.replace("            nn.Linear(784, 512),\n", "            nn.Linear(784, 512),\n            nn.ReLU(),\n"))


def test_a_relu_after_a_convolution_in_forward(rulebase: RuleBase) -> None:
    text = CNN.replace("x = F.max_pool2d(F.relu(self.conv2(x)), 2)", "x = self.conv2(x)").replace("return F.softmax(self.fc2(x), dim=1)", "return self.fc2(x)")
    text = text.replace("        x = F.relu(self.fc1(torch.flatten(x, 1)))\n", "        x = F.relu(self.conv3(x))\n        x = F.relu(self.fc1(torch.flatten(x, 1)))\n")
    text = text.replace("        self.fc1 = nn.Linear(64 * 8 * 8, 256)\n", "        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)\n        self.fc1 = nn.Linear(64 * 8 * 8, 256)\n")
    assert_fix(text, rulebase, "NNA403", text.replace("x = self.conv2(x)", "x = F.relu(self.conv2(x))"))


# --- optimizers and recurrent cells -------------------------------------------------------------

DEEP_SGD = """import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for x, y in []:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
"""


# --- losses -------------------------------------------------------------------------------------

MULTILABEL = """import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(300, 128), nn.ReLU(), nn.Linear(128, 12))

    def forward(self, x):
        return self.body(x).softmax(dim=-1)


model = Tagger()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, tags in []:
    loss = criterion(model(x), tags)
"""


def test_a_class_loss_and_the_output_in_one_fix(rulebase: RuleBase) -> None:
    expected = MULTILABEL.replace("return self.body(x).softmax(dim=-1)", "return self.body(x)").replace("nn.BCEWithLogitsLoss()", "nn.CrossEntropyLoss()")
    assert_fix(MULTILABEL, rulebase, "NNA107", expected)


ONE_LOGIT = """import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(20, 1)  # a logistic regression
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train_step(x, y):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y, reduction="sum")
    loss.backward()
    optimizer.step()
    return loss.item()
"""


def test_a_functional_loss_is_replaced_with_the_arguments_it_takes(rulebase: RuleBase) -> None:
    expected = ONE_LOGIT.replace("F.cross_entropy(model(x), y, reduction=\"sum\")", "F.binary_cross_entropy_with_logits(model(x), y, reduction=\"sum\")")
    assert_fix(ONE_LOGIT, rulebase, "NNA202", expected)


def test_a_functional_loss_argument_the_new_loss_does_not_take_means_no_fix(rulebase: RuleBase) -> None:
    assert_no_fix(ONE_LOGIT.replace('reduction="sum"', "ignore_index=-1"), rulebase, "NNA202")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("nn.CrossEntropyLoss(label_smoothing=1.0)", "nn.CrossEntropyLoss(label_smoothing=0.1)"),
        ("nn.HuberLoss(delta=0.0)", "nn.HuberLoss(delta=1.0)"),
        ("nn.HuberLoss(reduction='mean', delta=-2)", "nn.HuberLoss(reduction='mean', delta=1.0)"),
    ],
)
def test_a_loss_parameter_is_corrected(rulebase: RuleBase, written: str, expected: str) -> None:
    text = DEEP_SGD.replace("nn.CrossEntropyLoss()", written).replace("lr=0.01)", "lr=0.01, momentum=0.9)")
    if "Huber" in written:
        text = text.replace("nn.Linear(128, 10),", "nn.Linear(128, 1),")
    assert_fix(text, rulebase, "NNA602", text.replace(written, expected))


def test_a_cross_entropy_argument_bce_does_not_take_means_no_fix(rulebase: RuleBase) -> None:
    text = """import torch
import torch.nn as nn

model = nn.Linear(20, 1)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in []:
    loss = criterion(model(x), y)
"""
    assert_no_fix(text, rulebase, "NNA202")
    assert_fix(text.replace("label_smoothing=0.1", "reduction='sum'"), rulebase, "NNA202", text.replace("nn.CrossEntropyLoss(label_smoothing=0.1)", "nn.BCEWithLogitsLoss(reduction='sum')"))


def test_sgd_gets_momentum(rulebase: RuleBase) -> None:
    assert_fix(DEEP_SGD, rulebase, "NNA504", DEEP_SGD.replace("lr=0.01)", "lr=0.01, momentum=0.9)"))


def test_sgd_momentum_given_positionally_as_zero_is_replaced(rulebase: RuleBase) -> None:
    text = DEEP_SGD.replace("torch.optim.SGD(model.parameters(), lr=0.01)", "torch.optim.SGD(model.parameters(), 0.01, 0)")
    assert_fix(text, rulebase, "NNA504", text.replace("SGD(model.parameters(), 0.01, 0)", "SGD(model.parameters(), 0.01, 0.9)"))


def test_adam_with_weight_decay_becomes_adamw(rulebase: RuleBase) -> None:
    text = DEEP_SGD.replace("torch.optim.SGD(model.parameters(), lr=0.01)", "torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.05)")
    assert_fix(text, rulebase, "NNA505", text.replace("torch.optim.Adam(", "torch.optim.AdamW("))


IRNN = """import torch
import torch.nn as nn


class AddingProblemRNN(nn.Module):
    def __init__(self, hidden: int = 128) -> None:
        super().__init__()
        self.rnn = nn.RNN(2, hidden, nonlinearity='relu', batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.out(out[:, -1]).squeeze(-1)


model = AddingProblemRNN()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in []:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
"""


def test_a_relu_recurrent_cell_becomes_tanh_in_its_quotes(rulebase: RuleBase) -> None:
    assert_fix(IRNN, rulebase, "NNA404", IRNN.replace("nonlinearity='relu'", "nonlinearity='tanh'"))


# --- what is not fixed --------------------------------------------------------------------------


def test_a_softmax_whose_value_is_also_kept_elsewhere_is_not_removed(rulebase: RuleBase) -> None:
    text = CNN.replace(
        "        return F.softmax(self.fc2(x), dim=1)\n",
        "        probs = F.softmax(self.fc2(x), dim=1)\n        self.last_probs = probs.detach()\n        return probs\n",
    )
    assert_no_fix(text, rulebase, "NNA103")


def test_a_softmax_module_called_twice_is_not_removed(rulebase: RuleBase) -> None:
    text = MODULE_ATTRIBUTE.replace(
        "        return self.softmax(logits)\n",
        "        return self.softmax(logits)\n\n    def predict_proba(self, tokens, offsets):\n        return self.softmax(self.head(torch.relu(self.hidden(self.embed(tokens, offsets)))))\n",
    )
    assert_no_fix(text, rulebase, "NNA103")


def test_a_cell_activation_from_a_config_value_is_not_edited(rulebase: RuleBase) -> None:
    text = IRNN.replace("import torch.nn as nn\n", "import torch.nn as nn\n\nCONFIG = {'cell': 'relu'}\nCELL = 'relu'\n").replace("nonlinearity='relu'", "nonlinearity=CELL")
    assert_no_fix(text, rulebase, "NNA404")


def test_a_loss_chosen_at_run_time_is_not_edited(rulebase: RuleBase) -> None:
    text = """import sys

import torch
import torch.nn as nn

LOSSES = {"ce": nn.CrossEntropyLoss, "mse": nn.MSELoss}
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3), nn.Softmax(dim=1))
criterion = LOSSES[sys.argv[1]]()
optimizer = torch.optim.Adam(model.parameters())
for x, y in []:
    loss = criterion(model(x), y)
"""
    assert synthetic(text, rulebase, [{"op": "add", "path": "/loss", "value": "categorical_crossentropy"}]) is None


def test_a_factory_called_for_two_models_is_not_edited_for_one_of_them(rulebase: RuleBase) -> None:
    text = """import torch
from torch import nn


def head(n_in: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, n_out), nn.Softmax(dim=1))


species, colour = head(128, 12), head(128, 4)
ce, nll = nn.CrossEntropyLoss(), nn.NLLLoss()
optimizer = torch.optim.Adam([*species.parameters(), *colour.parameters()])


def step(features, y_species, y_colour):
    loss = ce(species(features), y_species) + nll(torch.log(colour(features)), y_colour)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""
    assert_no_fix(text, rulebase, "NNA103")
    both = text.replace("nll(torch.log(colour(features)), y_colour)", "ce(colour(features), y_colour)").replace("ce, nll = nn.CrossEntropyLoss(), nn.NLLLoss()", "ce = nn.CrossEntropyLoss()")
    assert_fix(both, rulebase, "NNA103", both.replace(", nn.Softmax(dim=1))", ")"))


def test_clipping_is_not_written_into_a_training_loop(rulebase: RuleBase) -> None:
    text = IRNN.replace("    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n", "").replace("nonlinearity='relu', ", "")
    assert_no_fix(text, rulebase, "NNA503")


def test_a_normalising_activation_is_not_added_without_its_dimension(rulebase: RuleBase) -> None:
    text = SEQ2SEQ.replace("return F.softmax(self.out(out), dim=-1), h", "return self.out(out), h")
    assert_no_fix(text, rulebase, "NNA102")


def test_a_keyed_sequential_entry(rulebase: RuleBase) -> None:
    text = """from collections import OrderedDict

import torch
import torch.nn as nn

model = nn.Sequential(OrderedDict([
    ("fc1", nn.Linear(10, 32)),
    ("relu", nn.ReLU()),
    ("fc2", nn.Linear(32, 3)),
    ("softmax", nn.Softmax(dim=1)),
]))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in []:
    loss = criterion(model(x), y)
"""
    assert_fix(text, rulebase, "NNA103", text.replace('    ("softmax", nn.Softmax(dim=1)),\n', ""))


TWO_MODELS_ONE_CLASS = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, n_out: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, n_out), nn.Softmax(dim=1))

    def forward(self, x):
        return self.net(x)


colour, shape = Net(5), Net(3)
ce, nll = nn.CrossEntropyLoss(), nn.NLLLoss()
optimizer = torch.optim.Adam([*colour.parameters(), *shape.parameters()], lr=1e-3)


def step(x, y_colour, y_shape):
    loss = ce(colour(x), y_colour) + nll(torch.log(shape(x)), y_shape)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


def test_a_class_two_models_share_is_not_edited_for_one_of_them(rulebase: RuleBase) -> None:
    """Removing the softmax of Net fixes `colour` (into CrossEntropyLoss) but breaks `shape`,
    whose log of the softmax is the log-probabilities NLLLoss wants."""
    assert_no_fix(TWO_MODELS_ONE_CLASS, rulebase, "NNA103")


def test_a_distilled_student_whose_output_a_second_loss_reads_is_not_edited(rulebase: RuleBase) -> None:
    text = TWO_MODELS_ONE_CLASS.replace("colour, shape = Net(5), Net(3)", "teacher, student = Net(10), Net(10)").replace(
        "ce, nll = nn.CrossEntropyLoss(), nn.NLLLoss()", "ce, kl = nn.CrossEntropyLoss(), nn.KLDivLoss(reduction='batchmean')"
    )
    text = text.replace("[*colour.parameters(), *shape.parameters()]", "student.parameters()").replace(
        "def step(x, y_colour, y_shape):\n    loss = ce(colour(x), y_colour) + nll(torch.log(shape(x)), y_shape)\n",
        "def step(x, y):\n    with torch.no_grad():\n        soft = teacher(x)\n    out = student(x)\n    loss = ce(out, y) + kl(torch.log(out), soft)\n",
    )
    assert_no_fix(text, rulebase, "NNA103")


def test_a_zero_adam_epsilon_is_replaced(rulebase: RuleBase) -> None:
    text = DEEP_SGD.replace("torch.optim.SGD(model.parameters(), lr=0.01)", "torch.optim.Adam(model.parameters(), lr=1e-3, eps=0)")
    assert_fix(text, rulebase, "NNA502", text.replace("eps=0)", "eps=1e-08)"))


def test_a_sequential_that_is_indexed_elsewhere_is_not_edited(rulebase: RuleBase) -> None:
    """``model[:-1]`` strips the softmax for inference: removing it would make that slice drop the
    last linear layer instead."""
    text = MLP + "\n\ndef logits(images):\n    return model[:-1](images)\n"
    assert_no_fix(text, rulebase, "NNA103")
    text = FACTORY + "\nfeatures = model[:-2]\n"
    assert_no_fix(text, rulebase, "NNA103")
