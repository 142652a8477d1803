"""Synthetic data sets with known structure, all seeded.

Each generator takes ``rng`` (a seed or a ``np.random.Generator``) and returns train and test
splits drawn from the same process, so a demonstration can state exactly what the model had to
learn. Targets are float64: one-hot rows for multiclass (``labels()`` recovers integers), 0/1
columns for binary and multilabel, real columns for regression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ._types import Array, IntArray, as_rng
from .losses import one_hot


@dataclass(frozen=True)
class Dataset:
    """Train and test arrays; ``x`` rows are samples."""

    x_train: Array
    y_train: Array
    x_test: Array
    y_test: Array


@dataclass(frozen=True)
class RegressionDataset(Dataset):
    """Regression data whose *training* targets carry gross outliers; the test set is clean.

    ``outlier_mask`` marks the corrupted training rows; ``y_train_clean`` holds their values
    before corruption, so the damage an outlier-sensitive loss does can be measured directly.
    """

    outlier_mask: npt.NDArray[np.bool_]
    y_train_clean: Array


def labels(y_one_hot: Array) -> IntArray:
    """Integer class labels of one-hot (or probability) rows."""
    out: IntArray = np.argmax(y_one_hot, axis=-1).astype(np.intp)
    return out


def _split(x: Array, y: Array, n_train: int) -> tuple[Array, Array, Array, Array]:
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def blobs(
    n_train: int,
    n_test: int,
    rng: int | np.random.Generator,
    n_classes: int = 10,
    n_features: int = 20,
    spread: float = 1.0,
    center_box: float = 10.0,
) -> Dataset:
    """Isotropic Gaussian clusters (like sklearn's ``make_blobs``): class centres uniform in
    ``[-center_box, center_box]^d``, points ``centre + spread * N(0, I)``, classes balanced.

    Targets are one-hot. Linear separability is controlled by ``spread / center_box``.
    """
    gen = as_rng(rng)
    n = n_train + n_test
    centers = gen.uniform(-center_box, center_box, size=(n_classes, n_features))
    y_int = gen.permutation(np.arange(n) % n_classes)
    x = centers[y_int] + spread * gen.normal(size=(n, n_features))
    return Dataset(*_split(x, one_hot(y_int, n_classes), n_train))


def teacher_classification(
    n_train: int,
    n_test: int,
    rng: int | np.random.Generator,
    kind: Literal["binary", "multiclass", "multilabel"] = "binary",
    n_features: int = 20,
    n_outputs: int = 1,
    hidden: int = 32,
    label_noise: float = 0.0,
) -> Dataset:
    """Labels produced by a random one-hidden-layer tanh "teacher" network on Gaussian inputs.

    * ``binary``: one 0/1 column, thresholded at the teacher's median output (balanced).
    * ``multiclass``: one-hot argmax over ``n_outputs`` teacher outputs.
    * ``multilabel``: ``n_outputs`` independent 0/1 columns, each thresholded at its median, so
      rows carry several labels at once: softmax is the wrong output here, sigmoid the right one.

    ``label_noise`` flips that fraction of training labels (binary/multilabel) or reassigns them
    uniformly (multiclass); test labels stay clean.
    """
    gen = as_rng(rng)
    n = n_train + n_test
    outputs = 1 if kind == "binary" else n_outputs
    if kind != "binary" and outputs < 2:
        raise ValueError(f"{kind} needs n_outputs >= 2")
    w1 = gen.normal(0.0, 1.0 / math.sqrt(n_features), size=(n_features, hidden))
    b1 = gen.normal(0.0, 0.1, size=hidden)
    w2 = gen.normal(0.0, 1.0 / math.sqrt(hidden), size=(hidden, outputs))
    x = gen.normal(size=(n, n_features))
    logits = np.tanh(x @ w1 + b1) @ w2
    if kind == "multiclass":
        y_int = np.argmax(logits, axis=1)
        if label_noise > 0.0:
            flip = gen.random(n_train) < label_noise
            y_int[:n_train][flip] = gen.integers(0, outputs, size=int(flip.sum()))
        y = one_hot(y_int, outputs)
    else:
        y = (logits > np.median(logits, axis=0)).astype(np.float64)
        if label_noise > 0.0:
            flip = gen.random((n_train, outputs)) < label_noise
            y[:n_train][flip] = 1.0 - y[:n_train][flip]
    return Dataset(*_split(x, y, n_train))


def regression_with_outliers(
    n_train: int,
    n_test: int,
    rng: int | np.random.Generator,
    outlier_fraction: float = 0.1,
    outlier_size: float = 100.0,
    n_features: int = 10,
    noise: float = 0.1,
) -> RegressionDataset:
    """Linear targets ``x w + b + noise`` with exactly ``round(fraction * n_train)`` training
    targets shifted by ``+outlier_size`` (one-sided, "gross" outliers).

    One-sided shifts make the effect predictable: the mse-optimal intercept moves by about
    ``fraction * size``, while the median (mae) and huber barely move.
    """
    if not 0.0 <= outlier_fraction < 1.0:
        raise ValueError("outlier_fraction must be in [0, 1)")
    gen = as_rng(rng)
    n = n_train + n_test
    w = gen.normal(size=(n_features, 1))
    b = gen.normal()
    x = gen.normal(size=(n, n_features))
    y = x @ w + b + noise * gen.normal(size=(n, 1))
    n_out = int(round(outlier_fraction * n_train))
    mask = np.zeros(n_train, dtype=bool)
    mask[gen.choice(n_train, size=n_out, replace=False)] = True
    y_clean = y[:n_train].copy()
    y_train = y_clean.copy()
    y_train[mask] += outlier_size
    return RegressionDataset(
        x[:n_train], y_train, x[n_train:], y[n_train:], outlier_mask=mask, y_train_clean=y_clean
    )


def adding_problem(
    n_train: int, n_test: int, rng: int | np.random.Generator, length: int = 50
) -> Dataset:
    """The adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015) for RNNs.

    Input ``(N, length, 2)``: channel 0 is ``U(0, 1)`` noise, channel 1 marks exactly two steps,
    one in each half of the sequence. Target ``(N, 1)`` is the sum of the two marked values.
    Predicting the constant 1 gives mse 1/6, the bar a model must clear to have learned anything.
    """
    if length < 2:
        raise ValueError("length must be at least 2")
    gen = as_rng(rng)
    n = n_train + n_test
    x = np.zeros((n, length, 2))
    x[:, :, 0] = gen.random((n, length))
    half = length // 2
    first = gen.integers(0, half, size=n)
    second = gen.integers(half, length, size=n)
    rows = np.arange(n)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0])[:, None]
    return Dataset(*_split(x, y, n_train))
