"""Optimizers and clipping: conventions, defaults and hand-computed steps (no torch needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnadvisor.reference import clipping
from nnadvisor.reference import optimizers as O


def _run(opt: O.Optimizer, lrs: list[float], seed: int = 0) -> np.ndarray:
    """Minimise a fixed quadratic with varying learning rates; return the final parameter."""
    rng = np.random.default_rng(seed)
    p = rng.normal(size=4)
    target = rng.normal(size=4)
    for lr in lrs:
        opt.lr = lr
        opt.step([p], [2.0 * (p - target)])
    return p


def test_defaults_table_matches_the_libraries() -> None:
    assert O.Adam().eps == 1e-8 and O.Adam(convention="keras").eps == 1e-7
    assert O.AdamW().weight_decay == 1e-2 and O.AdamW(convention="keras").weight_decay == 4e-3
    assert O.RMSprop().rho == 0.99 and O.RMSprop(convention="keras").rho == 0.9
    assert O.RMSprop().lr == 1e-2 and O.RMSprop(convention="keras").lr == 1e-3
    assert O.SGD().lr == 1e-3 and O.SGD(convention="keras").lr == 1e-2
    assert O.Adagrad(convention="keras").initial_accumulator_value == 0.1
    assert O.Adagrad().eps == 1e-10
    sgd = O.make_optimizer("sgd", "keras", momentum=0.9, nesterov=True)
    assert isinstance(sgd, O.SGD) and sgd.momentum == 0.9 and sgd.lr == 1e-2
    with pytest.raises(KeyError):
        O.make_optimizer("lbfgs")
    with pytest.raises(ValueError):
        O.SGD(convention="jax")  # type: ignore[arg-type]


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_forms_agree_at_constant_lr_and_differ_when_it_changes(nesterov: bool) -> None:
    constant = [0.05] * 30
    a = _run(O.SGD(momentum=0.9, nesterov=nesterov, convention="torch"), constant)
    b = _run(O.SGD(momentum=0.9, nesterov=nesterov, convention="keras"), constant)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    changing = [0.05] * 10 + [0.005] * 20
    a = _run(O.SGD(momentum=0.9, nesterov=nesterov, convention="torch"), changing)
    b = _run(O.SGD(momentum=0.9, nesterov=nesterov, convention="keras"), changing)
    assert np.max(np.abs(a - b)) > 1e-3


def test_plain_sgd_step() -> None:
    p = np.array([1.0, -2.0])
    O.SGD(lr=0.1).step([p], [np.array([0.5, 1.0])])
    np.testing.assert_allclose(p, [0.95, -2.1])


def test_adam_first_step_and_the_eps_convention() -> None:
    # At step 1 with tiny gradients the eps placement matters: torch divides by
    # |g| + eps, Keras by |g| + eps / sqrt(1 - beta2) (effective eps 31.6x larger).
    g = np.array([1e-7])
    p_t, p_k = np.zeros(1), np.zeros(1)
    O.Adam(lr=1.0, eps=1e-7).step([p_t], [g])
    O.Adam(lr=1.0, eps=1e-7, convention="keras").step([p_k], [g])
    assert p_t[0] == pytest.approx(-1e-7 / (1e-7 + 1e-7), rel=1e-12)
    assert p_k[0] == pytest.approx(-1e-7 / (1e-7 + 1e-7 / math.sqrt(1e-3)), rel=1e-9)
    # with large gradients both give the sign step of size lr
    q_t, q_k = np.zeros(2), np.zeros(2)
    O.Adam(lr=0.01).step([q_t], [np.array([3.0, -5.0])])
    O.Adam(lr=0.01, convention="keras").step([q_k], [np.array([3.0, -5.0])])
    np.testing.assert_allclose(q_t, [-0.03 / (3 + 1e-8), 0.05 / (5 + 1e-8)], rtol=1e-12)
    eff = 1e-7 / math.sqrt(1e-3)
    np.testing.assert_allclose(q_k, [-0.03 / (3 + eff), 0.05 / (5 + eff)], rtol=1e-12)


def test_weight_decay_forms() -> None:
    p0 = np.array([2.0])
    # torch Adam: L2 in the gradient (zero gradient still moves the weight via wd * p)
    p = p0.copy()
    O.Adam(lr=0.1, weight_decay=0.5).step([p], [np.zeros(1)])
    assert p[0] == pytest.approx(2.0 - 0.1, rel=1e-6)
    # torch AdamW: p *= 1 - lr * wd, and then a zero Adam step
    p = p0.copy()
    O.AdamW(lr=0.1, weight_decay=0.5).step([p], [np.zeros(1)])
    assert p[0] == pytest.approx(2.0 * (1 - 0.05), rel=1e-15)
    # Keras: p -= p * wd * lr before the update, for every optimizer
    p = p0.copy()
    O.SGD(lr=0.1, weight_decay=0.5, convention="keras").step([p], [np.zeros(1)])
    assert p[0] == pytest.approx(2.0 * (1 - 0.05), rel=1e-15)
    # torch SGD: L2, p -= lr * (g + wd * p)
    p = p0.copy()
    O.SGD(lr=0.1, weight_decay=0.5).step([p], [np.zeros(1)])
    assert p[0] == pytest.approx(2.0 - 0.1 * 0.5 * 2.0, rel=1e-15)


def test_rmsprop_eps_inside_vs_outside_the_root() -> None:
    g = np.array([0.0, 1e-4])
    p_t, p_k = np.zeros(2), np.zeros(2)
    O.RMSprop(lr=1.0, rho=0.9, eps=1e-7).step([p_t], [g])
    O.RMSprop(lr=1.0, rho=0.9, eps=1e-7, convention="keras").step([p_k], [g])
    v = 0.1 * 1e-8
    assert p_t[1] == pytest.approx(-1e-4 / (math.sqrt(v) + 1e-7), rel=1e-12)
    assert p_k[1] == pytest.approx(-1e-4 / math.sqrt(v + 1e-7), rel=1e-12)
    assert p_t[0] == 0.0 and p_k[0] == 0.0


def test_adagrad_conventions() -> None:
    g = np.array([0.3])
    p_t, p_k = np.zeros(1), np.zeros(1)
    O.Adagrad(lr=0.1).step([p_t], [g])
    O.Adagrad(lr=0.1, convention="keras").step([p_k], [g])
    assert p_t[0] == pytest.approx(-0.1 * 0.3 / (0.3 + 1e-10), rel=1e-14)
    assert p_k[0] == pytest.approx(-0.1 * 0.3 / math.sqrt(0.1 + 0.09 + 1e-7), rel=1e-14)


@pytest.mark.parametrize("name", sorted(O.OPTIMIZERS))
@pytest.mark.parametrize("convention", ["torch", "keras"])
def test_every_optimizer_minimises_a_quadratic(name: str, convention: O.Convention) -> None:
    lr = {"sgd": 0.05, "adagrad": 0.5}.get(name, 0.05)
    opt = O.make_optimizer(name, convention, lr=lr)
    rng = np.random.default_rng(1)
    p = rng.normal(size=5)
    start = float(np.sum(p**2))
    for _ in range(300):
        opt.step([p], [2.0 * p])
    assert float(np.sum(p**2)) < 1e-2 * start
    assert opt.iterations == 300


def test_state_is_per_parameter_and_shapes_are_checked() -> None:
    opt = O.Adam(lr=0.1)
    a, b = np.zeros(2), np.zeros((2, 3))
    opt.step([a, b], [np.ones(2), -np.ones((2, 3))])
    assert len(opt.state) == 2 and opt.state[1]["m"].shape == (2, 3)
    assert np.all(a < 0) and np.all(b > 0)
    with pytest.raises(ValueError):
        opt.step([a], [np.ones(3)])
    with pytest.raises(ValueError):
        opt.step([a, b], [np.ones(2)])


def test_clip_by_global_norm_preserves_direction() -> None:
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    norm = clipping.clip_by_global_norm(g, 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(g[0], [0.6 / (1 + 2e-7), 0.0], rtol=1e-12)
    assert clipping.global_norm(g) == pytest.approx(1.0, rel=1e-6)
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipping.clip_by_global_norm(g, 1.0, convention="keras")
    np.testing.assert_allclose(g[1], [[0.8]], rtol=1e-15)
    small = [np.array([0.1])]
    clipping.clip_by_global_norm(small, 1.0)
    assert small[0][0] == 0.1


def test_clip_by_norm_is_per_variable_and_by_value_is_elementwise() -> None:
    g = [np.array([3.0, 4.0]), np.array([0.1])]
    norms = clipping.clip_by_norm(g, 1.0)
    assert norms == [5.0, pytest.approx(0.1)]
    np.testing.assert_allclose(g[0], [0.6, 0.8])
    assert g[1][0] == 0.1
    h = [np.array([-3.0, 0.2, 7.0])]
    clipping.clip_by_value(h, 0.5)
    np.testing.assert_array_equal(h[0], [-0.5, 0.2, 0.5])


def test_clip_spec_reports_activity() -> None:
    spec = clipping.Clip("global_norm", 1.0)
    assert spec.apply([np.array([3.0, 4.0])]) == (5.0, True)
    assert spec.apply([np.array([0.3, 0.4])])[1] is False
    assert clipping.Clip("value", 1.0).apply([np.array([0.5, -2.0])])[1] is True
    assert clipping.Clip("norm", 1.0).apply([np.array([0.5]), np.array([0.5])])[1] is False
