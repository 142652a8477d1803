"""Weight initialisers.

Shapes follow the Keras layout ``(fan_in, fan_out)``; ``x @ W`` maps inputs to outputs. The
variance rules are the point: Glorot keeps activations and gradients at unit scale for
symmetric saturating units (tanh), He for relu-like units that zero half their inputs, and
orthogonal keeps every singular value at 1, which is what a recurrent matrix needs.

``truncated=True`` reproduces Keras' ``*_normal`` initialisers (a normal truncated at two standard
deviations, rescaled by 0.8796... so the variance is unchanged); the default plain normal is
PyTorch's ``xavier_normal_`` / ``kaiming_normal_``. :func:`torch_linear_default` is what
``torch.nn.Linear`` does when nobody chooses: ``kaiming_uniform_(a=sqrt(5))``, i.e.
``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for weights and biases alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._types import Array

Initializer = Callable[[tuple[int, ...], np.random.Generator], Array]

_TRUNC_STD_CORRECTION = 0.87962566103423978  # std of N(0,1) truncated to [-2, 2]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) != 2:
        raise ValueError(f"expected a 1-D or 2-D shape, got {shape}")
    return shape[0], shape[1]


def _normal(
    shape: tuple[int, ...], std: float, rng: np.random.Generator, truncated: bool
) -> Array:
    if not truncated:
        return rng.normal(0.0, std, size=shape)
    std = std / _TRUNC_STD_CORRECTION
    out = rng.normal(0.0, 1.0, size=shape)
    bad = np.abs(out) > 2.0
    while np.any(bad):
        out[bad] = rng.normal(0.0, 1.0, size=int(np.count_nonzero(bad)))
        bad = np.abs(out) > 2.0
    return out * std


def zeros(shape: tuple[int, ...], rng: np.random.Generator | None = None) -> Array:
    """All zeros (biases); ``rng`` is accepted for a uniform signature and ignored."""
    return np.zeros(shape)


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> Array:
    """``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))`` (Keras' Dense default)."""
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def glorot_normal(
    shape: tuple[int, ...], rng: np.random.Generator, truncated: bool = False
) -> Array:
    """Normal with ``std = sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(shape)
    return _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng, truncated)


def he_uniform(shape: tuple[int, ...], rng: np.random.Generator) -> Array:
    """``U(-a, a)`` with ``a = sqrt(6 / fan_in)``: variance ``2 / fan_in`` for relu units."""
    fan_in, _ = _fans(shape)
    limit = math.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def he_normal(
    shape: tuple[int, ...], rng: np.random.Generator, truncated: bool = False
) -> Array:
    """Normal with ``std = sqrt(2 / fan_in)``."""
    fan_in, _ = _fans(shape)
    return _normal(shape, math.sqrt(2.0 / fan_in), rng, truncated)


def orthogonal(shape: tuple[int, ...], rng: np.random.Generator, gain: float = 1.0) -> Array:
    """A (semi-)orthogonal matrix from the QR of a Gaussian, sign-corrected so it is uniform
    over the orthogonal group (Saxe et al. 2014; Keras ``Orthogonal``, torch ``orthogonal_``)."""
    rows, cols = _fans(shape)
    flat = rng.normal(0.0, 1.0, size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * np.ascontiguousarray(q[:rows, :cols])


def torch_linear_default(shape: tuple[int, ...], rng: np.random.Generator) -> Array:
    """PyTorch's ``nn.Linear`` default for weights *and* biases: ``U(-1/sqrt(fan_in), +)``.

    ``fan_in`` is the layer's input size: ``shape[0]`` for a ``(fan_in, fan_out)`` kernel. For a
    bias pass ``(fan_out,)`` and use :func:`torch_linear_bias` instead, which needs ``fan_in``.
    """
    fan_in, _ = _fans(shape)
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)


def torch_linear_bias(fan_in: int) -> Initializer:
    """Bias initialiser matching ``nn.Linear``: ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``."""
    bound = 1.0 / math.sqrt(fan_in)

    def init(shape: tuple[int, ...], rng: np.random.Generator) -> Array:
        return rng.uniform(-bound, bound, size=shape)

    return init


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "orthogonal": orthogonal,
    "torch_linear_default": torch_linear_default,
}


def get_initializer(name_or_fn: str | Initializer) -> Initializer:
    """Resolve an initialiser by name (or pass a callable through)."""
    if callable(name_or_fn):
        return name_or_fn
    try:
        return INITIALIZERS[name_or_fn]
    except KeyError:
        raise KeyError(
            f"unknown initializer {name_or_fn!r}; known: {', '.join(INITIALIZERS)}"
        ) from None
