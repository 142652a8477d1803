"""The registry: listing, lookup by rule, unknown names, seeds, and no NumPy at import."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnadvisor import demos

ROOT = Path(__file__).resolve().parents[2]


def test_list_scenarios_fields() -> None:
    infos = demos.list_scenarios()
    assert len(infos) == 13
    for info in infos:
        assert info.name and info.rules
        assert info.claim.endswith(".")
        assert all(re.fullmatch(r"NNA\d{3}", code) for code in info.rules)
    data = [i.model_dump() for i in infos]
    assert set(data[0]) == {"name", "claim", "rules"}


def test_rule_codes_exist_in_the_rule_base() -> None:
    known = {p.name[:6] for p in (ROOT / "rules" / "lint").glob("NNA*.yaml")}
    if not known:
        pytest.skip("rule files not present")
    for info in demos.list_scenarios():
        missing = set(info.rules) - known
        assert not missing, f"{info.name} backs unknown rules {missing}"


def test_scenarios_for_rules() -> None:
    assert demos.scenarios_for_rules(["NNA101"]) == ["multiclass-loss"]
    assert demos.scenarios_for_rules(["nna501"]) == ["dying-relu", "learning-rate"]
    assert demos.scenarios_for_rules(["NNA102", "NNA601"]) == [
        "binary-output",
        "logits",
        "robust-regression",
    ]
    assert demos.scenarios_for_rules(["NNA999"]) == []
    assert demos.scenarios_for_rules([]) == []


def test_unknown_scenario() -> None:
    with pytest.raises(demos.UnknownScenarioError) as info:
        demos.run("multiclas-loss")
    assert isinstance(info.value, KeyError)
    assert "did you mean 'multiclass-loss'" in str(info.value)
    with pytest.raises(KeyError):
        demos.get_scenario("nope")


@pytest.mark.parametrize("seeds", [[], [-1], [1, 1], [1.5], [True]])
def test_bad_seeds(seeds: list[object]) -> None:
    with pytest.raises(ValueError):
        demos.run("robust-regression", seeds=seeds)  # type: ignore[arg-type]


def test_listing_does_not_import_numpy() -> None:
    code = (
        "import sys; import nnadvisor.demos as d; d.list_scenarios(); "
        "d.scenarios_for_rules(['NNA101']); d.get_scenario('depth'); "
        "import nnadvisor.render.demo_text; "
        "print('numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
