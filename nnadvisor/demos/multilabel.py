"""multilabel: several independent labels per example.

Teacher-network multilabel data, 5 labels each positive for half the examples (1000 / 1000),
MLP 20-64-5 (relu), Adam at lr 1e-3, 10 epochs. Metric: per-label accuracy at threshold 0.5
(Keras' ``binary_accuracy``); exact-match accuracy and the per-label accuracy at the best single
threshold chosen *on the test set* (an optimistic bound that gives softmax every chance, since its
probabilities share one unit of mass and cannot all pass 0.5) are recorded next to it.

* softmax + categorical crossentropy (NNA204): the labels are not mutually exclusive;
* softmax + binary crossentropy (NNA107);
* sigmoid + categorical crossentropy (NNA106): the loss renormalises the sigmoids to sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification

from ._common import DATA, INIT, binary_accuracy, exact_match, fit, fmt, mean, predict, stream
from ._runner import Config, Measured, Plan, Run, RunFn

EPOCHS = 10
LABELS = 5


def _best_threshold_accuracy(p: np.ndarray, y: np.ndarray) -> float:
    grid = np.quantile(p, np.linspace(0.01, 0.99, 99))
    return max(binary_accuracy(p, y, float(t)) for t in grid)


def _run(output: str, loss_name: str) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(
            1000, 1000, stream(seed, DATA), "multilabel", n_outputs=LABELS
        )
        model = mlp([20, 64, LABELS], "relu", output, stream(seed, INIT))
        h = fit(model, get_loss(loss_name), Adam(), d.x_train, d.y_train, epochs=EPOCHS, seed=seed)
        p = predict(model, d.x_test)
        return Run(
            binary_accuracy(p, d.y_test),
            h.loss,
            {
                "exact_match": exact_match(p, d.y_test),
                "best_threshold_accuracy": _best_threshold_accuracy(p, d.y_test),
                "mean_labels_per_row": float(np.mean(np.sum(d.y_test, axis=1))),
            },
        )

    return fn


def plan() -> Plan:
    rec = Config("sigmoid + binary_crossentropy", _run("sigmoid", "binary_crossentropy"), True)
    soft_cce = Config(
        "softmax + categorical_crossentropy", _run("softmax", "categorical_crossentropy")
    )
    soft_bce = Config("softmax + binary_crossentropy", _run("softmax", "binary_crossentropy"))
    sig_cce = Config(
        "sigmoid + categorical_crossentropy", _run("sigmoid", "categorical_crossentropy")
    )
    configs = [rec, soft_cce, soft_bce, sig_cce]

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        best = {c.label: mean(m.detail(c, "best_threshold_accuracy")) for c in configs}
        exact = {c.label: mean(m.detail(c, "exact_match")) for c in configs}
        per_row = mean(m.detail(rec, "mean_labels_per_row"))
        notes = [
            f"rows carry {fmt(per_row)} positive labels on average; a softmax's outputs sum to "
            "1, so at threshold 0.5 it can predict at most one",
            "per-label accuracy at the best single threshold picked on the test set (optimistic "
            "for every config): " + ", ".join(f"{k} {fmt(v)}" for k, v in best.items()),
            "exact-match accuracy: " + ", ".join(f"{k} {fmt(v)}" for k, v in exact.items()),
        ]
        return {"best_threshold_accuracy": best, "exact_match": exact}, notes

    return Plan(configs=configs, probe=probe)
