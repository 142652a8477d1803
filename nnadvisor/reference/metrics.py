"""Evaluation metrics: plain functions ``metric(y_pred, y_true) -> float``.

They take the model's raw output, so the caller states what that output is: class scores (any
monotone transform of probabilities, logits included, works with argmax) or probabilities /
logits with the matching ``threshold`` for binary and multilabel outputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._types import Array
from .losses import EPSILON

Metric = Callable[[Array, Array], float]


def accuracy(scores: Array, y_true: Array) -> float:
    """Multiclass accuracy: argmax of ``scores`` against one-hot rows or integer labels."""
    labels = np.argmax(y_true, axis=-1) if y_true.ndim == scores.ndim else y_true.reshape(-1)
    return float(np.mean(np.argmax(scores, axis=-1) == labels))


def binary_accuracy(y_pred: Array, y_true: Array, threshold: float = 0.5) -> float:
    """Fraction of entries with ``(y_pred > threshold) == y_true``; for multilabel outputs this
    is the per-label accuracy (Keras ``binary_accuracy``). Use ``threshold=0`` on logits."""
    return float(np.mean((y_pred > threshold) == (y_true > 0.5)))


def logit_binary_accuracy(z: Array, y_true: Array) -> float:
    """:func:`binary_accuracy` for logits (threshold 0)."""
    return binary_accuracy(z, y_true, 0.0)


def exact_match(y_pred: Array, y_true: Array, threshold: float = 0.5) -> float:
    """Multilabel subset accuracy: a row counts only if every label is right."""
    return float(np.mean(np.all((y_pred > threshold) == (y_true > 0.5), axis=-1)))


def log_loss(p: Array, y_true: Array) -> float:
    """Binary log-loss on probabilities (clipped like Keras): the calibration measure."""
    pc = np.clip(p, EPSILON, 1.0 - EPSILON)
    return float(-np.mean(y_true * np.log(pc) + (1.0 - y_true) * np.log(1.0 - pc)))


def mse(y_pred: Array, y_true: Array) -> float:
    """Mean squared error."""
    return float(np.mean((y_pred - y_true) ** 2))


def mae(y_pred: Array, y_true: Array) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(y_pred - y_true)))


METRICS: dict[str, tuple[Metric, bool]] = {
    "accuracy": (accuracy, True),
    "binary_accuracy": (binary_accuracy, True),
    "logit_binary_accuracy": (logit_binary_accuracy, True),
    "exact_match": (exact_match, True),
    "log_loss": (log_loss, False),
    "mse": (mse, False),
    "mae": (mae, False),
}
"""Name -> (function, higher_is_better)."""
