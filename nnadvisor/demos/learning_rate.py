"""learning-rate: too small, default, too large.

Teacher-network 10-class data (1000 / 1000), MLP 20-64-64-10 (relu, He init), crossentropy from
logits, Adam, 10 epochs. Main table: lr 1e-7 (below NNA501's range for Adam), the default 1e-3,
and lr 0.3 (above it). Comparison: two rates inside the range, 1e-4 and 1e-2 (no ranking
claimed: at this budget 1e-2 may well beat the default). ``diverged`` is 1 when the training loss
became non-finite; ``loss_ratio`` is the last epoch's loss over the first epoch's.

Probe (exact): full-batch gradient descent on least squares, where the loss is a quadratic with
Hessian ``H = (2/n) X^T X``: it converges for lr < 2 / lambda_max(H) and diverges above. The
probe runs 100 steps at 0.9x and 1.1x that critical rate, and at lr 0 and at -0.1x (NNA501's
error case: a rate of zero never moves the weights, a negative one climbs the loss).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification

from ._common import DATA, INIT, PROBE, accuracy, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 10


def _run(lr: float) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=10)
        model = mlp(
            [20, 64, 64, 10], "relu", "linear", stream(seed, INIT), kernel_init="he_uniform"
        )
        h = fit(
            model,
            get_loss("categorical_crossentropy_from_logits"),
            Adam(lr=lr),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
        )
        ratio = h.loss[-1] / h.loss[0] if h.loss else 0.0
        majority = int(np.argmax(d.y_train.sum(axis=0)))
        return Run(
            accuracy(predict(model, d.x_test), d.y_test),
            h.loss,
            {
                "diverged": float(h.diverged),
                "loss_ratio": ratio,
                "majority_accuracy": float(np.mean(np.argmax(d.y_test, axis=1) == majority)),
            },
        )

    return fn


def quadratic_divergence(seed: int, steps: int = 100) -> dict[str, float]:
    """Full-batch GD on least squares at 0.9x and 1.1x the critical rate 2 / lambda_max."""
    g = stream(seed, PROBE)
    x = np.hstack([g.normal(size=(200, 10)), np.ones((200, 1))])
    y = x @ g.normal(size=(11, 1)) + 0.1 * g.normal(size=(200, 1))
    hessian = 2.0 / x.shape[0] * (x.T @ x)
    lam = float(np.linalg.eigvalsh(hessian)[-1])
    critical = 2.0 / lam
    out: dict[str, float] = {"lambda_max": lam, "critical_lr": critical}
    for factor in (0.9, 1.1, 0.0, -0.1):
        w = np.zeros((11, 1))
        lr = factor * critical
        for _ in range(steps):
            w -= lr * (2.0 / x.shape[0]) * (x.T @ (x @ w - y))
        out[f"loss_at_{factor:g}x"] = float(np.mean((x @ w - y) ** 2))
    out["initial_loss"] = float(np.mean(y**2))
    return out


def plan() -> Plan:
    small = Config("Adam lr 1e-7 (too small)", _run(1e-7))
    default = Config("Adam lr 1e-3 (default)", _run(1e-3), True)
    large = Config("Adam lr 0.3 (too large)", _run(0.3))
    low = Config("Adam lr 1e-4", _run(1e-4))
    high = Config("Adam lr 1e-2", _run(1e-2))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        quad = [quadratic_divergence(s) for s in seeds]
        diverged = {c.label: int(sum(m.detail(c, "diverged"))) for c in (small, default, large)}
        ratios = {c.label: mean(m.detail(c, "loss_ratio")) for c in (small, default, large)}
        q0 = quad[0]
        majority = mean(m.detail(default, "majority_accuracy"))
        notes = [
            f"predicting the most frequent training class scores {fmt(majority)} on the test set",
            "last-epoch / first-epoch training loss (mean): "
            + ", ".join(f"{k} {fmt(v)}" for k, v in ratios.items())
            + "; runs whose loss became non-finite: "
            + ", ".join(f"{k} {v}" for k, v in diverged.items()),
            "exact divergence threshold on least squares (full-batch gradient descent, seed "
            f"{seeds[0]}): lambda_max {fmt(q0['lambda_max'])}, critical lr "
            f"{fmt(q0['critical_lr'])}; after 100 steps the loss is "
            f"{fmt(q0['loss_at_0.9x'])} at 0.9x that rate and {fmt(q0['loss_at_1.1x'])} at "
            f"1.1x (start {fmt(q0['initial_loss'])})",
            f"NNA501: on the same least squares a learning rate of 0 leaves the loss at "
            f"{fmt(q0['loss_at_0x'])} after 100 steps, and -0.1x the critical rate raises it to "
            f"{fmt(q0['loss_at_-0.1x'])}",
        ]
        return {"quadratic": quad, "diverged_runs": diverged, "loss_ratio": ratios}, notes

    return Plan(
        configs=[small, default, large],
        comparisons=[
            Group(
                "rates inside the usual range (no ranking claimed)",
                [low, default, high],
                ranked=False,
            )
        ],
        probe=probe,
        curve_label="training loss (crossentropy) per epoch",
        curves_comparable=True,
        seed_counts=("diverged",),
    )
