"""budgets.md: NumPy is never imported by check, recommend, rules or explain (without --demo).
This checks imports, not timings (timings live in benchmarks/startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = "task: binary\nlayers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\noptimizer: adam\n"


def imported_modules(args: list[str], cwd: Path) -> set[str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "nnadvisor", *args], capture_output=True, text=True, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr[-500:]
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize(
    "args",
    [
        ["check", "m.yaml"],
        ["check", "--no-cache", "--format", "json", "m.yaml"],
        ["recommend", "--task", "multiclass", "--num-classes", "10"],
        ["recommend", "--task", "regression", "--format", "json"],
        ["recommend", "--task", "binary", "--emit", "config"],
        ["rules"],
        ["explain", "NNA101"],
        ["demo"],
    ],
)
def test_numpy_stays_off_the_path(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(CONFIG)
    modules = imported_modules(args, tmp_path)
    assert "nnadvisor.cli" in modules  # the probe works
    assert "numpy" not in modules
    if args[0] in ("check", "recommend"):
        assert "rich" not in modules


def test_results_cache_hit_imports_no_pydantic_model_code(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(CONFIG)
    imported_modules(["check", "m.yaml"], tmp_path)  # fill the cache
    modules = imported_modules(["check", "m.yaml"], tmp_path)
    assert "pydantic.main" not in modules and "nnadvisor.config" not in modules
