"""The two rule sets never disagree: every config ``recommend --emit config`` writes passes
``check`` with no finding at all (not even info), over the whole problem space."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnadvisor.lint import check_data
from nnadvisor.recommender.emit import EmitError, to_config
from nnadvisor.recommender.engine import ProblemError, recommend
from nnadvisor.rulebase import RuleBase, load_rulebase
from tests.conftest import examples

RULEBASE: RuleBase = load_rulebase(use_cache=False)

LABELS = {
    "regression": [None, "continuous"],
    "binary": [None, "binary", "integer", "one-hot", "signed", "probabilities"],
    "multiclass": [None, "integer", "one-hot", "probabilities"],
    "multilabel": [None, "binary", "one-hot", "probabilities"],
}
CLASSES = {"regression": [None], "binary": [None, 2], "multiclass": [2, 10], "multilabel": [3, 10]}
RANGES = {"regression": [None, "unbounded", "unit-interval", "non-negative", "symmetric-unit"]}
OUTLIERS = {"regression": [None, "none", "some", "heavy"]}
IMBALANCE = {"regression": [None]}


def consistent_problems() -> list[dict[str, Any]]:
    """Every consistent combination of the fields that decide the recommendation."""
    out = []
    for task in LABELS:
        for combo in itertools.product(
            LABELS[task], CLASSES[task], RANGES.get(task, [None]), OUTLIERS.get(task, [None]),
            [0, 2, 12], ["mlp", "cnn", "rnn", "transformer"], ["keras", "pytorch", "generic"],
            IMBALANCE.get(task, [None, 5.0, 500.0]), [False, True],
        ):  # fmt: skip
            keys = ("labels", "num_classes", "target_range", "outliers", "depth", "architecture", "framework", "imbalance", "sparse_features")
            out.append({"task": task, **{k: v for k, v in zip(keys, combo) if v is not None}})
    return out


def _findings(problem: dict[str, Any]) -> list[tuple[str, str]]:
    config = to_config(recommend(problem, RULEBASE.recommend))
    return [(f.rule_id, f.message) for f in check_data(config, RULEBASE)]


@pytest.mark.slow
def test_every_consistent_problem_emits_a_clean_config() -> None:
    problems = consistent_problems()
    assert len(problems) > 5000
    failures = [(p, found) for p in problems if (found := _findings(p))]
    assert failures == []


@st.composite
def problem(draw: st.DrawFn) -> dict[str, Any]:
    task = draw(st.sampled_from(sorted(LABELS)))
    fields = {
        "labels": st.sampled_from(LABELS[task]),
        "num_classes": st.sampled_from(CLASSES[task] + ([3, 1000] if task in ("multiclass", "multilabel") else [])),
        "target_range": st.sampled_from(RANGES.get(task, [None])),
        "outliers": st.sampled_from(OUTLIERS.get(task, [None])),
        "depth": st.integers(0, 60),
        "architecture": st.sampled_from(["mlp", "cnn", "rnn", "transformer"]),
        "framework": st.sampled_from(["keras", "pytorch", "generic"]),
        "samples": st.one_of(st.none(), st.integers(1, 10**8)),
        "sparse_features": st.one_of(st.none(), st.booleans()),
        "tuning_budget": st.sampled_from([None, "low", "high"]),
        "imbalance": st.sampled_from(IMBALANCE.get(task, [None, 1.0, 2.9, 3.0, 99.0, 100.0, 1e4])),
    }
    drawn = {k: draw(v) for k, v in fields.items()}
    return {"task": task, **{k: v for k, v in drawn.items() if v is not None}}


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=problem())
def test_any_consistent_problem_emits_a_clean_config(p: dict[str, Any]) -> None:
    try:
        found = _findings(p)
    except (ProblemError, EmitError):
        return
    assert found == [], p


def test_every_consistent_problem_decides_output_and_loss() -> None:
    for task, labels in [(t, lab) for t, ls in LABELS.items() for lab in ls if lab]:
        problem: dict[str, Any] = {"task": task, "labels": labels}
        if task != "regression":
            problem["num_classes"] = 2 if task == "binary" else 4
        rec = recommend(problem, RULEBASE.recommend)
        assert rec.output_activation.name and rec.loss.name and rec.optimizer.name, (task, labels)
