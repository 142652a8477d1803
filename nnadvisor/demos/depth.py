"""depth: 15 hidden layers of 32 units, plain (no normalisation, no residuals).

Teacher-network 4-class data (500 train / 1000 test), Adam at lr 1e-3, 8 epochs of batch 64,
linear output into crossentropy from logits. Hidden activations and initialisations: sigmoid
with Glorot (Keras' default init) and leaky_relu with He (recommended for very deep plain
stacks); in a comparison, tanh with Glorot and relu with He, which also train at this depth. The
comparison reports them side by side without a ranking claim (relu does not beat tanh at this
depth: in the measurements tanh with Glorot learned fastest).

``grad_ratio`` is the first hidden layer's gradient norm divided by the output layer's, from one
backward pass at initialisation on 256 training examples; ``majority_accuracy`` is what
predicting the most frequent training class scores on the test set (chance for this task).

The probe measures the same ratio at initialisation (no training) at the depths where NNA402's
thresholds sit: sigmoid with 5 hidden layers, tanh with 20 and 30.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification

from ._common import DATA, INIT, accuracy, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

HIDDEN = 15
WIDTH = 32
CLASSES = 4
EPOCHS = 8
BATCH = 64


PROBE_DEPTHS = (
    ("sigmoid", "glorot_uniform", 5),
    ("tanh", "glorot_uniform", 20),
    ("tanh", "glorot_uniform", 30),
)


def grad_ratio_at_init(activation: str, init: str, hidden: int, seed: int) -> float:
    """First hidden layer's gradient norm over the output layer's, at initialisation."""
    d = teacher_classification(500, 1000, stream(seed, DATA), "multiclass", n_outputs=CLASSES)
    model = mlp(
        [20] + [WIDTH] * hidden + [CLASSES],
        activation,
        "linear",
        stream(seed, INIT),
        kernel_init=init,
    )
    model.loss_and_grads(
        d.x_train[:256], d.y_train[:256], get_loss("categorical_crossentropy_from_logits")
    )
    norms = model.layer_grad_norms()
    return float(norms[0] / norms[-1])


def _run(activation: str, init: str) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(500, 1000, stream(seed, DATA), "multiclass", n_outputs=CLASSES)
        model = mlp(
            [20] + [WIDTH] * HIDDEN + [CLASSES],
            activation,
            "linear",
            stream(seed, INIT),
            kernel_init=init,
        )
        loss = get_loss("categorical_crossentropy_from_logits")
        model.loss_and_grads(d.x_train[:256], d.y_train[:256], loss)
        norms = model.layer_grad_norms()
        ratio = norms[0] / norms[-1]
        h = fit(
            model, loss, Adam(), d.x_train, d.y_train, epochs=EPOCHS, seed=seed, batch_size=BATCH
        )
        majority = int(np.argmax(d.y_train.sum(axis=0)))
        return Run(
            accuracy(predict(model, d.x_test), d.y_test),
            h.loss,
            {
                "grad_ratio": ratio,
                "majority_accuracy": float(np.mean(np.argmax(d.y_test, axis=1) == majority)),
            },
        )

    return fn


def plan() -> Plan:
    sigmoid = Config("sigmoid, Glorot init", _run("sigmoid", "glorot_uniform"))
    leaky = Config("leaky_relu, He init", _run("leaky_relu", "he_uniform"), True)
    tanh = Config("tanh, Glorot init", _run("tanh", "glorot_uniform"))
    relu = Config("relu, He init", _run("relu", "he_uniform"))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        ratios = {c.label: m.detail(c, "grad_ratio") for c in (sigmoid, tanh, relu, leaky)}
        geo = {k: float(np.exp(np.mean(np.log(v)))) for k, v in ratios.items()}
        majority = mean(m.detail(sigmoid, "majority_accuracy"))
        other = {
            f"{a}, {n} layers": [grad_ratio_at_init(a, i, n, s) for s in seeds]
            for a, i, n in PROBE_DEPTHS
        }
        other_geo = {k: float(np.exp(np.mean(np.log(v)))) for k, v in other.items()}
        notes = [
            "first-to-last layer gradient-norm ratio at initialisation (geometric mean over "
            "seeds): " + ", ".join(f"{k} {fmt(v)}" for k, v in geo.items()),
            f"predicting the majority class scores {fmt(majority)} on the test set",
            "the same ratio at other depths (Glorot init, width "
            f"{WIDTH}): " + ", ".join(f"{k} {fmt(v)}" for k, v in other_geo.items()),
        ]
        extra = {
            "hidden_layers": HIDDEN,
            "width": WIDTH,
            "grad_ratio_at_init": ratios,
            "grad_ratio_geometric_mean": geo,
            "majority_class_accuracy": majority,
            "grad_ratio_at_other_depths": other,
            "grad_ratio_at_other_depths_geometric_mean": other_geo,
        }
        return extra, notes

    return Plan(
        configs=[sigmoid, leaky],
        comparisons=[
            Group(
                "activations that train at this depth (no ranking claimed)",
                [tanh, relu, leaky],
                ranked=False,
            )
        ],
        probe=probe,
        curve_label="training loss (crossentropy) per epoch",
        curves_comparable=True,
    )
