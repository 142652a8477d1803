"""Central finite differences, the arbiter of every analytic gradient in the reference.

``numerical_gradient`` perturbs an array *in place* (and restores it), so it works equally on a
loss input and on a parameter buried inside a model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._types import Array


def numerical_gradient(f: Callable[[], float], x: Array, h: float = 1e-6) -> Array:
    """``d f / d x`` by central differences ``(f(x + h e_i) - f(x - h e_i)) / 2h``.

    ``f`` takes no arguments and must read ``x`` (which is modified in place and restored).
    Truncation error is ``O(h^2)``, rounding error ``O(eps / h)``; ``h = 1e-6`` balances them for
    float64 functions of order one.
    """
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        up = f()
        flat_x[i] = old - h
        down = f()
        flat_x[i] = old
        flat_g[i] = (up - down) / (2.0 * h)
    return grad


def relative_error(a: Array, b: Array) -> float:
    """``||a - b|| / max(||a|| + ||b||, tiny)``: scale-free, and 0 when both are exactly 0."""
    num = float(np.linalg.norm(np.ravel(a - b)))
    den = float(np.linalg.norm(np.ravel(a)) + np.linalg.norm(np.ravel(b)))
    return num / max(den, 1e-300)
