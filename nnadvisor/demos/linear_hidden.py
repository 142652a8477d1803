"""linear-hidden: hidden layers without a non-linearity.

Circles data (2-D Gaussian points, label: radius above the median; 600 / 600): no linear boundary
does better than chance. MLP 2-32-32-32-1 with the hidden activation varied, Adam at lr 1e-3, 20
epochs, linear output into binary crossentropy from logits. The probe checks the collapse
exactly: the trained linear-hidden network equals the single affine map ``x W1 W2 W3 W4 + b`` to
rounding error. Comparison: softmax as a hidden activation (NNA401).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, Dense, get_loss, mlp

from ._common import DATA, INIT, binary_accuracy, circles, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 20
SIZES = [2, 32, 32, 32, 1]


def _collapse_error(model: Any, x: np.ndarray) -> float:
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    w = reduce(np.matmul, [layer.W for layer in dense])
    b = dense[0].b
    for layer in dense[1:]:
        b = b @ layer.W + layer.b
    return float(np.max(np.abs(model.forward(x) - (x @ w + b))))


def _run(activation: str, sizes: list[int], init: str = "glorot_uniform") -> RunFn:
    def fn(seed: int) -> Run:
        d = circles(600, 600, stream(seed, DATA))
        model = mlp(sizes, activation, "linear", stream(seed, INIT), kernel_init=init)
        h = fit(
            model,
            get_loss("binary_crossentropy_from_logits"),
            Adam(),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
        )
        details = {}
        if activation == "linear":
            details["collapse_error"] = _collapse_error(model, d.x_test)
        return Run(binary_accuracy(predict(model, d.x_test), d.y_test, 0.0), h.loss, details)

    return fn


def plan() -> Plan:
    relu = Config("relu hidden (3x32, He init)", _run("relu", SIZES, "he_uniform"), True)
    linear = Config("linear hidden (3x32)", _run("linear", SIZES))
    none = Config("no hidden layer (logistic regression)", _run("linear", [2, 1]))
    softmax = Config("softmax hidden (3x32)", _run("softmax", SIZES))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        err = max(m.detail(linear, "collapse_error"))
        notes = [
            "the trained linear-hidden network is one affine map: largest difference from "
            f"x W1 W2 W3 W4 + b on the test set {fmt(err)}",
            f"no hidden layer {fmt(mean(m.values(none)))} vs linear hidden "
            f"{fmt(mean(m.values(linear)))}: stacking linear layers adds nothing",
        ]
        return {"collapse_max_abs_difference": err}, notes

    return Plan(
        configs=[relu, linear, none],
        comparisons=[Group("softmax as a hidden activation (NNA401)", [relu, softmax])],
        probe=probe,
        curve_label="training loss (binary crossentropy) per epoch",
        curves_comparable=True,
    )
