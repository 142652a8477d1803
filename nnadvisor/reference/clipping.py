"""Gradient clipping, in place, with the PyTorch and Keras conventions.

* :func:`clip_by_global_norm` is ``torch.nn.utils.clip_grad_norm_`` (scale
  ``min(1, max_norm / (norm + 1e-6))``) or Keras ``global_clipnorm`` (scale
  ``max_norm * min(1/norm, 1/max_norm)``, no epsilon). They differ by about ``1e-6 / norm``
  relative when clipping is active and not at all otherwise.
* :func:`clip_by_norm` is Keras ``clipnorm``: each gradient array rescaled on its own, so the
  direction of the overall update changes, unlike global-norm clipping.
* :func:`clip_by_value` is ``torch.nn.utils.clip_grad_value_`` and Keras ``clipvalue``.

Sources: torch/nn/utils/clip_grad.py; keras/src/optimizers/base_optimizer.py
(``clip_by_norm``, ``clip_by_global_norm``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ._types import Array

Convention = Literal["torch", "keras"]


def global_norm(grads: Sequence[Array]) -> float:
    """L2 norm of all gradients taken together, as if concatenated into one vector."""
    return math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads))


def clip_by_global_norm(
    grads: Sequence[Array], max_norm: float, convention: Convention = "torch"
) -> float:
    """Rescale all ``grads`` in place so their global norm is at most ``max_norm``.

    Returns the norm *before* clipping (what ``clip_grad_norm_`` returns), so callers can log
    how often and how hard clipping bit.
    """
    norm = global_norm(grads)
    if convention == "torch":
        scale = min(1.0, max_norm / (norm + 1e-6))
    elif norm > 0.0:
        scale = max_norm * min(1.0 / norm, 1.0 / max_norm)
    else:
        scale = 1.0
    if scale != 1.0:
        for g in grads:
            g *= scale
    return norm


def clip_by_norm(grads: Sequence[Array], max_norm: float) -> list[float]:
    """Keras ``clipnorm``: rescale each array in place to norm at most ``max_norm``.

    Returns the per-array norms before clipping.
    """
    norms: list[float] = []
    for g in grads:
        n = float(np.linalg.norm(g.ravel()))
        norms.append(n)
        if n > max_norm:
            g *= max_norm / n
    return norms


def clip_by_value(grads: Sequence[Array], max_value: float) -> None:
    """Clamp every gradient entry in place to ``[-max_value, max_value]``.

    Unlike norm clipping this changes the update's direction, element by element.
    """
    for g in grads:
        np.clip(g, -max_value, max_value, out=g)


@dataclass(frozen=True)
class Clip:
    """A clipping choice for the trainer: ``kind`` is ``global_norm``, ``norm`` or ``value``."""

    kind: Literal["global_norm", "norm", "value"]
    threshold: float
    convention: Convention = "torch"

    def apply(self, grads: Sequence[Array]) -> tuple[float, bool]:
        """Clip ``grads`` in place; return their global norm before clipping and whether the
        clip changed anything."""
        if self.kind == "global_norm":
            norm = clip_by_global_norm(grads, self.threshold, self.convention)
            return norm, norm > self.threshold
        norm = global_norm(grads)
        if self.kind == "norm":
            return norm, max(clip_by_norm(grads, self.threshold)) > self.threshold
        active = any(bool(np.any(np.abs(g) > self.threshold)) for g in grads)
        clip_by_value(grads, self.threshold)
        return norm, active
