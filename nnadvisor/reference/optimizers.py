"""Optimizers with per-parameter state, in the PyTorch or the Keras convention.

The two frameworks agree on the names and disagree on details that change trajectories and the
advice built on them. Each optimizer takes ``convention="torch"`` or ``"keras"``; hyperparameters
left as ``None`` take that framework's default (:data:`DEFAULTS`). The update rules below were
checked against ``torch/optim/*.py`` (``_single_tensor_*``, the CPU code path) and
``keras/src/optimizers/*.py`` (Keras 3 ``update_step``):

SGD
    torch: ``g += wd*p`` (L2); ``b = m*b + g`` (``b = g`` on the first step); nesterov
    ``g = g + m*b`` else ``g = b``; ``p -= lr*g``.
    keras: ``v = m*v - lr*g``; nesterov ``p += m*v - lr*g`` else ``p += v``.
    With a constant learning rate the two momentum forms give the same trajectory (``v = -lr*b``);
    when ``lr`` changes between steps they differ: torch rescales the whole accumulated velocity by
    the new ``lr``, Keras keeps past steps at the ``lr`` they were taken with.
Adam / AdamW
    torch: ``p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)``, eps 1e-8.
    keras: ``p -= lr*sqrt(bc2)/bc1 * m / (sqrt(v) + eps)``, eps 1e-7 (the paper's "epsilon hat").
    Both add eps outside the root, but Keras adds it to the *uncorrected* ``sqrt(v)``, so early
    steps see an effective eps ``1/sqrt(bc2)`` times larger (about 31.6x at step 1).
RMSprop
    torch: ``p -= lr * g / (sqrt(v) + eps)``, ``alpha`` 0.99, eps 1e-8, lr 1e-2.
    keras: ``p -= lr * g / sqrt(v + eps)`` (eps *inside* the root), ``rho`` 0.9, eps 1e-7,
    lr 1e-3. With momentum, torch accumulates ``g / denom`` and multiplies by ``lr`` afterwards;
    Keras accumulates ``lr * g / denom``.
Adagrad
    torch: accumulator starts at 0, ``p -= lr * g / (sqrt(acc) + eps)``, eps 1e-10, lr 1e-2.
    keras: accumulator starts at 0.1, ``p -= lr * g / sqrt(acc + eps)``, eps 1e-7, lr 1e-3.
Weight decay
    torch adds ``wd * p`` to the gradient (L2) in SGD/Adam/RMSprop/Adagrad and decays the weights
    directly, ``p *= 1 - lr*wd``, only in AdamW. Keras always decays directly,
    ``p -= p * wd * lr``, before the update step (after clipping).

Parameters are updated in place; state lives on the optimizer, one slot per parameter index, so
``step`` must always receive the parameters in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from ._types import Array

Convention = Literal["torch", "keras"]
Hyper = float | bool

DEFAULTS: Mapping[str, Mapping[str, Mapping[str, Hyper]]] = {
    "torch": {
        "sgd": {"lr": 1e-3, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0},
        "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
        "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
        "rmsprop": {"lr": 1e-2, "rho": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
        "adagrad": {
            "lr": 1e-2,
            "eps": 1e-10,
            "initial_accumulator_value": 0.0,
            "weight_decay": 0.0,
        },
    },
    "keras": {
        "sgd": {"lr": 1e-2, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0},
        "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7, "weight_decay": 0.0},
        "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7, "weight_decay": 4e-3},
        "rmsprop": {"lr": 1e-3, "rho": 0.9, "eps": 1e-7, "momentum": 0.0, "weight_decay": 0.0},
        "adagrad": {
            "lr": 1e-3,
            "eps": 1e-7,
            "initial_accumulator_value": 0.1,
            "weight_decay": 0.0,
        },
    },
}
"""Library defaults per convention and optimizer (torch 2.x ``__init__`` signatures, Keras 3).

``rho`` is torch's RMSprop ``alpha``; ``beta1``/``beta2`` are torch's ``betas``.
"""


def _pick(value: float | None, convention: Convention, opt: str, key: str) -> float:
    if convention not in DEFAULTS:
        raise ValueError(f"convention must be 'torch' or 'keras', not {convention!r}")
    if value is not None:
        return float(value)
    return float(DEFAULTS[convention][opt][key])


class Optimizer:
    """Base class: per-parameter state, the step counter, and Keras-style decoupled decay.

    ``lr`` is a plain attribute; change it between steps to emulate a schedule.
    """

    name = "optimizer"

    def __init__(self, lr: float, weight_decay: float, convention: Convention) -> None:
        if convention not in ("torch", "keras"):
            raise ValueError(f"convention must be 'torch' or 'keras', not {convention!r}")
        self.lr = lr
        self.weight_decay = weight_decay
        self.convention: Convention = convention
        self.iterations = 0
        self.state: list[dict[str, Array]] = []

    def _slot(self, i: int, p: Array) -> dict[str, Array]:
        while len(self.state) <= i:
            self.state.append({})
        slot = self.state[i]
        if not slot:
            slot["tmp"] = np.empty_like(p)
            self._init_slot(slot, p)
        return slot

    def _init_slot(self, slot: dict[str, Array], p: Array) -> None:
        """Create the optimizer's state arrays for one parameter."""

    def _update(self, slot: dict[str, Array], p: Array, g: Array) -> None:
        raise NotImplementedError

    def _l2(self, slot: dict[str, Array], p: Array, g: Array) -> Array:
        """torch's coupled weight decay: the gradient seen by the update is ``g + wd * p``."""
        if self.convention == "torch" and self.weight_decay != 0.0:
            out = slot.setdefault("g_wd", np.empty_like(p))
            np.multiply(p, self.weight_decay, out=out)
            out += g
            return out
        return g

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Update ``params`` in place from ``grads`` (already clipped, if clipping is wanted)."""
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        self.iterations += 1
        keras_decay = self.convention == "keras" and self.weight_decay != 0.0
        for i, (p, g) in enumerate(zip(params, grads)):
            if p.shape != g.shape:
                raise ValueError(f"parameter {i}: shape {p.shape} but gradient {g.shape}")
            slot = self._slot(i, p)
            if keras_decay:
                p -= p * (self.weight_decay * self.lr)
            self._update(slot, p, g)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum; dampening 0."""

    name = "sgd"

    def __init__(
        self,
        lr: float | None = None,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        convention: Convention = "torch",
    ) -> None:
        super().__init__(_pick(lr, convention, "sgd", "lr"), weight_decay, convention)
        if nesterov and momentum <= 0.0:
            raise ValueError("nesterov momentum requires momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov

    def _init_slot(self, slot: dict[str, Array], p: Array) -> None:
        if self.momentum != 0.0:
            slot["buf"] = np.zeros_like(p)

    def _update(self, slot: dict[str, Array], p: Array, g: Array) -> None:
        m, lr, tmp = self.momentum, self.lr, slot["tmp"]
        if self.convention == "torch":
            g = self._l2(slot, p, g)
            if m == 0.0:
                np.multiply(g, lr, out=tmp)
                p -= tmp
                return
            buf = slot["buf"]
            buf *= m  # first step: buf is zero, so this equals torch's ``buf = g.clone()``
            buf += g
            if self.nesterov:
                np.multiply(buf, m, out=tmp)
                tmp += g
            else:
                tmp[...] = buf
            tmp *= lr
            p -= tmp
            return
        if m == 0.0:
            np.multiply(g, lr, out=tmp)
            p -= tmp
            return
        v = slot["buf"]
        v *= m
        np.multiply(g, lr, out=tmp)
        v -= tmp
        if self.nesterov:
            p += m * v - tmp
        else:
            p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba); ``decoupled=True`` makes it AdamW in either convention."""

    name = "adam"

    def __init__(
        self,
        lr: float | None = None,
        beta1: float | None = None,
        beta2: float | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        convention: Convention = "torch",
        decoupled: bool = False,
    ) -> None:
        key = "adamw" if decoupled else "adam"
        super().__init__(
            _pick(lr, convention, key, "lr"),
            _pick(weight_decay, convention, key, "weight_decay"),
            convention,
        )
        self.beta1 = _pick(beta1, convention, key, "beta1")
        self.beta2 = _pick(beta2, convention, key, "beta2")
        self.eps = _pick(eps, convention, key, "eps")
        self.decoupled = decoupled

    def _init_slot(self, slot: dict[str, Array], p: Array) -> None:
        slot["m"] = np.zeros_like(p)
        slot["v"] = np.zeros_like(p)

    def _update(self, slot: dict[str, Array], p: Array, g: Array) -> None:
        m, v, tmp = slot["m"], slot["v"], slot["tmp"]
        b1, b2, t = self.beta1, self.beta2, self.iterations
        if self.convention == "torch":
            if self.decoupled:
                if self.weight_decay != 0.0:
                    p *= 1.0 - self.lr * self.weight_decay
            else:
                g = self._l2(slot, p, g)
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        bc1 = 1.0 - b1**t
        sqrt_bc2 = math.sqrt(1.0 - b2**t)
        np.sqrt(v, out=tmp)
        if self.convention == "torch":
            # sqrt(v)/sqrt(bc2) + eps, scaled by sqrt(bc2) to save one pass over the array:
            # m / (sqrt(v)/sqrt(bc2) + eps) == sqrt(bc2) * m / (sqrt(v) + eps*sqrt(bc2))
            tmp += self.eps * sqrt_bc2
        else:
            tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr * sqrt_bc2 / bc1
        p -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay (torch default wd 1e-2, Keras 4e-3)."""

    name = "adamw"

    def __init__(
        self,
        lr: float | None = None,
        beta1: float | None = None,
        beta2: float | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        convention: Convention = "torch",
    ) -> None:
        super().__init__(lr, beta1, beta2, eps, weight_decay, convention, decoupled=True)


class RMSprop(Optimizer):
    """RMSprop; ``rho`` is the squared-gradient decay (torch calls it ``alpha``)."""

    name = "rmsprop"

    def __init__(
        self,
        lr: float | None = None,
        rho: float | None = None,
        eps: float | None = None,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
        convention: Convention = "torch",
    ) -> None:
        super().__init__(_pick(lr, convention, "rmsprop", "lr"), weight_decay, convention)
        self.rho = _pick(rho, convention, "rmsprop", "rho")
        self.eps = _pick(eps, convention, "rmsprop", "eps")
        self.momentum = momentum
        self.centered = centered

    def _init_slot(self, slot: dict[str, Array], p: Array) -> None:
        slot["v"] = np.zeros_like(p)
        if self.momentum > 0.0:
            slot["buf"] = np.zeros_like(p)
        if self.centered:
            slot["mean_g"] = np.zeros_like(p)

    def _update(self, slot: dict[str, Array], p: Array, g: Array) -> None:
        g = self._l2(slot, p, g)
        v, tmp, rho = slot["v"], slot["tmp"], self.rho
        v *= rho
        v += (1.0 - rho) * (g * g)
        denom = v
        if self.centered:
            mg = slot["mean_g"]
            mg *= rho
            mg += (1.0 - rho) * g
            denom = v - mg * mg
        if self.convention == "torch":
            np.sqrt(denom, out=tmp)
            tmp += self.eps
            if self.momentum > 0.0:
                buf = slot["buf"]
                buf *= self.momentum
                buf += g / tmp
                p -= self.lr * buf
            else:
                p -= self.lr * g / tmp
            return
        np.add(denom, self.eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        increment = self.lr * g / tmp
        if self.momentum > 0.0:
            buf = slot["buf"]
            buf *= self.momentum
            buf += increment
            p -= buf
        else:
            p -= increment


class Adagrad(Optimizer):
    """Adagrad; torch's ``lr_decay`` is supported (``lr / (1 + (t - 1) * lr_decay)``)."""

    name = "adagrad"

    def __init__(
        self,
        lr: float | None = None,
        eps: float | None = None,
        initial_accumulator_value: float | None = None,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        convention: Convention = "torch",
    ) -> None:
        super().__init__(_pick(lr, convention, "adagrad", "lr"), weight_decay, convention)
        self.eps = _pick(eps, convention, "adagrad", "eps")
        self.initial_accumulator_value = _pick(
            initial_accumulator_value, convention, "adagrad", "initial_accumulator_value"
        )
        if lr_decay and convention == "keras":
            raise ValueError("Keras Adagrad has no lr_decay")
        self.lr_decay = lr_decay

    def _init_slot(self, slot: dict[str, Array], p: Array) -> None:
        slot["acc"] = np.full_like(p, self.initial_accumulator_value)

    def _update(self, slot: dict[str, Array], p: Array, g: Array) -> None:
        g = self._l2(slot, p, g)
        acc, tmp = slot["acc"], slot["tmp"]
        acc += g * g
        if self.convention == "torch":
            clr = self.lr / (1.0 + (self.iterations - 1) * self.lr_decay)
            np.sqrt(acc, out=tmp)
            tmp += self.eps
            p -= clr * g / tmp
        else:
            np.add(acc, self.eps, out=tmp)
            np.sqrt(tmp, out=tmp)
            p -= self.lr * g / tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def make_optimizer(name: str, convention: Convention = "torch", **hyper: Hyper) -> Optimizer:
    """Build an optimizer by name with the library defaults of ``convention``, overridden by
    ``hyper`` (e.g. ``make_optimizer("sgd", "keras", momentum=0.9)``)."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}") from None
    return cls(convention=convention, **hyper)
