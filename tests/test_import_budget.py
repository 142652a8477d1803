"""budgets.md and issue 15: what each path imports. NumPy is never imported by check, recommend,
rules, explain (without --demo) or schema; an unchanged file checked again imports neither yaml
nor pydantic; a new or edited valid config is checked without pydantic or pydantic-core.
This checks imports, not timings (timings live in benchmarks/startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = "task: binary\nlayers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\noptimizer: adam\n"
INVALID = "layers:\n  - {type: dense, units: -1, activaton: sigmoid}\nloss: binary_crossentropy\n"
MODEL_MACHINERY = {"pydantic.main", "pydantic._internal._model_construction", "pydantic.fields"}
PROBE = """
import sys
from nnadvisor.cli import main
sys.argv = ["nnadvisor", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print("MODULES", *sorted(sys.modules), file=sys.stderr)
"""


def imported_modules(args: list[str], cwd: Path) -> set[str]:
    """Every module in ``sys.modules`` once the command has run (``-X importtime`` does not see
    modules imported through ``importlib.import_module``, as pydantic's lazy attributes are)."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd)
    listed = [line for line in result.stderr.splitlines() if line.startswith("MODULES ")]
    assert listed, result.stderr[-500:]
    return set(listed[-1].split()[1:])


def _pydantic(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}


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
        ["schema", "config"],
        ["check", "--help"],
        ["--help"],
        ["demo"],
    ],
)
def test_numpy_stays_off_the_path(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(CONFIG)
    modules = imported_modules(args, tmp_path)
    assert "nnadvisor.cli" in modules  # the probe works
    assert "numpy" not in modules
    if args[0] in ("check", "recommend") and "--help" not in args:
        assert "rich" not in modules


def test_results_cache_hit_imports_no_yaml_and_no_pydantic(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(CONFIG)
    imported_modules(["check", "m.yaml"], tmp_path)  # fill the cache
    modules = imported_modules(["check", "m.yaml"], tmp_path)
    assert "nnadvisor.lint" in modules  # the probe works
    assert not _pydantic(modules) and "yaml" not in modules and "numpy" not in modules
    assert "nnadvisor.config" not in modules and "hashlib" not in modules


def test_a_new_valid_config_is_checked_without_pydantic(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(CONFIG)
    imported_modules(["check", "m.yaml"], tmp_path)  # the rule base and the config schema cached
    modules = imported_modules(["check", "--no-cache", "m.yaml"], tmp_path)
    assert "nnadvisor.config" in modules and "yaml" in modules  # the probe works
    assert not _pydantic(modules)


def test_an_invalid_config_is_reported_by_pydantic_core_without_pydantic_models(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(CONFIG)
    (tmp_path / "bad.yaml").write_text(INVALID)
    imported_modules(["check", "m.yaml"], tmp_path)
    modules = imported_modules(["check", "--no-cache", "bad.yaml"], tmp_path)
    assert "pydantic_core" in modules
    assert not modules & MODEL_MACHINERY


def test_schema_config_from_the_cache_imports_no_pydantic(tmp_path: Path) -> None:
    imported_modules(["schema", "config"], tmp_path)
    assert not _pydantic(imported_modules(["schema", "config"], tmp_path))
