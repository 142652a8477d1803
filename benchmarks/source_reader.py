#!/usr/bin/env python3
"""The Python-source reader (`check` on `.py` files) against Python's own parsing, in the same run.

budgets.md:

- `nnadvisor check --no-cache DIR` over 2,000 generated Python model files (PyTorch; Keras) costs
  at most 1.5x `python -m py_compile` on the same files (the parsing floor);
- one 5 MB Python file costs at most 1.3x the time and the peak memory of `ast.parse` of that file
  alone.

And, with no budget of its own, whether the reader is linear in the length of a `forward`: a
forward of 10,000 lines against one of 40,000 lines (linear is ~4x).

Rows (``--only`` picks some, comma-separated):

- ``torch``: ``--files`` (2,000) PyTorch files generated deterministically from ``--seed``, 30 to
  300 lines each, in five shapes: an ``nn.Module`` subclass with ``__init__``/``forward``, an
  ``nn.Sequential`` model, a training script (train/evaluate functions, criterion, optimizer,
  scheduler, gradient clipping, ``main()``), a Lightning-style module (``training_step``,
  ``configure_optimizers``, ``Trainer(gradient_clip_val=...)``) and a GAN (two models, two
  optimizers). Widths, depths, activations, losses, output activations (some of them the mistakes
  the rules report), optimizers and learning rates vary. ``nnadvisor check --no-cache --format json
  DIR`` (default ``--jobs``) against ``python -m py_compile FILE...`` (one process, every file on
  its command line, the ``.pyc`` files written under a private ``PYTHONPYCACHEPREFIX``, never into
  the tree); shown too, without a budget: ``compile()`` and ``ast.parse`` of every file in one
  process (no ``.pyc`` written), and ``check --jobs 1``.
- ``keras``: the same with Keras scripts (``model = Sequential([...])`` or the functional API,
  ``model.compile(loss=..., optimizer=...)``, ``model.fit``). While nnadvisor has no reader for
  Keras *sources*, a directory walk skips these files (a ``.py`` file is checked only when it
  mentions ``torch``): the row is printed anyway, labelled with how many files were checked, and
  gets no PASS.
- ``big``: one generated module just under the reader's 5 MiB cap (many model blocks, helper
  functions, configuration tables, a model with a forward of a few thousand lines, a training
  loop): ``nnadvisor check --no-cache FILE`` against ``python -c "import ast,sys;
  ast.parse(open(sys.argv[1]).read())" FILE``, wall time and peak RSS of each process (``os.wait4``
  in a small launcher process, see :data:`LAUNCHER`: exact for a single process). Also measured: the bare interpreter (``python -c pass``) and
  nnadvisor's own start-up (``check --no-cache`` of a ten-line PyTorch file: interpreter, imports,
  rule base, reader), so that the ratios are shown for the whole processes and net of start-up
  (each process minus its own start-up).
- ``linear``: a module class whose ``forward`` is a chain of 10,000 and of 40,000 lines
  (``x = self.l3(x)`` / ``x = F.relu(x)`` ...; the same ``__init__``); the ratio of the two times
  of ``check --no-cache FILE``, whole and net of start-up, next to ``ast.parse``'s.

Every command runs in a fresh process; the rounds are interleaved (each round runs every command
once) so that drift in machine load hits all of them alike, and medians are reported. The reference
commands and nnadvisor's start-up get one untimed warm-up run first (the OS file cache of every
generated file, bytecode; nnadvisor's bytecode is also written by the run that primes its cache). Subprocesses run with
bytecode caching on (as a normal install; budgets.md) under a private ``PYTHONPYCACHEPREFIX``, and
nnadvisor with a private ``NNADVISOR_CACHE_DIR`` whose rule-base cache is primed once.

Also checks, untimed, that the reader found what was generated (a reader that reads nothing would
be fast): the JSON report's files, findings by rule and "no PyTorch model" notes (NNA002), and, in
process, each file's model read by ``nnadvisor.readers.read`` against the model, loss and optimizer
the generator wrote. ``--profile`` adds a cProfile of ``nnadvisor.lint.check_bytes`` on the 5 MB
file, in its own process (top functions by own and by cumulative time).

usage: python benchmarks/source_reader.py [--runs 3] [--files 2000] [--seed 20240612] [--keep DIR]
                                          [--only torch,keras,big,linear] [--profile] [--src DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bulk import Sample, _memory_kib, _tree, chunks, loadavg, nnadvisor_exe, verdict  # noqa: E402

DIR_BUDGET = 1.5
BIG_BUDGET = 1.3
MAX_BYTES = 5 * 1024 * 1024  # the reader's cap (nnadvisor.source.MAX_BYTES), not imported: measure, don't load
BIG_TARGET = MAX_BYTES - 16 * 1024
LINEAR_LINES = (10_000, 40_000)
ROWS = ("torch", "keras", "big", "linear")
GENERATOR_VERSION = 1
MiB = 1024 * 1024


# --------------------------------------------------------------------------- PyTorch files


ACTS = [("ReLU", "relu"), ("ReLU", "relu"), ("GELU", "gelu"), ("Tanh", "tanh"), ("LeakyReLU", "leaky_relu"),
        ("ELU", "elu"), ("SiLU", "silu"), ("SELU", "selu")]  # fmt: skip
WIDTHS = [16, 32, 64, 64, 128, 128, 256, 256, 512, 1024]
LRS = ["1e-3", "1e-3", "3e-4", "1e-4", "0.01", "0.1", "5e-4", "2e-4"]


@dataclass
class Expect:
    """What a generated file holds: the reader should find this model, loss and optimizer."""

    kind: str
    lines: int = 0
    loss: str | None = None
    optimizer: str | None = None
    min_layers: int = 1


@dataclass
class Problem:
    """The task of a generated model: output width, loss, and the activation written before it."""

    task: str
    out: int
    loss: str  # a torch.nn loss class
    loss_call: str  # how the criterion is created
    final: str | None  # functional activation applied to the output in forward ("softmax"...)
    functional: str | None = None  # F.cross_entropy-style call used instead of a criterion object


def problem(rng: random.Random) -> Problem:
    task = rng.choice(["multiclass", "multiclass", "multiclass", "binary", "binary", "regression", "multilabel"])
    if task == "multiclass":
        n = rng.choice([3, 5, 10, 10, 100, 1000])
        r = rng.random()
        if r < 0.5:
            ls = rng.choice(["", "", "label_smoothing=0.1"])
            return Problem(task, n, "CrossEntropyLoss", f"nn.CrossEntropyLoss({ls})", None)
        if r < 0.65:  # the mistake NNA103 reports: softmax into CrossEntropyLoss
            return Problem(task, n, "CrossEntropyLoss", "nn.CrossEntropyLoss()", "softmax")
        if r < 0.85:
            return Problem(task, n, "NLLLoss", "nn.NLLLoss()", "log_softmax")
        return Problem(task, n, "CrossEntropyLoss", "", None, functional="F.cross_entropy")
    if task == "binary":
        if rng.random() < 0.5:
            return Problem(task, 1, "BCEWithLogitsLoss", "nn.BCEWithLogitsLoss()", None)
        if rng.random() < 0.8:
            return Problem(task, 1, "BCELoss", "nn.BCELoss()", "sigmoid")
        return Problem(task, 1, "BCEWithLogitsLoss", "nn.BCEWithLogitsLoss()", "sigmoid")  # double sigmoid
    if task == "multilabel":
        return Problem(task, rng.choice([5, 20, 80]), "BCEWithLogitsLoss", "nn.BCEWithLogitsLoss()", None)
    loss, call = rng.choice([("MSELoss", "nn.MSELoss()"), ("MSELoss", "nn.MSELoss()"), ("L1Loss", "nn.L1Loss()"),
                             ("SmoothL1Loss", "nn.SmoothL1Loss(beta=1.0)"), ("HuberLoss", "nn.HuberLoss(delta=1.0)")])  # fmt: skip
    return Problem("regression", 1, loss, call, None)


def optimizer_call(rng: random.Random, params: str, lr: str | None = None) -> tuple[str, str]:
    name = rng.choice(["Adam", "Adam", "AdamW", "SGD", "SGD", "RMSprop", "Adagrad"])
    lr = lr or rng.choice(LRS)
    extra = ""
    if name == "SGD":
        extra = rng.choice([", momentum=0.9", ", momentum=0.9, nesterov=True", ""])
    elif name == "AdamW":
        extra = rng.choice([", weight_decay=0.01", ", weight_decay=1e-4", ""])
    elif name == "Adam" and rng.random() < 0.3:
        extra = ", betas=(0.9, 0.999)"
    prefix = rng.choice(["torch.optim", "optim"])
    return name, f"{prefix}.{name}({params}, lr={lr}{extra})"


def hidden(rng: random.Random) -> list[int]:
    return [rng.choice(WIDTHS) for _ in range(rng.randint(1, 6))]


def header(rng: random.Random, title: str, lightning: bool = False, argparse_: bool = False) -> list[str]:
    out = [f'"""{title}."""', ""]
    if rng.random() < 0.3:
        out += ["from __future__ import annotations", ""]
    extra = rng.choice([["import math"], ["import time"], ["import json", "import math"], []])
    out += sorted({*extra, "import os", "import random", *(["import argparse"] if argparse_ else [])})
    out += ["", "import torch", "import torch.nn as nn", "import torch.nn.functional as F", "import torch.optim as optim"]
    if rng.random() < 0.6:
        out.append("from torch.utils.data import DataLoader, TensorDataset")
    if lightning:
        out.append(rng.choice(["import pytorch_lightning as pl", "import lightning.pytorch as pl"]))
    out += ["", f"SEED = {rng.randrange(10**4)}", f"BATCH_SIZE = {rng.choice([16, 32, 64, 128, 256])}",
            f"EPOCHS = {rng.choice([5, 10, 20, 50, 100])}", ""]  # fmt: skip
    return out


def layer_stack(rng: random.Random, indent: str, in_dim: str, widths: list[int], out: int, act: tuple[str, str],
                functional_acts: bool, prefix: str = "self.") -> tuple[list[str], list[str]]:  # fmt: skip
    """``__init__`` lines and ``forward`` lines of an MLP (optionally with a conv front)."""
    init: list[str] = []
    fwd: list[str] = []
    mod, fn = act
    dims = [in_dim] + [str(w) for w in widths]
    if rng.random() < 0.25:
        ch = rng.choice([16, 32, 64])
        init += [f"{indent}{prefix}conv1 = nn.Conv2d(3, {ch}, kernel_size=3, padding=1)",
                 f"{indent}{prefix}conv2 = nn.Conv2d({ch}, {ch * 2}, kernel_size=3, padding=1)",
                 f"{indent}{prefix}pool = nn.MaxPool2d(2)"]  # fmt: skip
        fwd += [f"x = self.pool(F.{fn}(self.conv1(x)))", f"x = self.pool(F.{fn}(self.conv2(x)))", "x = torch.flatten(x, 1)"]
        dims[0] = f"{ch * 2} * 8 * 8"
    for i, (a, b) in enumerate(zip(dims, dims[1:])):
        init.append(f"{indent}{prefix}fc{i} = nn.Linear({a}, {b})")
        if functional_acts:
            fwd.append(f"x = F.{fn}(self.fc{i}(x))")
        else:
            init.append(f"{indent}{prefix}act{i} = nn.{mod}()")
            fwd.append(f"x = self.act{i}(self.fc{i}(x))")
        r = rng.random()
        if r < 0.15:
            init.append(f"{indent}{prefix}drop{i} = nn.Dropout({rng.choice([0.1, 0.2, 0.3, 0.5])})")
            fwd.append(f"x = self.drop{i}(x)")
        elif r < 0.25:
            init.append(f"{indent}{prefix}norm{i} = nn.{rng.choice(['BatchNorm1d', 'LayerNorm'])}({b})")
            fwd.append(f"x = self.norm{i}(x)")
    init.append(f"{indent}{prefix}head = nn.Linear({dims[-1]}, {out})")
    return init, fwd


def final_line(p: Problem) -> str:
    if p.final is None:
        return "return self.head(x)"
    if p.final == "sigmoid":
        return "return torch.sigmoid(self.head(x))"
    return f"return F.{p.final}(self.head(x), dim=1)"


def module_class(rng: random.Random, name: str, p: Problem, in_features: int, base: str = "nn.Module") -> tuple[list[str], int]:
    widths = hidden(rng)
    act = rng.choice(ACTS)
    init, fwd = layer_stack(rng, "        ", "in_features", widths, p.out, act, rng.random() < 0.5)
    lines = [f"class {name}({base}):"]
    if rng.random() < 0.6:
        lines.append(f'    """A {len(widths)}-hidden-layer network for {p.task} ({p.out} outputs)."""')
        lines.append("")
    lines += [f"    def __init__(self, in_features: int = {in_features}):", "        super().__init__()", *init, "",
              "    def forward(self, x):", *("        " + f for f in fwd), "        " + final_line(p), ""]  # fmt: skip
    return lines, len(widths)


def sequential_expr(rng: random.Random, in_features: int, p: Problem, indent: str = "") -> tuple[list[str], int]:
    widths = hidden(rng)
    mod, _ = rng.choice(ACTS)
    items: list[str] = []
    dims = [in_features, *widths]
    for a, b in zip(dims, dims[1:]):
        items += [f"nn.Linear({a}, {b})", f"nn.{mod}()"]
        if rng.random() < 0.2:
            items.append(f"nn.Dropout({rng.choice([0.1, 0.25, 0.5])})")
    items.append(f"nn.Linear({dims[-1]}, {p.out})")
    if p.final == "softmax":
        items.append("nn.Softmax(dim=1)")
    elif p.final == "log_softmax":
        items.append("nn.LogSoftmax(dim=1)")
    elif p.final == "sigmoid":
        items.append("nn.Sigmoid()")
    return [f"{indent}nn.Sequential(", *(f"{indent}    {it}," for it in items), f"{indent})"], len(widths)


def clip_line(rng: random.Random, params: str, indent: str) -> list[str]:
    r = rng.random()
    if r < 0.4:
        return [f"{indent}torch.nn.utils.clip_grad_norm_({params}, max_norm={rng.choice(['1.0', '5.0', '0.5'])})"]
    if r < 0.5:
        return [f"{indent}nn.utils.clip_grad_value_({params}, clip_value=0.5)"]
    return []


def loss_expr(p: Problem, out: str, target: str) -> str:
    return f"{p.functional}({out}, {target})" if p.functional else f"criterion({out}, {target})"


def train_loop(rng: random.Random, p: Problem, model: str, indent: str = "") -> list[str]:
    target = "y.float()" if p.task in ("binary", "multilabel", "regression") else "y"
    i = indent
    lines = [f"{i}def train(model, loader, optimizer, epochs=EPOCHS):", f"{i}    model.train()",
             f"{i}    for epoch in range(epochs):", f"{i}        total = 0.0",
             f"{i}        for x, y in loader:", f"{i}            optimizer.zero_grad()",
             f"{i}            out = model(x)", f"{i}            loss = {loss_expr(p, 'out', target)}",
             f"{i}            loss.backward()"]  # fmt: skip
    lines += clip_line(rng, "model.parameters()", f"{i}            ")
    lines += [f"{i}            optimizer.step()", f"{i}            total += loss.item()",
              f'{i}        print(f"epoch {{epoch}}: loss {{total / max(len(loader), 1):.4f}}")', ""]  # fmt: skip
    return lines


def data_lines(p: Problem, in_features: int) -> list[str]:
    if p.task == "multiclass":
        y = f"torch.randint(0, {p.out}, (1024,))"
    elif p.task == "binary":
        y = "torch.randint(0, 2, (1024, 1))"
    elif p.task == "multilabel":
        y = f"torch.randint(0, 2, (1024, {p.out}))"
    else:
        y = "torch.randn(1024, 1)"
    return [f"X = torch.randn(1024, {in_features})", f"Y = {y}",
            "loader = DataLoader(TensorDataset(X, Y), batch_size=BATCH_SIZE, shuffle=True)"]  # fmt: skip


FILLERS: list[Callable[[random.Random, int], list[str]]] = []


def filler(fn: Callable[[random.Random, int], list[str]]) -> Callable[[random.Random, int], list[str]]:
    FILLERS.append(fn)
    return fn


@filler
def _seed_fn(rng: random.Random, k: int) -> list[str]:
    return [f"def set_seed_{k}(seed: int = {rng.randrange(1000)}) -> None:", '    """Make runs repeatable."""',
            "    random.seed(seed)" if rng.random() < 0.5 else "    os.environ['PYTHONHASHSEED'] = str(seed)",
            "    torch.manual_seed(seed)", "    if torch.cuda.is_available():", "        torch.cuda.manual_seed_all(seed)", ""]  # fmt: skip


@filler
def _count_fn(rng: random.Random, k: int) -> list[str]:
    return [f"def count_parameters_{k}(model, trainable_only=True):", "    total = 0",
            "    for name, param in model.named_parameters():", "        if trainable_only and not param.requires_grad:",
            "            continue", "        total += param.numel()", "    return total", ""]  # fmt: skip


@filler
def _ckpt_fn(rng: random.Random, k: int) -> list[str]:
    return [f"def save_checkpoint_{k}(model, optimizer, epoch, path='checkpoints/model_{k}.pt'):",
            "    os.makedirs(os.path.dirname(path), exist_ok=True)" if rng.random() < 0.5 else "    path = str(path)",
            "    torch.save(", "        {", '            "epoch": epoch,', '            "model": model.state_dict(),',
            '            "optimizer": optimizer.state_dict(),', "        },", "        path,", "    )", "",
            f"def load_checkpoint_{k}(model, path, device='cpu'):", "    state = torch.load(path, map_location=device)",
            '    model.load_state_dict(state["model"])', '    return state.get("epoch", 0)', ""]  # fmt: skip


@filler
def _config_table(rng: random.Random, k: int) -> list[str]:
    keys = rng.sample(["hidden", "dropout", "weight_decay", "warmup", "schedule", "patience", "seed", "workers", "depth", "heads"], 6)
    out = [f"CONFIG_{k} = {{"]
    for key in keys:
        v = rng.choice([str(rng.randint(1, 512)), repr(rng.choice(["cosine", "step", "none", "linear"])), f"{rng.random():.3f}"])
        out.append(f"    {key!r}: {v},")
    return [*out, "}", ""]


@filler
def _metric_fn(rng: random.Random, k: int) -> list[str]:
    return [f"def accuracy_{k}(logits, targets):", "    with torch.no_grad():", "        preds = logits.argmax(dim=1)",
            "        correct = (preds == targets).sum().item()", "    return correct / max(targets.numel(), 1)", "",
            f"def running_mean_{k}(values, window={rng.choice([5, 10, 50])}):", "    out, acc = [], 0.0",
            "    for i, v in enumerate(values):", "        acc += v", "        if i >= window:",
            "            acc -= values[i - window]", "        out.append(acc / min(i + 1, window))", "    return out", ""]  # fmt: skip


@filler
def _transform_fn(rng: random.Random, k: int) -> list[str]:
    mean, std = round(rng.random(), 3), round(0.1 + rng.random(), 3)
    return [f"class Normalize{k}:", f'    """Standardise features (mean {mean}, std {std})."""', "",
            f"    def __init__(self, mean={mean}, std={std}):", "        self.mean = mean", "        self.std = std", "",
            "    def __call__(self, x):", "        return (x - self.mean) / self.std", "",
            "    def __repr__(self):", '        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"', ""]  # fmt: skip


@filler
def _eval_fn(rng: random.Random, k: int) -> list[str]:
    return [f"@torch.no_grad()", f"def predict_{k}(model, loader, device='cpu'):", "    model.eval()", "    outputs = []",
            "    for batch in loader:", "        x = batch[0].to(device)", "        outputs.append(model(x).cpu())",
            "    return torch.cat(outputs) if outputs else torch.empty(0)", ""]  # fmt: skip


def pad(rng: random.Random, lines: list[str], target: int, start: int = 0) -> list[str]:
    """Helper functions and tables, inserted before the model code, until ``target`` lines."""
    extra: list[str] = []
    k = start
    while len(lines) + len(extra) < target:
        extra += rng.choice(FILLERS)(rng, k)
        extra.append("")  # two blank lines between top-level definitions
        k += 1
    return extra


def torch_module_file(rng: random.Random) -> tuple[list[str], Expect, list[str]]:
    p = problem(rng)
    in_f = rng.choice([20, 64, 128, 784, 3072])
    cls, depth = module_class(rng, rng.choice(["Net", "MLP", "Classifier", "Regressor", "Model"]), p, in_f)
    name = cls[0].split("(")[0][6:]
    opt, opt_call = optimizer_call(rng, "model.parameters()")
    body = [*cls, ""]
    body += [f"model = {name}({rng.choice(['', str(in_f), f'in_features={in_f}'])})"]
    if p.loss_call:
        body.append(f"criterion = {p.loss_call}")
    body += [f"optimizer = {opt_call}", ""]
    if p.functional or rng.random() < 0.7:  # a functional loss exists only in a training loop
        body += [*train_loop(rng, p, "model"), *data_lines(p, in_f), "train(model, loader, optimizer)", ""]
    return body, Expect("module", loss=p.loss, optimizer=opt, min_layers=depth + 1), []


def torch_sequential_file(rng: random.Random) -> tuple[list[str], Expect, list[str]]:
    p = problem(rng)
    in_f = rng.choice([8, 20, 64, 128, 784])
    seq, depth = sequential_expr(rng, in_f, p)
    opt, opt_call = optimizer_call(rng, "model.parameters()")
    body = ["model = " + seq[0], *seq[1:], ""]
    if p.loss_call:
        body.append(f"criterion = {p.loss_call}")
    body += [f"optimizer = {opt_call}", "", *train_loop(rng, p, "model"), *data_lines(p, in_f), "", 'if __name__ == "__main__":',
             "    train(model, loader, optimizer)", ""]  # fmt: skip
    return body, Expect("sequential", loss=p.loss, optimizer=opt, min_layers=2 * depth + 1), []


def torch_training_file(rng: random.Random) -> tuple[list[str], Expect, list[str]]:
    p = problem(rng)
    if p.functional:  # the criterion is passed around as an object here
        p = Problem(p.task, p.out, p.loss, "nn.CrossEntropyLoss()", p.final)
    in_f = rng.choice([32, 100, 784, 3072])
    cls, depth = module_class(rng, "Network", p, in_f)
    opt, opt_call = optimizer_call(rng, "model.parameters()", lr="args.lr")
    target = "y.float()" if p.task in ("binary", "multilabel", "regression") else "y"
    body = [*cls, "", "def train_one_epoch(model, loader, criterion, optimizer, device):", "    model.train()",
            "    running = 0.0", "    for step, (x, y) in enumerate(loader):", "        x, y = x.to(device), y.to(device)",
            "        optimizer.zero_grad(set_to_none=True)", "        logits = model(x)",
            f"        loss = {p.functional + '(logits, ' + target + ')' if p.functional else 'criterion(logits, ' + target + ')'}",
            "        loss.backward()"]  # fmt: skip
    body += clip_line(rng, "model.parameters()", "        ")
    body += ["        optimizer.step()", "        running += loss.item()", "    return running / max(len(loader), 1)", "",
             "@torch.no_grad()", "def evaluate(model, loader, criterion, device):", "    model.eval()", "    total, n = 0.0, 0",
             "    for x, y in loader:", "        x, y = x.to(device), y.to(device)", "        out = model(x)",
             f"        total += {p.functional + '(out, ' + target + ')' if p.functional else 'criterion(out, ' + target + ')'}.item() * x.size(0)",
             "        n += x.size(0)", "    return total / max(n, 1)", "",
             "def main():", "    parser = argparse.ArgumentParser()", f"    parser.add_argument('--lr', type=float, default={rng.choice(LRS)})",
             "    parser.add_argument('--epochs', type=int, default=EPOCHS)", "    args = parser.parse_args()",
             "    device = 'cuda' if torch.cuda.is_available() else 'cpu'", f"    model = Network({in_f}).to(device)"]  # fmt: skip
    body.append(f"    criterion = {p.loss_call}")
    body += [f"    optimizer = {opt_call}", "    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)",
             *("    " + line for line in data_lines(p, in_f)), "    for epoch in range(args.epochs):",
             "        train_loss = train_one_epoch(model, loader, criterion, optimizer, device)",
             "        val_loss = evaluate(model, loader, criterion, device)", "        scheduler.step()",
             '        print(f"{epoch:3d} train {train_loss:.4f} val {val_loss:.4f}")', "", 'if __name__ == "__main__":', "    main()", ""]  # fmt: skip
    return body, Expect("training", loss=p.loss, optimizer=opt, min_layers=depth + 1), ["import argparse"]


def torch_lightning_file(rng: random.Random) -> tuple[list[str], Expect, list[str]]:
    p = problem(rng)
    in_f = rng.choice([16, 64, 784])
    seq, depth = sequential_expr(rng, in_f, p, indent="        ")
    opt, opt_call = optimizer_call(rng, "self.parameters()", lr=rng.choice(LRS))
    target = "y.float()" if p.task in ("binary", "multilabel", "regression") else "y"
    loss_init = [f"        self.loss_fn = {p.loss_call}"] if p.loss_call else []
    loss_use = f"{p.functional}(out, {target})" if p.functional else f"self.loss_fn(out, {target})"
    body = ["class LitModel(pl.LightningModule):", "    def __init__(self):", "        super().__init__()",
            "        self.save_hyperparameters()", "        self.net = " + seq[0].strip(), *seq[1:], *loss_init, "",
            "    def forward(self, x):", "        return self.net(x)", "",
            "    def training_step(self, batch, batch_idx):", "        x, y = batch", "        out = self(x)",
            f"        loss = {loss_use}", "        self.log('train_loss', loss)", "        return loss", "",
            "    def validation_step(self, batch, batch_idx):", "        x, y = batch", "        out = self(x)",
            f"        self.log('val_loss', {loss_use}, prog_bar=True)", "",
            "    def configure_optimizers(self):", f"        return {opt_call}", "", "",
            "model = LitModel()", f"trainer = pl.Trainer(max_epochs=EPOCHS, gradient_clip_val={rng.choice(['0.5', '1.0'])})",
            *data_lines(p, in_f), "trainer.fit(model, loader)", ""]  # fmt: skip
    return body, Expect("lightning", loss=p.loss, optimizer=opt, min_layers=2 * depth + 1), []


def torch_gan_file(rng: random.Random) -> tuple[list[str], Expect, list[str]]:
    z = rng.choice([64, 100, 128])
    img = rng.choice([784, 1024, 3072])
    g_w = sorted(rng.sample([128, 256, 512, 1024], rng.randint(2, 3)))
    d_w = sorted(rng.sample([128, 256, 512, 1024], rng.randint(2, 3)), reverse=True)
    g_act = rng.choice(["nn.ReLU()", "nn.LeakyReLU(0.2)"])
    g_layers, d_layers = [], []
    for a, b in zip([z, *g_w], g_w):
        g_layers += [f"            nn.Linear({a}, {b}),", f"            nn.BatchNorm1d({b}),", f"            {g_act},"]
    g_layers += [f"            nn.Linear({g_w[-1]}, {img}),", "            nn.Tanh(),"]
    for a, b in zip([img, *d_w], d_w):
        d_layers += [f"            nn.Linear({a}, {b}),", "            nn.LeakyReLU(0.2),", "            nn.Dropout(0.3),"]
    logits = rng.random() < 0.4
    d_layers += [f"            nn.Linear({d_w[-1]}, 1),"] + ([] if logits else ["            nn.Sigmoid(),"])
    loss = "BCEWithLogitsLoss" if logits else "BCELoss"
    lr = rng.choice(["2e-4", "1e-4", "0.0002"])
    body = ["class Generator(nn.Module):", f"    def __init__(self, z_dim={z}):", "        super().__init__()",
            "        self.model = nn.Sequential(", *g_layers, "        )", "", "    def forward(self, z):",
            "        return self.model(z)", "", "", "class Discriminator(nn.Module):", f"    def __init__(self, img_dim={img}):",
            "        super().__init__()", "        self.model = nn.Sequential(", *d_layers, "        )", "",
            "    def forward(self, x):", "        return self.model(x.view(x.size(0), -1))", "", "",
            "G = Generator()", "D = Discriminator()", f"criterion = nn.{loss}()",
            f"opt_g = optim.Adam(G.parameters(), lr={lr}, betas=(0.5, 0.999))",
            f"opt_d = optim.Adam(D.parameters(), lr={lr}, betas=(0.5, 0.999))", "", "",
            "def train_step(real):", "    b = real.size(0)", "    ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)",
            f"    fake = G(torch.randn(b, {z}))", "    opt_d.zero_grad()",
            "    d_loss = criterion(D(real), ones) + criterion(D(fake.detach()), zeros)", "    d_loss.backward()",
            "    opt_d.step()", "    opt_g.zero_grad()", "    g_loss = criterion(D(fake), ones)", "    g_loss.backward()"]  # fmt: skip
    body += clip_line(rng, "G.parameters()", "    ")
    body += ["    opt_g.step()", "    return d_loss.item(), g_loss.item()", "", "",
             "for epoch in range(EPOCHS):", f"    d, g = train_step(torch.randn(BATCH_SIZE, {img}))", '    print(f"{epoch} D {d:.3f} G {g:.3f}")', ""]  # fmt: skip
    # Two models: the reader checks one of them (and says which, NNA002); the loss is BCE either way.
    return body, Expect("gan", loss=loss, optimizer="Adam", min_layers=3), []


TORCH_KINDS = [(torch_module_file, 0.3), (torch_sequential_file, 0.2), (torch_training_file, 0.25),
               (torch_lightning_file, 0.15), (torch_gan_file, 0.1)]  # fmt: skip


def torch_file(rng: random.Random) -> tuple[str, Expect]:
    r, acc = rng.random(), 0.0
    for make, weight in TORCH_KINDS:
        acc += weight
        if r < acc:
            break
    body, expect, _ = make(rng)
    head = header(rng, f"{expect.kind.capitalize()} example {rng.randrange(10**5)}", lightning=expect.kind == "lightning",
                  argparse_=expect.kind == "training")
    target = rng.randint(30, 285)  # the last helper may overshoot by up to 15 lines
    fill = pad(rng, head + body, target)
    cut = len(fill)
    if rng.random() < 0.4:  # some helpers after the model code too
        ends = [i + 1 for i, line in enumerate(fill) if line == "" and i > 0 and fill[i - 1] == ""]
        cut = rng.choice(ends) if ends else cut
    lines = head + fill[:cut] + body + ([""] if cut < len(fill) else []) + fill[cut:]
    expect.lines = len("\n".join(lines).splitlines())
    return "\n".join(lines) + "\n", expect


# --------------------------------------------------------------------------- Keras scripts


KERAS_LOSSES = [("multiclass", "softmax", '"sparse_categorical_crossentropy"'), ("multiclass", "softmax", '"categorical_crossentropy"'),
                ("multiclass", None, "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),
                ("multiclass", "softmax", "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),  # the mistake
                ("binary", "sigmoid", '"binary_crossentropy"'), ("binary", None, "keras.losses.BinaryCrossentropy(from_logits=True)"),
                ("regression", None, '"mse"'), ("regression", None, '"mae"'), ("regression", None, "keras.losses.Huber(delta=1.0)"),
                ("multiclass", "softmax", '"mse"')]  # fmt: skip
KERAS_ACTS = ["relu", "relu", "gelu", "tanh", "elu", "selu", "swish"]
KERAS_OPTS = ['"adam"', '"sgd"', '"rmsprop"', "keras.optimizers.Adam(learning_rate=1e-3)", "keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)",
              "keras.optimizers.AdamW(learning_rate=3e-4, weight_decay=1e-4)", "keras.optimizers.RMSprop(learning_rate=1e-4)"]  # fmt: skip


def keras_file(rng: random.Random) -> tuple[str, Expect]:
    task, final, loss = rng.choice(KERAS_LOSSES)
    out = 1 if task in ("binary", "regression") else rng.choice([3, 10, 100])
    act = rng.choice(KERAS_ACTS)
    widths = hidden(rng)
    in_f = rng.choice([8, 20, 64, 784])
    style = rng.choice(["keras", "keras", "tf", "models"])
    head = [f'"""Keras {task} example {rng.randrange(10**5)}."""', "", "import os", "", "import numpy as np"]
    if style == "tf":
        head += ["import tensorflow as tf", "from tensorflow import keras", "from tensorflow.keras import layers"]
    elif style == "models":
        head += ["import keras", "from keras import layers", "from keras.models import Sequential"]
    else:
        head += ["import keras", "from keras import layers"]
    head += ["", f"BATCH_SIZE = {rng.choice([32, 64, 128])}", f"EPOCHS = {rng.choice([5, 10, 30])}", ""]
    seq = "Sequential" if style == "models" else "keras.Sequential"
    fin = f', activation="{final}"' if final else ""
    body: list[str] = []
    if rng.random() < 0.7:
        body += ["def build_model():", f"    model = {seq}(", "        [", f"            keras.Input(shape=({in_f},)),"]
        for w in widths:
            body.append(f'            layers.Dense({w}, activation="{act}"),')
            if rng.random() < 0.2:
                body.append(f"            layers.Dropout({rng.choice([0.1, 0.2, 0.5])}),")
        body += [f"            layers.Dense({out}{fin}),", "        ]", "    )"]
    else:
        body += ["def build_model():", f"    inputs = keras.Input(shape=({in_f},))", "    x = inputs"]
        for w in widths:
            body.append(f'    x = layers.Dense({w}, activation="{act}")(x)')
            if rng.random() < 0.2:
                body.append("    x = layers.BatchNormalization()(x)")
        body += [f"    outputs = layers.Dense({out}{fin})(x)", "    model = keras.Model(inputs, outputs)"]
    metrics = ', metrics=["accuracy"]' if task != "regression" else ""
    body += [f"    model.compile(loss={loss}, optimizer={rng.choice(KERAS_OPTS)}{metrics})", "    return model", "", ""]
    y = f"np.random.randint(0, {out}, size=(1024,))" if task == "multiclass" else ("np.random.randint(0, 2, size=(1024, 1))" if task == "binary" else "np.random.randn(1024, 1)")
    body += ["def main():", f"    x = np.random.randn(1024, {in_f}).astype('float32')", f"    y = {y}", "    model = build_model()",
             "    model.summary()", "    callbacks = [keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)]",
             "    model.fit(x, y, batch_size=BATCH_SIZE, epochs=EPOCHS, validation_split=0.1, callbacks=callbacks)",
             "    model.save(os.path.join('models', 'model.keras'))", "", "", 'if __name__ == "__main__":', "    main()", ""]  # fmt: skip
    fill: list[str] = []
    target = rng.randint(30, 290)
    k = 0
    while len(head) + len(fill) + len(body) < target:
        fill += keras_filler(rng, k)
        k += 1
    lines = head + fill + body
    return "\n".join(lines) + "\n", Expect("keras", lines=len(lines), loss=loss.strip('"'), optimizer=None, min_layers=len(widths) + 1)


def keras_filler(rng: random.Random, k: int) -> list[str]:
    r = rng.random()
    if r < 0.35:
        return [f"def normalize_{k}(x, axis=0):", "    mean = x.mean(axis=axis, keepdims=True)", "    std = x.std(axis=axis, keepdims=True) + 1e-7",
                "    return (x - mean) / std", ""]  # fmt: skip
    if r < 0.7:
        return [f"def make_dataset_{k}(n={rng.choice([256, 1024])}, dim={rng.choice([8, 32])}, seed={rng.randrange(100)}):",
                "    rng = np.random.default_rng(seed)", "    x = rng.normal(size=(n, dim)).astype('float32')",
                "    y = (x.sum(axis=1) > 0).astype('int64')", "    return x, y", ""]  # fmt: skip
    return [f"class History{k}:", "    def __init__(self):", "        self.values = []", "",
            "    def add(self, value):", "        self.values.append(float(value))", "",
            "    def best(self):", "        return min(self.values) if self.values else None", ""]  # fmt: skip


# --------------------------------------------------------------------------- the 5 MB module and the long forwards


def block_class(rng: random.Random, k: int) -> list[str]:
    w = rng.choice([64, 128, 256, 512])
    mod, fn = rng.choice(ACTS)
    n = rng.randint(2, 6)
    init = [f"        self.fc{i} = nn.Linear({w}, {w})" for i in range(n)]
    fwd = []
    for i in range(n):
        fwd.append(f"        x = F.{fn}(self.fc{i}(x))" if rng.random() < 0.5 else f"        x = self.fc{i}(x)")
        if rng.random() < 0.3:
            init.append(f"        self.norm{i} = nn.LayerNorm({w})")
            fwd.append(f"        x = self.norm{i}(x)")
    return [f"class Block{k}(nn.Module):", f'    """Residual-free block {k}: {n} x Linear({w}, {w}), {fn}."""', "",
            f"    def __init__(self, width: int = {w}, dropout: float = {rng.choice([0.0, 0.1, 0.2])}):", "        super().__init__()",
            *init, "        self.drop = nn.Dropout(dropout)", "", "    def forward(self, x):", *fwd, "        return self.drop(x)", "", ""]  # fmt: skip


def big_module(seed: int, target: int = BIG_TARGET) -> tuple[str, Expect]:
    """A realistic (if large) module: blocks, helpers, tables, one model with a long forward, a training loop."""
    rng = random.Random(seed)
    head = header(rng, "A large generated model zoo")
    n_used = 200
    forward_lines = 3000
    model = ["class BigModel(nn.Module):", '    """The model the optimizer trains: every 15th line a block."""', "",
             "    def __init__(self, in_features: int = 512, num_classes: int = 10):", "        super().__init__()",
             "        self.stem = nn.Linear(in_features, 512)"]  # fmt: skip
    model += [f"        self.b{j} = Block{j}(512)" for j in range(n_used)]
    model += ["        self.head = nn.Linear(512, num_classes)", "", "    def forward(self, x):", "        x = self.stem(x)"]
    fns = ["relu", "gelu", "silu"]
    for i in range(forward_lines):
        if i % 15 == 0:
            model.append(f"        x = self.b{(i // 15) % n_used}(x)")
        elif i % 3 == 0:
            model.append(f"        x = F.{fns[(i // 3) % 3]}(x)")
        elif i % 3 == 1:
            model.append("        x = x.contiguous()")
        else:
            model.append(f"        x = F.dropout(x, p=0.{i % 5}, training=self.training)")
    model += ["        return self.head(x)", "", ""]
    tail = ["model = BigModel()", "criterion = nn.CrossEntropyLoss(label_smoothing=0.1)",
            "optimizer = optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)", "",
            *train_loop(rng, Problem("multiclass", 10, "CrossEntropyLoss", "", None), "model"),
            *data_lines(Problem("multiclass", 10, "CrossEntropyLoss", "", None), 512), "train(model, loader, optimizer)", ""]  # fmt: skip
    fixed = len("\n".join(head + model + tail).encode()) + 2
    parts: list[str] = []
    size = fixed
    k = 0
    while True:
        r = rng.random()
        chunk = block_class(rng, k) if (k < n_used or r < 0.45) else rng.choice(FILLERS)(rng, k)
        text = "\n".join(chunk) + "\n"
        if size + len(text.encode()) > target:
            break
        parts.append(text)
        size += len(text.encode())
        k += 1
    text = "\n".join(head) + "\n" + "".join(parts) + "\n".join(model + tail) + "\n"
    assert len(text.encode()) <= target < MAX_BYTES, len(text.encode())
    return text, Expect("big", lines=text.count("\n"), loss="CrossEntropyLoss", optimizer="AdamW", min_layers=2)


def long_forward(lines: int) -> tuple[str, Expect]:
    """One module class; only the length of ``forward`` varies."""
    n = 32
    out = ['"""A model with a very long forward."""', "", "import torch", "import torch.nn as nn",
           "import torch.nn.functional as F", "", "", "class Deep(nn.Module):", "    def __init__(self):",
           "        super().__init__()", *(f"        self.l{i} = nn.Linear(256, 256)" for i in range(n)),
           "        self.out = nn.Linear(256, 10)", "", "    def forward(self, x):"]  # fmt: skip
    for i in range(lines):
        out.append(f"        x = self.l{(i // 2) % n}(x)" if i % 2 == 0 else "        x = F.relu(x)")
    out += ["        return self.out(x)", "", "", "model = Deep()", "criterion = nn.CrossEntropyLoss()",
            "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)", ""]  # fmt: skip
    text = "\n".join(out)
    assert len(text.encode()) < MAX_BYTES
    return text, Expect("linear", lines=text.count("\n"), loss="CrossEntropyLoss", optimizer="Adam", min_layers=lines // 2)


TINY = """import torch
import torch.nn as nn


model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""


# --------------------------------------------------------------------------- generation (with --keep reuse)


def generate(root: Path, args: argparse.Namespace) -> dict[str, dict[str, Expect]]:
    """Every input of the selected rows, in ``root``; reused when ``--keep`` holds the same generation."""
    manifest_path = root / "manifest.json"
    manifest: dict[str, dict[str, object]] = {}
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text())
        except ValueError:
            manifest = {}
    out: dict[str, dict[str, Expect]] = {}
    makers: dict[str, Callable[[], dict[str, tuple[str, Expect]]]] = {
        "torch": lambda: many(torch_file, args.files, args.seed, "t"),
        "keras": lambda: many(keras_file, args.files, args.seed + 1, "k"),
        "big": lambda: {"big.py": big_module(args.seed + 2)},
        "linear": lambda: {f"forward_{n // 1000}k.py": long_forward(n) for n in LINEAR_LINES},
    }
    tiny = {"tiny.py": (TINY, Expect("tiny", lines=7, loss="BCEWithLogitsLoss", optimizer="Adam"))}  # nnadvisor's start-up
    for row in ("big", "linear"):
        makers[row] = lambda f=makers[row]: {**f(), **tiny}
    for row in args.only:
        d = root / row
        stamp = {"version": GENERATOR_VERSION, "seed": args.seed, **({"files": args.files} if row in ("torch", "keras") else {})}
        entry = manifest.get(row)
        have = entry.get("files") if isinstance(entry, dict) and entry.get("stamp") == stamp else None
        if have and d.is_dir() and all((d / name).is_file() for name in have) and len(list(d.iterdir())) == len(have):
            out[row] = {name: Expect(**e) for name, e in have.items()}  # type: ignore[arg-type]
            print(f"{row}: reusing {len(have)} files in {d}")
            continue
        t0 = time.perf_counter()
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        files = makers[row]()
        for name, (text, _) in files.items():
            compile(text, name, "exec", dont_inherit=True)  # every generated file is valid Python
            (d / name).write_text(text, encoding="utf-8")
        out[row] = {name: e for name, (_, e) in files.items()}
        size = sum(len(t.encode()) for t, _ in files.values())
        lines = sorted(e.lines for e in out[row].values())
        print(f"{row}: generated {len(files)} files in {d} ({size / MiB:.1f} MiB; lines min {lines[0]}, "
              f"median {lines[len(lines) // 2]}, max {lines[-1]}) in {time.perf_counter() - t0:.1f} s", flush=True)
        manifest[row] = {"stamp": stamp, "files": {name: asdict(e) for name, e in out[row].items()}}
        manifest_path.write_text(json.dumps(manifest))
    return out


def many(make: Callable[[random.Random], tuple[str, Expect]], n: int, seed: int, prefix: str) -> dict[str, tuple[str, Expect]]:
    rng = random.Random(seed)
    return {f"{prefix}{i:05d}.py": make(rng) for i in range(n)}


# --------------------------------------------------------------------------- measuring


LAUNCHER = r"""
import os, sys, time
fd = int(sys.argv[1])
os.set_inheritable(fd, False)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
os.write(fd, f"{wall} {ru.ru_maxrss} {ru.ru_utime + ru.ru_stime} {os.waitstatus_to_exitcode(status)}".encode())
"""
"""Runs one command and reports its wall time, peak RSS and CPU time. A child's ``ru_maxrss`` counts
the memory of the process it was forked from (Linux keeps the high-water mark across ``exec``):
forked from this script (hundreds of MiB after generating the 5 MB file) ``python -c pass`` would
report that much. The launcher is a bare ``python -S`` (about 9 MiB, no more than any Python
process it starts), so the figure is the command's own peak."""


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Wall time, CPU time (``os.wait4``, waited-for workers included) and peak RSS of one command run
    by :data:`LAUNCHER`, stdout and stderr to /dev/null; and the peak summed PSS of its process tree
    (``check --jobs`` forks workers), sampled every 20 ms."""
    import threading

    r, w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, str(w), *cmd], cwd=cwd, env=env, pass_fds=(w,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(w)
    peak = [0, 0]
    finished = threading.Event()

    def sample() -> None:
        while not finished.wait(0.02):
            rss, pss = _memory_kib(_tree(proc.pid)[1:])  # the command and its workers, not the launcher
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with os.fdopen(r, "rb") as f:
        report = f.read().decode()
    proc.wait()
    finished.set()
    sampler.join()
    try:
        wall, maxrss, cpu, code = report.split()
    except ValueError:
        raise SystemExit(f"the launcher failed (exit {proc.returncode}) on {cmd}") from None
    # ru_maxrss: the largest single process of the tree (exact); the sampled sum: an upper bound for --jobs.
    return Sample(float(wall), max(int(maxrss), peak[0]), int(code), float(cpu), peak[1] or int(maxrss))


@dataclass
class Bench:
    name: str
    cmds: list[list[str]]
    cwd: Path
    env: dict[str, str]
    warm: bool = True
    samples: list[Sample] = field(default_factory=list)

    def run(self) -> Sample:
        parts = [run_measured(cmd, self.cwd, self.env) for cmd in self.cmds]
        s = Sample(sum(p.seconds for p in parts), max(p.maxrss_kib for p in parts), max(p.returncode for p in parts),
                   sum(p.cpu for p in parts), max(p.pss_kib for p in parts))  # fmt: skip
        self.samples.append(s)
        return s

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mib(self) -> float:
        """Median peak RSS (exact for one process: ``os.wait4``; summed over the tree for ``--jobs``)."""
        return statistics.median(s.maxrss_kib for s in self.samples) / 1024

    @property
    def pss_mib(self) -> float:
        return statistics.median(s.pss_kib for s in self.samples) / 1024


def run_rounds(benches: list[Bench], runs: int) -> None:
    for b in benches:  # untimed: OS file cache (the reference commands read every generated file), bytecode
        if b.warm:
            b.run()
            b.samples.clear()
    print(f"warm-up done ({loadavg()}); {runs} timed rounds, every command once per round", flush=True)
    for i in range(runs):
        t0 = time.perf_counter()
        for b in benches:
            b.run()
        print(f"  round {i + 1}/{runs} done in {time.perf_counter() - t0:.1f} s ({loadavg()})", flush=True)


# --------------------------------------------------------------------------- agreement (untimed)


AGREE_SCRIPT = r"""
import inspect, json, sys
from pathlib import Path
from nnadvisor import readers
from nnadvisor.rulebase import load_rulebase
rb = load_rulebase()
# readers.read(raw, fmt, vocabulary, name) until the PyTorch reader's rewrite, (raw, fmt, rulebase, name) after
third = list(inspect.signature(readers.read).parameters)[2]
tables = rb if third == "rulebase" else rb.vocabulary
def name_of(v):
    return v if isinstance(v, str) or v is None else getattr(v, "name", str(v))
out = {}
for path in sys.argv[1:]:
    raw = Path(path).read_bytes()
    fmt = readers.detect(path, raw)
    try:
        results = readers.read(raw, fmt, tables, path)
    except Exception as exc:
        out[path] = {"crash": f"{type(exc).__name__}: {exc}"}
        continue
    configs = [r.config for r in results if r.config is not None]
    out[path] = {  # several results (heads, model/loss pairs): the best of them
        "format": fmt,
        "layers": max((len(getattr(c, "layers", None) or []) for c in configs), default=0),
        "losses": [name_of(getattr(c, "loss", None)) for c in configs],
        "optimizers": [name_of(getattr(c, "optimizer", None)) for c in configs],
        "problems": [p.message for r in results for p in r.problems],
        "notes": [p.message for r in results for p in r.notes],
    }
print(json.dumps(out))
"""


def agreement(row: str, d: Path, expects: dict[str, Expect], nna: str, env: dict[str, str]) -> str:
    """What nnadvisor found in the files, from its JSON report and from the reader in process."""
    r = subprocess.run([nna, "check", "--no-cache", "--format", "json", "."], cwd=d, env=env, capture_output=True, text=True)
    try:
        report = json.loads(r.stdout)
    except json.JSONDecodeError:
        print(f"  {row}: check did not print JSON (exit {r.returncode}): {r.stderr[-300:]!r}")
        return "no JSON"
    by_rule: dict[str, int] = {}
    no_model = 0
    for f in report["findings"]:
        by_rule[f["rule_id"]] = by_rule.get(f["rule_id"], 0) + 1
        if f["rule_id"] == "NNA002" and f["message"].startswith(("no PyTorch model", "no model")):
            no_model += 1
    s = report["summary"]
    files = [n for n in expects if n.endswith(".py")]
    print(f"  {row}: {s['files']} of {len(files)} files checked (exit {r.returncode}; {len(files) - s['files']} skipped as not model files); "
          f"findings {s['error']} error, {s['warning']} warning, {s['info']} info; errors {len(report['errors'])}")
    if by_rule:
        print("    by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
    print(f"    NNA002 'no model found' notes: {no_model}; NNA000 (cannot read): {by_rule.get('NNA000', 0)}")
    summary = f"{s['files']}/{len(files)} checked"
    if s["files"] == 0:
        return summary + ", nothing read"
    # In process: what the reader made of each file, against what was generated.
    tally: dict[str, int] = {"model": 0, "loss ok": 0, "optimizer ok": 0, "crash": 0, "problem": 0}
    mismatches: list[str] = []
    names = sorted(files)
    for part in chunks(names, [sys.executable, "-c", AGREE_SCRIPT]):
        a = subprocess.run([sys.executable, "-c", AGREE_SCRIPT, *part], cwd=d, env=env, capture_output=True, text=True)
        try:
            got = json.loads(a.stdout)
        except json.JSONDecodeError:
            print(f"    in-process reader check failed (exit {a.returncode}): {a.stderr[-300:]!r}")
            return summary
        for name, g in got.items():
            e = expects[name]
            if "crash" in g:
                tally["crash"] += 1
                mismatches.append(f"{name} ({e.kind}): {g['crash']}")
                continue
            if g["problems"]:
                tally["problem"] += 1
                mismatches.append(f"{name} ({e.kind}): NNA000 {g['problems'][0]}")
                continue
            loss_ok = (e.loss or "").lower() in [(x or "").lower() for x in g["losses"]]
            tally["model"] += g["layers"] >= e.min_layers
            tally["loss ok"] += loss_ok
            tally["optimizer ok"] += (e.optimizer is None) or e.optimizer.lower() in [(x or "").lower() for x in g["optimizers"]]
            if g["layers"] < e.min_layers or not loss_ok:
                mismatches.append(f"{name} ({e.kind}): {g['layers']} layers (>= {e.min_layers} generated), loss {g['losses']} "
                                  f"(generated {e.loss}), optimizer {g['optimizers']}; notes: {'; '.join(g['notes'])[:160]}")
    n = len(names)
    print(f"    reader in process: model with the generated layers {tally['model']}/{n}, generated loss {tally['loss ok']}/{n}, "
          f"optimizer {tally['optimizer ok']}/{n}; NNA000 {tally['problem']}, crashes {tally['crash']}")
    kinds: dict[str, list[str]] = {}
    for m in mismatches:
        kinds.setdefault(m.split("(")[1].split(")")[0], []).append(m)
    for kind, ms in sorted(kinds.items()):
        print(f"    {len(ms)} {kind} file(s) not read as generated, e.g. {ms[0]}")
    return f"{summary}, model in {tally['model']}/{n}"


# --------------------------------------------------------------------------- profile


PROFILE_SCRIPT = r"""
import cProfile, pstats, sys
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import load_rulebase
rb = load_rulebase()
raw = open(sys.argv[1], "rb").read()
check_bytes(raw, sys.argv[1], rb, "pytorch")  # imports, caches: not profiled
prof = cProfile.Profile()
prof.enable(); check_bytes(raw, sys.argv[1], rb, "pytorch"); prof.disable()
st = pstats.Stats(prof)
rows = [(ct, tt, nc, f"{fn.rsplit('/', 1)[-1]}:{line}({func})") for (fn, line, func), (cc, nc, tt, ct, _) in st.stats.items()]
total = sum(r[1] for r in rows)
print(f"  under the profiler: {total:.2f} s")
for title, key in (("own", 1), ("cumulative", 0)):
    print(f"  top 10 by {title} time:  own s    cum s   own%      calls  function")
    for ct, tt, nc, name in sorted(rows, key=lambda r: r[key], reverse=True)[:10]:
        print(f"  {'':20}{tt:7.2f}  {ct:7.2f} {100 * tt / total:6.1f} {nc:10d}  {name}")
"""

DIR_PROFILE_SCRIPT = r"""
import ast, cProfile, pstats, sys, time
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import load_rulebase
rb = load_rulebase()
files = [(p, open(p, "rb").read()) for p in sys.argv[1:]]
check_bytes(files[0][1], files[0][0], rb, "pytorch")
t0 = time.perf_counter()
for p, raw in files:
    ast.parse(raw, p)
parse = time.perf_counter() - t0
t0 = time.perf_counter()
for p, raw in files:
    check_bytes(raw, p, rb, "pytorch")
check = time.perf_counter() - t0
print(f"  in process, no profiler: check_bytes {check / len(files) * 1e3:.2f} ms per file, ast.parse alone "
      f"{parse / len(files) * 1e3:.2f} ms ({check / parse:.2f}x)")
prof = cProfile.Profile()
prof.enable()
for p, raw in files:
    check_bytes(raw, p, rb, "pytorch")
prof.disable()
st = pstats.Stats(prof)
rows = [(ct, tt, nc, f"{fn.rsplit('/', 1)[-1]}:{line}({func})") for (fn, line, func), (cc, nc, tt, ct, _) in st.stats.items()]
total = sum(r[1] for r in rows)
print(f"  under the profiler: {total:.2f} s ({total / len(files) * 1e3:.2f} ms per file)")
for title, key in (("own", 1), ("cumulative", 0)):
    print(f"  top 10 by {title} time: us/file own  us/file cum   own%  calls/file  function")
    for ct, tt, nc, name in sorted(rows, key=lambda r: r[key], reverse=True)[:10]:
        n = len(files)
        print(f"  {'':22}{tt / n * 1e6:10.0f}  {ct / n * 1e6:11.0f} {100 * tt / total:6.1f} {nc / n:11.1f}  {name}")
"""
"""cProfile of ``check_bytes`` over the generated PyTorch files, one process (what ``--jobs 1`` does
per file, without the directory walk and the report)."""

GROWTH_SCRIPT = r"""
import cProfile, pstats, sys
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import load_rulebase
rb = load_rulebase()
stats = []
for path in sys.argv[1:3]:
    raw = open(path, "rb").read()
    check_bytes(raw, path, rb, "pytorch")
    prof = cProfile.Profile()
    prof.enable(); check_bytes(raw, path, rb, "pytorch"); prof.disable()
    st = pstats.Stats(prof)
    stats.append({f"{fn.rsplit('/', 1)[-1]}:{line}({func})": (tt, ct, nc) for (fn, line, func), (cc, nc, tt, ct, _) in st.stats.items()})
small, large = stats
print(f"  top 10 by own time on the long file:  own s (short -> long)    growth   cum s (short -> long)   growth   calls growth  function")
for name in sorted(large, key=lambda k: large[k][0], reverse=True)[:10]:
    a, b = small.get(name, (0.0, 0.0, 0)), large[name]
    g = lambda x, y: f"{y / x:6.1f}x" if x > 0 else "    new"
    print(f"  {'':38}{a[0]:7.3f} -> {b[0]:7.3f}  {g(a[0], b[0])}   {a[1]:7.3f} -> {b[1]:7.3f}  {g(a[1], b[1])}  {g(a[2], b[2])}  {name}")
"""
"""cProfile of ``check_bytes`` on the short and on the long forward: which functions grow faster
than the input (4x): their own time grows more than their number of calls."""

GC_SCRIPT = r"""
import ast, gc, sys, time
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import load_rulebase
rb = load_rulebase()
check_bytes(b"import torch\nimport torch.nn as nn\nmodel = nn.Sequential(nn.Linear(2, 1))\n", "w.py", rb, "pytorch")
print(f"  {'file':<16} {'gc':<4} {'ast.parse s':>11} {'check_bytes s':>13} {'ratio':>6}")
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    text = raw.decode()
    for on in (True, False):
        gc.collect()
        gc.enable() if on else gc.disable()
        t0 = time.perf_counter(); tree = ast.parse(text); parse = time.perf_counter() - t0
        del tree
        gc.collect()
        t0 = time.perf_counter(); check_bytes(raw, path, rb, "pytorch"); check = time.perf_counter() - t0
        gc.enable()
        print(f"  {path.rsplit('/', 1)[-1]:<16} {'on' if on else 'off':<4} {parse:11.2f} {check:13.2f} {check / parse:5.2f}x", flush=True)
"""
"""In process, once each: ``ast.parse`` and ``check_bytes`` with the cyclic garbage collector on and off.
CPython's collector runs a full collection every so many allocations, and each one traverses every
live object: a parse that builds millions of AST nodes pays for that more than linearly."""


# --------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed rounds (after one warm-up of the reference commands)")
    ap.add_argument("--files", type=int, default=2000, help="generated files per directory row")
    ap.add_argument("--seed", type=int, default=20240612)
    ap.add_argument("--keep", type=Path, help="generate into (and reuse from) this directory instead of a temporary one")
    ap.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows: {', '.join(ROWS)}")
    ap.add_argument("--profile", action="store_true", help="also cProfile check_bytes on the 5 MB file (in its own process)")
    ap.add_argument("--no-agreement", action="store_true", help="skip the (untimed) check of what the reader found")
    ap.add_argument("--src", type=Path, help="run nnadvisor from this source tree (put first on PYTHONPATH of the nnadvisor "
                    "processes only), e.g. an unpacked `git archive HEAD` to measure the committed reader")
    args = ap.parse_args()
    args.only = [r.strip() for r in args.only.split(",") if r.strip()]
    unknown = set(args.only) - set(ROWS)
    if unknown:
        ap.error(f"unknown rows {sorted(unknown)}; choose from {', '.join(ROWS)}")
    return args


def table(label: str, b: Bench, unit: str, ref_label: str, ref: Bench, budget: float | None = None, note: str = "",
          valid: bool = True, memory: bool = False, minus: tuple[Bench, Bench] | None = None) -> None:
    """One line of the budget table: ``b`` against ``ref`` (time or peak RSS; ``minus``: their start-ups subtracted)."""
    if memory:
        value, refv = b.rss_mib, ref.rss_mib
        if minus:
            value, refv = value - minus[0].rss_mib, refv - minus[1].rss_mib
        cpu = ""
    else:
        value, refv = b.median, ref.median
        c, rc = b.cpu_median, ref.cpu_median
        if minus:
            value, refv = value - minus[0].median, refv - minus[1].median
            c, rc = c - minus[0].cpu_median, rc - minus[1].cpu_median
        cpu = f"{c / rc:6.2f}x" if rc > 0 else ""
    r = value / refv if refv > 0 else float("inf")
    v = (verdict(r <= budget) if valid else "NOT READ") if budget is not None else ""
    bud = f"<={budget:.1f}x" if budget is not None else ""
    print(f"{label:<44} {value:6.2f} {unit:<3} {ref_label:<40} {refv:6.2f} {unit:<3} {r:6.2f}x {cpu:>7} {bud:>7} {v:>8}  {note}")


def main() -> None:
    args = parse_args()
    nna = nnadvisor_exe()
    py = sys.executable
    tmp_ctx = tempfile.TemporaryDirectory(prefix="nnadvisor-source-") if args.keep is None else None
    root = Path(tmp_ctx.name) if tmp_ctx else args.keep.resolve()
    root.mkdir(parents=True, exist_ok=True)
    try:
        expects = generate(root, args)
        cache = root / "nnadvisor-cache"
        pycache = root / "pycache"
        env = {**os.environ, "NNADVISOR_CACHE_DIR": str(cache), "NO_COLOR": "1", "PYTHONPYCACHEPREFIX": str(pycache)}
        for k in ("NNADVISOR_NO_CACHE", "NNADVISOR_FORMAT", "PYTHONDONTWRITEBYTECODE"):
            env.pop(k, None)  # bytecode caching on (budgets.md), in a private prefix: nothing written into any tree
        nna_env = dict(env)
        if args.src:
            src = str(args.src.resolve())
            nna_env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
        # (python -c puts the working directory first on sys.path: run it from root, not from a checkout)
        where = subprocess.run([py, "-c", "import nnadvisor; print(nnadvisor.__file__)"], cwd=root, env=nna_env, capture_output=True, text=True)
        print(f"nnadvisor imported from {where.stdout.strip() or where.stderr.strip()[-200:]}")
        # Prime the rule-base cache (validated once, as after any first use of nnadvisor).
        with tempfile.TemporaryDirectory() as t:
            (Path(t) / "tiny.py").write_text(TINY)
            subprocess.run([nna, "check", "--no-cache", "tiny.py"], cwd=t, env=nna_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        benches: list[Bench] = []
        by_key: dict[str, Bench] = {}

        def add(key: str, name: str, cmds: list[list[str]], cwd: Path, warm: bool = True) -> None:
            b = Bench(name, cmds, cwd, nna_env if cmds[0][0] == nna else env, warm)
            benches.append(b)
            by_key[key] = b

        compile_all = "import sys\nfor f in sys.argv[1:]:\n    compile(open(f, 'rb').read(), f, 'exec', dont_inherit=True)"
        parse_all = "import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f, 'rb').read(), f)"
        for row in ("torch", "keras"):
            if row not in args.only:
                continue
            d = root / row
            names = sorted(expects[row])
            pyc = [py, "-m", "py_compile"]
            add(f"{row}.nna", f"{row}: nnadvisor check --no-cache --format json DIR", [[nna, "check", "--no-cache", "--format", "json", "."]], d, warm=False)
            add(f"{row}.nna1", f"{row}: nnadvisor check --no-cache --format json -j 1 DIR", [[nna, "check", "--no-cache", "--format", "json", "--jobs", "1", "."]], d, warm=False)
            add(f"{row}.pyc", f"{row}: python -m py_compile FILES", [pyc + part for part in chunks(names, pyc)], d)
            add(f"{row}.compile", f"{row}: python -c 'compile() each' FILES", [[py, "-c", compile_all, *part] for part in chunks(names, [py, "-c", compile_all])], d)
            add(f"{row}.parse", f"{row}: python -c 'ast.parse() each' FILES", [[py, "-c", parse_all, *part] for part in chunks(names, [py, "-c", parse_all])], d)
        parse_one = "import ast,sys; ast.parse(open(sys.argv[1]).read())"
        if "big" in args.only or "linear" in args.only:
            d = root / "big" if "big" in args.only else root / "linear"
            add("bare", "python -c pass (interpreter start-up)", [[py, "-c", "pass"]], d)
            add("nna.start", "nnadvisor check --no-cache tiny.py (start-up)", [[nna, "check", "--no-cache", str(d / "tiny.py")]], d)
        if "big" in args.only:
            d = root / "big"
            add("big.ast", "big: python -c 'ast.parse(open(FILE).read())' FILE", [[py, "-c", parse_one, "big.py"]], d)
            add("big.nna", "big: nnadvisor check --no-cache FILE", [[nna, "check", "--no-cache", "big.py"]], d, warm=False)
        if "linear" in args.only:
            d = root / "linear"
            for n in LINEAR_LINES:
                name = f"forward_{n // 1000}k.py"
                add(f"lin.ast.{n}", f"linear: ast.parse {name}", [[py, "-c", parse_one, name]], d)
                add(f"lin.nna.{n}", f"linear: nnadvisor check --no-cache {name}", [[nna, "check", "--no-cache", name]], d, warm=False)

        print(f"nnadvisor: {nna}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs "
              f"(usable {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}); before: {loadavg()}")
        print("wall: median of the rounds; memory: median over the rounds of each run's peak (RSS from os.wait4, PSS summed "
              "over the process tree sampled every 20 ms)", flush=True)
        t_all = time.perf_counter()
        run_rounds(benches, args.runs)

        bad = [(b.name, s.returncode) for b in benches for s in b.samples if s.returncode not in (0, 1)]
        print(f"\n{'command':<58} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'RSS MiB':>8} {'PSS MiB':>8}")
        for b in benches:
            secs = [s.seconds for s in b.samples]
            cpu = statistics.median(s.cpu for s in b.samples)
            print(f"{b.name:<58} {b.median:9.3f} {min(secs):7.3f} {max(secs):7.3f} {cpu:7.2f} {b.rss_mib:8.1f} {b.pss_mib:8.1f}")
        print(f"(timed part {time.perf_counter() - t_all:.0f} s; after: {loadavg()})")
        if bad:
            print(f"WARNING: unexpected exit codes (crash or usage error): {bad[:5]}")

        found: dict[str, str] = {}
        if not args.no_agreement:
            print("\nwhat the reader found (untimed):")
            for row in args.only:
                found[row] = agreement(row, root / row, expects[row], nna, nna_env)

        def valid(row: str) -> bool:
            text = found.get(row, "")
            if args.no_agreement:
                return True
            if "model in" not in text:
                return False
            got, n = text.rsplit("model in ", 1)[1].split("/")
            return int(got) >= 0.9 * int(n)

        print(f"\n{'figure':<44} {'value':>10} {'reference':<40} {'ref':>10} {'ratio':>7} {'cpu':>7} {'budget':>7} {'verdict':>8}  note")
        for row in ("torch", "keras"):
            if row not in args.only:
                continue
            nb, ref = by_key[f"{row}.nna"], by_key[f"{row}.pyc"]
            note = found.get(row, "")
            if row == "keras" and not valid(row):
                note += " (Keras sources: no reader; the walk skips .py files without torch)"
            table(f"{row}: check --no-cache --format json DIR", nb, "s", f"python -m py_compile FILES ({len(expects[row])})", ref,
                  DIR_BUDGET, note, valid(row))
            table(f"{row}:   same, --jobs 1", by_key[f"{row}.nna1"], "s", "python -m py_compile FILES", ref)
            table(f"{row}:   same (default jobs)", nb, "s", "compile() of each, no .pyc", by_key[f"{row}.compile"])
            table(f"{row}:   same (default jobs)", nb, "s", "ast.parse() of each", by_key[f"{row}.parse"])
        if "big" in args.only:
            bare, start = by_key["bare"], by_key["nna.start"]
            a, n = by_key["big.ast"], by_key["big.nna"]
            size = (root / "big" / "big.py").stat().st_size
            note = f"{size:,} bytes, {expects['big']['big.py'].lines:,} lines; {found.get('big', '')}"
            ok = valid("big")
            table("big: check --no-cache FILE, wall", n, "s", "ast.parse process", a, BIG_BUDGET, note, ok)
            table("big:   wall, net of start-up", n, "s", "ast.parse process - python -c pass", a, BIG_BUDGET,
                  f"start-up: nnadvisor {start.median:.2f} s, python {bare.median:.2f} s", ok, minus=(start, bare))
            table("big: peak RSS", n, "MiB", "ast.parse process", a, BIG_BUDGET, "", ok, memory=True)
            table("big:   peak RSS, net of start-up", n, "MiB", "ast.parse process - python -c pass", a, BIG_BUDGET,
                  f"start-up: nnadvisor {start.rss_mib:.1f} MiB, python {bare.rss_mib:.1f} MiB", ok, memory=True, minus=(start, bare))
        if "linear" in args.only:
            lo, hi = LINEAR_LINES
            start, bare = by_key["nna.start"], by_key["bare"]
            n_lo, n_hi = by_key[f"lin.nna.{lo}"], by_key[f"lin.nna.{hi}"]
            a_lo, a_hi = by_key[f"lin.ast.{lo}"], by_key[f"lin.ast.{hi}"]
            k = f"linear ~{hi / lo:.0f}x"
            table("linear: check forward 40k lines", n_hi, "s", "check forward 10k lines", n_lo, None, f"{k}; {found.get('linear', '')}")
            table("linear:   net of start-up", n_hi, "s", "the same, net of start-up", n_lo, None, k, minus=(start, start))
            table("linear: ast.parse process 40k (reference)", a_hi, "s", "ast.parse process 10k", a_lo, None, k)
            table("linear:   net of start-up", a_hi, "s", "the same, net of start-up", a_lo, None, k, minus=(bare, bare))
            table("linear: check / ast.parse at 40k lines", n_hi, "s", "ast.parse process 40k", a_hi, None)
            table("linear: check / ast.parse at 10k lines", n_lo, "s", "ast.parse process 10k", a_lo, None)
        print("(ratio: value / reference, medians of the same rounds; cpu: the same ratio of user+system CPU seconds, "
              "steadier than wall time on a busy machine; net: each process minus its own start-up, nnadvisor's measured "
              "as check --no-cache of a 7-line PyTorch file)")

        if args.profile:
            if "torch" in args.only:
                print("\ncProfile of nnadvisor.lint.check_bytes over the PyTorch files (one process; builtins.compile is ast.parse):", flush=True)
                names = sorted(n for n in expects["torch"])
                r = subprocess.run([py, "-c", DIR_PROFILE_SCRIPT, *names], cwd=root / "torch", env=nna_env, capture_output=True, text=True)
                print(r.stdout.rstrip() or f"profile failed (exit {r.returncode}): {r.stderr[-500:]}")
            diag = [str(root / "linear" / f"forward_{n // 1000}k.py") for n in LINEAR_LINES if "linear" in args.only]
            diag += [str(root / "big" / "big.py")] if "big" in args.only else []
            if diag:
                print("\nin process, once each (untimed by the table): the cyclic garbage collector on and off", flush=True)
                r = subprocess.run([py, "-c", GC_SCRIPT, *diag], cwd=root, env=nna_env, capture_output=True, text=True)
                print(r.stdout.rstrip() or f"failed (exit {r.returncode}): {r.stderr[-500:]}")
            if "linear" in args.only:
                lo, hi = LINEAR_LINES
                print(f"\ncProfile of nnadvisor.lint.check_bytes on the forward of {lo:,} and of {hi:,} lines (linear is 4x):", flush=True)
                r = subprocess.run([py, "-c", GROWTH_SCRIPT, *diag[:2]], cwd=root, env=nna_env, capture_output=True, text=True)
                print(r.stdout.rstrip() or f"profile failed (exit {r.returncode}): {r.stderr[-500:]}")
            if "big" in args.only:
                print("\ncProfile of nnadvisor.lint.check_bytes on big.py (one process; the profiler inflates cheap calls; "
                      "builtins.compile is ast.parse):", flush=True)
                r = subprocess.run([py, "-c", PROFILE_SCRIPT, str(root / "big" / "big.py")], cwd=root, env=nna_env, capture_output=True, text=True)
                print(r.stdout.rstrip() or f"profile failed (exit {r.returncode}): {r.stderr[-500:]}")
    finally:
        if tmp_ctx:
            tmp_ctx.cleanup()


if __name__ == "__main__":
    main()
