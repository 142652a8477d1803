"""The scenarios: stable names, one-sentence claims, the lint rules each one backs, the metric.

This module imports neither NumPy nor the scenario code: listing scenarios, looking up the ones
that back a rule and validating a name cost nothing. :func:`run` imports the scenario module on
demand.

A claim states what the main table measures, in the terms of its configurations; the verdict
(computed) says whether the numbers bear it out. Where a scenario shows more than the claim ranks
(alternatives that are equally fine, the same pair under another optimizer), those runs are in
``comparisons`` with their own computed summaries, not silently dropped.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .models import DemoResult, MetricInfo, ScenarioInfo

DEFAULT_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class _Entry:
    name: str
    module: str
    claim: str
    rules: tuple[str, ...]
    metric: MetricInfo


def _m(name: str, higher_is_better: bool) -> MetricInfo:
    return MetricInfo(name=name, higher_is_better=higher_is_better)


_ENTRIES: tuple[_Entry, ...] = (
    _Entry(
        "multiclass-loss",
        "multiclass_loss",
        "Under plain SGD a softmax output trained with crossentropy learns a 10-class task far "
        "faster than the same softmax trained with mse, whose gradient vanishes as the softmax "
        "saturates.",
        ("NNA101", "NNA108", "NNA205", "NNA203", "NNA111"),
        _m("test_accuracy", True),
    ),
    _Entry(
        "binary-output",
        "binary_output",
        "For a binary label a one-unit sigmoid with binary crossentropy gives the best test "
        "log-loss; a linear output into probability crossentropy, a one-unit softmax and "
        "sigmoid + mse do worse.",
        ("NNA102", "NNA108", "NNA201", "NNA202"),
        _m("test_log_loss", False),
    ),
    _Entry(
        "logits",
        "logits",
        "A linear (logits) output into a from-logits crossentropy beats a softmax output fed to "
        "the same logits loss (double softmax), a linear output fed to a probability loss "
        "(missing softmax) and softmax into nll.",
        ("NNA102", "NNA103", "NNA105", "NNA405", "NNA104"),
        _m("test_accuracy", True),
    ),
    _Entry(
        "multilabel",
        "multilabel",
        "On a multilabel task sigmoid outputs with binary crossentropy beat a softmax output "
        "(with either crossentropy) and sigmoid with categorical crossentropy.",
        ("NNA204", "NNA106", "NNA107"),
        _m("test_binary_accuracy", True),
    ),
    _Entry(
        "robust-regression",
        "robust_regression",
        "With 15% gross outliers in the training targets, huber keeps the clean-test error "
        "orders of magnitude below mse's, which is pulled off by about the outlier fraction "
        "times the outlier size.",
        ("NNA601", "NNA602"),
        _m("clean_test_mse", False),
    ),
    _Entry(
        "regression-output-range",
        "output_range",
        "For targets of either sign a linear output fits far better than relu, softplus, sigmoid "
        "or tanh outputs, which cannot reach the targets.",
        ("NNA206", "NNA110"),
        _m("test_mse", False),
    ),
    _Entry(
        "depth",
        "depth",
        "In a plain 15-hidden-layer MLP sigmoid's first-to-last gradient-norm ratio is below "
        "1e-9 and it stays near the majority-class accuracy, while leaky_relu with He "
        "initialisation learns (tanh with Glorot learns too, and fastest here).",
        ("NNA402",),
        _m("test_accuracy", True),
    ),
    _Entry(
        "linear-hidden",
        "linear_hidden",
        "Hidden layers without a non-linearity collapse to one linear map and fail a non-linear "
        "task that the same network with relu hidden layers solves.",
        ("NNA403", "NNA401"),
        _m("test_accuracy", True),
    ),
    _Entry(
        "dying-relu",
        "dying_relu",
        "With Adam at lr 5e-2 about half the units of a 3x64 relu MLP end up inactive on every "
        "training input (dead: no gradient), while leaky_relu leaves far fewer inactive.",
        ("NNA501",),
        _m("inactive_unit_fraction", False),
    ),
    _Entry(
        "optimizers",
        "optimizers",
        "At Keras default settings plain SGD lags SGD with momentum 0.9 on a 2-hidden-layer MLP; "
        "at Keras' SGD rate 1e-2 momentum keeps up with Adam and RMSprop, at PyTorch's 1e-3 it "
        "lags Adam.",
        ("NNA504", "NNA502"),
        _m("test_accuracy", True),
    ),
    _Entry(
        "learning-rate",
        "learning_rate",
        "Adam at its default learning rate 1e-3 trains where a rate far below the usual range "
        "barely moves and a rate far above it collapses to chance.",
        ("NNA501",),
        _m("test_accuracy", True),
    ),
    _Entry(
        "rnn-clipping",
        "rnn_clipping",
        "In the exploding-gradient regime (recurrent weights scaled up) a vanilla RNN learns the "
        "adding problem with clipnorm 1.0 and fails without it.",
        ("NNA503", "NNA404"),
        _m("test_mse", False),
    ),
    _Entry(
        "labels",
        "labels",
        "The label format must match the loss: integer labels with sparse crossentropy train, "
        "while integer labels broadcast into one-hot crossentropy and -1/+1 labels in binary "
        "crossentropy silently train a much worse model.",
        ("NNA301", "NNA302", "NNA303", "NNA305"),
        _m("test_accuracy", True),
    ),
)

_BY_NAME: dict[str, _Entry] = {e.name: e for e in _ENTRIES}

SCENARIO_NAMES: tuple[str, ...] = tuple(e.name for e in _ENTRIES)


class UnknownScenarioError(KeyError):
    """Raised for a scenario name that does not exist; the message suggests the closest."""

    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, SCENARIO_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.name = name
        self.message = (
            f"unknown demonstration scenario {name!r}{hint} (known: {', '.join(SCENARIO_NAMES)})"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _entry(name: str) -> _Entry:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownScenarioError(name) from None


def _info(e: _Entry) -> ScenarioInfo:
    return ScenarioInfo(name=e.name, claim=e.claim, rules=list(e.rules))


def list_scenarios() -> list[ScenarioInfo]:
    """Every scenario with its claim and the lint rules it backs, in a stable order."""
    return [_info(e) for e in _ENTRIES]


def get_scenario(name: str) -> ScenarioInfo:
    """One scenario's listing; :class:`UnknownScenarioError` (a ``KeyError``) if unknown."""
    return _info(_entry(name))


def scenarios_for_rules(codes: Iterable[str]) -> list[str]:
    """Names of the scenarios that back any of the rule ``codes`` (case-insensitive), in order."""
    wanted = {c.strip().upper() for c in codes}
    return [e.name for e in _ENTRIES if wanted.intersection(e.rules)]


def _check_seeds(seeds: Sequence[int]) -> list[int]:
    out = list(seeds)
    if not out:
        raise ValueError("at least one seed is needed")
    for s in out:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ValueError(f"seeds must be non-negative integers, got {s!r}")
    if len(set(out)) != len(out):
        raise ValueError("seeds must be distinct")
    return out


def run(name: str, seeds: Sequence[int] | None = None) -> DemoResult:
    """Run scenario ``name`` over ``seeds`` (default 0..4) and return its result.

    Raises :class:`UnknownScenarioError` (a ``KeyError``) for an unknown name and
    ``ValueError`` for bad seeds. Deterministic: the same seed gives the same numbers.
    """
    entry = _entry(name)
    seed_list = _check_seeds(DEFAULT_SEEDS if seeds is None else seeds)
    module = importlib.import_module(f"{__package__}.{entry.module}")
    from ._runner import execute

    return execute(
        name=entry.name,
        claim=entry.claim,
        rules=entry.rules,
        metric=entry.metric,
        plan_fn=module.plan,
        seeds=seed_list,
    )
