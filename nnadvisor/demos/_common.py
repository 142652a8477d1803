"""Shared pieces of the scenarios: seeded streams, training, metrics, small data sets.

Every random draw of a run comes from ``stream(seed, k)``, a generator keyed by the seed and a
fixed stream number, so the data, the initial weights and the batch order of a configuration on
seed ``s`` never depend on which other seeds or configurations run. Configurations compared
within a scenario share the data and, where the architectures match, the initial weights of each
seed: the comparison is paired.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from nnadvisor.reference import Dataset, History, Loss, Optimizer, Sequential, train
from nnadvisor.reference._types import Array
from nnadvisor.reference.clipping import Clip

DATA, INIT, SHUFFLE, PROBE = 0, 1, 2, 3


def stream(seed: int, k: int) -> np.random.Generator:
    """The generator for stream ``k`` of ``seed`` (independent across streams and seeds)."""
    return np.random.default_rng([seed, k])


def fit(
    model: Sequential,
    loss: Loss,
    optimizer: Optimizer,
    x: Array,
    y: Array,
    *,
    epochs: int,
    seed: int,
    batch_size: int = 32,
    clip: Clip | None = None,
) -> History:
    """Train with the seed's shuffle stream; the history's ``loss`` is the curve."""
    return train(
        model,
        loss,
        optimizer,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        rng=stream(seed, SHUFFLE),
        clip=clip,
    )


def predict(model: Sequential, x: Array) -> Array:
    """Forward pass with overflow warnings silenced (a diverged model may overflow)."""
    with np.errstate(all="ignore"):
        out: Array = model.forward(x)
    return out


def _valid_rows(scores: Array) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = np.all(np.isfinite(scores.reshape(scores.shape[0], -1)), axis=1)
    return out


def accuracy(scores: Array, y_true: Array) -> float:
    """Multiclass accuracy; a row with a non-finite score (a diverged model) counts as wrong."""
    labels = np.argmax(y_true, axis=-1) if y_true.ndim == scores.ndim else y_true.reshape(-1)
    ok = _valid_rows(scores) & (np.argmax(np.nan_to_num(scores), axis=-1) == labels)
    return float(np.mean(ok))


def binary_accuracy(pred: Array, y_true: Array, threshold: float = 0.5) -> float:
    """Per-entry accuracy of ``pred > threshold`` against 0/1 targets (non-finite: wrong)."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(pred) & ((pred > threshold) == (y_true > 0.5))
    return float(np.mean(ok))


def exact_match(pred: Array, y_true: Array, threshold: float = 0.5) -> float:
    """Rows whose every label is right."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(pred) & ((pred > threshold) == (y_true > 0.5))
    return float(np.mean(np.all(ok, axis=-1)))


def log_loss(p: Array, y_true: Array, eps: float = 1e-7) -> float:
    """Binary log-loss of probabilities, clipped to ``[eps, 1 - eps]`` like Keras."""
    pc = np.clip(np.nan_to_num(p, nan=0.5), eps, 1.0 - eps)
    return float(-np.mean(y_true * np.log(pc) + (1.0 - y_true) * np.log(1.0 - pc)))


def mse(pred: Array, y_true: Array) -> float:
    """Mean squared error; must be finite (the regression scenarios do not diverge)."""
    value = float(np.mean((pred - y_true) ** 2))
    if not math.isfinite(value):
        raise RuntimeError("non-finite mean squared error")
    return value


def standardized(d: Dataset) -> Dataset:
    """Scale features to zero mean, unit variance (statistics of the training split)."""
    mu = d.x_train.mean(axis=0)
    sd = d.x_train.std(axis=0)
    sd[sd == 0.0] = 1.0
    return Dataset((d.x_train - mu) / sd, d.y_train, (d.x_test - mu) / sd, d.y_test)


def circles(n_train: int, n_test: int, rng: np.random.Generator, dim: int = 2) -> Dataset:
    """Gaussian points labelled by whether their radius exceeds the median radius.

    The boundary is a sphere: no linear classifier does better than chance, while a small
    non-linear network separates it almost perfectly.
    """
    n = n_train + n_test
    x = rng.normal(size=(n, dim))
    r = np.sum(x * x, axis=1, keepdims=True)
    y = (r > np.median(r)).astype(np.float64)
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def curved_regression(
    n_train: int, n_test: int, rng: np.random.Generator, n_features: int = 10
) -> Dataset:
    """``y = x w + sin(x_0) + noise`` with ``w ~ N(0, 9/d)``: targets of either sign, std ~3."""
    n = n_train + n_test
    x = rng.normal(size=(n, n_features))
    w = rng.normal(size=(n_features, 1)) * (3.0 / math.sqrt(n_features))
    y = x @ w + np.sin(x[:, :1]) + 0.1 * rng.normal(size=(n, 1))
    return Dataset(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def fmt(x: float) -> str:
    """Three significant digits, scientific when tiny or huge (same as the verdict lines)."""
    from .models import fmt as _fmt

    return _fmt(x)
