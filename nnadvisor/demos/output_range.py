"""regression-output-range: an output activation that cannot reach the targets.

``y = x w + sin(x_0) + noise`` (10 features, 1000 / 1000; targets of either sign, std about 3),
MLP 10-32-1 (relu hidden), mse, Adam at lr 1e-3, 10 epochs. Only the output activation changes:
linear (recommended) vs relu and softplus (no negative values), sigmoid ((0, 1)) and tanh
((-1, 1)). ``unreachable`` records the share of test targets outside each output's range.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp

from ._common import DATA, INIT, curved_regression, fit, fmt, mean, mse, predict, stream
from ._runner import Config, Measured, Plan, Run, RunFn

EPOCHS = 10
RANGES = {
    "linear": (-np.inf, np.inf),
    "relu": (0.0, np.inf),
    "softplus": (0.0, np.inf),
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}


def _run(output: str) -> RunFn:
    lo, hi = RANGES[output]

    def fn(seed: int) -> Run:
        d = curved_regression(1000, 1000, stream(seed, DATA))
        model = mlp([10, 32, 1], "relu", output, stream(seed, INIT))
        h = fit(model, get_loss("mse"), Adam(), d.x_train, d.y_train, epochs=EPOCHS, seed=seed)
        pred = predict(model, d.x_test)
        outside = float(np.mean((d.y_test < lo) | (d.y_test > hi)))
        baseline = mse(np.full_like(d.y_test, d.y_train.mean()), d.y_test)
        return Run(
            mse(pred, d.y_test), h.loss, {"unreachable": outside, "mean_predictor_mse": baseline}
        )

    return fn


def plan() -> Plan:
    configs = [Config("linear output", _run("linear"), True)] + [
        Config(f"{name} output", _run(name)) for name in ("relu", "softplus", "sigmoid", "tanh")
    ]

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        unreachable = {c.label: mean(m.detail(c, "unreachable")) for c in configs}
        baseline = mean(m.detail(configs[0], "mean_predictor_mse"))
        notes = [
            "share of test targets outside the output's range: "
            + ", ".join(f"{k} {fmt(v)}" for k, v in unreachable.items() if v > 0)
            + " (linear: none)",
            f"predicting the training mean gives test mse {fmt(baseline)}",
        ]
        return {"unreachable_fraction": unreachable, "mean_predictor_mse": baseline}, notes

    return Plan(configs=configs, probe=probe, curve_label="training loss (mse) per epoch",
                curves_comparable=True)
