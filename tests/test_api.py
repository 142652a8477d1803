"""The public Python API (docs/api.md): the same findings as the CLI, typed results, light import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nnadvisor
from tests.conftest import CliRunner

SOFTMAX_MSE = "task: multiclass\nlabels: one-hot\nnum_classes: 3\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n"
TORCH_DOUBLE_SOFTMAX = """\
import torch.nn as nn

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 5), nn.Softmax(dim=1))
criterion = nn.CrossEntropyLoss()
"""


def _cli_findings(cli: CliRunner, *paths: str) -> list[dict[str, object]]:
    out = cli("check", "--no-cache", "--format", "json", *paths).out
    return list(json.loads(out)["findings"])


def test_check_gives_the_findings_the_cli_gives(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SOFTMAX_MSE)
    (tmp_path / "train.py").write_text(TORCH_DOUBLE_SOFTMAX)
    report = nnadvisor.check(tmp_path)
    assert [f.to_dict() for f in report.findings] == _cli_findings(cli, str(tmp_path))
    assert report.summary.files == 2
    assert {f.rule_id for f in report.findings} >= {"NNA101", "NNA103"}


def test_check_reports_missing_paths_as_errors(tmp_path: Path) -> None:
    report = nnadvisor.check([tmp_path / "missing.yaml"])
    assert [(Path(e.file).name, e.message) for e in report.errors] == [("missing.yaml", "no such file or directory")]


def test_check_source_and_check_config_agree_with_a_file(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SOFTMAX_MSE)
    from_file = [(f["rule_id"], f["line"], f["message"]) for f in _cli_findings(cli, str(tmp_path / "a.yaml"))]
    from_text = nnadvisor.check_source(SOFTMAX_MSE, format="nnadvisor")
    assert [(f.rule_id, f.line, f.message) for f in from_text.findings] == from_file
    import yaml

    from_data = nnadvisor.check_config(yaml.safe_load(SOFTMAX_MSE))
    assert [f.rule_id for f in from_data.findings] == [r for r, _, _ in from_file]
    assert all(f.file == "<config>" for f in from_data.findings)


def test_check_source_reads_python_and_says_where(tmp_path: Path) -> None:
    report = nnadvisor.check_source(TORCH_DOUBLE_SOFTMAX, format="python", name="train.py")
    double = next(f for f in report.findings if f.rule_id == "NNA103")
    assert (double.file, double.line) == ("train.py", 3)
    assert double.fix is not None and double.fix.applicability == "unsafe"


def test_selection_keywords(tmp_path: Path) -> None:
    assert {f.rule_id for f in nnadvisor.check_source(SOFTMAX_MSE, format="nnadvisor", ignore="NNA1").findings} == set()
    assert {f.rule_id for f in nnadvisor.check_source(SOFTMAX_MSE, format="nnadvisor", select=["NNA101"]).findings} == {"NNA101"}


def test_bad_arguments_are_usage_errors() -> None:
    with pytest.raises(nnadvisor.UsageError, match="format 'yml': expected one of"):
        nnadvisor.check_source("x", format="yml")
    with pytest.raises(nnadvisor.UsageError, match="no rule code starts with it"):
        nnadvisor.check_source(SOFTMAX_MSE, select="NNA9")
    with pytest.raises(nnadvisor.UsageError, match="not plain data"):
        nnadvisor.check_config({"layers": [object()]})
    with pytest.raises(nnadvisor.UsageError, match="task is required"):
        nnadvisor.recommend(labels="integer")


def test_recommend_is_typed_and_matches_the_cli(cli: CliRunner) -> None:
    from nnadvisor.recommender.model import Recommendation

    rec = nnadvisor.recommend(task="multiclass", labels="integer", num_classes=10)
    assert isinstance(rec, Recommendation)
    assert rec.loss.name == "sparse_categorical_crossentropy"
    cli_rec = json.loads(cli("recommend", "--task", "multiclass", "--labels", "integer", "--num-classes", "10", "--format", "json").out)
    assert rec.to_dict()["loss"] == cli_rec["loss"]
    assert rec.snippets, "the API's recommendation has no code snippets"


def test_reports_show_themselves_in_plain_repr_and_in_jupyter() -> None:
    report = nnadvisor.check_source(SOFTMAX_MSE.replace("num_classes: 3", "num_classes: 3  # <b>"), format="nnadvisor", name="m.yaml")
    text = repr(report)
    assert text.splitlines()[0].startswith("m.yaml:6:1: error NNA101 ")
    assert text.splitlines()[-1].startswith("1 fixable with --fix --unsafe-fixes")
    html = report._repr_html_()
    assert html.startswith("<div><table>") and "<td><b>NNA101</b></td>" in html
    assert "<td><code>m.yaml:6:1</code></td>" in html
    clean = nnadvisor.check_source("layers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\n", format="nnadvisor")
    assert repr(clean) == "All checks passed (1 file)."


def test_import_nnadvisor_loads_neither_numpy_nor_a_framework_nor_the_api() -> None:
    probe = "import sys, nnadvisor; print(' '.join(sorted(sys.modules)))"
    modules = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split())
    heavy = {m for m in modules if m.split(".")[0] in ("numpy", "torch", "keras", "tensorflow", "jax", "rich", "pydantic", "yaml", "typer")}
    assert heavy == set()
    assert "nnadvisor.api" not in modules
    assert nnadvisor.__version__
    assert sorted(dir(nnadvisor)) == sorted(nnadvisor.__all__)
    with pytest.raises(AttributeError):
        nnadvisor.no_such_function  # noqa: B018


def test_py_typed_ships_with_the_package() -> None:
    assert (Path(nnadvisor.__file__).parent / "py.typed").is_file()
