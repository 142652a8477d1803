"""binary-output: which output and loss for a 0/1 label.

Teacher-network binary data (1000 train / 1000 test), MLP 20-32-1 with relu, Adam at PyTorch's
default lr 1e-3, 10 epochs. The metric is the test log-loss of the output read as a probability
(clipped to [1e-7, 1 - 1e-7] like Keras), i.e. how good the probabilities are; test accuracy is
recorded next to it.

* linear output + probability binary crossentropy (NNA102): wherever the raw output leaves
  [1e-7, 1 - 1e-7] the clip makes the gradient exactly zero; ``clipped_fraction`` records the
  share of training outputs in that state at the end.
* softmax over one unit (NNA201): the output is identically 1.0, nothing can be learned.
* sigmoid + mse (NNA108): learns, but its gradient carries the extra factor p(1 - p).

Comparisons: sigmoid + bce vs sigmoid + mse from a saturated start (output weights x10); and
categorical crossentropy on the one-unit sigmoid output (NNA202). Categorical crossentropy
renormalises the outputs to sum to 1 (Keras rescales probabilities, the logits form takes a
softmax): over one unit that is always 1, so the loss is -y log 1 (up to the clip, at most
1e-7) for every example and its gradient is exactly zero; ``max_weight_change`` records that no
weight moves. The probe adds the logits form (PyTorch's CrossEntropyLoss on one logit with 0/1
float targets computes 0 as well) and integer labels (class 1 does not exist on one unit: the
reference raises, as PyTorch does with ``IndexError: Target 1 is out of bounds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification
from nnadvisor.reference.losses import (
    EPSILON,
    categorical_crossentropy_from_logits,
    sparse_categorical_crossentropy_from_logits,
)

from ._common import DATA, INIT, binary_accuracy, fit, fmt, log_loss, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 10


def _run(output: str, loss_name: str, saturated: bool = False) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "binary")
        model = mlp([20, 32, 1], "relu", output, stream(seed, INIT))
        if saturated:
            model.parametrised_layers()[-1].params[0][...] *= 10.0
        start = [w.copy() for w in model.params]
        h = fit(model, get_loss(loss_name), Adam(), d.x_train, d.y_train, epochs=EPOCHS, seed=seed)
        p = predict(model, d.x_test)
        p_train = predict(model, d.x_train)
        clipped = float(np.mean((p_train < EPSILON) | (p_train > 1.0 - EPSILON)))
        details = {"test_accuracy": binary_accuracy(p, d.y_test), "clipped_fraction": clipped}
        if loss_name == "categorical_crossentropy":
            details["max_weight_change"] = max(
                float(np.max(np.abs(w - w0))) for w, w0 in zip(model.params, start)
            )
        return Run(log_loss(p, d.y_test), h.loss, details)

    return fn


def plan() -> Plan:
    bce = Config("sigmoid + binary_crossentropy", _run("sigmoid", "binary_crossentropy"), True)
    sig_mse = Config("sigmoid + mse", _run("sigmoid", "mse"))
    lin_bce = Config(
        "linear + binary_crossentropy (expects probabilities)",
        _run("linear", "binary_crossentropy"),
    )
    soft1 = Config("softmax (1 unit) + binary_crossentropy", _run("softmax", "binary_crossentropy"))
    bce_sat = Config(
        "sigmoid + binary_crossentropy (saturated start)",
        _run("sigmoid", "binary_crossentropy", saturated=True),
        True,
    )
    mse_sat = Config("sigmoid + mse (saturated start)", _run("sigmoid", "mse", saturated=True))
    cce1 = Config(
        "sigmoid (1 unit) + categorical_crossentropy", _run("sigmoid", "categorical_crossentropy")
    )

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        acc = {c.label: mean(m.detail(c, "test_accuracy")) for c in (bce, sig_mse, lin_bce, soft1)}
        clipped = mean(m.detail(lin_bce, "clipped_fraction"))
        cce_moved = max(m.detail(cce1, "max_weight_change"))
        cce_loss = max(max(r.curve) for r in m.runs(cce1))
        one_logit = categorical_crossentropy_from_logits(
            np.array([[-2.0], [0.5], [3.0]]), np.array([[0.0], [1.0], [1.0]])
        )
        try:
            sparse_categorical_crossentropy_from_logits(np.zeros((2, 1)), np.array([0.0, 1.0]))
            sparse_error = "no error"
        except Exception as exc:  # the point is to record what is raised
            sparse_error = f"{type(exc).__name__}: {exc}"
        notes = [
            "mean test accuracy: "
            + ", ".join(f"{label} {fmt(v)}" for label, v in acc.items())
            + " (sigmoid + mse is close in accuracy; the log-loss shows the calibration)",
            f"linear output into probability crossentropy: {fmt(clipped)} of the training "
            "outputs end outside [1e-7, 1 - 1e-7], where the clip makes the gradient exactly 0",
            "a softmax over one unit outputs exactly 1.0 for every input: test accuracy "
            f"{fmt(acc[soft1.label])} is the share of positive labels",
            "NNA202: categorical crossentropy on one sigmoid unit: largest training loss "
            f"{fmt(cce_loss)}, largest weight change over 10 epochs {fmt(cce_moved)} (the model "
            f"stays at its initialisation, test accuracy {fmt(mean(m.detail(cce1, 'test_accuracy')))}"
            f"); on one logit the loss is {fmt(one_logit[0])} with gradient "
            f"{fmt(float(np.max(np.abs(one_logit[1]))))}; integer label 1 on one unit: "
            f"{sparse_error}",
        ]
        extra = {
            "mean_test_accuracy": acc,
            "linear_output_clipped_fraction": clipped,
            "single_unit_categorical_crossentropy": {
                "max_weight_change": cce_moved,
                "max_training_loss": cce_loss,
                "one_logit_loss": one_logit[0],
                "integer_label_error": sparse_error,
            },
        }
        return extra, notes

    return Plan(
        configs=[bce, sig_mse, lin_bce, soft1],
        comparisons=[
            Group(
                "sigmoid + bce vs sigmoid + mse from a saturated start (output weights x10)",
                [bce_sat, mse_sat],
            ),
            Group("categorical crossentropy on a one-unit output (NNA202)", [bce, cce1]),
        ],
        probe=probe,
    )
