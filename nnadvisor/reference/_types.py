"""Shared array aliases and RNG coercion.

Kept in one place so every module speaks the same dtype: the reference is float64 throughout,
because its job is to be exact, not fast.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Array: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]


def as_rng(seed: int | np.random.Generator) -> np.random.Generator:
    """Return ``seed`` if it is already a Generator, else ``np.random.default_rng(seed)``.

    Accepting both lets callers share one stream across helpers or pin each helper to a seed.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)

