"""The closed sets of words shared by the config format, the vocabulary and the rules."""

from typing import Literal, get_args

Framework = Literal["keras", "pytorch", "generic"]
Task = Literal["regression", "binary", "multiclass", "multilabel"]
LabelFormat = Literal["integer", "one-hot", "binary", "signed", "probabilities", "continuous"]
TargetRange = Literal["unbounded", "unit-interval", "non-negative", "symmetric-unit"]
Outliers = Literal["none", "some", "heavy"]
Severity = Literal["error", "warning", "info"]
Architecture = Literal["mlp", "cnn", "rnn", "transformer"]
TuningBudget = Literal["low", "high"]
OutputRange = Literal[
    "unbounded",
    "non_negative",
    "positive",
    "bounded_below",
    "unit_interval",
    "simplex",
    "symmetric_unit",
    "log_probability",
]
Expects = Literal["probabilities", "logits", "log_probabilities", "scores"]
LossFamily = Literal["regression", "classification", "distribution", "similarity"]
LayerType = Literal[
    "dense",
    "conv",
    "rnn",
    "lstm",
    "gru",
    "embedding",
    "dropout",
    "batchnorm",
    "layernorm",
    "flatten",
    "pooling",
    "attention",
    "activation",
    "other",
]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


def values(literal: object) -> tuple[str, ...]:
    """The members of a ``Literal[...]`` alias, for validation and help texts."""
    return tuple(get_args(literal))
