"""labels: the target format must match what the loss expects.

What actually happens when it does not, measured rather than assumed:

* Keras 3 checks shapes: integer labels ``(N,)`` or ``(N, 1)`` passed to
  ``categorical_crossentropy`` raise ``ValueError: Arguments `target` and `output` must have the
  same shape``, and one-hot labels passed to ``sparse_categorical_crossentropy`` raise
  ``ValueError: Argument `output` must have rank (ndim) `target.ndim - 1``` (Keras 3,
  TensorFlow backend source). The failure is loud, at the first batch.
* A loss without that check (a hand-written ``-sum(y_true * log(y_pred), -1)``, older code, the
  reference's own ``categorical_crossentropy``) broadcasts ``(N, 1)`` integer labels against the
  ``(N, K)`` probabilities and computes ``-c * sum_k log p_k``: rows of class 0 contribute
  nothing and every other row is pushed towards the *uniform* distribution. That silent version
  is the main table's mismatched configuration.
* -1/+1 labels in binary crossentropy (NNA303) raise nowhere: ``-(y log p + (1 - y) log(1 - p))``
  with y = -1 is ``log p - 2 log(1 - p)``, unbounded below until the probability clip. The
  comparison trains it.

Setup: teacher-network 10-class data (1000 / 1000), MLP 20-64-10 with a softmax output, Adam at
lr 1e-3, 10 epochs; the binary comparison uses teacher binary data and MLP 20-32-1 (sigmoid).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification
from nnadvisor.reference.losses import categorical_crossentropy, sparse_categorical_crossentropy

from ._common import DATA, INIT, accuracy, binary_accuracy, fit, fmt, log_loss, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 10
K = 10


def _run(labels: str, loss_name: str) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        integers = np.argmax(d.y_train, axis=1).astype(float)
        y = {"integer": integers, "integer_column": integers[:, None], "one_hot": d.y_train}[labels]
        model = mlp([20, 64, K], "relu", "softmax", stream(seed, INIT))
        h = fit(model, get_loss(loss_name), Adam(), d.x_train, y, epochs=EPOCHS, seed=seed)
        return Run(accuracy(predict(model, d.x_test), d.y_test), h.loss)

    return fn


def _run_binary(signed: bool) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "binary")
        y = 2.0 * d.y_train - 1.0 if signed else d.y_train
        model = mlp([20, 32, 1], "relu", "sigmoid", stream(seed, INIT))
        loss = get_loss("binary_crossentropy")
        h = fit(model, loss, Adam(), d.x_train, y, epochs=EPOCHS, seed=seed)
        p = predict(model, d.x_test)
        return Run(binary_accuracy(p, d.y_test), h.loss, {"test_log_loss": log_loss(p, d.y_test)})

    return fn


def _error_of(fn: Any, *args: Any) -> str:
    try:
        fn(*args)
    except Exception as exc:  # the point is to record what is raised
        return f"{type(exc).__name__}: {str(exc).strip()}"
    return "no error"


def plan() -> Plan:
    rec = Config(
        "integer labels + sparse_categorical_crossentropy",
        _run("integer", "sparse_categorical_crossentropy"),
        True,
    )
    broadcast = Config(
        "integer labels (N,1) + categorical_crossentropy, no shape check",
        _run("integer_column", "categorical_crossentropy"),
    )
    one_hot = Config(
        "one-hot labels + categorical_crossentropy", _run("one_hot", "categorical_crossentropy")
    )
    bin01 = Config("0/1 labels + binary_crossentropy", _run_binary(False), True)
    bin_signed = Config("-1/+1 labels + binary_crossentropy", _run_binary(True))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        same = max(abs(a - b) for a, b in zip(m.values(rec), m.values(one_hot)))
        p = np.full((4, K), 1.0 / K)
        ints = np.array([0.0, 3.0, 1.0, 2.0])
        errors = {
            "integer (N,) into categorical_crossentropy": _error_of(
                categorical_crossentropy, p, ints
            ),
            "one-hot into sparse_categorical_crossentropy": _error_of(
                sparse_categorical_crossentropy, p, np.eye(K)[[0, 3, 1, 2]]
            ),
        }
        ll = {c.label: float(np.mean(m.detail(c, "test_log_loss"))) for c in (bin01, bin_signed)}
        notes = [
            "integer labels + sparse crossentropy and one-hot labels + categorical crossentropy "
            f"are the same loss: largest per-seed accuracy difference {fmt(same)}",
            "in the reference, as in Keras 3, the other mismatches fail loudly: "
            + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            "-1/+1 labels in binary crossentropy raise nowhere; test log-loss "
            + ", ".join(f"{k} {fmt(v)}" for k, v in ll.items()),
        ]
        return {
            "one_hot_vs_integer_max_difference": same,
            "reference_errors": errors,
            "binary_test_log_loss": ll,
        }, notes

    return Plan(
        configs=[rec, broadcast],
        comparisons=[
            Group(
                "one-hot labels with the matching loss (equivalent)", [rec, one_hot], ranked=False
            ),
            Group("-1/+1 labels with binary crossentropy (NNA303)", [bin01, bin_signed]),
        ],
        probe=probe,
    )
