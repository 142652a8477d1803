"""Activations: forward values, VJPs against finite differences, stability, registry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnadvisor.reference import activations as A
from nnadvisor.reference.gradcheck import numerical_gradient, relative_error

from .conftest import FD_TOL, away_from

KINKS = {"relu": (0.0,), "leaky_relu": (0.0,), "elu": (0.0,), "selu": (0.0,)}


def test_registry_has_exactly_the_canonical_names() -> None:
    expected = (
        "linear relu leaky_relu elu selu gelu gelu_tanh silu softplus sigmoid tanh softmax "
        "log_softmax"
    ).split()
    assert list(A.ACTIVATION_NAMES) == expected
    assert list(A.ACTIVATIONS) == expected
    assert [a.name for a in A.ACTIVATIONS.values()] == expected
    assert not A.ACTIVATIONS["softmax"].elementwise
    assert not A.ACTIVATIONS["log_softmax"].elementwise


@pytest.mark.parametrize("name", A.ACTIVATION_NAMES)
def test_vjp_matches_finite_differences(name: str, rng: np.random.Generator) -> None:
    activation = A.get_activation(name)
    z = away_from(rng.normal(0.0, 2.0, size=(4, 5)), KINKS.get(name, ()))
    dy = rng.normal(size=z.shape)

    def f() -> float:
        return float(np.sum(activation.forward(z) * dy))

    analytic = activation.vjp(z, activation.forward(z), dy)
    numeric = numerical_gradient(f, z)
    assert relative_error(analytic, numeric) < FD_TOL


@pytest.mark.parametrize(("name", "params"), [("leaky_relu", {"slope": 0.3}), ("elu", {"alpha": 0.5})])
def test_parametrised_vjp_matches_finite_differences(
    name: str, params: dict[str, float], rng: np.random.Generator
) -> None:
    activation = A.get_activation(name, **params)
    z = away_from(rng.normal(size=(3, 4)), (0.0,))
    dy = rng.normal(size=z.shape)
    numeric = numerical_gradient(lambda: float(np.sum(activation.forward(z) * dy)), z)
    assert relative_error(activation.vjp(z, activation.forward(z), dy), numeric) < FD_TOL


def test_parameters_change_the_function() -> None:
    z = np.array([-2.0, 3.0])
    np.testing.assert_allclose(A.get_activation("leaky_relu", slope=0.3).forward(z), [-0.6, 3.0])
    np.testing.assert_allclose(A.get_activation("leaky_relu").forward(z), [-0.02, 3.0])
    np.testing.assert_allclose(
        A.get_activation("elu", alpha=0.5).forward(z), [0.5 * math.expm1(-2.0), 3.0]
    )
    with pytest.raises(TypeError):
        A.get_activation("relu", slope=0.1)
    with pytest.raises(KeyError):
        A.get_activation("swish")


def test_known_values() -> None:
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(A.relu(z), [0.0, 0.0, 2.0])
    np.testing.assert_allclose(A.sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(A.softplus(z), np.log1p(np.exp(z)), rtol=1e-15)
    np.testing.assert_allclose(A.selu(np.array([1.0])), [A.SELU_SCALE])
    # gelu(1) = Phi(1) = 0.8413447460685429...
    np.testing.assert_allclose(A.gelu(np.array([1.0])), [0.8413447460685429], rtol=1e-15)
    np.testing.assert_allclose(A.gelu_tanh(np.array([1.0])), [0.8411919906082768], rtol=1e-14)
    np.testing.assert_allclose(A.silu(np.array([1.0])), [1.0 / (1.0 + math.exp(-1.0))])


def test_relu_derivative_is_zero_at_the_kink() -> None:
    z = np.array([0.0])
    assert A.relu_vjp(z, A.relu(z), np.array([1.0]))[0] == 0.0


def test_softmax_vjp_is_the_jacobian_product(rng: np.random.Generator) -> None:
    z = rng.normal(size=(3, 6))
    dy = rng.normal(size=z.shape)
    p = A.softmax(z)
    jac = A.softmax_jacobian(p)
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2))  # symmetric
    expected = np.einsum("nij,ni->nj", jac, dy)
    np.testing.assert_allclose(A.softmax_vjp(z, p, dy), expected, rtol=1e-12, atol=1e-15)
    # log_softmax Jacobian is I - 1 p^T; its transpose product:
    ls = A.log_softmax(z)
    jac_ls = np.eye(6)[None] - p[:, None, :]
    expected_ls = np.einsum("nij,ni->nj", jac_ls, dy)
    np.testing.assert_allclose(A.log_softmax_vjp(z, ls, dy), expected_ls, rtol=1e-12, atol=1e-15)


def test_stability_at_extreme_inputs() -> None:
    z = np.array([-1000.0, -40.0, 40.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = A.sigmoid(z)
        sp = A.softplus(z)
        sm = A.softmax(np.array([[1000.0, 0.0, -1000.0]]))
        ls = A.log_softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert s[0] == 0.0 and s[-1] == 1.0 and 0.0 < s[1] < 1e-17
    np.testing.assert_allclose(sp, [0.0, math.exp(-40.0), 40.0, 1000.0], rtol=1e-15, atol=0.0)
    np.testing.assert_allclose(sm, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(ls, [[0.0, -1000.0, -2000.0]])


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-1e4, 1e4)))
def test_softmax_properties(z: np.ndarray) -> None:
    p = A.softmax(z)
    ls = A.log_softmax(z)
    assert np.all(np.isfinite(ls))
    assert np.all((p >= 0.0) & (p <= 1.0))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(ls), p, atol=1e-12)
    # shift invariance along the softmax axis
    np.testing.assert_allclose(A.softmax(z + 7.0), p, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, (8,), elements=st.floats(-700, 700)))
def test_sigmoid_is_bounded_and_symmetric(z: np.ndarray) -> None:
    s = A.sigmoid(z)
    assert np.all((s >= 0.0) & (s <= 1.0))
    np.testing.assert_allclose(s + A.sigmoid(-z), 1.0, rtol=1e-15)


def test_no_double_application_of_the_sigmoid_derivative(rng: np.random.Generator) -> None:
    # sigmoid_vjp multiplies by s(1-s) exactly once: a second application would be detectable.
    z = rng.normal(size=5)
    s = A.sigmoid(z)
    dy = np.ones_like(z)
    once = A.sigmoid_vjp(z, s, dy)
    np.testing.assert_allclose(once, s * (1 - s), rtol=1e-15)
    assert not np.allclose(once, (s * (1 - s)) ** 2)


SMOOTH = [n for n in A.ACTIVATION_NAMES if n not in KINKS]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(SMOOTH),
    arrays(np.float64, (2, 3), elements=st.floats(-8.0, 8.0)),
    arrays(np.float64, (2, 3), elements=st.floats(-1.0, 1.0)),
)
def test_vjp_matches_finite_differences_anywhere(name: str, z: np.ndarray, dy: np.ndarray) -> None:
    activation = A.ACTIVATIONS[name]
    z = z.copy()
    numeric = numerical_gradient(lambda: float(np.sum(activation.forward(z) * dy)), z, h=1e-5)
    analytic = activation.vjp(z, activation.forward(z), dy)
    # absolute floor: where dy or the derivative is ~0 the relative error is meaningless
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
