"""rnn-clipping: gradient clipping for a vanilla RNN in the exploding regime.

The adding problem (Hochreiter & Schmidhuber; sequences of 15 steps, 400 train / 500 test;
predicting the constant 1 gives mse 1/6), a SimpleRNN with 16 units and a Dense(1) head, mse,
Adam at lr 1e-2, 20 epochs.

Main table: a relu cell whose orthogonal recurrent matrix is scaled by 2, so activations and
gradients grow about 2x per step (exploding), without clipping vs with Keras ``clipnorm=1.0``
(each gradient array rescaled to norm at most 1).

NNA404 (relu as the cell activation). Comparison: the cell activation at the standard
initialisation (orthogonal, gain 1), both clipped, tanh vs relu, with no ranking claimed: relu
did better there (as in Le, Jaitly and Hinton 2015, relu recurrences train when the recurrent
matrix starts near an isometry). The probe measures what the rule warns about, exactly and
without training: at initialisation, on the training sequences, the norm of the final hidden
state and of the recurrent layer's gradient for tanh and relu cells with the recurrent matrix at
gain 1 and gain 2. Tanh bounds the state (|h| < 1 per unit); relu does not, so at gain 2 both
the state and the gradient explode.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, Dense, Sequential, SimpleRNN, adding_problem, get_loss
from nnadvisor.reference.clipping import Clip

from ._common import DATA, INIT, fit, fmt, mean, mse, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

LENGTH, UNITS, EPOCHS = 15, 16, 20


def _geomean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values))))


def _run(cell: str, gain: float, clip: bool) -> RunFn:
    def fn(seed: int) -> Run:
        d = adding_problem(400, 500, stream(seed, DATA), length=LENGTH)
        rng = stream(seed, INIT)
        rnn = SimpleRNN(2, UNITS, rng, nonlinearity=cell)
        rnn.Wh *= gain
        model = Sequential([rnn, Dense(UNITS, 1, rng)])
        h = fit(
            model,
            get_loss("mse"),
            Adam(lr=1e-2),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
            clip=Clip("norm", 1.0, "keras") if clip else None,
        )
        peak = max(math.sqrt(sum(g * g for g in epoch)) for epoch in h.grad_norms)
        return Run(
            mse(predict(model, d.x_test), d.y_test),
            h.loss,
            {"peak_grad_norm": peak, "clipped_share": sum(h.clipped_steps) / max(h.steps, 1)},
        )

    return fn


def state_and_gradient(cell: str, gain: float, seed: int) -> tuple[float, float]:
    """At initialisation: mean ||h_T|| over the training sequences and the recurrent layer's
    gradient norm (mse against the targets), with the configurations' data and weights."""
    d = adding_problem(400, 500, stream(seed, DATA), length=LENGTH)
    rng = stream(seed, INIT)
    rnn = SimpleRNN(2, UNITS, rng, nonlinearity=cell)
    rnn.Wh *= gain
    model = Sequential([rnn, Dense(UNITS, 1, rng)])
    model.loss_and_grads(d.x_train, d.y_train, get_loss("mse"))
    grad = model.layer_grad_norms()[0]
    state = float(np.mean(np.linalg.norm(rnn.forward(d.x_train), axis=1)))
    return state, grad


def plan() -> Plan:
    raw = Config("relu cell, recurrent x2, no clipping", _run("relu", 2.0, False))
    clipped = Config("relu cell, recurrent x2, clipnorm 1.0", _run("relu", 2.0, True), True)
    tanh = Config("tanh cell, orthogonal init, clipnorm 1.0", _run("tanh", 1.0, True))
    relu = Config("relu cell, orthogonal init, clipnorm 1.0", _run("relu", 1.0, True))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        peak = {c.label: mean(m.detail(c, "peak_grad_norm")) for c in (raw, clipped, tanh, relu)}
        share = mean(m.detail(clipped, "clipped_share"))
        notes = [
            "largest per-epoch mean gradient norm before clipping (mean over seeds): "
            + ", ".join(f"{k} {fmt(v)}" for k, v in peak.items()),
            f"clipnorm 1.0 changed the gradient on {fmt(share)} of the steps in the exploding "
            "regime; predicting the constant 1 gives test mse 1/6 = 0.167",
        ]
        cells = [(c, g) for c in ("tanh", "relu") for g in (1.0, 2.0)]
        at_init = {f"{c} gain {g:g}": [state_and_gradient(c, g, s) for s in seeds] for c, g in cells}
        geo = {
            k: (_geomean([v[0] for v in vals]), _geomean([v[1] for v in vals]))
            for k, vals in at_init.items()
        }
        pairs = ", ".join(f"{k} {fmt(a)} / {fmt(b)}" for k, (a, b) in geo.items())
        notes.append(
            f"NNA404, at initialisation (geometric mean over seeds; {UNITS} units, so a tanh "
            f"state's norm is below {math.sqrt(UNITS):g}): final-state norm / recurrent-gradient "
            f"norm {pairs}"
        )
        extra = {
            "peak_grad_norm": peak,
            "clipped_share": share,
            "constant_predictor_mse": 1 / 6,
            "at_initialisation": {
                k: {"final_state_norm": [v[0] for v in vals], "grad_norm": [v[1] for v in vals]}
                for k, vals in at_init.items()
            },
        }
        return extra, notes

    return Plan(
        configs=[raw, clipped],
        comparisons=[
            Group(
                "cell activation at the standard initialisation, clipped (NNA404; no ranking "
                "claimed)",
                [tanh, relu],
                ranked=False,
            )
        ],
        probe=probe,
        curve_label="training loss (mse) per epoch",
        curves_comparable=True,
    )
