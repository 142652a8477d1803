"""logits: what goes into a logits loss and what into a probability loss.

Teacher-network 10-class data (1000 / 1000), MLP 20-64-10 (relu), Adam at lr 1e-3, 8 epochs.

* recommended: linear output (logits) into categorical crossentropy ``from_logits``;
* double softmax (NNA103, NNA405): a softmax output fed to the logits loss, which applies its own
  softmax again; the second softmax sees inputs in [0, 1], so its output can never be confident
  (at most e / (e + 9) = 0.23 for 10 classes) and the gradient is flattened;
* missing softmax (NNA102): a linear output fed to the probability crossentropy, which divides by
  the row sum and clips to [1e-7, 1 - 1e-7]; raw scores are no probabilities;
* softmax into nll (NNA105): nll expects log-probabilities; on probabilities it minimises
  ``-p[target]``, a bounded objective without the log's push.

Comparison (correct pairings that must agree with the recommended run): softmax + probability
crossentropy, log_softmax + nll, and log_softmax into the logits loss (redundant, NNA104, but
harmless since log_softmax(log_softmax(z)) = log_softmax(z)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification

from ._common import DATA, INIT, accuracy, fit, fmt, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 8
K = 10


def _run(output: str, loss_name: str) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        model = mlp([20, 64, K], "relu", output, stream(seed, INIT))
        loss = get_loss(loss_name)
        y = d.y_train if loss.target == "dense" else np.argmax(d.y_train, axis=1).astype(float)
        h = fit(model, loss, Adam(), d.x_train, y, epochs=EPOCHS, seed=seed)
        return Run(accuracy(predict(model, d.x_test), d.y_test), h.loss)

    return fn


def plan() -> Plan:
    rec = Config(
        "linear + categorical_crossentropy(from_logits)",
        _run("linear", "categorical_crossentropy_from_logits"),
        True,
    )
    double = Config(
        "softmax + categorical_crossentropy(from_logits) [double softmax]",
        _run("softmax", "categorical_crossentropy_from_logits"),
    )
    missing = Config(
        "linear + categorical_crossentropy [missing softmax]",
        _run("linear", "categorical_crossentropy"),
    )
    nll_prob = Config("softmax + nll", _run("softmax", "nll"))
    eq_prob = Config(
        "softmax + categorical_crossentropy", _run("softmax", "categorical_crossentropy")
    )
    eq_nll = Config("log_softmax + nll", _run("log_softmax", "nll"))
    eq_redundant = Config(
        "log_softmax + categorical_crossentropy(from_logits) [redundant]",
        _run("log_softmax", "categorical_crossentropy_from_logits"),
    )

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        ref = m.values(rec)
        diffs = {
            c.label: max(abs(a - b) for a, b in zip(m.values(c), ref))
            for c in (eq_prob, eq_nll, eq_redundant)
        }
        ref_loss = [r.curve[-1] for r in m.runs(rec)]
        loss_diffs = {
            c.label: max(abs(r.curve[-1] - b) for r, b in zip(m.runs(c), ref_loss))
            for c in (eq_prob, eq_nll, eq_redundant)
        }
        ceiling = float(np.e / (np.e + K - 1))
        notes = [
            "correct pairings reproduce the recommended run: largest test-accuracy difference "
            + ", ".join(f"{label} {fmt(v)}" for label, v in diffs.items())
            + "; largest final-loss difference "
            + ", ".join(f"{fmt(v)}" for v in loss_diffs.values()),
            f"double softmax: the second softmax sees inputs in [0, 1], so no class can get "
            f"more than e/(e+{K - 1}) = {fmt(ceiling)} probability inside the loss",
        ]
        return {
            "equivalent_max_accuracy_difference": diffs,
            "equivalent_max_final_loss_difference": loss_diffs,
            "double_softmax_probability_ceiling": ceiling,
        }, notes

    return Plan(
        configs=[rec, double, missing, nll_prob],
        comparisons=[
            Group(
                "correct pairings (expected to equal the recommended run)",
                [eq_prob, eq_nll, eq_redundant],
            )
        ],
        probe=probe,
    )
