"""Losses: values, gradients against finite differences, clipping, fused vs unfused paths."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnadvisor.reference import activations as A
from nnadvisor.reference import losses as L
from nnadvisor.reference.gradcheck import numerical_gradient, relative_error

from .conftest import FD_TOL, away_from

N, C = 5, 4


def _check_grad(loss: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
                y_pred: np.ndarray, y_true: np.ndarray) -> None:
    _, analytic = loss(y_pred, y_true)
    numeric = numerical_gradient(lambda: loss(y_pred, y_true)[0], y_pred)
    assert analytic.shape == y_pred.shape
    assert relative_error(analytic, numeric) < FD_TOL


def _probs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return A.softmax(rng.normal(size=shape))


def _targets(rng: np.random.Generator) -> np.ndarray:
    return L.one_hot(rng.integers(0, C, size=N), C)


def test_regression_losses_fd(rng: np.random.Generator) -> None:
    y = rng.normal(size=(N, 3))
    pred = y + away_from(rng.normal(0.0, 2.0, size=(N, 3)), (0.0, -1.0, 1.0))
    for name in ("mse", "mae", "huber", "log_cosh"):
        _check_grad(L.LOSSES[name], pred, y)
    huber2 = L.get_loss("huber", delta=2.0)
    _check_grad(huber2, y + away_from(rng.normal(0.0, 3.0, size=(N, 3)), (0.0, -2.0, 2.0)), y)


def test_binary_losses_fd(rng: np.random.Generator) -> None:
    y = rng.integers(0, 2, size=(N, 3)).astype(float)
    _check_grad(L.binary_crossentropy, rng.uniform(0.05, 0.95, size=(N, 3)), y)
    _check_grad(L.binary_crossentropy_from_logits, rng.normal(0.0, 3.0, size=(N, 3)), y)
    # soft targets are valid too
    _check_grad(L.binary_crossentropy_from_logits, rng.normal(size=(N, 3)), rng.random((N, 3)))


def test_categorical_losses_fd(rng: np.random.Generator) -> None:
    y = _targets(rng)
    labels = np.argmax(y, axis=1).astype(float)
    _check_grad(L.categorical_crossentropy, _probs(rng, (N, C)), y)
    # Keras renormalises rows: the gradient must include that, also for unnormalised inputs
    _check_grad(L.categorical_crossentropy, rng.uniform(0.1, 1.0, size=(N, C)), y)
    _check_grad(L.categorical_crossentropy_from_logits, rng.normal(0.0, 3.0, size=(N, C)), y)
    _check_grad(L.categorical_crossentropy_from_logits, rng.normal(size=(N, C)), _probs(rng, (N, C)))
    _check_grad(L.sparse_categorical_crossentropy, _probs(rng, (N, C)), labels)
    _check_grad(L.sparse_categorical_crossentropy_from_logits, rng.normal(size=(N, C)), labels)
    _check_grad(L.nll, A.log_softmax(rng.normal(size=(N, C))), labels)
    _check_grad(L.kl_divergence, _probs(rng, (N, C)), _probs(rng, (N, C)))


def test_margin_losses_fd(rng: np.random.Generator) -> None:
    y = rng.choice([-1.0, 1.0], size=(N, 2))
    scores = away_from(rng.normal(0.0, 2.0, size=(N, 2)), (-1.0, 1.0))
    _check_grad(L.hinge, scores, y)
    _check_grad(L.squared_hinge, scores, y)


def test_known_values() -> None:
    p = np.array([[0.7, 0.2, 0.1]])
    y = np.array([[1.0, 0.0, 0.0]])
    assert L.categorical_crossentropy(p, y)[0] == pytest.approx(-math.log(0.7), rel=1e-15)
    assert L.mse(np.array([1.0, 3.0]), np.array([0.0, 0.0]))[0] == 5.0
    assert L.mae(np.array([1.0, -3.0]), np.array([0.0, 0.0]))[0] == 2.0
    assert L.huber(np.array([0.5, 3.0]), np.zeros(2))[0] == pytest.approx((0.125 + 2.5) / 2)
    assert L.log_cosh(np.array([0.3]), np.zeros(1))[0] == pytest.approx(math.log(math.cosh(0.3)))
    assert L.hinge(np.array([0.5, -2.0]), np.array([1.0, -1.0]))[0] == 0.25
    assert L.squared_hinge(np.array([0.5]), np.array([1.0]))[0] == 0.25
    assert L.nll(np.log(p), np.array([1.0]))[0] == pytest.approx(-math.log(0.2))


def test_elementwise_reduction_equals_keras_row_mean_then_batch_mean(rng: np.random.Generator) -> None:
    pred, y = rng.normal(size=(N, 3)), rng.normal(size=(N, 3))
    keras_style = np.mean(np.mean((pred - y) ** 2, axis=-1))
    assert L.mse(pred, y)[0] == pytest.approx(keras_style, rel=1e-14)


def test_hinge_converts_binary_labels_like_keras() -> None:
    scores = np.array([0.3, -0.4])
    assert L.hinge(scores, np.array([1.0, 0.0]))[0] == L.hinge(scores, np.array([1.0, -1.0]))[0]


def test_stable_forms_at_extreme_inputs() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        v, g = L.binary_crossentropy_from_logits(np.array([1000.0, -1000.0]), np.array([0.0, 0.0]))
        assert v == pytest.approx(500.0) and np.all(np.isfinite(g))
        v, _ = L.log_cosh(np.array([1000.0]), np.array([0.0]))
        assert v == pytest.approx(1000.0 - math.log(2.0), rel=1e-15)
        v, g = L.categorical_crossentropy_from_logits(
            np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]])
        )
        assert v == pytest.approx(2000.0) and np.all(np.isfinite(g))


def test_probability_clip_kills_the_gradient() -> None:
    # A linear output fed to probability BCE: outside [eps, 1-eps] the loss is flat.
    p = np.array([-3.0, 1.7, 0.5])
    y = np.array([1.0, 0.0, 1.0])
    value, grad = L.binary_crossentropy(p, y)
    assert grad[0] == 0.0 and grad[1] == 0.0 and grad[2] != 0.0
    assert value == pytest.approx((-2 * math.log(L.EPSILON) - math.log(0.5)) / 3, rel=1e-9)


def test_fused_equals_unfused_away_from_the_clip(rng: np.random.Generator) -> None:
    z = rng.normal(size=(N, C))
    y = _targets(rng)
    v_fused, g_fused = L.categorical_crossentropy_from_logits(z, y)
    v_unfused, g_unfused = L.unfused(A.ACTIVATIONS["softmax"], L.categorical_crossentropy, z, y)
    assert v_fused == pytest.approx(v_unfused, rel=1e-12)
    np.testing.assert_allclose(g_unfused, g_fused, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(g_fused, (A.softmax(z) - y) / N, rtol=1e-14)

    zb = rng.normal(size=(N, 1))
    yb = rng.integers(0, 2, size=(N, 1)).astype(float)
    vb, gb = L.binary_crossentropy_from_logits(zb, yb)
    vb2, gb2 = L.unfused(A.ACTIVATIONS["sigmoid"], L.binary_crossentropy, zb, yb)
    assert vb == pytest.approx(vb2, rel=1e-12)
    np.testing.assert_allclose(gb2, gb, rtol=1e-10)
    np.testing.assert_allclose(gb, (A.sigmoid(zb) - yb) / N, rtol=1e-14)


@pytest.mark.parametrize(("margin", "mse_norm"), [(0.0, 1.9e-2), (20.0, 4.4e-9)])
def test_confidently_wrong_gradient_norms(margin: float, mse_norm: float) -> None:
    # The spec's analytic claim, 10 classes, one example whose wrong class leads by ``margin``.
    z = np.zeros((1, 10))
    z[0, 1] = margin
    y = L.one_hot(np.array([0]), 10)
    _, g_ce = L.categorical_crossentropy_from_logits(z, y)
    _, g_mse = L.unfused(A.ACTIVATIONS["softmax"], L.mse, z, y)
    assert float(np.linalg.norm(g_mse)) == pytest.approx(mse_norm, rel=0.03)
    if margin > 0:
        assert float(np.linalg.norm(g_ce)) == pytest.approx(math.sqrt(2.0), rel=1e-7)


def test_sparse_equals_dense(rng: np.random.Generator) -> None:
    z = rng.normal(size=(N, C))
    labels = rng.integers(0, C, size=N)
    dense = L.categorical_crossentropy_from_logits(z, L.one_hot(labels, C))
    sparse = L.sparse_categorical_crossentropy_from_logits(z, labels.astype(float))
    assert dense[0] == sparse[0]
    np.testing.assert_array_equal(dense[1], sparse[1])
    # nll on log_softmax is the same loss
    assert L.nll(A.log_softmax(z), labels.astype(float))[0] == pytest.approx(dense[0], rel=1e-14)


def test_registry_and_lookup() -> None:
    assert L.LOSSES["nll"].expects == "log_probabilities"
    assert L.LOSSES["sparse_categorical_crossentropy"].target == "sparse"
    assert L.LOSSES["binary_crossentropy_from_logits"].expects == "logits"
    assert L.get_loss("huber", delta=0.5)(np.array([2.0]), np.zeros(1))[0] == pytest.approx(0.875)
    with pytest.raises(TypeError):
        L.get_loss("mse", delta=1.0)
    with pytest.raises(KeyError):
        L.get_loss("cross_entropy")


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, (3, 5), elements=st.floats(-50, 50)), st.integers(0, 4))
def test_fused_crossentropy_gradient_rows_sum_to_zero(z: np.ndarray, label: int) -> None:
    y = L.one_hot(np.full(3, label), 5)
    value, grad = L.categorical_crossentropy_from_logits(z, y)
    assert value >= 0.0 and math.isfinite(value)
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-15)
    assert np.all(np.linalg.norm(grad * 3, axis=-1) <= math.sqrt(2.0) + 1e-12)
