"""``--fix`` in notebooks: the edits land in the cells they belong to (the loss in one cell, the
softmax in another), only the edited cells' sources change in the file, byte for byte everything
else (outputs, metadata, layout) stays, and ``--diff`` shows cells."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import CliRunner

NOTEBOOKS = Path(__file__).parent / "notebooks"
GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "torch_split_model_and_loss.ipynb": "NNA103",
    "torch_split_softmax_then_loss.ipynb": "NNA103",
    "keras_split_compile.ipynb": "NNA101",
    "torch_nbformat3.ipynb": "NNA104",
}


def _codes(cli: CliRunner, path: Path) -> set[str]:
    return {f["rule_id"] for f in json.loads(cli("check", "--no-cache", "--format", "json", str(path)).out)["findings"]}


def _without_sources(notebook: dict[str, object]) -> object:
    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: ("<source>" if k in ("source", "input") else strip(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(notebook)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_edits_only_the_cells_and_clears_the_finding(cli: CliRunner, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(NOTEBOOKS / name, path)
    before = path.read_text(encoding="utf-8")
    assert CASES[name] in _codes(cli, path)
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    assert result.code in (0, 1), result.err
    after = path.read_text(encoding="utf-8")
    assert after != before
    assert CASES[name] not in _codes(cli, path)
    assert _without_sources(json.loads(after)) == _without_sources(json.loads(before)), "something besides a cell source changed"
    assert len(after.splitlines()) <= len(before.splitlines()), "the notebook's layout changed"
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    assert path.read_text(encoding="utf-8") == after, "a second --fix changed the notebook again"


def test_diff_of_a_notebook_is_shown_by_cell(cli: CliRunner, tmp_path: Path) -> None:
    shutil.copy(NOTEBOOKS / "torch_split_softmax_then_loss.ipynb", tmp_path / "nb.ipynb")
    result = cli("check", "--no-cache", "--diff", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path)
    assert result.code == 1
    golden = GOLDEN / "fix-diff-notebook.txt"
    if os.environ.get("NNADVISOR_UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text()
