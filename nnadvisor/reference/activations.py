"""Activation functions and their vector-Jacobian products (VJPs).

Every activation ``f`` comes as a pair: ``f(z)`` and ``f_vjp(z, y, dy)`` where ``y = f(z)`` and
``dy = dL/dy``; the VJP returns ``dL/dz``. Passing both ``z`` and ``y`` lets each backward use
whichever is cheaper and more accurate (sigmoid from ``y``, relu from ``z``), and makes the classic
mistake of applying a derivative twice impossible to write by accident: the VJP *is* the chain
rule step, nothing is left for the caller to multiply.

Element-wise activations have diagonal Jacobians, so their VJP is ``dy * f'(z)``. ``softmax`` and
``log_softmax`` act on the last axis and their VJPs are the closed forms of ``J^T dy`` with the
full Jacobian (see :func:`softmax_jacobian`), never an element-wise derivative.

Defaults follow PyTorch where the frameworks disagree: ``leaky_relu`` slope 0.01 (Keras'
``LeakyReLU`` layer uses 0.3, ``keras.activations.leaky_relu`` 0.2), ``gelu`` exact erf form
(``keras.activations.gelu`` defaults to the tanh approximation; here that is ``gelu_tanh``).
``softplus`` is computed exactly; PyTorch switches to the identity above ``z = 20`` (an absolute
difference below 2.1e-9 there).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ._types import Array

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_C = 0.044715

_erf = np.vectorize(math.erf, otypes=[np.float64])


def erf(x: Array) -> Array:
    """Element-wise error function via ``math.erf`` (exact to double precision, no scipy)."""
    return np.asarray(_erf(x), dtype=np.float64)


# --- element-wise ---------------------------------------------------------------------------


def linear(z: Array) -> Array:
    """Identity (Keras ``linear``): a regression output or logits."""
    return np.array(z, dtype=np.float64, copy=True)


def linear_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Identity Jacobian: the upstream gradient passes through unchanged."""
    return np.array(dy, dtype=np.float64, copy=True)


def relu(z: Array) -> Array:
    """``max(z, 0)``."""
    return np.maximum(z, 0.0)


def relu_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative 1 where ``z > 0`` else 0 (PyTorch and TF use 0 at the kink ``z == 0``)."""
    return dy * (z > 0.0)


def leaky_relu(z: Array, slope: float = 0.01) -> Array:
    """``z`` if ``z > 0`` else ``slope * z``; a non-zero slope keeps units from dying."""
    return np.where(z > 0.0, z, slope * z)


def leaky_relu_vjp(z: Array, y: Array, dy: Array, slope: float = 0.01) -> Array:
    """Derivative 1 where ``z > 0`` else ``slope``."""
    return dy * np.where(z > 0.0, 1.0, slope)


def elu(z: Array, alpha: float = 1.0) -> Array:
    """``z`` if ``z > 0`` else ``alpha * expm1(z)`` (expm1 keeps small negatives exact)."""
    return np.where(z > 0.0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_vjp(z: Array, y: Array, dy: Array, alpha: float = 1.0) -> Array:
    """Derivative 1 where ``z > 0`` else ``alpha * exp(z)``."""
    return dy * np.where(z > 0.0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu(z: Array) -> Array:
    """Self-normalising ELU with the fixed constants of Klambauer et al. (2017)."""
    return SELU_SCALE * elu(z, SELU_ALPHA)


def selu_vjp(z: Array, y: Array, dy: Array) -> Array:
    """``scale`` times the ELU derivative with ``alpha = SELU_ALPHA``."""
    return SELU_SCALE * elu_vjp(z, y, dy, SELU_ALPHA)


def gelu(z: Array) -> Array:
    """Exact GELU ``z * Phi(z)`` with the normal CDF through erf (PyTorch's default form)."""
    return 0.5 * z * (1.0 + erf(z * _INV_SQRT_2))


def gelu_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative ``Phi(z) + z * phi(z)``."""
    cdf = 0.5 * (1.0 + erf(z * _INV_SQRT_2))
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * z * z)
    return dy * (cdf + z * pdf)


def gelu_tanh(z: Array) -> Array:
    """Tanh approximation of GELU (Keras' default ``approximate=True``; torch ``'tanh'``)."""
    inner = _SQRT_2_OVER_PI * (z + _GELU_TANH_C * z**3)
    return 0.5 * z * (1.0 + np.tanh(inner))


def gelu_tanh_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative of the tanh approximation, differentiated exactly (not the erf form's)."""
    inner = _SQRT_2_OVER_PI * (z + _GELU_TANH_C * z**3)
    t = np.tanh(inner)
    dinner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_TANH_C * z * z)
    return dy * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * dinner)


def sigmoid(z: Array) -> Array:
    """Logistic function, stable for large ``|z|``: ``exp`` only ever sees ``-|z|``."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative ``y * (1 - y)``, applied once."""
    return dy * y * (1.0 - y)


def silu(z: Array) -> Array:
    """SiLU / swish ``z * sigmoid(z)``."""
    return z * sigmoid(z)


def silu_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative ``s + z * s * (1 - s)`` with ``s = sigmoid(z)``."""
    s = sigmoid(z)
    return dy * (s + z * s * (1.0 - s))


def softplus(z: Array) -> Array:
    """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))``: no overflow, no cancellation."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative ``sigmoid(z)``."""
    return dy * sigmoid(z)


def tanh(z: Array) -> Array:
    """Hyperbolic tangent."""
    return np.tanh(z)


def tanh_vjp(z: Array, y: Array, dy: Array) -> Array:
    """Derivative ``1 - y**2``."""
    return dy * (1.0 - y * y)


# --- last-axis (non-element-wise) -----------------------------------------------------------


def softmax(z: Array) -> Array:
    """Softmax over the last axis, max-shifted so ``exp`` never overflows."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    out: Array = e / np.sum(e, axis=-1, keepdims=True)
    return out


def softmax_jacobian(p: Array) -> Array:
    """Full Jacobian ``diag(p) - p p^T`` for each row of ``p`` (shape ``(..., C, C)``).

    Exposed so demonstrations can show *why* softmax + mse starves: every entry carries a factor
    of ``p``, which vanishes for a confidently wrong prediction.
    """
    eye = np.eye(p.shape[-1])
    return p[..., :, None] * eye - p[..., :, None] * p[..., None, :]


def softmax_vjp(z: Array, y: Array, dy: Array) -> Array:
    """``J^T dy = y * (dy - <dy, y>)``, the Jacobian product without forming ``J``."""
    out: Array = y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
    return out


def log_softmax(z: Array) -> Array:
    """``z - logsumexp(z)`` over the last axis, max-shifted: finite even for huge logits."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    out: Array = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return out


def log_softmax_vjp(z: Array, y: Array, dy: Array) -> Array:
    """``J^T dy = dy - softmax(z) * sum(dy)`` where ``J = I - 1 softmax(z)^T``."""
    out: Array = dy - np.exp(y) * np.sum(dy, axis=-1, keepdims=True)
    return out


# --- registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(z) -> y`` and ``vjp(z, y, dy) -> dz``.

    ``elementwise`` is False for the last-axis activations, whose Jacobian is not diagonal.
    """

    name: str
    forward: Callable[[Array], Array]
    vjp: Callable[[Array, Array, Array], Array]
    elementwise: bool = True


ACTIVATION_NAMES: tuple[str, ...] = (
    "linear",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "gelu_tanh",
    "silu",
    "softplus",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
)

ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation("linear", linear, linear_vjp),
    "relu": Activation("relu", relu, relu_vjp),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_vjp),
    "elu": Activation("elu", elu, elu_vjp),
    "selu": Activation("selu", selu, selu_vjp),
    "gelu": Activation("gelu", gelu, gelu_vjp),
    "gelu_tanh": Activation("gelu_tanh", gelu_tanh, gelu_tanh_vjp),
    "silu": Activation("silu", silu, silu_vjp),
    "softplus": Activation("softplus", softplus, softplus_vjp),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_vjp),
    "tanh": Activation("tanh", tanh, tanh_vjp),
    "softmax": Activation("softmax", softmax, softmax_vjp, elementwise=False),
    "log_softmax": Activation("log_softmax", log_softmax, log_softmax_vjp, elementwise=False),
}


def get_activation(name: str, **params: float) -> Activation:
    """Look up an activation by canonical name, binding parameters where it has them.

    Only ``leaky_relu`` (``slope``) and ``elu`` (``alpha``) take parameters; anything else given
    parameters raises, so a typo cannot be silently ignored.
    """
    try:
        base = ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; known: {', '.join(ACTIVATION_NAMES)}") from None
    if not params:
        return base
    allowed = {"leaky_relu": {"slope"}, "elu": {"alpha"}}.get(name, set())
    unknown = set(params) - allowed
    if unknown:
        raise TypeError(f"activation {name!r} takes no parameter(s) {sorted(unknown)}")
    if name == "leaky_relu":
        return Activation(
            name,
            partial(leaky_relu, slope=params["slope"]),
            partial(leaky_relu_vjp, slope=params["slope"]),
        )
    return Activation(
        name,
        partial(elu, alpha=params["alpha"]),
        partial(elu_vjp, alpha=params["alpha"]),
    )
