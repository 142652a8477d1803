"""Golden outputs of ``check`` in each format, over a fixed set of inputs.

Regenerate after an intended change with ``NNADVISOR_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``
and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CliRunner

HERE = Path(__file__).parent / "golden"
INPUTS = sorted(str(p.relative_to(HERE)) for p in (HERE / "inputs").iterdir())
UPDATE = bool(os.environ.get("NNADVISOR_UPDATE_GOLDEN"))


def _compare(name: str, actual: str) -> None:
    expected_file = HERE / name
    if UPDATE:
        expected_file.write_text(actual)
    if not expected_file.exists():
        pytest.fail(f"{expected_file} is missing; run with NNADVISOR_UPDATE_GOLDEN=1 to create it")
    assert actual == expected_file.read_text(), f"{name} differs from the golden file"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("check.txt", ["check"]),
        ("check-explain.txt", ["check", "--explain"]),
        ("check.concise", ["check", "--format", "concise"]),
        ("check.json", ["check", "--format", "json"]),
        ("check.jsonl", ["check", "--format", "json-lines"]),
        ("check.sarif", ["check", "--format", "sarif"]),
        ("check.github", ["check", "--format", "github"]),
    ],
)
def test_golden(name: str, args: list[str], cli: CliRunner) -> None:
    result = cli(*args, *INPUTS, cwd=HERE)
    assert result.code == 1
    _compare(name, result.out)


def test_golden_color(cli: CliRunner) -> None:
    result = cli("check", "--color", "always", "inputs/softmax-mse.yaml", cwd=HERE)
    _compare("check-color.txt", result.out)
