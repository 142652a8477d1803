"""``nnadvisor schema`` documents validate real inputs and outputs; docs/rules.md is not stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnadvisor.render.rules_markdown import render
from nnadvisor.rulebase import recommend_models, rule_models
from tests.conftest import CliRunner

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"


def test_docs_rules_md_is_generated_from_the_rule_files() -> None:
    expected = render(rule_models(), recommend_models())
    actual = (ROOT / "docs" / "rules.md").read_text()
    assert actual == expected, "docs/rules.md is stale: run `nnadvisor rules --format markdown > docs/rules.md`"


def test_rules_markdown_through_the_cli(cli: CliRunner) -> None:
    assert cli("rules", "--format", "markdown").out == (ROOT / "docs" / "rules.md").read_text()


def _schema(cli: CliRunner, name: str) -> dict[str, object]:
    result = cli("schema", name)
    assert result.code == 0
    data: dict[str, object] = json.loads(result.out)
    return data


@pytest.mark.parametrize("name", ["config", "problem", "report", "recommendation"])
def test_schema_prints_json_schema(cli: CliRunner, name: str) -> None:
    doc = _schema(cli, name)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema" and "properties" in doc


def test_schemas_accept_real_documents_and_reject_typos(cli: CliRunner) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    config = {"task": "binary", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": {"name": "bce", "from_logits": False}, "optimizer": {"name": "adam", "lr": 0.001}}
    jsonschema.validate(config, _schema(cli, "config"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**config, "layer": []}, _schema(cli, "config"))
    jsonschema.validate({"task": "multiclass", "num_classes": 3}, _schema(cli, "problem"))
    report = json.loads(cli("check", "--format", "json", "inputs/softmax-mse.yaml", cwd=GOLDEN).out)
    jsonschema.validate(report, _schema(cli, "report"))
    recommendation = json.loads(cli("recommend", "--task", "multiclass", "--num-classes", "3", "--format", "json").out)
    jsonschema.validate(recommendation, _schema(cli, "recommendation"))


def test_unknown_schema_is_a_usage_error(cli: CliRunner) -> None:
    assert cli("schema", "model").code == 2
