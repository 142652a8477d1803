"""Golden outputs of ``check`` on notebooks, in every format (cells in text, JSON, JSON lines,
SARIF and GitHub annotations).

Regenerate after an intended change with ``NNADVISOR_UPDATE_GOLDEN=1 python -m pytest
tests/test_notebook_golden.py`` and review the diff like code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.test_golden import _compare

NOTEBOOKS = Path(__file__).parent / "notebooks"
INPUTS = [
    "torch_split_model_and_loss.ipynb",
    "torch_split_softmax_then_loss.ipynb",
    "torch_broken_cell.ipynb",
    "torch_suppressions.ipynb",
    "bad_not_json.ipynb",
]
SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("notebook.txt", ["check"]),
        ("notebook.json", ["check", "--format", "json"]),
        ("notebook.jsonl", ["check", "--format", "json-lines"]),
        ("notebook.sarif", ["check", "--format", "sarif"]),
        ("notebook.github", ["check", "--format", "github"]),
    ],
)
def test_notebook_golden(name: str, args: list[str], cli: CliRunner) -> None:
    result = cli(*args, *INPUTS, cwd=NOTEBOOKS)
    assert result.code == 1
    _compare(name, result.out)


def test_notebook_report_validates_against_the_report_schema(cli: CliRunner) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(cli("schema", "report").out)
    doc = json.loads(cli("check", "--format", "json", *INPUTS, cwd=NOTEBOOKS).out)
    assert any("cell" in f for f in doc["findings"])
    jsonschema.validate(doc, schema)
    finding = schema["$defs"]["Finding"]["properties"]
    assert {"cell", "cell_id", "file_line", "file_column"} <= set(finding)


@pytest.mark.skipif(not SARIF_SCHEMA.exists(), reason=f"SARIF schema not present at {SARIF_SCHEMA}")
def test_notebook_sarif_validates_and_points_into_the_file(cli: CliRunner) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(cli("check", "--format", "sarif", *INPUTS, cwd=NOTEBOOKS).out)
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    for result in doc["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        props = result["properties"]
        if "cell" not in props:
            continue
        text = (NOTEBOOKS / location["artifactLocation"]["uri"]).read_text().split("\n")
        line = text[location["region"]["startLine"] - 1]
        assert 1 <= location["region"]["startColumn"] <= len(line) + 1
        assert {"cell", "cellLine", "cellColumn"} <= set(props)
