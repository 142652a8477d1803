"""The lint catalogue of rules.md is a contract: codes, names and severities; and the configurations
rules.md calls correct produce no error or warning at all."""

from __future__ import annotations

from typing import Any

import pytest

from nnadvisor.lint import check_data
from nnadvisor.rulebase import RuleBase, rule_models

CATALOGUE = {
    "NNA000": ("invalid-config", {"error"}),
    "NNA001": ("unknown-name", {"error"}),
    "NNA101": ("softmax-with-regression-loss", {"error"}),
    "NNA102": ("probability-loss-on-unbounded-output", {"error"}),
    "NNA103": ("logits-loss-after-squashing", {"error"}),
    "NNA104": ("redundant-log-softmax", {"info"}),
    "NNA105": ("softmax-into-nll", {"error"}),
    "NNA106": ("sigmoid-with-categorical-crossentropy", {"error"}),
    "NNA107": ("softmax-with-binary-crossentropy", {"error"}),
    "NNA108": ("squared-error-for-classification-output", {"warning"}),
    "NNA109": ("hinge-on-probabilities", {"warning"}),
    "NNA110": ("classification-loss-for-regression", {"error"}),
    "NNA111": ("regression-loss-for-classification", {"warning"}),
    "NNA201": ("single-unit-softmax", {"error"}),
    "NNA202": ("categorical-crossentropy-on-single-unit", {"error"}),
    "NNA203": ("output-units-mismatch", {"error"}),
    "NNA204": ("softmax-for-multilabel", {"error"}),
    "NNA205": ("binary-crossentropy-for-multiclass", {"error"}),
    "NNA206": ("output-range-mismatch", {"error", "warning"}),
    "NNA301": ("integer-labels-with-categorical-crossentropy", {"error"}),
    "NNA302": ("one-hot-labels-with-sparse-crossentropy", {"error"}),
    "NNA303": ("signed-labels-with-binary-crossentropy", {"error"}),
    "NNA304": ("binary-labels-with-hinge", {"warning"}),
    "NNA305": ("soft-labels-with-sparse-crossentropy", {"error"}),
    "NNA401": ("softmax-in-hidden-layer", {"warning"}),
    "NNA402": ("saturating-activation-in-deep-network", {"warning"}),
    "NNA403": ("linear-hidden-layers", {"warning"}),
    "NNA404": ("relu-in-recurrent-cell", {"warning"}),
    "NNA405": ("redundant-activation", {"warning"}),
    "NNA501": ("learning-rate-out-of-range", {"error", "warning"}),
    "NNA502": ("invalid-optimizer-parameter", {"error", "warning"}),
    "NNA503": ("recurrent-without-gradient-clipping", {"warning"}),
    "NNA504": ("sgd-without-momentum", {"info"}),
    "NNA505": ("adam-with-coupled-weight-decay", {"info"}),
    "NNA601": ("squared-error-with-outliers", {"warning"}),
    "NNA602": ("invalid-loss-parameter", {"error"}),
}


def test_catalogue_codes_names_and_severities() -> None:
    rules = {r.id: r for r in rule_models()}
    assert set(CATALOGUE) <= set(rules)
    for code, (name, severities) in CATALOGUE.items():
        rule = rules[code]
        assert rule.name == name, code
        used = {rule.severity} if not rule.cases else {c.severity or rule.severity for c in rule.cases}
        assert used == severities, (code, used)


def test_every_error_rule_names_its_demo() -> None:
    for rule in rule_models():
        if rule.severity == "error" and rule.id not in ("NNA000", "NNA001"):
            assert rule.demo, rule.id


HIDDEN = [{"type": "dense", "units": 32, "activation": "relu"}]
CORRECT: dict[str, dict[str, Any]] = {
    "multilabel-sigmoid-bce": {
        "task": "multilabel", "num_classes": 5, "labels": "binary",
        "layers": [*HIDDEN, {"type": "dense", "units": 5, "activation": "sigmoid"}],
        "loss": "binary_crossentropy", "optimizer": "adam",
    },
    "binary-two-unit-softmax-cce": {
        "task": "binary", "labels": "one-hot", "num_classes": 2,
        "layers": [*HIDDEN, {"type": "dense", "units": 2, "activation": "softmax"}],
        "loss": "categorical_crossentropy", "optimizer": "adam",
    },
    "binary-two-unit-softmax-scce": {
        "task": "binary", "labels": "integer",
        "layers": [*HIDDEN, {"type": "dense", "units": 2, "activation": "softmax"}],
        "loss": "sparse_categorical_crossentropy", "optimizer": "adam",
    },
    "regression-unit-interval-sigmoid-mse": {
        "task": "regression", "target_range": "unit-interval",
        "layers": [*HIDDEN, {"type": "dense", "units": 1, "activation": "sigmoid"}],
        "loss": "mse", "optimizer": "adam",
    },
    "keras-softmax-cce-probabilities": {
        "framework": "keras", "task": "multiclass", "labels": "one-hot", "num_classes": 10,
        "layers": [*HIDDEN, {"type": "dense", "units": 10, "activation": "softmax"}],
        "loss": {"name": "categorical_crossentropy", "from_logits": False}, "optimizer": {"name": "adam", "learning_rate": 0.001},
    },
    "pytorch-linear-crossentropyloss-integer": {
        "framework": "pytorch", "task": "multiclass", "labels": "integer", "num_classes": 10,
        "layers": [*HIDDEN, {"type": "dense", "units": 10}],
        "loss": "CrossEntropyLoss", "optimizer": {"name": "SGD", "lr": 0.05, "momentum": 0.9},
    },
    "log-softmax-nll": {
        "framework": "pytorch", "task": "multiclass", "labels": "integer", "num_classes": 10,
        "layers": [*HIDDEN, {"type": "dense", "units": 10}, {"type": "log_softmax"}],
        "loss": "NLLLoss", "optimizer": "adam",
    },
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_configurations_are_clean(name: str, rulebase: RuleBase) -> None:
    serious = [(f.rule_id, f.message) for f in check_data(CORRECT[name], rulebase) if f.severity != "info"]
    assert serious == []


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_configurations_without_context_are_clean(name: str, rulebase: RuleBase) -> None:
    """Dropping the optional context never creates a warning: rules do not guess."""
    bare = {k: v for k, v in CORRECT[name].items() if k in ("layers", "loss", "optimizer", "framework")}
    serious = [(f.rule_id, f.message) for f in check_data(bare, rulebase) if f.severity != "info"]
    assert serious == []
