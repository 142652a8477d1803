"""Parity with PyTorch in float64: activations, losses, layers, whole networks, optimizers.

Skipped cleanly when torch is not importable. Tolerance ``rtol = 1e-10`` throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from nnadvisor.reference import activations as A  # noqa: E402
from nnadvisor.reference import clipping  # noqa: E402
from nnadvisor.reference import losses as L  # noqa: E402
from nnadvisor.reference import optimizers as O  # noqa: E402
from nnadvisor.reference.layers import Dense, SimpleRNN  # noqa: E402
from nnadvisor.reference.model import mlp  # noqa: E402

RTOL = 1e-10
N, C = 6, 5


def T(a: np.ndarray, grad: bool = False) -> Any:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def close(a: np.ndarray | float, b: Any, atol: float = 1e-15) -> None:
    b_np = b.detach().numpy() if hasattr(b, "detach") else b
    np.testing.assert_allclose(a, b_np, rtol=RTOL, atol=atol)


TORCH_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "linear": lambda z: z * 1.0,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,
    "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"),
    "silu": F.silu,
    "softplus": F.softplus,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda z: F.softmax(z, dim=-1),
    "log_softmax": lambda z: F.log_softmax(z, dim=-1),
}


@pytest.mark.parametrize("name", A.ACTIVATION_NAMES)
def test_activation_forward_and_vjp(name: str) -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 3.0, size=(N, C))  # |z| < 20: torch's softplus threshold not reached
    z[np.abs(z) < 1e-3] = 0.5
    dy = rng.normal(size=z.shape)
    act = A.ACTIVATIONS[name]
    y = act.forward(z)
    zt = T(z, grad=True)
    yt = TORCH_ACTIVATIONS[name](zt)
    (gt,) = torch.autograd.grad(yt, zt, T(dy))
    close(y, yt)
    close(act.vjp(z, y, dy), gt)


LossCase = tuple[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
                 Callable[[Any, Any], Any], str, str]


def _loss_cases() -> list[LossCase]:
    def kl(p: Any, y: Any) -> Any:
        return F.kl_div(torch.log(p), y, reduction="batchmean")

    def cce_probs(p: Any, y: Any) -> Any:
        return -(y * torch.log(p / p.sum(-1, keepdim=True))).sum(-1).mean()

    return [
        ("mse", L.mse, F.mse_loss, "values", "values"),
        ("mae", L.mae, F.l1_loss, "values", "values"),
        ("huber", L.huber, lambda a, b: F.huber_loss(a, b, delta=1.0), "values", "values"),
        ("huber_0.3", lambda a, b: L.huber(a, b, 0.3),
         lambda a, b: F.huber_loss(a, b, delta=0.3), "values", "values"),
        ("log_cosh", L.log_cosh, lambda a, b: torch.log(torch.cosh(a - b)).mean(),
         "values", "values"),
        ("bce", L.binary_crossentropy, F.binary_cross_entropy, "probs_binary", "binary"),
        ("bce_logits", L.binary_crossentropy_from_logits, F.binary_cross_entropy_with_logits,
         "values", "binary"),
        ("cce", L.categorical_crossentropy, cce_probs, "probs", "onehot"),
        ("cce_logits", L.categorical_crossentropy_from_logits, F.cross_entropy,
         "values", "onehot"),
        ("cce_logits_soft", L.categorical_crossentropy_from_logits, F.cross_entropy,
         "values", "soft"),
        ("sparse_logits", L.sparse_categorical_crossentropy_from_logits,
         lambda z, t: F.cross_entropy(z, t.long()), "values", "labels"),
        ("sparse_probs", L.sparse_categorical_crossentropy,
         lambda p, t: F.nll_loss(torch.log(p / p.sum(-1, keepdim=True)), t.long()),
         "probs", "labels"),
        ("nll", L.nll, lambda lp, t: F.nll_loss(lp, t.long()), "logprobs", "labels"),
        ("kl_divergence", L.kl_divergence, kl, "probs", "soft"),
        ("hinge", L.hinge, lambda s, y: torch.clamp(1 - y * s, min=0).mean(), "values", "signed"),
        ("squared_hinge", L.squared_hinge,
         lambda s, y: (torch.clamp(1 - y * s, min=0) ** 2).mean(), "values", "signed"),
    ]


@pytest.mark.parametrize("case", _loss_cases(), ids=lambda c: c[0])
def test_loss_value_and_gradient(case: LossCase) -> None:
    _, ours, theirs, input_kind, target_kind = case
    rng = np.random.default_rng(1)
    raw = rng.normal(0.0, 2.0, size=(N, C))
    pred = {
        "values": raw,
        "probs": A.softmax(raw),
        "probs_binary": A.sigmoid(raw),
        "logprobs": A.log_softmax(raw),
    }[input_kind]
    labels = rng.integers(0, C, size=N)
    target = {
        "values": rng.normal(size=(N, C)),
        "binary": rng.integers(0, 2, size=(N, C)).astype(float),
        "onehot": L.one_hot(labels, C),
        "soft": A.softmax(rng.normal(size=(N, C))),
        "labels": labels.astype(float),
        "signed": rng.choice([-1.0, 1.0], size=(N, C)),
    }[target_kind]
    value, grad = ours(pred, target)
    pt = T(pred, grad=True)
    lt = theirs(pt, T(target))
    (gt,) = torch.autograd.grad(lt, pt)
    close(value, lt)
    close(grad, gt)


def test_dense_matches_linear() -> None:
    rng = np.random.default_rng(2)
    layer = Dense(7, 4, rng, bias_init="torch_linear_default")
    lin = torch.nn.Linear(7, 4).double()
    with torch.no_grad():
        lin.weight.copy_(T(layer.W.T))
        lin.bias.copy_(T(layer.b))
    x, r = rng.normal(size=(5, 7)), rng.normal(size=(5, 4))
    xt = T(x, grad=True)
    yt = lin(xt)
    yt.backward(T(r))
    close(layer.forward(x), yt)
    dx = layer.backward(r)
    close(dx, xt.grad)
    close(layer.dW, lin.weight.grad.T)
    close(layer.db, lin.bias.grad)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_matches_torch_rnn(nonlinearity: str, return_sequences: bool) -> None:
    rng = np.random.default_rng(3)
    layer = SimpleRNN(3, 6, rng, nonlinearity=nonlinearity, return_sequences=return_sequences,
                      bias_init="torch_linear_default")
    rnn = torch.nn.RNN(3, 6, nonlinearity=nonlinearity, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(T(layer.Wx.T))
        rnn.weight_hh_l0.copy_(T(layer.Wh.T))
        rnn.bias_ih_l0.copy_(T(layer.b))
        rnn.bias_hh_l0.zero_()
    x = rng.normal(size=(4, 9, 3))
    xt = T(x, grad=True)
    seq, h_last = rnn(xt)
    out_t = seq if return_sequences else h_last[0]
    r = rng.normal(size=tuple(out_t.shape))
    out_t.backward(T(r))
    close(layer.forward(x), out_t)
    dx = layer.backward(r)
    close(dx, xt.grad)
    close(layer.dWx, rnn.weight_ih_l0.grad.T)
    close(layer.dWh, rnn.weight_hh_l0.grad.T)
    close(layer.db, rnn.bias_ih_l0.grad)
    close(layer.db, rnn.bias_hh_l0.grad)


def _torch_mlp(model: Any, hidden: Callable[[], Any]) -> Any:
    layers: list[Any] = []
    dense = [l for l in model.layers if isinstance(l, Dense)]
    for i, d in enumerate(dense):
        lin = torch.nn.Linear(*d.W.shape).double()
        with torch.no_grad():
            lin.weight.copy_(T(d.W.T))
            lin.bias.copy_(T(d.b))
        layers.append(lin)
        if i < len(dense) - 1:
            layers.append(hidden())
    return torch.nn.Sequential(*layers)


def _torch_params_as_ours(net: Any) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for m in net:
        if isinstance(m, torch.nn.Linear):
            out += [m.weight.detach().numpy().T, m.bias.detach().numpy()]
    return out


def test_whole_mlp_gradients_match() -> None:
    rng = np.random.default_rng(4)
    model = mlp([20, 64, 64, 10], "relu", "linear", rng, bias_init="torch_linear_default")
    net = _torch_mlp(model, torch.nn.ReLU)
    x, labels = rng.normal(size=(64, 20)), rng.integers(0, 10, size=64)
    value = model.loss_and_grads(x, L.one_hot(labels, 10),
                                 L.LOSSES["categorical_crossentropy_from_logits"])
    lt = F.cross_entropy(net(T(x)), torch.tensor(labels))
    lt.backward()
    close(value, lt)
    torch_grads = []
    for m in net:
        if isinstance(m, torch.nn.Linear):
            torch_grads += [m.weight.grad.T, m.bias.grad]
    for ours, theirs in zip(model.grads, torch_grads):
        close(ours, theirs)


# --- optimizer trajectories -----------------------------------------------------------------

OptCase = tuple[str, Callable[[], O.Optimizer], Callable[[list[Any]], Any], str | None]

CASES: list[OptCase] = [
    ("sgd", lambda: O.SGD(lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05), None),
    ("sgd_momentum", lambda: O.SGD(lr=0.02, momentum=0.9),
     lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9), None),
    ("sgd_nesterov", lambda: O.SGD(lr=0.02, momentum=0.9, nesterov=True),
     lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True), None),
    ("sgd_momentum_wd_clip", lambda: O.SGD(lr=0.02, momentum=0.9, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, weight_decay=0.01), "global_norm"),
    ("adam", lambda: O.Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01), None),
    ("adam_l2", lambda: O.Adam(lr=0.01, weight_decay=0.05),
     lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.05), None),
    ("adam_clip", lambda: O.Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01), "global_norm"),
    ("adamw", lambda: O.AdamW(lr=0.01, weight_decay=0.1),
     lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1), None),
    ("rmsprop", lambda: O.RMSprop(lr=0.005), lambda p: torch.optim.RMSprop(p, lr=0.005), None),
    ("rmsprop_momentum", lambda: O.RMSprop(lr=0.001, momentum=0.9),
     lambda p: torch.optim.RMSprop(p, lr=0.001, momentum=0.9), None),
    ("rmsprop_centered_clipvalue", lambda: O.RMSprop(lr=0.005, centered=True, weight_decay=0.01),
     lambda p: torch.optim.RMSprop(p, lr=0.005, centered=True, weight_decay=0.01), "value"),
    ("adagrad", lambda: O.Adagrad(lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1), None),
    ("adagrad_decay", lambda: O.Adagrad(lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                        initial_accumulator_value=0.1),
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                   initial_accumulator_value=0.1), "global_norm"),
]


def _grad(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Gradient of sum(a p^2 + sin(3 p)): non-convex, so trajectories are sensitive."""
    out: np.ndarray = 2.0 * a * p + 3.0 * np.cos(3.0 * p)
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_optimizer_trajectory_50_steps(case: OptCase) -> None:
    _, make_ours, make_theirs, clip = case
    rng = np.random.default_rng(5)
    ours = [rng.normal(size=(4, 3)), rng.normal(size=(3,)), rng.normal(size=(2, 2))]
    scales = [rng.uniform(0.5, 2.0, size=p.shape) for p in ours]
    theirs = [T(p.copy(), grad=True) for p in ours]
    start = [p.copy() for p in ours]
    opt, topt = make_ours(), make_theirs(theirs)
    for _ in range(50):
        grads = [_grad(p, a) for p, a in zip(ours, scales)]
        for tp, a in zip(theirs, scales):
            tp.grad = T(_grad(tp.detach().numpy(), a))
        if clip == "global_norm":
            clipping.clip_by_global_norm(grads, 1.0)
            torch.nn.utils.clip_grad_norm_(theirs, 1.0)
        elif clip == "value":
            clipping.clip_by_value(grads, 0.5)
            torch.nn.utils.clip_grad_value_(theirs, 0.5)
        opt.step(ours, grads)
        topt.step()
    for p, tp in zip(ours, theirs):
        close(p, tp)
    # and the run actually moved the parameters
    assert max(float(np.max(np.abs(p - q))) for p, q in zip(ours, start)) > 1e-2


@pytest.mark.parametrize("which", ["adam", "sgd_nesterov_clip"])
def test_end_to_end_training_trajectory(which: str) -> None:
    """50 mini-batch steps of an MLP: reference model + optimizer vs torch autograd + optim."""
    rng = np.random.default_rng(6)
    model = mlp([8, 16, 16, 3], "tanh", "linear", rng, bias_init="torch_linear_default")
    net = _torch_mlp(model, torch.nn.Tanh)
    x, labels = rng.normal(size=(200, 8)), rng.integers(0, 3, size=200)
    y = L.one_hot(labels, 3)
    if which == "adam":
        opt: O.Optimizer = O.Adam(lr=0.01)
        topt = torch.optim.Adam(net.parameters(), lr=0.01)
    else:
        opt = O.SGD(lr=0.1, momentum=0.9, nesterov=True)
        topt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    loss = L.LOSSES["categorical_crossentropy_from_logits"]
    for step in range(50):
        idx = np.arange(step * 4 % 200, step * 4 % 200 + 20) % 200
        value = model.loss_and_grads(x[idx], y[idx], loss)
        topt.zero_grad()
        lt = F.cross_entropy(net(T(x[idx])), torch.tensor(labels[idx]))
        lt.backward()
        assert value == pytest.approx(lt.item(), rel=RTOL)
        if which != "adam":
            clipping.clip_by_global_norm(model.grads, 0.5)
            torch.nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        opt.step(model.params, model.grads)
        topt.step()
    for ours, theirs in zip(model.params, _torch_params_as_ours(net)):
        close(ours, theirs)


def test_defaults_match_torch_signatures() -> None:
    import inspect

    sig = {n: inspect.signature(getattr(torch.optim, n)).parameters
           for n in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad")}
    d = O.DEFAULTS["torch"]
    assert d["sgd"]["lr"] == sig["SGD"]["lr"].default
    assert d["adam"]["eps"] == sig["Adam"]["eps"].default
    assert d["adam"]["lr"] == sig["Adam"]["lr"].default
    assert d["adamw"]["weight_decay"] == sig["AdamW"]["weight_decay"].default
    assert d["rmsprop"]["lr"] == sig["RMSprop"]["lr"].default
    assert d["rmsprop"]["rho"] == sig["RMSprop"]["alpha"].default
    assert d["rmsprop"]["eps"] == sig["RMSprop"]["eps"].default
    assert d["adagrad"]["lr"] == sig["Adagrad"]["lr"].default
    assert d["adagrad"]["eps"] == sig["Adagrad"]["eps"].default
    assert d["adagrad"]["initial_accumulator_value"] == \
        sig["Adagrad"]["initial_accumulator_value"].default


def test_torch_linear_default_init_bounds() -> None:
    lin = torch.nn.Linear(50, 30).double()
    bound = 1 / np.sqrt(50)
    assert float(lin.weight.detach().abs().max()) <= bound
    assert float(lin.bias.detach().abs().max()) <= bound
    rng = np.random.default_rng(0)
    d = Dense(50, 30, rng, "torch_linear_default", "torch_linear_default")
    assert np.max(np.abs(d.W)) <= bound and np.max(np.abs(d.b)) <= bound
    # variances agree (torch's kaiming_uniform(a=sqrt(5)) is U(+-1/sqrt(fan_in)))
    big = torch.nn.Linear(400, 400).double()
    ours = Dense(400, 400, rng, "torch_linear_default").W
    assert float(big.weight.detach().var()) == pytest.approx(float(np.var(ours)), rel=0.02)
