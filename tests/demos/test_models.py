"""Verdict arithmetic and result validation on hand-made results."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError

from nnadvisor.demos.models import (
    ConfigResult,
    DemoResult,
    MetricInfo,
    Verdict,
    fmt,
    make_comparison,
    recommended_wins,
    seed_winners,
)

from .conftest import make_result


def test_wins_count_strict_wins_only() -> None:
    # seed 0: win; seed 1: tie for first (not a win); seed 2: loss; seed 3: win; seed 4: tie
    # with one config while another is lower.
    r = make_result(
        {
            "rec": [0.9, 0.8, 0.5, 0.7, 0.6],
            "b": [0.1, 0.8, 0.6, 0.2, 0.6],
            "c": [0.2, 0.3, 0.4, 0.1, 0.5],
        },
        "rec",
    )
    assert r.verdict.recommended_wins == 2
    assert r.verdict.of == 5
    assert r.verdict.ties == 2
    assert r.verdict.beats == {"b": 2, "c": 5}
    assert not r.verdict.supported
    assert r.verdict.summary.startswith("claim NOT supported: rec wins only 2/5 seeds")
    assert "tied for best on 2" in r.verdict.summary
    assert seed_winners(r.configs, True) == [0, None, 1, 0, None]


def test_lower_is_better() -> None:
    r = make_result(
        {"rec": [0.1, 0.2, 0.3], "mse": [5.0, 0.1, 7.0]}, "rec", higher_is_better=False
    )
    assert r.verdict.recommended_wins == 2
    assert r.verdict.supported
    assert r.verdict.summary == "rec wins 2/3 seeds: mean test accuracy 0.2 vs mse 4.03"


def test_summary_when_recommended_loses_says_not_supported() -> None:
    r = make_result({"rec": [0.5, 0.5, 0.5, 0.5], "other": [0.6, 0.7, 0.4, 0.9]}, "rec")
    assert r.verdict.recommended_wins == 1
    assert not r.verdict.supported
    assert "NOT supported" in r.verdict.summary
    assert "it was not better than other on 3/4" in r.verdict.summary


def test_half_the_seeds_is_not_most() -> None:
    r = make_result({"rec": [1.0, 1.0, 0.0, 0.0], "other": [0.0, 0.0, 1.0, 1.0]}, "rec")
    assert r.verdict.recommended_wins == 2
    assert not r.verdict.supported


def test_supported_summary_has_the_numbers() -> None:
    r = make_result(
        {"softmax + crossentropy": [0.94] * 5, "softmax + mse": [0.21] * 5},
        "softmax + crossentropy",
    )
    assert r.verdict.summary == (
        "softmax + crossentropy wins 5/5 seeds: mean test accuracy 0.94 vs softmax + mse 0.21"
    )


def test_recommended_wins_function_agrees() -> None:
    r = make_result({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 1.0]}, "a")
    assert recommended_wins(r.configs, True) == r.verdict.recommended_wins == 1


def test_json_round_trip_and_contract_keys() -> None:
    r = make_result({"a": [1.0, 2.0], "b": [0.0, 1.0]}, "a")
    text = r.model_dump_json()
    assert DemoResult.model_validate_json(text) == r
    data = json.loads(text)
    assert list(data)[:9] == [
        "schema_version",
        "scenario",
        "claim",
        "metric",
        "seeds",
        "configs",
        "verdict",
        "seconds",
        "rules",
    ]
    assert data["schema_version"] == 1
    assert set(data["metric"]) == {"name", "higher_is_better"}
    assert {"label", "recommended", "values", "curve"} <= set(data["configs"][0])
    assert {"recommended_wins", "of", "summary"} <= set(data["verdict"])


def test_a_verdict_that_contradicts_the_values_is_rejected() -> None:
    r = make_result({"a": [1.0, 2.0], "b": [0.0, 1.0]}, "a")
    data = r.model_dump()
    data["verdict"]["recommended_wins"] = 0
    with pytest.raises(ValidationError, match="verdict says 0/2"):
        DemoResult.model_validate(data)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(bad: float) -> None:
    with pytest.raises(ValidationError):
        ConfigResult(label="x", recommended=True, values=[bad], curve=[[1.0]])
    r = make_result({"a": [1.0], "b": [0.0]}, "a")
    data = r.model_dump()
    data["extra"] = {"ratio": [1.0, bad]}
    with pytest.raises(ValidationError, match="non-finite"):
        DemoResult.model_validate(data)


def test_exactly_one_recommended_and_aligned_lengths() -> None:
    r = make_result({"a": [1.0, 2.0], "b": [0.0, 1.0]}, "a")
    data = r.model_dump()
    data["configs"][1]["recommended"] = True
    with pytest.raises(ValidationError, match="exactly one recommended"):
        DemoResult.model_validate(data)
    data = r.model_dump()
    data["configs"][1]["values"] = [0.0]
    with pytest.raises(ValidationError, match="one value and one curve per seed"):
        DemoResult.model_validate(data)


def test_comparison_without_recommendation() -> None:
    metric = MetricInfo(name="test_accuracy", higher_is_better=True)
    configs = [
        ConfigResult(label="tanh", recommended=False, values=[0.8, 0.7, 0.9], curve=[[1.0]] * 3),
        ConfigResult(label="relu", recommended=False, values=[0.5, 0.75, 0.4], curve=[[1.0]] * 3),
    ]
    comp = make_comparison("no ranking", metric, configs)
    assert comp.verdict is None
    assert comp.summary == (
        "tanh best on 2/3 seeds; mean test accuracy: tanh 0.8, relu 0.55"
    )
    twin = configs[0].model_copy(update={"label": "t2"})
    tied = make_comparison("tied", metric, [configs[0], twin])
    assert tied.summary.startswith("no configuration best on most seeds (best per seed: ties)")


def test_verdict_model_fields() -> None:
    assert set(Verdict.model_fields) >= {"recommended_wins", "of", "summary"}


@pytest.mark.parametrize(
    ("x", "text"),
    [(0.0, "0"), (0.94, "0.94"), (0.2133, "0.213"), (246.0, "246"), (4.36e-9, "4.36e-09"),
     (25100.0, "2.51e+04")],
)
def test_fmt(x: float, text: str) -> None:
    assert fmt(x) == text
