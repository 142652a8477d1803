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

* Soft (probability) labels in sparse categorical crossentropy (NNA305) are rejected too:
  Keras 3 by the same rank check, PyTorch's ``nll_loss`` with ``RuntimeError: 0D or 1D target
  tensor expected, multi-target not supported`` (PyTorch's ``CrossEntropyLoss`` accepts class
  probabilities as targets, which is why the rule does not fire for it), and the reference
  raises. The probe records the reference's error. The comparison trains what a user can do
  instead on soft labels from annotator votes (5 annotators per training example, each naming
  the true class with probability 0.5 and otherwise a uniformly random class; the label is the
  share of votes per class): categorical crossentropy on the vote shares (the rule's fix) and
  sparse crossentropy on the majority vote (argmax, ties to the lower class), scored on the
  clean test labels, with the multiclass test log-loss next to the accuracy. It makes no
  ranking claim.

Setup: teacher-network 10-class data (1000 / 1000), MLP 20-64-10 with a softmax output, Adam at
lr 1e-3, 10 epochs; the binary comparison uses teacher binary data and MLP 20-32-1 (sigmoid).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import Adam, get_loss, mlp, teacher_classification
from nnadvisor.reference.losses import categorical_crossentropy, sparse_categorical_crossentropy

from ._common import (
    DATA,
    INIT,
    accuracy,
    binary_accuracy,
    fit,
    fmt,
    log_loss,
    mean,
    predict,
    stream,
)
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 10
K = 10
ANNOTATORS, ANNOTATOR_ACCURACY = 5, 0.5
VOTES = 4  # the random stream of the annotator votes (0..3 are taken, see _common)


def vote_shares(y_int: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Soft labels: per example, the share of ANNOTATORS votes each class received."""
    n = y_int.size
    right = rng.random((n, ANNOTATORS)) < ANNOTATOR_ACCURACY
    votes = np.where(right, y_int[:, None], rng.integers(0, K, size=(n, ANNOTATORS)))
    q = np.zeros((n, K))
    for j in range(ANNOTATORS):
        q[np.arange(n), votes[:, j]] += 1.0 / ANNOTATORS
    return q


def multiclass_log_loss(p: np.ndarray, y_one_hot: np.ndarray) -> float:
    """Mean -log p[true class], probabilities clipped at 1e-7 like Keras."""
    return float(-np.mean(np.log(np.clip(np.sum(p * y_one_hot, axis=1), 1e-7, 1.0))))


def _run_soft(use_argmax: bool) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        truth = np.argmax(d.y_train, axis=1)
        q = vote_shares(truth, stream(seed, VOTES))
        majority = np.argmax(q, axis=1)
        if use_argmax:
            y, loss = majority.astype(np.float64), get_loss("sparse_categorical_crossentropy")
        else:
            y, loss = q, get_loss("categorical_crossentropy")
        model = mlp([20, 64, K], "relu", "softmax", stream(seed, INIT))
        h = fit(model, loss, Adam(), d.x_train, y, epochs=EPOCHS, seed=seed)
        p = predict(model, d.x_test)
        return Run(
            accuracy(p, d.y_test),
            h.loss,
            {
                "test_log_loss": multiclass_log_loss(p, d.y_test),
                "majority_vote_correct": float(np.mean(majority == truth)),
            },
        )

    return fn


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
    soft = Config("vote shares (soft labels) + categorical_crossentropy", _run_soft(False))
    hard = Config("majority vote (argmax) + sparse_categorical_crossentropy", _run_soft(True))

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
            "soft labels into sparse_categorical_crossentropy": _error_of(
                sparse_categorical_crossentropy, p, np.full((4, K), 1.0 / K)
            ),
        }
        soft_acc = {c.label: mean(m.values(c)) for c in (soft, hard)}
        soft_ll = {c.label: mean(m.detail(c, "test_log_loss")) for c in (soft, hard)}
        vote_ok = mean(m.detail(hard, "majority_vote_correct"))
        ll = {c.label: float(np.mean(m.detail(c, "test_log_loss"))) for c in (bin01, bin_signed)}
        notes = [
            "integer labels + sparse crossentropy and one-hot labels + categorical crossentropy "
            f"are the same loss: largest per-seed accuracy difference {fmt(same)}",
            "in the reference, as in Keras 3, the other mismatches fail loudly: "
            + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            "-1/+1 labels in binary crossentropy raise nowhere; test log-loss "
            + ", ".join(f"{k} {fmt(v)}" for k, v in ll.items()),
            f"NNA305: soft labels from {ANNOTATORS} annotator votes (the majority vote is right "
            f"on {fmt(vote_ok)} of the training examples): test accuracy "
            + ", ".join(f"{k} {fmt(v)}" for k, v in soft_acc.items())
            + "; multiclass test log-loss "
            + ", ".join(f"{k} {fmt(v)}" for k, v in soft_ll.items())
            + " (the vote shares teach the annotators' uncertainty, not the clean labels')",
        ]
        return {
            "one_hot_vs_integer_max_difference": same,
            "reference_errors": errors,
            "binary_test_log_loss": ll,
            "soft_labels": {
                "test_accuracy": soft_acc,
                "test_log_loss": soft_ll,
                "majority_vote_correct": vote_ok,
            },
        }, notes

    return Plan(
        configs=[rec, broadcast],
        comparisons=[
            Group(
                "one-hot labels with the matching loss (equivalent)", [rec, one_hot], ranked=False
            ),
            Group("-1/+1 labels with binary crossentropy (NNA303)", [bin01, bin_signed]),
            Group(
                "soft labels: categorical crossentropy on them vs their argmax in sparse "
                "crossentropy (NNA305; no ranking claimed)",
                [soft, hard],
                ranked=False,
            ),
        ],
        probe=probe,
    )
