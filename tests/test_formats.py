"""Machine formats beyond the goldens: SARIF against the official schema, GitHub escaping,
JSON lines round trip."""

from __future__ import annotations

import json
from dataclasses import asdict as asdataclass
from dataclasses import fields, replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnadvisor.findings import FileError, Finding, FixOut, Position, Report, TextEdit
from nnadvisor.render.github import escape_data, escape_property, render
from tests.conftest import CliRunner

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.skipif(not SCHEMA.exists(), reason=f"SARIF schema not present at {SCHEMA}")
def test_sarif_validates_against_the_2_1_0_schema(cli: CliRunner) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    inputs = sorted(str(p.relative_to(GOLDEN)) for p in (GOLDEN / "inputs").iterdir())
    result = cli("check", "--format", "sarif", *inputs, "missing.yaml", cwd=GOLDEN)
    doc = json.loads(result.out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        location = res["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("inputs/")
        assert location["region"]["startLine"] >= 1
    assert run["invocations"][0]["executionSuccessful"] is False  # missing.yaml


def test_sarif_uri_for_a_file_outside_the_working_directory(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "my model.yaml"
    config.write_text("layers: [{type: dense, units: 3, activation: softmax}]\nloss: mse\n")
    work = tmp_path / "work"
    work.mkdir()
    doc = json.loads(cli("check", "--format", "sarif", str(config), cwd=work).out)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file://") and uri.endswith("my%20model.yaml")


def test_github_escaping() -> None:
    assert escape_data("50% off\r\nnext") == "50%25 off%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    finding = Finding("NNA101", "softmax-with-regression-loss", "info", "dir,x/m:1.yaml", 3, 2, "/loss", "line1\nline2", FixOut("do it"))
    report = Report()
    report.add([finding])
    assert render(report) == (
        "::notice file=dir%2Cx/m%3A1.yaml,line=3,col=2,title=NNA101 softmax-with-regression-loss::line1%0Aline2 (fix: do it)\n"
    )


def test_json_lines_round_trip(cli: CliRunner) -> None:
    lines = cli("check", "--format", "json-lines", "inputs/softmax-mse.yaml", cwd=GOLDEN).out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["rule_id"] for o in objects] == ["NNA101", "NNA501"]  # NNA108 superseded by NNA101
    assert Finding.from_dict(objects[0]).fix is not None


FINDINGS = st.builds(
    Finding,
    rule_id=st.text(max_size=6),
    name=st.text(max_size=6),
    severity=st.sampled_from(["error", "warning", "info"]),
    file=st.text(max_size=6),
    line=st.integers(1, 99),
    column=st.integers(1, 99),
    pointer=st.text(max_size=6),
    message=st.text(max_size=12),
    fix=st.none()
    | st.builds(
        FixOut,
        st.text(max_size=6),
        st.lists(st.fixed_dictionaries({"op": st.just("add"), "path": st.text(max_size=4)}), max_size=2),
        st.sampled_from(["safe", "unsafe"]),
        st.lists(st.builds(TextEdit, st.builds(Position, st.integers(1, 9), st.integers(1, 9)), st.builds(Position, st.integers(1, 9), st.integers(1, 9)), st.text(max_size=4), st.none() | st.integers(1, 9)), max_size=2),
    ),
    demo=st.none() | st.text(max_size=6),
    cell=st.none() | st.integers(1, 99),
    cell_id=st.none() | st.text(max_size=6),
    file_line=st.none() | st.integers(1, 99),
    file_column=st.none() | st.integers(1, 99),
    object_path=st.none() | st.sampled_from(["model.head.1", "loss"]),
)
NOTEBOOK_FIELDS = ("cell", "cell_id", "file_line", "file_column")


@given(st.lists(FINDINGS, max_size=4))
def test_hand_written_to_dict_equals_asdict(findings: list[Finding]) -> None:
    """to_dict is written out for speed; it must stay what dataclasses.asdict gives (a field added
    to Finding and forgotten in to_dict fails here), except that a finding outside a notebook cell
    leaves the notebook fields out (the JSON of other files is what it was before notebooks)."""
    report = Report()
    report.add(findings)
    report.errors.append(FileError("x.yaml", "no such file"))
    expected = asdataclass(report)
    for f in expected["findings"]:
        if f["cell"] is None:
            for key in NOTEBOOK_FIELDS:
                del f[key]
        if f["object_path"] is None:
            del f["object_path"]
        for edit in f["fix"]["edits"] if f["fix"] else ():
            if edit["cell"] is None:  # an edit's cell is written only in a notebook
                del edit["cell"]
    assert report.to_dict() == expected
    for f in findings:
        names = [x.name for x in fields(Finding) if x.name != "object_path" or f.object_path is not None]
        assert list(f.to_dict()) == (names if f.cell is not None else [n for n in names if n not in NOTEBOOK_FIELDS])
        assert Finding.from_dict(f.to_dict()) == (f if f.cell is not None else replace(f, cell_id=None, file_line=None, file_column=None))


def test_concise_lines_are_clickable_in_files_and_notebooks(cli: CliRunner, tmp_path: Path) -> None:
    """``--format concise``: ``path:line:col: severity CODE message`` (``path:cell N:line:col`` in a
    notebook), one line per finding, then the summary."""
    import shutil

    notebook = Path(__file__).parent / "notebooks" / "torch_split_softmax_then_loss.ipynb"
    shutil.copy(notebook, tmp_path / "nb.ipynb")
    (tmp_path / "m.yaml").write_text("layers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n")
    result = cli("check", "--no-cache", "--format", "concise", "m.yaml", "nb.ipynb", cwd=tmp_path)
    lines = result.out.splitlines()
    assert "m.yaml:3:1: error NNA101 softmax output trained with mse, a regression loss" in lines
    assert any(line.startswith("nb.ipynb:cell 5:2:33: error NNA103 ") for line in lines), lines
    assert lines[-2].startswith("Found ") and result.code == 1
    assert lines[-1] == "2 fixable with --fix --unsafe-fixes (no safe fixes)."
    marked = cli("check", "--no-cache", "--format", "concise", "--unsafe-fixes", "m.yaml", cwd=tmp_path).out.splitlines()
    assert marked[0] == "m.yaml:3:1: error NNA101 [*] softmax output trained with mse, a regression loss"
