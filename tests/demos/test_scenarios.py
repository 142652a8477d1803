"""Every scenario, run with its default seeds: the verdict is what the values say.

The full runs happen once per session (fixture ``full_results``); determinism is checked by
re-running each scenario on a single seed, which must reproduce that seed's numbers exactly
(a seed's result does not depend on which other seeds run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnadvisor import demos
from nnadvisor.demos.models import DemoResult

EXPECTED = [
    "multiclass-loss",
    "binary-output",
    "logits",
    "multilabel",
    "robust-regression",
    "regression-output-range",
    "depth",
    "linear-hidden",
    "dying-relu",
    "optimizers",
    "learning-rate",
    "rnn-clipping",
    "labels",
]


def _independent_wins(result: DemoResult) -> int:
    """recommended_wins recomputed from the values without the library's helpers."""
    hib = result.metric.higher_is_better
    rec = next(c for c in result.configs if c.recommended)
    others = [c for c in result.configs if not c.recommended]
    wins = 0
    for s in range(len(result.seeds)):
        mine = rec.values[s]
        if all((mine > o.values[s]) if hib else (mine < o.values[s]) for o in others):
            wins += 1
    return wins


def test_all_scenarios_are_registered() -> None:
    assert [i.name for i in demos.list_scenarios()] == EXPECTED


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_full_run_verdict_matches_values(name: str, full_results: dict[str, DemoResult]) -> None:
    r = full_results[name]
    assert r.scenario == name
    assert r.seeds == [0, 1, 2, 3, 4]
    assert r.schema_version == 1
    assert sum(c.recommended for c in r.configs) == 1
    assert len(r.configs) >= 2
    for c in r.configs:
        assert len(c.values) == 5 and len(c.curve) == 5
        assert all(len(run) >= 1 for run in c.curve)
    wins = _independent_wins(r)
    assert r.verdict.recommended_wins == wins
    assert r.verdict.of == 5
    assert r.verdict.supported == (2 * wins > 5)
    assert r.verdict.summary.startswith("claim NOT supported") == (not r.verdict.supported)
    assert r.claim == demos.get_scenario(name).claim
    assert r.rules == demos.get_scenario(name).rules
    for comp in r.comparisons:
        for c in comp.configs:
            assert len(c.values) == 5
        if comp.verdict is not None:
            assert comp.summary == comp.verdict.summary


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_shipped_claims_hold(name: str, full_results: dict[str, DemoResult]) -> None:
    """The claims shipped in the registry are supported by their own numbers.

    If this fails after a change to the reference, the claim (or the rule it backs) must be
    revisited; the scenario must not be tuned until it agrees.
    """
    assert full_results[name].verdict.supported, full_results[name].verdict.summary


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_json_round_trip(name: str, full_results: dict[str, DemoResult]) -> None:
    r = full_results[name]
    text = r.model_dump_json()
    back = DemoResult.model_validate_json(text)
    assert back == r
    data = json.loads(text)
    for key in ("schema_version", "scenario", "claim", "metric", "seeds", "configs", "verdict",
                "seconds"):
        assert key in data
    assert "NaN" not in text and "Infinity" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_same_seed_same_numbers(name: str, full_results: dict[str, DemoResult]) -> None:
    alone = demos.run(name, seeds=[3])
    full = full_results[name]
    assert alone.seeds == [3]
    for a, f in zip(alone.configs, full.configs):
        assert a.label == f.label
        assert a.values == [f.values[3]]
        assert a.curve == [f.curve[3]]
        assert a.details == {k: [v[3]] for k, v in f.details.items()}
    for ca, cf in zip(alone.comparisons, full.comparisons):
        for a, f in zip(ca.configs, cf.configs):
            assert a.values == [f.values[3]]


@pytest.mark.slow
def test_analytic_numbers_of_multiclass_loss(full_results: dict[str, DemoResult]) -> None:
    g = full_results["multiclass-loss"].extra["logit_gradient_norm"]
    margins = g["margins"]
    ce = dict(zip(margins, g["crossentropy"]))
    mse = dict(zip(margins, g["softmax_mse"]))
    assert mse[0.0] == pytest.approx(1.9e-2, rel=0.01)
    assert mse[20.0] == pytest.approx(4.4e-9, rel=0.02)
    assert ce[20.0] == pytest.approx(2**0.5, rel=1e-6)


@pytest.mark.slow
def test_depth_gradient_ratio(full_results: dict[str, DemoResult]) -> None:
    r = full_results["depth"]
    ratios = r.extra["grad_ratio_geometric_mean"]
    assert ratios["sigmoid, Glorot init"] < 1e-8
    assert ratios["tanh, Glorot init"] > 0.1


def test_seed_subset_and_order() -> None:
    r = demos.run("robust-regression", seeds=[4, 0])
    assert r.seeds == [4, 0]
    assert r.verdict.of == 2


# --- the points the lint rules link to (each rule's `demo:` must show it) ---------------------


@pytest.mark.slow
def test_single_unit_categorical_crossentropy_never_moves(
    full_results: dict[str, DemoResult],
) -> None:
    e = full_results["binary-output"].extra["single_unit_categorical_crossentropy"]
    assert e["max_weight_change"] == 0.0
    assert e["max_training_loss"] <= 1e-7
    assert e["integer_label_error"].startswith("IndexError")


@pytest.mark.slow
def test_binary_crossentropy_on_multiclass_and_output_width(
    full_results: dict[str, DemoResult],
) -> None:
    r = full_results["multiclass-loss"]
    integer = r.extra["integer_labels_one_sigmoid_bce"]
    assert max(integer["final_training_loss"]) < 0.0  # unbounded below for labels above 1
    assert r.extra["sigmoid_bce"]["all_zero_binary_accuracy"] == pytest.approx(0.9)
    assert max(r.extra["wide_output_extra_probability"]) < 1e-2
    errors = r.extra["narrow_output_errors"]
    assert errors["integer labels"].startswith("IndexError")
    assert errors["one-hot labels"].startswith("ValueError")


@pytest.mark.slow
def test_invalid_huber_delta(full_results: dict[str, DemoResult]) -> None:
    invalid = full_results["robust-regression"].extra["invalid_delta"]
    assert invalid["delta_0_max_weight_change"] == 0.0
    assert invalid["delta_minus_1_final_training_loss"] < 0.0


@pytest.mark.slow
def test_invalid_optimizer_parameters(full_results: dict[str, DemoResult]) -> None:
    e = full_results["optimizers"].extra["invalid_parameters"]
    assert e["diverged_runs"]["Adam eps 0 (PyTorch form)"] == 5.0
    assert min(e["zero_first_gradient_weights"]) > 0
    assert max(e["beta2_1_keras_max_weight_change"]) == 0.0
    assert e["beta1_1"].startswith("ZeroDivisionError")


@pytest.mark.slow
def test_crossentropy_on_regression_targets_goes_negative(
    full_results: dict[str, DemoResult],
) -> None:
    assert max(full_results["regression-output-range"].extra["bce_raw_final_training_loss"]) < 0.0


@pytest.mark.slow
def test_soft_labels_in_sparse_crossentropy_raise(full_results: dict[str, DemoResult]) -> None:
    errors = full_results["labels"].extra["reference_errors"]
    assert errors["soft labels into sparse_categorical_crossentropy"] != "no error"


@pytest.mark.slow
def test_relu_recurrence_explodes_with_large_recurrent_weights(
    full_results: dict[str, DemoResult],
) -> None:
    init = full_results["rnn-clipping"].extra["at_initialisation"]
    bound = 16**0.5  # 16 tanh units, each in (-1, 1)
    assert max(init["tanh gain 2"]["final_state_norm"]) < bound
    assert min(init["relu gain 2"]["final_state_norm"]) > 10 * bound
    assert min(init["relu gain 2"]["grad_norm"]) > 100 * max(init["tanh gain 2"]["grad_norm"])


@pytest.mark.slow
def test_depth_thresholds_of_nna402(full_results: dict[str, DemoResult]) -> None:
    other = full_results["depth"].extra["grad_ratio_at_other_depths_geometric_mean"]
    assert other["sigmoid, 5 layers"] < 1e-2
    assert other["tanh, 30 layers"] > 0.1


def test_rules_link_scenarios_that_list_them() -> None:
    """A lint rule's `demo:` names a scenario whose `rules` include that rule."""
    import yaml

    lint = Path(__file__).resolve().parents[2] / "rules" / "lint"
    files = sorted(lint.glob("NNA*.yaml"))
    if not files:
        pytest.skip("rule files not present")
    for path in files:
        rule = yaml.safe_load(path.read_text())
        if rule.get("demo"):
            assert rule["id"] in demos.get_scenario(rule["demo"]).rules, (rule["id"], rule["demo"])
