"""regression-output-range: an output activation that cannot reach the targets.

``y = x w + sin(x_0) + noise`` (10 features, 1000 / 1000; targets of either sign, std about 3),
MLP 10-32-1 (relu hidden), mse, Adam at lr 1e-3, 10 epochs. Only the output activation changes:
linear (recommended) vs relu and softplus (no negative values), sigmoid ((0, 1)) and tanh
((-1, 1)). ``unreachable`` records the share of test targets outside each output's range.

Comparisons (NNA110, a classification loss on a regression task), same data, model and
optimizer:

* sigmoid + binary crossentropy on the raw targets. For a target y outside [0, 1],
  -[y log p + (1 - y) log(1 - p)] has no minimum at p = y: it falls without bound as p goes to 1
  (y > 1) or to 0 (y < 0), and only the clip at [1e-7, 1 - 1e-7] stops it, so the training loss
  goes negative (``final_training_loss``).
* The exception the rule allows: the same targets min-max scaled into [0, 1] with the training
  set's minimum and maximum (predictions mapped back before scoring). Binary crossentropy is then
  the Bernoulli quasi-likelihood and fits like sigmoid + mse on the same scaled targets; the
  table makes no ranking claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp

from ._common import DATA, INIT, curved_regression, fit, fmt, mean, mse, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 10
RANGES = {
    "linear": (-np.inf, np.inf),
    "relu": (0.0, np.inf),
    "softplus": (0.0, np.inf),
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}


def _run(output: str, loss_name: str = "mse", scaled: bool = False) -> RunFn:
    lo, hi = RANGES[output]

    def fn(seed: int) -> Run:
        d = curved_regression(1000, 1000, stream(seed, DATA))
        model = mlp([10, 32, 1], "relu", output, stream(seed, INIT))
        low, span = float(d.y_train.min()), float(np.ptp(d.y_train))
        y = (d.y_train - low) / span if scaled else d.y_train
        h = fit(model, get_loss(loss_name), Adam(), d.x_train, y, epochs=EPOCHS, seed=seed)
        pred = predict(model, d.x_test)
        if scaled:
            pred = pred * span + low
        target = (d.y_test - low) / span if scaled else d.y_test
        outside = float(np.mean((target < lo) | (target > hi)))
        baseline = mse(np.full_like(d.y_test, d.y_train.mean()), d.y_test)
        details = {"unreachable": outside, "mean_predictor_mse": baseline}
        if loss_name != "mse" or scaled:
            details["final_training_loss"] = h.loss[-1]
        return Run(mse(pred, d.y_test), h.loss, details)

    return fn


def plan() -> Plan:
    configs = [Config("linear output", _run("linear"), True)] + [
        Config(f"{name} output", _run(name)) for name in ("relu", "softplus", "sigmoid", "tanh")
    ]
    bce_raw = Config(
        "sigmoid + binary_crossentropy on the raw targets", _run("sigmoid", "binary_crossentropy")
    )
    bce_scaled = Config(
        "sigmoid + binary_crossentropy, targets scaled to [0, 1]",
        _run("sigmoid", "binary_crossentropy", scaled=True),
    )
    mse_scaled = Config(
        "sigmoid + mse, targets scaled to [0, 1]", _run("sigmoid", "mse", scaled=True)
    )

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        unreachable = {c.label: mean(m.detail(c, "unreachable")) for c in configs}
        baseline = mean(m.detail(configs[0], "mean_predictor_mse"))
        raw_loss = m.detail(bce_raw, "final_training_loss")
        notes = [
            "share of test targets outside the output's range: "
            + ", ".join(f"{k} {fmt(v)}" for k, v in unreachable.items() if v > 0)
            + " (linear: none)",
            f"predicting the training mean gives test mse {fmt(baseline)}",
            "NNA110: binary crossentropy on targets of either sign ends with training loss "
            f"{fmt(mean(raw_loss))} (largest {fmt(max(raw_loss))}; negative, since it is unbounded "
            f"below outside [0, 1]) and test mse {fmt(mean(m.values(bce_raw)))}; on targets "
            f"scaled to [0, 1] it reaches {fmt(mean(m.values(bce_scaled)))}, like sigmoid + mse on "
            f"the same scaled targets ({fmt(mean(m.values(mse_scaled)))})",
        ]
        extra = {
            "unreachable_fraction": unreachable,
            "mean_predictor_mse": baseline,
            "bce_raw_final_training_loss": raw_loss,
        }
        return extra, notes

    return Plan(
        configs=configs,
        comparisons=[
            Group(
                "binary crossentropy on regression targets of either sign (NNA110)",
                [configs[0], bce_raw],
            ),
            Group(
                "the exception: binary crossentropy on targets scaled to [0, 1] (no ranking "
                "claimed)",
                [bce_scaled, mse_scaled],
                ranked=False,
            ),
        ],
        probe=probe,
        curve_label="training loss per epoch (mse; binary crossentropy in the comparisons)",
        curves_comparable=False,
    )
