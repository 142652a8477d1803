"""dying-relu: units that never activate again after a too-large step.

Teacher-network 10-class data (1000 / 1000), MLP 20-64-64-64-10 with He initialisation, Adam,
10 epochs. Metric: the share of the 192 hidden units whose pre-activation is <= 0 on *every*
training input after training. For relu such a unit is dead: it passes no gradient and nothing
revives it. leaky_relu (slope 0.01) units in that state still pass 1 % of the gradient.

Main table: relu vs leaky_relu at Adam lr 5e-2 (outside NNA501's range for Adam). Comparison:
relu at Adam's default lr 1e-3, where almost no unit dies: the learning rate is the cause.

Probe: narrow deep stacks at initialisation (width 3, 10 hidden layers, He init), 40 random
initialisations per seed, 256 Gaussian inputs: the share of networks whose output is the same
for every input (some layer entirely inactive), relu vs leaky_relu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import ActivationLayer, Adam, get_loss, mlp, teacher_classification

from ._common import DATA, INIT, PROBE, accuracy, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 10
HIDDEN = [64, 64, 64]
NARROW_WIDTH, NARROW_DEPTH, NARROW_INITS = 3, 10, 40


def inactive_fraction(model: Any, x: np.ndarray) -> float:
    """Share of hidden units whose pre-activation is <= 0 for every row of ``x``."""
    inactive = []
    out = x
    acts = [i for i, layer in enumerate(model.layers) if isinstance(layer, ActivationLayer)]
    hidden = set(acts[: len(HIDDEN)])
    for i, layer in enumerate(model.layers):
        if i in hidden:
            inactive.append(np.all(out <= 0.0, axis=0))
        out = layer.forward(out)
    return float(np.mean(np.concatenate(inactive)))


def _run(activation: str, lr: float) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=10)
        model = mlp(
            [20, *HIDDEN, 10], activation, "linear", stream(seed, INIT), kernel_init="he_uniform"
        )
        at_start = inactive_fraction(model, d.x_train)
        h = fit(
            model,
            get_loss("categorical_crossentropy_from_logits"),
            Adam(lr=lr),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
        )
        return Run(
            inactive_fraction(model, d.x_train),
            h.loss,
            {
                "test_accuracy": accuracy(predict(model, d.x_test), d.y_test),
                "inactive_at_start": at_start,
            },
        )

    return fn


def constant_at_init(activation: str, seed: int) -> float:
    """Share of narrow deep stacks whose output does not depend on the input at init."""
    x = stream(seed, PROBE).normal(size=(256, 4))
    constant = 0
    for k in range(NARROW_INITS):
        model = mlp(
            [4] + [NARROW_WIDTH] * NARROW_DEPTH + [1],
            activation,
            "linear",
            np.random.default_rng([seed, PROBE, k]),
            kernel_init="he_uniform",
        )
        out = model.forward(x)
        if float(np.ptp(out)) <= 1e-12 * max(1.0, float(np.max(np.abs(out)))):
            constant += 1
    return constant / NARROW_INITS


def plan() -> Plan:
    relu = Config("relu (Adam lr 5e-2)", _run("relu", 5e-2))
    leaky = Config("leaky_relu (Adam lr 5e-2)", _run("leaky_relu", 5e-2), True)
    relu_default = Config("relu (Adam lr 1e-3, the default)", _run("relu", 1e-3), True)

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        acc = {c.label: m.detail(c, "test_accuracy") for c in (relu, leaky, relu_default)}
        leaky_better = sum(1 for a, b in zip(acc[leaky.label], acc[relu.label]) if a > b)
        const = {a: [constant_at_init(a, s) for s in seeds] for a in ("relu", "leaky_relu")}
        n = len(seeds)
        notes = [
            "mean test accuracy: "
            + ", ".join(f"{k} {fmt(mean(v))}" for k, v in acc.items())
            + f"; leaky_relu beat relu in accuracy on {leaky_better}/{n} seeds at lr 5e-2",
            f"at initialisation, {fmt(mean(const['relu']))} of narrow deep relu stacks "
            f"(width {NARROW_WIDTH}, {NARROW_DEPTH} hidden layers, He init) output a constant "
            f"for every input; leaky_relu: {fmt(mean(const['leaky_relu']))} "
            f"({NARROW_INITS} initialisations per seed)",
        ]
        extra = {
            "mean_test_accuracy": {k: mean(v) for k, v in acc.items()},
            "narrow_stack_constant_at_init": const,
        }
        return extra, notes

    return Plan(
        configs=[relu, leaky],
        comparisons=[Group("the learning rate is the cause (relu only)", [relu_default, relu])],
        probe=probe,
        curve_label="training loss (crossentropy) per epoch",
        curves_comparable=True,
    )
