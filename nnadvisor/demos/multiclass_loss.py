"""multiclass-loss: softmax + crossentropy vs softmax + mse.

Main table: 10-class teacher data, MLP 20-64-10 (relu), plain SGD at lr 0.1, 5 epochs. The
crossentropy model is trained on logits with the fused loss (the same function as softmax +
categorical crossentropy); the mse model has a softmax output and mse on its probabilities.

Comparisons: the same pair under Adam at lr 1e-2 (where the gap mostly closes) and under SGD from
a confidently wrong start (output weights scaled 10x: about half the test examples then start
wrong with a probability above 0.9, ``confidently_wrong_at_start``).

Probe (exact, no training): the norm of dL/dlogits for one confidently wrong example, K = 10,
logits 0 except the wrong class at ``margin``; crossentropy tends to sqrt(2), softmax + mse to 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import SGD, Adam, get_activation, get_loss, mlp, teacher_classification
from nnadvisor.reference.losses import categorical_crossentropy_from_logits, mse, unfused

from ._common import DATA, INIT, accuracy, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

K = 10
EPOCHS = 5
MARGINS = (0.0, 5.0, 10.0, 20.0)


def _run(loss_name: str, optimizer: str, wrong_start: bool = False) -> RunFn:
    softmax = get_activation("softmax")

    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        ce = loss_name == "crossentropy"
        model = mlp([20, 64, K], "relu", "linear" if ce else "softmax", stream(seed, INIT))
        if wrong_start:
            model.parametrised_layers()[-1].params[0][...] *= 10.0
        loss = get_loss("categorical_crossentropy_from_logits" if ce else "mse")
        opt = SGD(lr=0.1) if optimizer == "sgd" else Adam(lr=1e-2)
        start = softmax.forward(predict(model, d.x_test)) if ce else predict(model, d.x_test)
        wrong = np.argmax(start, axis=1) != np.argmax(d.y_test, axis=1)
        confidently_wrong = float(np.mean(wrong & (np.max(start, axis=1) > 0.9)))
        h = fit(model, loss, opt, d.x_train, d.y_train, epochs=EPOCHS, seed=seed)
        return Run(
            accuracy(predict(model, d.x_test), d.y_test),
            h.loss,
            {"confidently_wrong_at_start": confidently_wrong},
        )

    return fn


def logit_gradient_norms(margin: float) -> tuple[float, float]:
    """(crossentropy, softmax + mse) norms of dL/dz for one example: true class 0, logits 0
    except class 1 at ``margin`` (confidently wrong when the margin is large)."""
    z = np.zeros((1, K))
    z[0, 1] = margin
    y = np.zeros((1, K))
    y[0, 0] = 1.0
    _, g_ce = categorical_crossentropy_from_logits(z, y)
    _, g_mse = unfused(get_activation("softmax"), mse, z, y)
    return float(np.linalg.norm(g_ce)), float(np.linalg.norm(g_mse))


def plan() -> Plan:
    cce = "softmax + categorical_crossentropy"
    ce_sgd = Config(f"{cce} (SGD lr 0.1)", _run("crossentropy", "sgd"), True)
    mse_sgd = Config("softmax + mse (SGD lr 0.1)", _run("mse", "sgd"))
    ce_adam = Config(f"{cce} (Adam lr 1e-2)", _run("crossentropy", "adam"), True)
    mse_adam = Config("softmax + mse (Adam lr 1e-2)", _run("mse", "adam"))
    ce_wrong = Config(f"{cce} (SGD, wrong start)", _run("crossentropy", "sgd", True), True)
    mse_wrong = Config("softmax + mse (SGD, wrong start)", _run("mse", "sgd", True))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        norms = {f"{mg:g}": logit_gradient_norms(mg) for mg in MARGINS}
        extra: dict[str, Any] = {
            "logit_gradient_norm": {
                "setup": "one example, 10 classes, logits 0 except a wrong class at the margin",
                "margins": list(MARGINS),
                "crossentropy": [norms[f"{mg:g}"][0] for mg in MARGINS],
                "softmax_mse": [norms[f"{mg:g}"][1] for mg in MARGINS],
                "crossentropy_limit": math.sqrt(2.0),
            },
        }
        parts = ", ".join(
            f"margin {mg:g}: {fmt(norms[f'{mg:g}'][0])} vs {fmt(norms[f'{mg:g}'][1])}"
            for mg in MARGINS
        )
        gap_sgd = mean(m.values(ce_sgd)) - mean(m.values(mse_sgd))
        gap_adam = mean(m.values(ce_adam)) - mean(m.values(mse_adam))
        gap_wrong = mean(m.values(ce_wrong)) - mean(m.values(mse_wrong))
        start_wrong = mean(m.detail(ce_wrong, "confidently_wrong_at_start"))
        extra["accuracy_gap"] = {"sgd": gap_sgd, "adam": gap_adam, "sgd_wrong_start": gap_wrong}
        notes = [
            "gradient norm w.r.t. the logits for one confidently wrong example, crossentropy vs "
            f"softmax + mse: {parts} (crossentropy tends to sqrt(2) = {fmt(math.sqrt(2.0))}, "
            "softmax + mse to 0: a saturated wrong softmax gives mse almost no gradient)",
            f"accuracy gap crossentropy - mse (mean): {fmt(gap_sgd)} under SGD lr 0.1, "
            f"{fmt(gap_adam)} under Adam lr 1e-2 (the gap "
            + ("mostly closes" if abs(gap_adam) < 0.25 * abs(gap_sgd) else "stays")
            + f"), {fmt(gap_wrong)} under SGD from the wrong start (where "
            f"{fmt(start_wrong)} of the test examples start wrong with probability > 0.9)",
        ]
        return extra, notes

    return Plan(
        configs=[ce_sgd, mse_sgd],
        comparisons=[
            Group("same losses under Adam at lr 1e-2 (when the gap closes)", [ce_adam, mse_adam]),
            Group(
                "same losses under SGD from a confidently wrong start (output weights x10)",
                [ce_wrong, mse_wrong],
            ),
        ],
        probe=probe,
        curve_label="training loss per epoch (crossentropy and mse)",
    )
