"""Mini-batch training with a full, deterministic history.

Given the same model weights, data, optimizer state and seed, :func:`train` produces the same
history bit for bit: shuffling draws only from the ``rng`` it is given, and nothing else is
random. The history records what the demonstrations report: the training loss per epoch, a metric
per epoch (on the test set when one is given), and per-layer gradient norms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._types import Array, IntArray, as_rng
from .clipping import Clip
from .losses import Loss
from .metrics import Metric
from .model import Sequential
from .optimizers import Optimizer


@dataclass
class History:
    """Per-epoch record of one training run.

    ``loss[e]`` is the sample-weighted mean of the mini-batch losses during epoch ``e``;
    ``metric[e]`` is the metric after epoch ``e``; ``grad_norms[e][k]`` is the mean over the
    epoch's steps of parametrised layer ``k``'s gradient norm (before clipping);
    ``clipped_steps[e]`` counts steps on which clipping changed the gradients.
    ``diverged`` is set, and training stops, when the loss becomes non-finite (overflow
    warnings are silenced during training for that reason).
    """

    loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    metric_at_start: float | None = None
    grad_norms: list[list[float]] = field(default_factory=list)
    clipped_steps: list[int] = field(default_factory=list)
    steps: int = 0
    diverged: bool = False


def _take(a: Array, idx: IntArray) -> Array:
    out: Array = np.take(a, idx, axis=0)
    return out


def train(
    model: Sequential,
    loss: Loss,
    optimizer: Optimizer,
    x: Array,
    y: Array,
    *,
    epochs: int,
    batch_size: int = 32,
    rng: int | np.random.Generator = 0,
    shuffle: bool = True,
    clip: Clip | None = None,
    metric: Metric | None = None,
    x_test: Array | None = None,
    y_test: Array | None = None,
) -> History:
    """Train ``model`` in place for ``epochs`` passes over ``(x, y)`` and return the history.

    The metric, if given, is evaluated on ``(x_test, y_test)`` when provided, else on the
    training data, before training (``metric_at_start``) and after every epoch.
    """
    gen = as_rng(rng)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x has {n} rows but y has {y.shape[0]}")
    ex, ey = (x, y) if x_test is None or y_test is None else (x_test, y_test)
    history = History()
    if metric is not None:
        history.metric_at_start = metric(model.forward(ex), ey)
    order: IntArray = np.arange(n)
    # Divergence is an outcome to report (``diverged``), not a warning to print.
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            if shuffle:
                order = gen.permutation(n)
            total, clipped, steps = 0.0, 0, 0
            norm_sums = np.zeros(len(model.parametrised_layers()))
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                xb, yb = _take(x, idx), _take(y, idx)
                value = model.loss_and_grads(xb, yb, loss)
                if not math.isfinite(value):
                    history.diverged = True
                    break
                norm_sums += model.layer_grad_norms()
                if clip is not None and clip.apply(model.grads)[1]:
                    clipped += 1
                optimizer.step(model.params, model.grads)
                total += value * idx.size
                steps += 1
            history.steps += steps
            if history.diverged:
                break
            history.loss.append(total / n)
            history.grad_norms.append([float(s) / max(steps, 1) for s in norm_sums])
            history.clipped_steps.append(clipped)
            if metric is not None:
                history.metric.append(metric(model.forward(ex), ey))
    return history
