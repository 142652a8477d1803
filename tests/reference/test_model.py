"""Whole-network gradients by finite differences, and the double-sigmoid-derivative bug."""

from __future__ import annotations

import numpy as np
import pytest

from nnadvisor.reference import activations as A
from nnadvisor.reference import losses as L
from nnadvisor.reference.gradcheck import numerical_gradient, relative_error
from nnadvisor.reference.layers import ActivationLayer, Dense, SimpleRNN
from nnadvisor.reference.model import Sequential, mlp

from .conftest import FD_TOL


def _network_fd_error(model: Sequential, loss: L.Loss, x: np.ndarray, y: np.ndarray) -> float:
    model.loss_and_grads(x, y, loss)
    analytic = [g.copy() for g in model.grads]

    def f() -> float:
        return loss(model.forward(x), y)[0]

    return max(relative_error(g, numerical_gradient(f, p)) for p, g in zip(model.params, analytic))


@pytest.mark.parametrize(
    ("hidden", "output", "loss_name"),
    [
        ("sigmoid", "sigmoid", "mse"),
        ("sigmoid", "sigmoid", "binary_crossentropy"),
        ("tanh", "linear", "binary_crossentropy_from_logits"),
        ("gelu", "softmax", "categorical_crossentropy"),
        ("elu", "softmax", "mse"),
        ("silu", "linear", "categorical_crossentropy_from_logits"),
        ("softplus", "softmax", "kl_divergence"),
        ("selu", "log_softmax", "nll"),
    ],
)
def test_whole_network_gradients(hidden: str, output: str, loss_name: str) -> None:
    rng = np.random.default_rng(7)
    model = mlp([4, 6, 5, 3], hidden, output, rng)
    x = rng.normal(size=(8, 4))
    labels = rng.integers(0, 3, size=8)
    y = L.one_hot(labels, 3)
    if loss_name == "kl_divergence":
        y = A.softmax(rng.normal(size=(8, 3)))  # soft targets
    elif loss_name == "nll":
        y = labels.astype(float)
    assert _network_fd_error(model, L.LOSSES[loss_name], x, y) < FD_TOL


def test_relu_network_gradients_away_from_kinks() -> None:
    rng = np.random.default_rng(11)
    model = mlp([5, 8, 8, 4], "relu", "linear", rng, kernel_init="he_normal")
    x = rng.normal(size=(6, 5))
    # confirm no pre-activation sits near the kink, so finite differences are valid
    h = x
    for layer in model.layers:
        if isinstance(layer, Dense):
            h = layer.forward(h)
            assert np.min(np.abs(h)) > 1e-5
        else:
            h = layer.forward(h)
    y = L.one_hot(rng.integers(0, 4, size=6), 4)
    assert _network_fd_error(model, L.LOSSES["categorical_crossentropy_from_logits"], x, y) < FD_TOL


def test_rnn_then_dense_network_gradients() -> None:
    rng = np.random.default_rng(5)
    model = Sequential([SimpleRNN(2, 5, rng), Dense(5, 1, rng)])
    x = rng.normal(size=(3, 7, 2))
    y = rng.normal(size=(3, 1))
    assert _network_fd_error(model, L.LOSSES["mse"], x, y) < FD_TOL


def _seed_article_backward(
    w1: np.ndarray, w2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The seed articles' NumPy pattern: the output delta already includes s'(z2), and then
    the derivative is applied again (``delta * sigmoid_derivative(output)``)."""
    h = A.sigmoid(x @ w1)
    out = A.sigmoid(h @ w2)
    n = out.size
    d_out = 2.0 * (out - y) / n * out * (1 - out)
    d_out = d_out * out * (1 - out)  # the bug: second application of the derivative
    d_w2 = h.T @ d_out
    d_h = d_out @ w2.T * h * (1 - h)
    return x.T @ d_h, d_w2


def test_reference_does_not_double_apply_the_sigmoid_derivative() -> None:
    rng = np.random.default_rng(2)
    model = Sequential(
        [Dense(3, 4, rng), ActivationLayer("sigmoid"), Dense(4, 1, rng), ActivationLayer("sigmoid")]
    )
    for layer in model.layers:
        if isinstance(layer, Dense):
            layer.b[...] = 0.0
    x, y = rng.normal(size=(10, 3)), rng.integers(0, 2, size=(10, 1)).astype(float)
    mse = L.LOSSES["mse"]
    # the reference agrees with finite differences...
    assert _network_fd_error(model, mse, x, y) < FD_TOL
    # ...while the seed articles' backward is caught by the same check
    w1, w2 = model.params[0], model.params[2]
    buggy_w1, buggy_w2 = _seed_article_backward(w1, w2, x, y)

    def f() -> float:
        return mse(model.forward(x), y)[0]

    assert relative_error(buggy_w2, numerical_gradient(f, w2)) > 0.1
    assert relative_error(buggy_w1, numerical_gradient(f, w1)) > 0.1


def test_mlp_structure_and_weights_roundtrip() -> None:
    rng = np.random.default_rng(0)
    model = mlp([20, 64, 64, 10], "relu", "linear", rng)
    assert [type(l).__name__ for l in model.layers] == [
        "Dense", "ActivationLayer", "Dense", "ActivationLayer", "Dense"
    ]
    assert [p.shape for p in model.params] == [(20, 64), (64,), (64, 64), (64,), (64, 10), (10,)]
    saved = model.get_weights()
    for p in model.params:
        p += 1.0
    model.set_weights(saved)
    for p, w in zip(model.params, saved):
        np.testing.assert_array_equal(p, w)
    model.loss_and_grads(rng.normal(size=(4, 20)), L.one_hot(np.arange(4), 10),
                         L.LOSSES["categorical_crossentropy_from_logits"])
    norms = model.layer_grad_norms()
    assert len(norms) == 3 and all(n > 0 for n in norms)
    with pytest.raises(ValueError):
        mlp([3], "relu", "linear", rng)
