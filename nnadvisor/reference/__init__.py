"""A small, exact NumPy reference implementation of what nnadvisor gives advice about.

float64 throughout, seeded, deterministic, and independent of the CLI and the rules: it imports
only NumPy and the standard library. Its purpose is evidence: the demonstrations train and probe
these pieces side by side, and the tests pin every gradient to finite differences and, where
PyTorch is installed, to PyTorch itself.

Modules: ``activations`` (forward + VJP), ``losses`` (value + gradient, fused and unfused),
``optimizers`` (torch/keras conventions), ``clipping``, ``init``, ``layers`` (Dense, SimpleRNN),
``model`` (Sequential, mlp), ``metrics``, ``train`` (train, History), ``data`` (synthetic sets),
``gradcheck`` (finite differences).
"""

from __future__ import annotations

from .activations import ACTIVATION_NAMES, ACTIVATIONS, Activation, get_activation
from .clipping import Clip, clip_by_global_norm, clip_by_norm, clip_by_value, global_norm
from .data import (
    Dataset,
    RegressionDataset,
    adding_problem,
    blobs,
    regression_with_outliers,
    teacher_classification,
)
from .gradcheck import numerical_gradient, relative_error
from .layers import ActivationLayer, Dense, Layer, SimpleRNN
from .losses import LOSSES, Loss, get_loss, one_hot, unfused
from .metrics import METRICS
from .model import Sequential, mlp
from .optimizers import (
    DEFAULTS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    make_optimizer,
)
from .train import History, train

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_NAMES",
    "DEFAULTS",
    "LOSSES",
    "METRICS",
    "SGD",
    "Activation",
    "ActivationLayer",
    "Adagrad",
    "Adam",
    "AdamW",
    "Clip",
    "Dataset",
    "Dense",
    "History",
    "Layer",
    "Loss",
    "Optimizer",
    "RMSprop",
    "RegressionDataset",
    "Sequential",
    "SimpleRNN",
    "adding_problem",
    "blobs",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "get_activation",
    "get_loss",
    "global_norm",
    "make_optimizer",
    "mlp",
    "numerical_gradient",
    "one_hot",
    "regression_with_outliers",
    "relative_error",
    "teacher_classification",
    "train",
    "unfused",
]
