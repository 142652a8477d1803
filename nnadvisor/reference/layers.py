"""Layers with explicit forward caches and backward passes.

A layer's ``forward(x)`` caches what its backward needs; ``backward(dy)`` takes ``dL/d output``,
*overwrites* the layer's parameter gradients (``grads``, aligned with ``params``) and returns
``dL/d input``. Overwriting rather than accumulating keeps one forward/backward pair equal to one
gradient evaluation, which is what the finite-difference checks compare against.

Dense kernels are stored Keras-style as ``(in, out)``; ``torch.nn.Linear.weight`` is the
transpose. The RNN keeps a single bias; torch's ``nn.RNN`` has two (``b_ih + b_hh``) that always
receive the same gradient.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._types import Array
from .init import Initializer, get_initializer, torch_linear_bias


class Layer:
    """Interface shared by all layers; parameterless layers keep the empty lists."""

    name: str = "layer"

    def __init__(self) -> None:
        self.params: list[Array] = []
        self.grads: list[Array] = []

    def forward(self, x: Array) -> Array:
        raise NotImplementedError

    def backward(self, dy: Array) -> Array:
        raise NotImplementedError


def _bias_init(name_or_fn: str | Initializer, fan_in: int) -> Initializer:
    # torch's Linear/RNN default draws biases from U(+-1/sqrt(fan_in)), which needs fan_in.
    if name_or_fn == "torch_linear_default":
        return torch_linear_bias(fan_in)
    return get_initializer(name_or_fn)


class Dense(Layer):
    """Affine map ``y = x @ W + b``."""

    name = "dense"

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator,
        kernel_init: str | Initializer = "glorot_uniform",
        bias_init: str | Initializer = "zeros",
    ) -> None:
        super().__init__()
        self.W: Array = get_initializer(kernel_init)((in_features, out_features), rng)
        self.b: Array = _bias_init(bias_init, in_features)((out_features,), rng)
        self.dW: Array = np.zeros_like(self.W)
        self.db: Array = np.zeros_like(self.b)
        self.params = [self.W, self.b]
        self.grads = [self.dW, self.db]
        self._x: Array | None = None

    def forward(self, x: Array) -> Array:
        self._x = x
        y: Array = np.dot(x, self.W)
        y += self.b
        return y

    def backward(self, dy: Array) -> Array:
        x = self._x
        if x is None:
            raise RuntimeError("backward called before forward")
        np.dot(x.T, dy, out=self.dW)
        np.add.reduce(dy, axis=0, out=self.db)
        dx: Array = np.dot(dy, self.W.T)
        return dx


class ActivationLayer(Layer):
    """Wraps an :class:`~nnadvisor.reference.activations.Activation` as a layer."""

    name = "activation"

    def __init__(self, activation: str | act.Activation, **params: float) -> None:
        super().__init__()
        self.activation = (
            act.get_activation(activation, **params) if isinstance(activation, str) else activation
        )
        self.name = self.activation.name
        self._z: Array | None = None
        self._y: Array | None = None

    def forward(self, x: Array) -> Array:
        self._z = x
        self._y = self.activation.forward(x)
        return self._y

    def backward(self, dy: Array) -> Array:
        if self._z is None or self._y is None:
            raise RuntimeError("backward called before forward")
        return self.activation.vjp(self._z, self._y, dy)


class SimpleRNN(Layer):
    """Vanilla RNN ``h_t = f(x_t Wx + h_{t-1} Wh + b)``, ``h_0 = 0``, ``f`` tanh or relu.

    Input ``(N, T, D)``. Many-to-one (``return_sequences=False``) returns ``h_T`` of shape
    ``(N, H)``; many-to-many returns all ``h_t`` as ``(N, T, H)``. ``backward`` is full
    backpropagation through time; ``last_dh_norms`` keeps ``||dL/dh_t||`` per step from the most
    recent backward, the quantity that vanishes or explodes.
    """

    name = "simple_rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        rng: np.random.Generator,
        nonlinearity: str = "tanh",
        return_sequences: bool = False,
        kernel_init: str | Initializer = "glorot_uniform",
        recurrent_init: str | Initializer = "orthogonal",
        bias_init: str | Initializer = "zeros",
    ) -> None:
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
        self.activation = act.get_activation(nonlinearity)
        self.return_sequences = return_sequences
        self.Wx: Array = get_initializer(kernel_init)((input_size, hidden_size), rng)
        self.Wh: Array = get_initializer(recurrent_init)((hidden_size, hidden_size), rng)
        self.b: Array = _bias_init(bias_init, hidden_size)((hidden_size,), rng)
        self.dWx: Array = np.zeros_like(self.Wx)
        self.dWh: Array = np.zeros_like(self.Wh)
        self.db: Array = np.zeros_like(self.b)
        self.params = [self.Wx, self.Wh, self.b]
        self.grads = [self.dWx, self.dWh, self.db]
        self.last_dh_norms: list[float] = []
        self._x: Array | None = None
        self._a: Array | None = None
        self._h: Array | None = None

    def forward(self, x: Array) -> Array:
        n, t_len, d = x.shape
        hidden = self.b.shape[0]
        # Time-major internally: every per-step slice is contiguous, and the input projection
        # for all steps is one BLAS call.
        xt = np.ascontiguousarray(x.transpose(1, 0, 2))
        a = np.dot(xt.reshape(t_len * n, d), self.Wx).reshape(t_len, n, hidden)
        a += self.b
        h = np.zeros((t_len + 1, n, hidden))  # h[0] is h_0 = 0
        f = self.activation.forward
        for t in range(t_len):
            a[t] += np.dot(h[t], self.Wh)
            h[t + 1] = f(a[t])
        self._x, self._a, self._h = xt, a, h
        if self.return_sequences:
            out: Array = np.ascontiguousarray(h[1:].transpose(1, 0, 2))
            return out
        return h[t_len].copy()

    def backward(self, dy: Array) -> Array:
        xt, a, h = self._x, self._a, self._h
        if xt is None or a is None or h is None:
            raise RuntimeError("backward called before forward")
        t_len, n, d = xt.shape
        hidden = h.shape[2]
        da = np.empty_like(a)
        dh = np.zeros((n, hidden))
        norms: list[float] = []
        vjp, wh_t = self.activation.vjp, self.Wh.T
        for t in range(t_len - 1, -1, -1):
            if self.return_sequences:
                dh += dy[:, t]
            elif t == t_len - 1:
                dh += dy
            norms.append(float(np.sqrt(np.vdot(dh, dh))))
            da[t] = vjp(a[t], h[t + 1], dh)
            dh = np.dot(da[t], wh_t)
        self.last_dh_norms = norms[::-1]
        da_flat = da.reshape(t_len * n, hidden)
        np.dot(xt.reshape(t_len * n, d).T, da_flat, out=self.dWx)
        np.dot(h[:-1].reshape(t_len * n, hidden).T, da_flat, out=self.dWh)
        np.add.reduce(da_flat, axis=0, out=self.db)
        dx: Array = np.dot(da_flat, self.Wx.T).reshape(t_len, n, d).transpose(1, 0, 2)
        return np.ascontiguousarray(dx)
