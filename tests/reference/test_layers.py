"""Dense and SimpleRNN gradients by finite differences; initialiser statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnadvisor.reference import init as I
from nnadvisor.reference.gradcheck import numerical_gradient, relative_error
from nnadvisor.reference.layers import ActivationLayer, Dense, Layer, SimpleRNN

from .conftest import FD_TOL


def _check_layer(layer: Layer, x: np.ndarray, rng: np.random.Generator) -> None:
    """Check dL/dparams and dL/dx for L = sum(layer(x) * r) with a fixed random r."""
    r = rng.normal(size=layer.forward(x).shape)

    def f() -> float:
        return float(np.sum(layer.forward(x) * r))

    layer.forward(x)
    dx = layer.backward(r)
    analytic = [g.copy() for g in layer.grads]
    for p, g in zip(layer.params, analytic):
        assert relative_error(g, numerical_gradient(f, p)) < FD_TOL
    assert relative_error(dx, numerical_gradient(f, x)) < FD_TOL


def test_dense_gradients(rng: np.random.Generator) -> None:
    layer = Dense(4, 3, rng, bias_init="torch_linear_default")
    assert np.any(layer.b != 0.0)
    _check_layer(layer, rng.normal(size=(6, 4)), rng)


def test_backward_overwrites_rather_than_accumulates(rng: np.random.Generator) -> None:
    layer = Dense(3, 2, rng)
    x, dy = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer.forward(x)
    layer.backward(dy)
    first = layer.dW.copy()
    layer.forward(x)
    layer.backward(dy)
    np.testing.assert_array_equal(layer.dW, first)
    assert layer.grads[0] is layer.dW and layer.params[0] is layer.W


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_bptt_gradients(
    nonlinearity: str, return_sequences: bool, rng: np.random.Generator
) -> None:
    layer = SimpleRNN(
        3, 4, rng, nonlinearity=nonlinearity, return_sequences=return_sequences,
        bias_init="torch_linear_default",
    )
    x = rng.normal(size=(2, 5, 3))
    out = layer.forward(x)
    assert out.shape == ((2, 5, 4) if return_sequences else (2, 4))
    # relu pre-activations must stay away from the kink for the finite differences
    if nonlinearity == "relu":
        assert layer._a is not None and np.min(np.abs(layer._a)) > 1e-4
    _check_layer(layer, x, rng)
    assert len(layer.last_dh_norms) == 5


def test_rnn_many_to_one_output_is_last_state_of_many_to_many(rng: np.random.Generator) -> None:
    seed_state = rng.bit_generator.state
    a = SimpleRNN(2, 3, rng)
    rng.bit_generator.state = seed_state
    b = SimpleRNN(2, 3, rng, return_sequences=True)
    x = rng.normal(size=(4, 6, 2))
    np.testing.assert_array_equal(a.forward(x), b.forward(x)[:, -1])


def test_activation_layer_wraps_vjp(rng: np.random.Generator) -> None:
    layer = ActivationLayer("leaky_relu", slope=0.2)
    x = np.array([[-1.0, 2.0]])
    np.testing.assert_allclose(layer.forward(x), [[-0.2, 2.0]])
    np.testing.assert_allclose(layer.backward(np.ones((1, 2))), [[0.2, 1.0]])
    with pytest.raises(RuntimeError):
        ActivationLayer("relu").backward(x)


def test_initialiser_statistics() -> None:
    rng = np.random.default_rng(0)
    fan_in, fan_out = 400, 300
    w = I.glorot_uniform((fan_in, fan_out), rng)
    assert np.max(np.abs(w)) <= math.sqrt(6 / (fan_in + fan_out))
    assert np.var(w) == pytest.approx(2 / (fan_in + fan_out), rel=0.02)
    for truncated in (False, True):
        w = I.he_normal((fan_in, fan_out), rng, truncated=truncated)
        assert np.var(w) == pytest.approx(2 / fan_in, rel=0.02)
        w = I.glorot_normal((fan_in, fan_out), rng, truncated=truncated)
        assert np.var(w) == pytest.approx(2 / (fan_in + fan_out), rel=0.02)
    w = I.he_normal((fan_in, fan_out), rng, truncated=True)
    assert np.max(np.abs(w)) <= 2 * math.sqrt(2 / fan_in) / 0.87962566103423978 + 1e-12
    w = I.he_uniform((fan_in, fan_out), rng)
    assert np.var(w) == pytest.approx(2 / fan_in, rel=0.02)
    w = I.torch_linear_default((fan_in, fan_out), rng)
    assert np.max(np.abs(w)) <= 1 / math.sqrt(fan_in)
    assert np.var(w) == pytest.approx(1 / (3 * fan_in), rel=0.02)


@pytest.mark.parametrize("shape", [(5, 5), (7, 3), (3, 7)])
def test_orthogonal(shape: tuple[int, int]) -> None:
    w = I.orthogonal(shape, np.random.default_rng(3))
    assert w.shape == shape
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_initialisers_are_deterministic_and_named() -> None:
    for name, fn in I.INITIALIZERS.items():
        a = fn((4, 3), np.random.default_rng(9))
        b = fn((4, 3), np.random.default_rng(9))
        np.testing.assert_array_equal(a, b)
        assert I.get_initializer(name) is fn
    with pytest.raises(KeyError):
        I.get_initializer("lecun")
