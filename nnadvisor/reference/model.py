"""A sequential model: layers and activations composed, with one honest backward pass.

The seed articles' NumPy example multiplies by the sigmoid derivative twice on its way back (once
when forming the output delta and once more in the next layer). Here each activation's VJP is
applied exactly once, by its own :class:`~nnadvisor.reference.layers.ActivationLayer`, and the
whole-network gradient is checked against central finite differences in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._types import Array
from .init import Initializer
from .layers import ActivationLayer, Dense, Layer
from .losses import Loss


class Sequential:
    """Layers applied in order; ``params``/``grads`` are flat, aligned lists of arrays."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers: list[Layer] = list(layers)
        self.params: list[Array] = [p for layer in self.layers for p in layer.params]
        self.grads: list[Array] = [g for layer in self.layers for g in layer.grads]

    def forward(self, x: Array) -> Array:
        """Output of the last layer (caches intermediates for :meth:`backward`)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    predict = forward

    def backward(self, dy: Array) -> Array:
        """Back-propagate ``dL/d output``; fills ``grads`` and returns ``dL/d input``."""
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def loss_and_grads(self, x: Array, y: Array, loss: Loss) -> float:
        """One forward, loss and backward pass; returns the loss, leaves gradients in ``grads``."""
        value, dout = loss(self.forward(x), y)
        self.backward(dout)
        return value

    def parametrised_layers(self) -> list[Layer]:
        """The layers that own parameters, input to output."""
        return [layer for layer in self.layers if layer.params]

    def layer_grad_norms(self) -> list[float]:
        """L2 norm of each parametrised layer's gradients (kernel and bias together).

        The ratio first/last is the vanishing-gradient diagnostic of the depth demonstration.
        """
        return [
            math.sqrt(sum(float(np.vdot(g, g)) for g in layer.grads))
            for layer in self.parametrised_layers()
        ]

    def get_weights(self) -> list[Array]:
        """Copies of all parameters (for resetting a model between configurations)."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights: Sequence[Array]) -> None:
        """Overwrite all parameters in place from :meth:`get_weights` output."""
        if len(weights) != len(self.params):
            raise ValueError(f"expected {len(self.params)} arrays, got {len(weights)}")
        for p, w in zip(self.params, weights):
            p[...] = w


def mlp(
    sizes: Sequence[int],
    hidden_activation: str,
    output_activation: str,
    rng: np.random.Generator,
    kernel_init: str | Initializer = "glorot_uniform",
    bias_init: str | Initializer = "zeros",
) -> Sequential:
    """A fully connected network ``sizes[0] -> ... -> sizes[-1]``.

    ``output_activation="linear"`` leaves logits, for losses computed ``*_from_logits``.
    """
    if len(sizes) < 2:
        raise ValueError("an MLP needs at least an input and an output size")
    layers: list[Layer] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(fan_in, fan_out, rng, kernel_init, bias_init))
        last = i == len(sizes) - 2
        name = output_activation if last else hidden_activation
        if name != "linear":
            layers.append(ActivationLayer(name))
    return Sequential(layers)
