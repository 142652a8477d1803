"""Shared helpers for the reference tests."""

from __future__ import annotations

import numpy as np
import pytest

FD_TOL = 1e-6  # the spec's bound on central-difference relative error, away from kinks


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def away_from(x: np.ndarray, points: tuple[float, ...], margin: float = 0.05) -> np.ndarray:
    """Nudge entries of ``x`` that lie within ``margin`` of a kink to ``margin`` away from it."""
    out = x.copy()
    for p in points:
        close = np.abs(out - p) < margin
        out[close] = p + np.where(out[close] >= p, margin, -margin)
    return out
