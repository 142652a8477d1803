"""The Keras and PyTorch snippets of ``recommend`` over the whole problem space.

Every problem the rules accept (task x labels x num_classes x target range x outliers x
imbalance x depth x architecture x framework x sparse features, plus samples and tuning budget
on a slice) gets both snippets rendered, and every snippet must compile. PyTorch snippets are
executed (one per distinct program, comments ignored) and take one training step on random data
of the shape and dtype the problem's labels imply. Keras is not installed here: its snippets are
checked by AST against the Keras 3 API (names verified in the Keras 3 documentation) and against
the recommendation (loss, optimizer, output and hidden layers, with their parameters).
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from nnadvisor.engine.errors import RuleLoadError
from nnadvisor.recommender.engine import ProblemError, RecommendBase, complete, recommend
from nnadvisor.recommender.model import Recommendation, SlotChoice
from nnadvisor.recommender.snippet_file import load_snippets
from nnadvisor.recommender.snippets import fill, render_snippets
from nnadvisor.rulebase import RuleBase

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "rules" / "recommend" / "snippets.yaml"

# --- the problem space ------------------------------------------------------------------------

# Fields the consistency checks of problem.yaml look at: the product of these is vetted first.
CORE: dict[str, list[Any]] = {
    "task": ["regression", "binary", "multiclass", "multilabel"],
    "labels": [None, "integer", "one-hot", "binary", "signed", "probabilities", "continuous"],
    "num_classes": [None, 2, 5],
    "target_range": [None, "unbounded", "unit-interval", "non-negative", "symmetric-unit"],
    "outliers": [None, "none", "some", "heavy"],
    "imbalance": [None, 500.0],  # None: the default 1.0 for classification (and required for regression)
}
MODEL: dict[str, list[Any]] = {
    "depth": [0, 2, 12],
    "architecture": ["mlp", "cnn", "rnn", "transformer"],
    "framework": ["keras", "pytorch", "generic"],
    "sparse_features": [False, True],
}
# Fields that only add notes and alternatives today: crossed with a slice of the space.
EXTRA: dict[str, list[Any]] = {"samples": [300, 1_000_000], "tuning_budget": ["low", "high"]}
EXTRA_SLICE = {"depth": 2, "framework": "generic", "sparse_features": False}


def problem_space(base: RecommendBase) -> Iterator[dict[str, Any]]:
    """Every combination that complete() accepts (ProblemError ones skipped)."""
    for core_values in itertools.product(*CORE.values()):
        core = dict(zip(CORE, core_values))
        try:
            complete(core, base)
        except ProblemError:
            continue
        for model_values in itertools.product(*MODEL.values()):
            problem = {**core, **dict(zip(MODEL, model_values))}
            yield problem
            if all(problem[k] == v for k, v in EXTRA_SLICE.items()):
                for extra_values in itertools.product(*EXTRA.values()):
                    yield {**problem, **dict(zip(EXTRA, extra_values))}


def split_header(code: str) -> tuple[str, str]:
    """The leading comment block (problem and slots, different for nearly every problem) and the
    program after it. The header is comments only, so the program compiles exactly as the whole."""
    lines = code.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    return "".join(lines[:i]), "".join(lines[i:])


@lru_cache(maxsize=None)
def parse(program: str) -> ast.Module:
    return ast.parse(program, "<snippet>")


def without_docstrings(tree: ast.Module) -> str:
    """The program's AST dump without docstrings (they describe y; they do not run)."""
    tree = ast.parse(ast.unparse(tree))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


class Case:
    """One problem with its recommendation and snippets."""

    def __init__(self, problem: dict[str, Any], rec: Recommendation, snippets: dict[str, str]) -> None:
        self.problem = problem
        self.rec = rec
        self.snippets = snippets

    @property
    def facts(self) -> dict[str, Any]:
        return self.rec.problem.facts

    def program(self, framework: str) -> str:
        return split_header(self.snippets[framework])[1]

    def tree(self, framework: str) -> ast.Module:
        return parse(self.program(framework))

    def signature(self) -> str:
        """Everything check_keras looks at besides the code."""
        facts = {k: self.facts.get(k) for k in ("task", "num_classes", "depth", "architecture")}
        slots = [(c.name, c.params) for c in self.rec.slots().values()]
        return json.dumps([facts, slots], sort_keys=True, default=str)

    def __repr__(self) -> str:
        return f"Case({self.problem})"


@pytest.fixture(scope="module")
def templates() -> dict[str, Any]:
    return load_snippets(SNIPPETS)


@pytest.fixture(scope="module")
def cases(rulebase: RuleBase, templates: dict[str, Any]) -> list[Case]:
    out = []
    for problem in problem_space(rulebase.recommend):
        try:
            rec = recommend(problem, rulebase.recommend)
        except ProblemError:  # pragma: no cover - the core was vetted, but the checks may grow
            continue
        out.append(Case(problem, rec, render_snippets(rec, templates)))
    return out


# --- every snippet compiles, and says what it leaves open -----------------------------------


@pytest.mark.slow
def test_space_is_large(cases: list[Case]) -> None:
    assert len(cases) > 5000
    tasks = {(c.facts["task"], c.facts["labels"]) for c in cases}
    assert ("multiclass", "integer") in tasks and ("binary", "signed") in tasks and ("multilabel", "one-hot") in tasks


@pytest.mark.slow
def test_every_snippet_compiles(cases: list[Case]) -> None:
    compiled: set[str] = set()
    for case in cases:
        assert set(case.snippets) == {"keras", "pytorch"}
        for framework, code in case.snippets.items():
            header, program = split_header(code)
            assert header.startswith("# nnadvisor recommendation as ")
            if program not in compiled:
                compile(program, f"<{framework} snippet for {case.problem}>", "exec")
                compiled.add(program)


@pytest.mark.slow
def test_todo_only_for_undecided_slots(cases: list[Case]) -> None:
    """All names and parameters the rules recommend are expressible: the only TODOs are the
    undecided slots (and then both snippets say so)."""
    for case in cases:
        undecided = [slot for slot, choice in case.rec.slots().items() if choice.name is None]
        for framework, code in case.snippets.items():
            todos = [line for line in code.splitlines() if "TODO" in line]
            if not undecided:
                assert not todos, (framework, case, todos)
            else:
                assert todos, (framework, case)
                for slot in undecided:
                    assert f"TODO: {slot.replace('_', ' ')}: undecided" in code
                assert not any("not expressed" in t or "has no" in t for t in todos), (framework, case, todos)


@pytest.mark.slow
def test_class_count_placeholder(cases: list[Case]) -> None:
    for case in cases:
        placeholder = case.facts.get("num_classes") is None and case.facts["task"] in ("multiclass", "multilabel")
        for code in case.snippets.values():
            assert ("K = 10  # number of classes" in code) == placeholder, case


# --- PyTorch: execute and train one step ---------------------------------------------------

N = 4  # batch size


def _x(torch: Any, architecture: str) -> Any:
    shape = {"mlp": (N, 20), "cnn": (N, 1, 28, 28), "rnn": (N, 20, 8), "transformer": (N, 20, 8)}[architecture]
    return torch.randn(*shape)


def _units(case: Case) -> int:
    units = case.rec.output_activation.params.get("units")
    if units is not None:
        return int(units)
    if case.facts["task"] in ("multiclass", "multilabel"):
        return int(case.facts.get("num_classes") or 10)
    return 1


def _y(torch: Any, case: Case, units: int) -> Any:
    """Targets as a user would hold them, from the problem's labels (and the recommended loss)."""
    loss, labels, task = case.rec.loss.name, case.facts.get("labels"), case.facts["task"]
    if task == "regression":
        low, high = {
            "unbounded": (-3.0, 3.0), "unit-interval": (0.0, 1.0), "non-negative": (0.0, 5.0), "symmetric-unit": (-1.0, 1.0),
        }[case.facts["target_range"]]  # fmt: skip
        return low + (high - low) * torch.rand(N, 1)
    if labels == "signed":
        return torch.randint(0, 2, (N, 1)).float() * 2 - 1
    if labels == "integer" and task == "binary":
        return torch.randint(0, 2, (N,))  # int64, shape (N,): the snippet must convert
    if labels == "integer":
        return torch.randint(0, units, (N,))
    if labels == "probabilities" and loss == "categorical_crossentropy":
        return torch.softmax(torch.randn(N, units), dim=-1)
    if labels == "probabilities":
        return torch.rand(N, units)
    if labels == "one-hot" and task != "multilabel":
        return torch.nn.functional.one_hot(torch.randint(0, units, (N,)), units).float()
    return torch.randint(0, 2, (N, units)).float()  # binary / multi-hot


def _train_once(torch: Any, code: str, x: Any, y: Any) -> tuple[dict[str, Any], float, Any]:
    """Run the snippet, then train_step(x, y); returns what changed, the loss and the model's
    output for x before the step."""
    namespace: dict[str, Any] = {"__name__": "snippet"}
    torch.manual_seed(0)
    exec(compile(code, "<pytorch snippet>", "exec"), namespace)
    model = namespace["model"]
    model.eval()
    with torch.no_grad():
        output = model(x)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    loss = namespace["train_step"](x, y)
    changed = [name for name, p in model.named_parameters() if not torch.equal(before[name], p.detach())]
    return {"changed": changed, "namespace": namespace}, loss, output


@pytest.mark.slow
def test_pytorch_snippets_train(cases: list[Case]) -> None:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    runs: dict[tuple[str, Any, Any], Case] = {}
    for case in cases:  # one run per distinct program and kind of targets
        runs.setdefault((case.program("pytorch"), case.facts.get("labels"), case.facts.get("target_range")), case)
    programs: dict[tuple[str, Any, Any], Case] = {}
    for (program, labels, target_range), case in runs.items():
        programs.setdefault((without_docstrings(parse(program)), labels, target_range), case)
    ran = 0
    for case in programs.values():
        code = case.snippets["pytorch"]
        units = _units(case)
        x, y = _x(torch, case.facts["architecture"]), _y(torch, case, units)
        if case.rec.loss.name is None:
            with pytest.raises(NotImplementedError, match="TODO"):
                _train_once(torch, code, x, y)
            continue
        info, loss, output = _train_once(torch, code, x, y)
        assert isinstance(loss, float) and math.isfinite(loss), (case, loss)
        assert info["changed"], ("no parameter changed", case)
        assert tuple(output.shape) == (N, units), (case, tuple(output.shape))
        out_name = case.rec.output_activation.name
        logits = "BCEWithLogitsLoss" in code or "CrossEntropyLoss" in code or "binary_cross_entropy_with_logits" in code
        if logits:  # the loss applies the sigmoid/softmax itself: the model must not
            assert "nn.Sigmoid()" not in code and "nn.Softmax(" not in code, case
        elif out_name == "sigmoid":
            assert bool(((output > 0) & (output < 1)).all()), case
        elif out_name == "tanh":
            assert bool((output.abs() < 1).all()), case
        elif out_name == "softplus":
            assert bool((output > 0).all()), case
        if case.rec.optimizer.params.get("clipnorm") is not None:
            assert f"clip_grad_norm_(model.parameters(), max_norm={case.rec.optimizer.params['clipnorm']!r})" in code
        ran += 1
    assert ran > 200


# --- Keras: AST checks -----------------------------------------------------------------------

# The Keras 3 names the snippets may use (keras.io API reference).
KERAS_API = {
    "keras.Input", "keras.Sequential", "keras.Model",
    "keras.layers.Dense", "keras.layers.Conv2D", "keras.layers.MaxPooling2D", "keras.layers.Flatten",
    "keras.layers.LSTM", "keras.layers.SimpleRNN", "keras.layers.MultiHeadAttention",
    "keras.layers.LayerNormalization", "keras.layers.Add", "keras.layers.GlobalAveragePooling1D",
    "keras.layers.LeakyReLU", "keras.layers.PReLU",
    "keras.losses.MeanSquaredError", "keras.losses.MeanAbsoluteError", "keras.losses.Huber", "keras.losses.LogCosh",
    "keras.losses.MeanSquaredLogarithmicError", "keras.losses.Poisson", "keras.losses.BinaryCrossentropy",
    "keras.losses.CategoricalCrossentropy", "keras.losses.SparseCategoricalCrossentropy", "keras.losses.KLDivergence",
    "keras.losses.Hinge", "keras.losses.SquaredHinge", "keras.losses.CategoricalHinge", "keras.losses.CosineSimilarity",
    "keras.losses.BinaryFocalCrossentropy",
    "keras.optimizers.SGD", "keras.optimizers.Adam", "keras.optimizers.AdamW", "keras.optimizers.Nadam",
    "keras.optimizers.Adamax", "keras.optimizers.RMSprop", "keras.optimizers.Adagrad", "keras.optimizers.Adadelta",
    "keras.optimizers.Lion",
}  # fmt: skip
# Keras 3 activation strings (keras.activations.get).
KERAS_ACTIVATIONS = {
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish", "softplus",
    "softsign", "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "exponential",
}  # fmt: skip
KERAS_INITIALIZERS = {"he_normal", "he_uniform", "glorot_uniform", "glorot_normal", "lecun_normal", "orthogonal"}
# Expected constructors, written independently of the YAML.
KERAS_LOSS = {
    "mse": "MeanSquaredError", "mae": "MeanAbsoluteError", "huber": "Huber", "log_cosh": "LogCosh",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError", "poisson": "Poisson",
    "binary_crossentropy": "BinaryCrossentropy", "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy", "kl_divergence": "KLDivergence",
    "hinge": "Hinge", "squared_hinge": "SquaredHinge", "categorical_hinge": "CategoricalHinge",
    "cosine_similarity": "CosineSimilarity", "focal": "BinaryFocalCrossentropy",
}  # fmt: skip
KERAS_OPTIMIZER = {
    "sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "nadam": "Nadam", "adamax": "Adamax", "rmsprop": "RMSprop",
    "adagrad": "Adagrad", "adadelta": "Adadelta", "lion": "Lion",
}  # fmt: skip
KERAS_LAYER_ONLY = {"leaky_relu": "keras.layers.LeakyReLU", "prelu": "keras.layers.PReLU"}
FROM_LOGITS_LOSSES = {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "focal"}


def dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def calls(tree: ast.AST, name: str) -> list[ast.Call]:
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and dotted(n.func) == name]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _value(node: ast.expr) -> Any:
    if isinstance(node, ast.Name):
        return node.id
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def kwargs(call: ast.Call) -> dict[str, Any]:
    return {k.arg: _value(k.value) for k in call.keywords if k.arg}


def assigned(tree: ast.Module, target: str) -> ast.expr:
    for node in tree.body:
        if isinstance(node, ast.Assign) and [dotted(t) for t in node.targets] == [target]:
            return node.value
    raise AssertionError(f"no top-level assignment to {target}")


@lru_cache(maxsize=None)
def yaml_keras_names() -> frozenset[str]:
    return frozenset(re.findall(r"\bkeras(?:\.\w+)+", SNIPPETS.read_text(encoding="utf-8")))


def check_keras(case: Case) -> None:
    tree = case.tree("keras")
    rec, facts = case.rec, case.facts
    # only Keras 3 API names, and only those the YAML declares
    used = {d for n in ast.walk(tree) if isinstance(n, ast.Attribute) and (d := dotted(n)) and d.startswith("keras.")}
    used = {d for d in used if not any(other != d and other.startswith(d + ".") for other in used)}
    assert used <= KERAS_API, used - KERAS_API
    assert used <= yaml_keras_names(), used - yaml_keras_names()
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [ast.unparse(n) for n in imports] == ["import keras"]

    # loss
    loss = assigned(tree, "loss")
    if rec.loss.name is None:
        assert isinstance(loss, ast.Constant) and loss.value is None
    else:
        assert isinstance(loss, ast.Call) and dotted(loss.func) == f"keras.losses.{KERAS_LOSS[rec.loss.name]}", case
        kw = kwargs(loss)
        expected = {k: v for k, v in rec.loss.params.items()}
        if rec.loss.name in FROM_LOGITS_LOSSES:
            expected.setdefault("from_logits", False)
        assert kw == expected, (case, kw, expected)

    # optimizer
    opt = assigned(tree, "optimizer")
    assert isinstance(opt, ast.Call) and dotted(opt.func) == f"keras.optimizers.{KERAS_OPTIMIZER[rec.optimizer.name or '']}"
    expected = {("global_clipnorm" if k == "clipnorm" else k): v for k, v in rec.optimizer.params.items()}
    assert kwargs(opt) == expected, (case, kwargs(opt), expected)

    # compile
    (compile_call,) = calls(tree, "model.compile")
    assert kwargs(compile_call) == {"optimizer": "optimizer", "loss": "loss"}

    # output layer: the last Dense
    dense = calls(tree, "keras.layers.Dense")
    out = dense[-1]
    units = out.args[0]
    if isinstance(units, ast.Name):
        assert units.id == "K" and "K = 10  # number of classes" in case.snippets["keras"]
    else:
        assert ast.literal_eval(units) == _units(case)
    out_kw = kwargs(out)
    if rec.output_activation.name is None:
        assert "activation" not in out_kw
    else:
        assert out_kw.get("activation") == rec.output_activation.name

    # hidden layers
    hidden = rec.hidden_activation
    layer = {"mlp": "keras.layers.Dense", "cnn": "keras.layers.Conv2D", "rnn": "keras.layers.LSTM", "transformer": "keras.layers.Dense"}
    depth = facts["depth"]
    loops = [n for n in tree.body if isinstance(n, ast.For)]
    if depth == 0:
        assert not loops
        assert "depth 0" in case.snippets["keras"]
        return
    (loop,) = loops
    assert isinstance(loop.iter, ast.Call) and ast.literal_eval(loop.iter.args[0]) == depth
    in_loop = calls(loop, layer[facts["architecture"]])
    if facts["architecture"] == "transformer":
        in_loop = [c for c in in_loop if c.args and ast.literal_eval(c.args[0]) == 128]
    (hidden_call,) = in_loop
    hk = kwargs(hidden_call)
    extra = {name: calls(loop, api) for name, api in KERAS_LAYER_ONLY.items()}
    if hidden.name in KERAS_LAYER_ONLY:
        assert "activation" not in hk
        expected_kw = {"negative_slope": hidden.params["alpha"]} if hidden.name == "leaky_relu" else {}
        assert [kwargs(c) for c in extra[hidden.name]] == [expected_kw]
    else:
        assert hk.get("activation") == hidden.name and not any(extra.values())
    for param, keyword in (("initializer", "kernel_initializer"), ("recurrent_initializer", "recurrent_initializer")):
        assert hk.get(keyword) == hidden.params.get(param), (case, param)
    if facts["architecture"] == "rnn":
        assert "return_sequences" in hk


@pytest.mark.slow
def test_keras_snippets_match_the_recommendation(cases: list[Case]) -> None:
    checked: set[tuple[str, str]] = set()
    strings: set[Any] = set()
    for case in cases:
        key = (case.program("keras"), case.signature())
        if key in checked:
            continue
        checked.add(key)
        check_keras(case)
        strings.update(
            n.value.value
            for n in ast.walk(case.tree("keras"))
            if isinstance(n, ast.keyword) and n.arg in ("activation", "kernel_initializer", "recurrent_initializer")
            and isinstance(n.value, ast.Constant)
        )  # fmt: skip
    assert strings <= KERAS_ACTIVATIONS | KERAS_INITIALIZERS, strings - KERAS_ACTIVATIONS - KERAS_INITIALIZERS


# --- the YAML: canonical names, complete coverage ---------------------------------------------


def test_yaml_covers_the_vocabulary(rulebase: RuleBase, templates: dict[str, Any]) -> None:
    vocab = rulebase.vocabulary
    known = {kind: vocab.names(kind) for kind in ("activation", "loss", "optimizer")}
    load_snippets(SNIPPETS, known)  # keys are canonical names
    assert set(templates["activations"]) == set(known["activation"])
    assert set(templates["losses"]) == set(known["loss"])
    assert set(templates["optimizers"]) == set(known["optimizer"])
    # independent spellings agree with the YAML
    for name, cls in KERAS_LOSS.items():
        assert templates["losses"][name]["keras"].startswith(f"keras.losses.{cls}("), name
    for name, cls in KERAS_OPTIMIZER.items():
        assert templates["optimizers"][name]["keras"]["class"] == f"keras.optimizers.{cls}"


@pytest.mark.slow
def test_every_recommended_or_alternative_name_has_both_frameworks(cases: list[Case], templates: dict[str, Any]) -> None:
    section = {"output_activation": "activations", "hidden_activation": "activations", "loss": "losses", "optimizer": "optimizers"}
    names: set[tuple[str, str]] = set()
    for case in cases:
        for slot, choice in case.rec.slots().items():
            if choice.name is not None:
                names.add((section[slot], choice.name))
            names.update((section[slot], alt.name) for alt in choice.alternatives)
    for kind, name in sorted(names):
        entry = templates[kind][name]
        assert entry.get("keras"), (kind, name)
        assert entry.get("pytorch") is not None, (kind, name)


# --- every YAML entry, also those no recommendation uses today -------------------------------


def synthetic(rulebase: RuleBase, problem: dict[str, Any], **slots: SlotChoice) -> Recommendation:
    rec = recommend(problem, rulebase.recommend)
    return replace(rec, **slots)


def choice(name: str | None, **params: Any) -> SlotChoice:
    return SlotChoice(name=name, params=params, rationale="test", rules=[])


# (problem, output activation, loss params, y maker): each loss with a PyTorch form.
LOSS_CASES: dict[str, list[tuple[dict[str, Any], str, dict[str, Any], str]]] = {
    "mse": [({"task": "regression"}, "linear", {}, "real")],
    "mae": [({"task": "regression"}, "linear", {}, "real")],
    "huber": [({"task": "regression"}, "tanh", {"delta": 0.5}, "symmetric")],
    "log_cosh": [({"task": "regression"}, "linear", {}, "real")],
    "cosine_similarity": [({"task": "regression"}, "linear", {}, "real")],
    "mean_squared_logarithmic_error": [({"task": "regression"}, "softplus", {}, "positive")],
    "poisson": [({"task": "regression"}, "softplus", {}, "positive")],
    "binary_crossentropy": [
        ({"task": "binary"}, "sigmoid", {"from_logits": False}, "01"),
        ({"task": "binary"}, "linear", {"from_logits": True}, "01"),
        ({"task": "binary"}, "hard_sigmoid", {"from_logits": False}, "01"),  # BCELoss on probabilities
    ],
    "focal": [
        ({"task": "binary"}, "sigmoid", {"gamma": 2.0}, "01"),
        ({"task": "multilabel", "num_classes": 3}, "linear", {"gamma": 1.0, "from_logits": True}, "multihot"),
    ],
    "categorical_crossentropy": [
        ({"task": "multiclass", "labels": "one-hot", "num_classes": 3}, "softmax", {"from_logits": False}, "onehot"),
        ({"task": "multiclass", "labels": "probabilities", "num_classes": 3}, "linear", {"from_logits": True}, "probs"),
        ({"task": "multiclass", "labels": "integer", "num_classes": 3}, "linear", {"from_logits": True}, "indices"),
    ],
    "sparse_categorical_crossentropy": [({"task": "multiclass", "num_classes": 3}, "softmax", {"from_logits": False}, "indices")],
    "nll": [({"task": "multiclass", "num_classes": 3}, "log_softmax", {}, "indices")],
    "kl_divergence": [
        ({"task": "multiclass", "labels": "probabilities", "num_classes": 3}, "softmax", {}, "probs"),
        ({"task": "multiclass", "labels": "probabilities", "num_classes": 3}, "log_softmax", {}, "probs"),
    ],
    "hinge": [
        ({"task": "binary", "labels": "signed"}, "linear", {}, "signed"),
        ({"task": "binary", "labels": "binary"}, "linear", {}, "01"),  # 0/1 labels are mapped to -1/+1
    ],
    "squared_hinge": [({"task": "binary", "labels": "signed"}, "linear", {}, "signed")],
    "categorical_hinge": [({"task": "multiclass", "labels": "one-hot", "num_classes": 3}, "linear", {}, "onehot")],
}


def _make_y(torch: Any, kind: str, units: int) -> Any:
    return {
        "real": lambda: torch.randn(N, 1),
        "symmetric": lambda: torch.rand(N, 1) * 2 - 1,
        "positive": lambda: torch.rand(N, 1) * 3,
        "01": lambda: torch.randint(0, 2, (N, 1)).float(),
        "multihot": lambda: torch.randint(0, 2, (N, units)).float(),
        "signed": lambda: torch.randint(0, 2, (N, 1)).float() * 2 - 1,
        "onehot": lambda: torch.nn.functional.one_hot(torch.randint(0, units, (N,)), units).float(),
        "probs": lambda: torch.softmax(torch.randn(N, units), dim=-1),
        "indices": lambda: torch.randint(0, units, (N,)),
    }[kind]()


def test_every_yaml_loss_runs(rulebase: RuleBase, templates: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    covered = set()
    for name, variants in LOSS_CASES.items():
        for problem, output, params, y_kind in variants:
            units = int(problem.get("num_classes") or 1) if problem["task"] in ("multiclass", "multilabel") else 1
            rec = synthetic(rulebase, problem, output_activation=choice(output, units=units), loss=choice(name, **params))
            snippets = render_snippets(rec, templates)
            assert "TODO" not in snippets["pytorch"], (name, problem)
            if name in KERAS_LOSS:
                assert "TODO" not in snippets["keras"], (name, problem)
                check_keras(Case(problem, rec, snippets))
            else:  # nll: Keras has no loss on log-probabilities
                assert "TODO: Keras has no built-in nll loss" in snippets["keras"]
            _, loss, output_tensor = _train_once(torch, snippets["pytorch"], _x(torch, "mlp"), _make_y(torch, y_kind, units))
            assert math.isfinite(loss), (name, problem)
            assert tuple(output_tensor.shape) == (N, units)
            covered.add(name)
    with_torch = {name for name, entry in templates["losses"].items() if entry.get("pytorch")}
    assert covered == with_torch


def test_focal_loss_reduces_to_bce_and_down_weights_easy_examples(rulebase: RuleBase, templates: dict[str, Any]) -> None:
    """gamma = 0 makes focal loss the binary crossentropy; gamma = 2 scales each term by (1 - p_t)^2."""
    torch = pytest.importorskip("torch")
    logits, target = torch.randn(8, 1), torch.randint(0, 2, (8, 1)).float()
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
    p_t = torch.where(target > 0.5, torch.sigmoid(logits), 1 - torch.sigmoid(logits))
    for gamma, expected in ((0.0, bce.mean()), (2.0, ((1 - p_t) ** 2 * bce).mean())):
        rec = synthetic(rulebase, {"task": "binary"}, output_activation=choice("linear", units=1), loss=choice("focal", gamma=gamma, from_logits=True))
        namespace: dict[str, Any] = {}
        exec(render_snippets(rec, templates)["pytorch"], namespace)
        assert torch.allclose(namespace["loss_fn"](logits, target), expected)


@pytest.mark.parametrize("architecture", ["mlp", "cnn", "rnn", "transformer"])
def test_every_yaml_activation_and_initializer_runs(rulebase: RuleBase, templates: dict[str, Any], architecture: str) -> None:
    torch = pytest.importorskip("torch")
    problem = {"task": "regression", "architecture": architecture, "depth": 1}
    inits = sorted(templates["initializers"])
    for i, name in enumerate(sorted(templates["activations"])):
        params: dict[str, Any] = dict(templates["activations"][name].get("params") or {})
        params["initializer"] = inits[i % len(inits)]
        if architecture == "rnn":
            params["recurrent_initializer"] = "orthogonal"
        rec = synthetic(rulebase, problem, hidden_activation=choice(name, **params))
        snippets = render_snippets(rec, templates)
        for code in snippets.values():
            compile(code, "<snippet>", "exec")
        keras_todo = "TODO" in snippets["keras"]
        torch_todo = "TODO" in snippets["pytorch"]
        # Keras: LSTM needs an activation string; PyTorch: only nn.LSTM (tanh) and nn.RNN (tanh,
        # relu) exist, and some activations have no nn module.
        keras_layer_only = name in ("leaky_relu", "prelu")
        assert keras_todo == (architecture == "rnn" and keras_layer_only), (architecture, name)
        if architecture == "rnn":
            assert torch_todo == (name not in ("tanh", "relu")), (architecture, name)
        else:
            assert torch_todo == (name == "exponential"), (architecture, name)
        if not keras_todo:
            check_keras(Case(problem, rec, snippets))
        _, loss, _ = _train_once(torch, snippets["pytorch"], _x(torch, architecture), torch.randn(N, 1))
        assert math.isfinite(loss), (architecture, name)


def test_every_yaml_optimizer_runs(rulebase: RuleBase, templates: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    for name in sorted(templates["optimizers"]):
        params: dict[str, Any] = {"learning_rate": 0.01, "clipnorm": 0.5}
        if name == "sgd":
            params.update(momentum=0.9, nesterov=True, weight_decay=1e-4)
        rec = synthetic(rulebase, {"task": "binary"}, optimizer=choice(name, **params))
        snippets = render_snippets(rec, templates)
        entry = templates["optimizers"][name]
        assert ("TODO" in snippets["keras"]) == (not entry["keras"]), name
        assert ("TODO" in snippets["pytorch"]) == (not entry["pytorch"]), name
        for code in snippets.values():
            compile(code, "<snippet>", "exec")
        if entry["keras"]:
            check_keras(Case({"task": "binary"}, rec, snippets))
        if entry["pytorch"]:
            assert "clip_grad_norm_(model.parameters(), max_norm=0.5)" in snippets["pytorch"]
            info, loss, _ = _train_once(torch, snippets["pytorch"], _x(torch, "mlp"), torch.randint(0, 2, (N, 1)).float())
            assert math.isfinite(loss) and info["changed"], name
            assert type(info["namespace"]["optimizer"]).__name__.lower() == entry["pytorch"]["class"].rsplit(".", 1)[1].lower()


def test_undecided_hidden_and_optimizer(rulebase: RuleBase, templates: dict[str, Any]) -> None:
    rec = synthetic(rulebase, {"task": "binary"}, hidden_activation=choice(None), optimizer=choice(None))
    for code in render_snippets(rec, templates).values():
        compile(code, "<snippet>", "exec")
        assert "TODO: hidden activation: test; choose one" in code and "TODO: optimizer: test; choose one" in code
        assert "optimizer = None  # TODO" in code


# --- the mechanism --------------------------------------------------------------------------


def test_fill_blocks() -> None:
    template = "a = ${x}\nif a:\n    ${block}\n    ${empty}\nend"
    assert fill(template, {"x": "1", "block": "b = 2\n\nc = 3", "empty": ""}) == "a = 1\nif a:\n    b = 2\n\n    c = 3\nend"
    with pytest.raises(KeyError):
        fill("${missing}", {})


def test_load_snippets_rejects_unknown_placeholder(tmp_path: Path) -> None:
    text = SNIPPETS.read_text(encoding="utf-8").replace("keras.losses.Huber(delta=${delta})", "keras.losses.Huber(delta=${dleta})")
    bad = tmp_path / "snippets.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RuleLoadError, match=r"dleta") as info:
        load_snippets(bad)
    line = text.splitlines()[info.value.line - 1]
    assert "huber" in line or "Huber" in line or "delta" in line


def test_render_imports_nothing_heavy(tmp_path: Path, rulebase: RuleBase, templates: dict[str, Any]) -> None:
    """render_snippets is plain string work: no numpy, torch, keras, rich, pydantic or yaml."""
    rec = recommend({"task": "multiclass", "architecture": "transformer", "framework": "pytorch"}, rulebase.recommend)
    data = tmp_path / "input.pickle"
    data.write_bytes(pickle.dumps((rec, templates)))
    script = f"""
import pickle, sys
from nnadvisor.recommender.snippets import render_snippets
with open({str(data)!r}, "rb") as f:
    rec, templates = pickle.load(f)
out = render_snippets(rec, templates)
assert "nn.TransformerEncoderLayer" in out["pytorch"] and "keras.layers.MultiHeadAttention" in out["keras"]
print(sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "torch", "keras", "rich", "pydantic", "yaml")))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout
