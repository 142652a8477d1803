"""Losses with their gradients, in numerically stable form.

Every loss is ``loss(y_pred, y_true) -> (value, grad)`` where ``grad = d value / d y_pred`` has
the shape of ``y_pred``. ``value`` is a Python float averaged like the frameworks' default
reduction:

* Element-wise losses (mse, mae, huber, log_cosh, binary crossentropy, hinge, squared hinge):
  Keras takes the mean over the last axis and then over the batch; PyTorch (``reduction='mean'``)
  takes the mean over every element. With equal-length rows these are the same number, so one
  convention serves both: the mean over all ``n = y_pred.size`` elements, and gradients carry
  ``1/n``.
* Distribution losses (categorical / sparse categorical crossentropy, nll, kl_divergence): the sum
  over the class axis, then the mean over the ``N`` rows (Keras' default; PyTorch's
  ``cross_entropy`` / ``nll_loss`` 'mean' and ``kl_div`` 'batchmean'; note ``kl_div``'s plain
  'mean' divides by ``N * C`` instead). Gradients carry ``1/N``.

Probability inputs are clipped like Keras (``epsilon = 1e-7``): the categorical losses first
renormalise each row to sum 1, then clip to ``[eps, 1 - eps]``. Where the clip is active the
gradient is exactly zero; that is the mechanism behind "linear output + probability BCE stays at
chance". PyTorch's ``BCELoss`` instead clamps ``log`` at -100; inside ``(eps, 1 - eps)`` the two
agree.

Logit inputs go through the stable forms (``max(z,0) - z*y + log1p(exp(-|z|))`` and log-softmax),
and their gradients are the fused ones, ``(sigmoid(z) - y) / n`` and ``(softmax(z) - y) / N``.
:func:`unfused` composes an activation with a probability loss the long way (loss gradient, then
the activation's VJP through its Jacobian), which the demonstrations compare with the fused path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import activations as act
from ._types import Array, IntArray

EPSILON = 1e-7
"""Keras' ``backend.epsilon()``, used to clip probabilities."""

LossFn = Callable[[Array, Array], tuple[float, Array]]
_LOG2 = math.log(2.0)


def _rows(y: Array) -> int:
    """Number of samples: the leading dimension (1 for a single vector)."""
    return int(y.shape[0]) if y.ndim > 1 else 1


# --- regression -----------------------------------------------------------------------------


def mse(y_pred: Array, y_true: Array) -> tuple[float, Array]:
    """Mean squared error; gradient ``2 (y_pred - y_true) / n``."""
    r = y_pred - y_true
    return float(np.mean(r * r)), (2.0 / r.size) * r


def mae(y_pred: Array, y_true: Array) -> tuple[float, Array]:
    """Mean absolute error; gradient ``sign(r) / n`` (0 at ``r == 0``, as in both frameworks)."""
    r = y_pred - y_true
    return float(np.mean(np.abs(r))), np.sign(r) / r.size


def huber(y_pred: Array, y_true: Array, delta: float = 1.0) -> tuple[float, Array]:
    """Huber loss (Keras ``Huber``, torch ``HuberLoss``; not ``SmoothL1Loss``, which divides by
    ``beta``): quadratic within ``delta``, linear outside, so gross outliers pull with a bounded
    force ``delta``."""
    r = y_pred - y_true
    a = np.abs(r)
    quad = a <= delta
    value = np.where(quad, 0.5 * r * r, delta * a - 0.5 * delta * delta)
    grad = np.where(quad, r, delta * np.sign(r)) / r.size
    return float(np.mean(value)), grad


def log_cosh(y_pred: Array, y_true: Array) -> tuple[float, Array]:
    """``log(cosh(r))`` as ``|r| + log1p(exp(-2|r|)) - log 2`` (no overflow for large ``r``);
    gradient ``tanh(r) / n``."""
    r = y_pred - y_true
    a = np.abs(r)
    value = a + np.log1p(np.exp(-2.0 * a)) - _LOG2
    return float(np.mean(value)), np.tanh(r) / r.size


# --- binary ---------------------------------------------------------------------------------


def binary_crossentropy(p: Array, y: Array) -> tuple[float, Array]:
    """BCE on probabilities, clipped to ``[eps, 1 - eps]`` like Keras.

    The gradient ``(p - y) / (p (1 - p)) / n`` is zero wherever the clip is active.
    """
    pc = np.clip(p, EPSILON, 1.0 - EPSILON)
    value = -(y * np.log(pc) + (1.0 - y) * np.log(1.0 - pc))
    inside = (p >= EPSILON) & (p <= 1.0 - EPSILON)
    grad = np.where(inside, (pc - y) / (pc * (1.0 - pc)), 0.0) / p.size
    return float(np.mean(value)), grad


def binary_crossentropy_from_logits(z: Array, y: Array) -> tuple[float, Array]:
    """BCE on logits, ``max(z,0) - z y + log1p(exp(-|z|))``; fused gradient
    ``(sigmoid(z) - y) / n`` (the sigmoid's derivative cancels, so it never saturates)."""
    value = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(value)), (act.sigmoid(z) - y) / z.size


# --- categorical ----------------------------------------------------------------------------


def _normalise_and_clip(p: Array) -> tuple[Array, Array, Array]:
    """Keras' probability preprocessing: ``q = clip(p / sum(p), eps, 1 - eps)``.

    Returns ``(q, s, inside)``: the clipped probabilities, the row sums, and where the clip
    is inactive (the only places a gradient flows).
    """
    s = np.sum(p, axis=-1, keepdims=True)
    q_raw = p / s
    q = np.clip(q_raw, EPSILON, 1.0 - EPSILON)
    inside = (q_raw >= EPSILON) & (q_raw <= 1.0 - EPSILON)
    return q, s, inside


def _through_normalisation(dq: Array, p: Array, s: Array) -> Array:
    """Back-propagate ``dL/dq`` through ``q = p / s`` with ``s = sum(p)``.

    The extra term is constant along each row, so the softmax Jacobian annihilates it: for
    softmax outputs the renormalisation changes nothing, as it should.
    """
    out: Array = (dq - np.sum(dq * p, axis=-1, keepdims=True) / s) / s
    return out


def categorical_crossentropy(p: Array, y: Array) -> tuple[float, Array]:
    """CCE on probabilities with one-hot (or soft) targets, preprocessed like Keras."""
    q, s, inside = _normalise_and_clip(p)
    n = _rows(p)
    value = -np.sum(y * np.log(q), axis=-1)
    dq = np.where(inside, -y / q, 0.0) / n
    return float(np.sum(value) / n), _through_normalisation(dq, p, s)


def categorical_crossentropy_from_logits(z: Array, y: Array) -> tuple[float, Array]:
    """CCE on logits through log-softmax; fused gradient ``(softmax(z) - y) / N``.

    For a confidently wrong example this gradient's norm tends to ``sqrt(2)``; it never starves.
    """
    logp = act.log_softmax(z)
    n = _rows(z)
    value = -np.sum(y * logp, axis=-1)
    # sum(y) is 1 for one-hot targets; keeping it makes soft targets exact as well.
    grad = (np.exp(logp) * np.sum(y, axis=-1, keepdims=True) - y) / n
    return float(np.sum(value) / n), grad


def one_hot(labels: IntArray | Array, n_classes: int) -> Array:
    """Float one-hot rows for integer ``labels``."""
    idx = np.asarray(labels).astype(np.intp).reshape(-1)
    out = np.zeros((idx.size, n_classes))
    out[np.arange(idx.size), idx] = 1.0
    return out


def sparse_categorical_crossentropy(p: Array, labels: Array) -> tuple[float, Array]:
    """CCE on probabilities with integer class targets (given as any numeric array)."""
    return categorical_crossentropy(p, one_hot(labels, p.shape[-1]))


def sparse_categorical_crossentropy_from_logits(z: Array, labels: Array) -> tuple[float, Array]:
    """CCE on logits with integer class targets; the same fused gradient."""
    return categorical_crossentropy_from_logits(z, one_hot(labels, z.shape[-1]))


def nll(logp: Array, labels: Array) -> tuple[float, Array]:
    """Negative log-likelihood (torch ``nll_loss``): expects *log*-probabilities, integer
    targets; ``-mean(logp[i, t_i])``. Fed probabilities instead, it silently optimises the wrong
    thing, which is why the reference keeps the input contract explicit."""
    y = one_hot(labels, logp.shape[-1])
    n = _rows(logp)
    return float(-np.sum(y * logp) / n), -y / n


def kl_divergence(p: Array, y: Array) -> tuple[float, Array]:
    """``sum(y log(y / p))`` per row, both clipped to ``[eps, 1]`` like Keras; mean over rows."""
    yc = np.clip(y, EPSILON, 1.0)
    pc = np.clip(p, EPSILON, 1.0)
    n = _rows(p)
    value = np.sum(yc * np.log(yc / pc), axis=-1)
    inside = (p >= EPSILON) & (p <= 1.0)
    grad = np.where(inside, -yc / pc, 0.0) / n
    return float(np.sum(value) / n), grad


# --- margin ---------------------------------------------------------------------------------


def _signed_labels(y: Array) -> Array:
    """Keras' ``convert_binary_labels_to_hinge``: 0/1 labels become -1/+1, others pass."""
    if np.all((y == 0.0) | (y == 1.0)):
        return 2.0 * y - 1.0
    return y


def hinge(scores: Array, y: Array) -> tuple[float, Array]:
    """``mean(max(0, 1 - y s))`` with labels -1/+1 (0/1 converted as Keras does)."""
    ys = _signed_labels(y)
    margin = 1.0 - ys * scores
    active = margin > 0.0
    return float(np.mean(np.where(active, margin, 0.0))), np.where(active, -ys, 0.0) / scores.size


def squared_hinge(scores: Array, y: Array) -> tuple[float, Array]:
    """``mean(max(0, 1 - y s)^2)`` with labels -1/+1 (0/1 converted as Keras does)."""
    ys = _signed_labels(y)
    m = np.maximum(1.0 - ys * scores, 0.0)
    return float(np.mean(m * m)), -2.0 * ys * m / scores.size


# --- composition ----------------------------------------------------------------------------


def unfused(
    activation: act.Activation, loss: LossFn, z: Array, y: Array
) -> tuple[float, Array]:
    """Value and ``dL/dz`` of ``loss(activation(z), y)`` by the chain rule, the long way.

    ``unfused(softmax, categorical_crossentropy)`` equals the fused gradient up to the clip;
    ``unfused(softmax, mse)`` is the starving gradient the demonstrations warn about.
    """
    out = activation.forward(z)
    value, dout = loss(out, y)
    return value, activation.vjp(z, out, dout)


# --- registry -------------------------------------------------------------------------------

InputKind = Literal["values", "probabilities", "logits", "log_probabilities", "scores"]
TargetKind = Literal["dense", "sparse"]


@dataclass(frozen=True)
class Loss:
    """A named loss with the input it expects and the target format it expects."""

    name: str
    fn: LossFn
    expects: InputKind
    target: TargetKind = "dense"

    def __call__(self, y_pred: Array, y_true: Array) -> tuple[float, Array]:
        return self.fn(y_pred, y_true)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", mse, "values"),
        Loss("mae", mae, "values"),
        Loss("huber", huber, "values"),
        Loss("log_cosh", log_cosh, "values"),
        Loss("binary_crossentropy", binary_crossentropy, "probabilities"),
        Loss("binary_crossentropy_from_logits", binary_crossentropy_from_logits, "logits"),
        Loss("categorical_crossentropy", categorical_crossentropy, "probabilities"),
        Loss(
            "categorical_crossentropy_from_logits",
            categorical_crossentropy_from_logits,
            "logits",
        ),
        Loss(
            "sparse_categorical_crossentropy",
            sparse_categorical_crossentropy,
            "probabilities",
            "sparse",
        ),
        Loss(
            "sparse_categorical_crossentropy_from_logits",
            sparse_categorical_crossentropy_from_logits,
            "logits",
            "sparse",
        ),
        Loss("nll", nll, "log_probabilities", "sparse"),
        Loss("kl_divergence", kl_divergence, "probabilities"),
        Loss("hinge", hinge, "scores"),
        Loss("squared_hinge", squared_hinge, "scores"),
    )
}


def get_loss(name: str, **params: float) -> Loss:
    """Look up a loss by name; ``huber`` accepts ``delta``."""
    try:
        base = LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
    if not params:
        return base
    if name != "huber" or set(params) != {"delta"}:
        raise TypeError(f"loss {name!r} takes no parameter(s) {sorted(params)}")
    delta = params["delta"]

    def huber_delta(y_pred: Array, y_true: Array) -> tuple[float, Array]:
        return huber(y_pred, y_true, delta)

    return Loss("huber", huber_delta, "values")
