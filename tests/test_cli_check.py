"""``nnadvisor check`` through the real entry point: outputs, exit codes, paths, stdin."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import CliRunner

SOFTMAX_MSE = "task: multiclass\nnum_classes: 3\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\noptimizer: adam\n"
CLEAN = "task: binary\nlayers:\n  - {type: dense, units: 8, activation: relu}\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\noptimizer: adam\n"
WARN_ONLY = "task: regression\noutliers: heavy\nlayers:\n  - {type: dense, units: 8, activation: relu}\n  - {type: dense, units: 1}\nloss: mse\noptimizer: adam\n"


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_clean_config_exits_zero(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("check", str(write(tmp_path, "ok.yaml", CLEAN)))
    assert result.code == 0
    assert "All checks passed (1 file)" in result.out


def test_error_finding_exits_one_and_names_line(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", SOFTMAX_MSE)
    result = cli("check", str(path))
    assert result.code == 1
    assert f"{path}\n" in result.out
    assert "5:1" in result.out and "NNA101" in result.out
    assert "Found 1 error in 1 file." in result.out  # NNA101 (superseding NNA108)


def test_lint_is_an_alias_of_check(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", SOFTMAX_MSE)
    assert cli("lint", "--format", "json", str(path)).out == cli("check", "--format", "json", str(path)).out


def test_fail_on_warning_and_exit_zero(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "warn.yaml", WARN_ONLY)
    assert cli("check", str(path)).code == 0
    assert cli("check", "--fail-on", "warning", str(path)).code == 1
    assert cli("check", "--fail-on", "warning", "--exit-zero", str(path)).code == 0
    assert cli("check", "--fail-on", "error", str(write(tmp_path, "bad.yaml", SOFTMAX_MSE))).code == 1


def test_json_report_shape(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", SOFTMAX_MSE)
    doc = json.loads(cli("check", "--format", "json", str(path)).out)
    assert set(doc) == {"schema_version", "tool", "findings", "errors", "summary"}
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "nnadvisor"
    (finding,) = [f for f in doc["findings"] if f["rule_id"] == "NNA101"]
    assert set(finding) == {"rule_id", "name", "severity", "file", "line", "column", "pointer", "message", "fix", "demo"}
    assert (finding["line"], finding["column"], finding["pointer"]) == (5, 1, "/loss")
    assert finding["fix"]["patch"] == [{"op": "add", "path": "/loss", "value": "categorical_crossentropy"}]
    assert doc["summary"]["files"] == 1 and doc["summary"]["error"] >= 1


def test_format_from_environment(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NNADVISOR_FORMAT", "json")
    out = cli("check", str(write(tmp_path, "ok.yaml", CLEAN))).out
    assert json.loads(out)["summary"]["files"] == 1


def test_stdin_with_display_name(cli: CliRunner) -> None:
    result = cli("check", "--format", "json", "--stdin-filename", "model.yaml", "-", stdin=SOFTMAX_MSE.encode())
    doc = json.loads(result.out)
    assert result.code == 1
    assert {f["file"] for f in doc["findings"]} == {"model.yaml"}


def test_directory_is_walked_and_non_configs_are_skipped(cli: CliRunner, tmp_path: Path) -> None:
    write(tmp_path, "a/bad.yaml", SOFTMAX_MSE)
    write(tmp_path, "a/b/ok.json", json.dumps({"layers": [{"type": "dense", "units": 1}], "loss": "mse", "optimizer": "adam"}))
    write(tmp_path, "a/mkdocs.yml", "site_name: docs\n")
    write(tmp_path, "a/notes.txt", "loss: mse\n")
    write(tmp_path, "a/.hidden/bad.yaml", SOFTMAX_MSE)
    result = cli("check", str(tmp_path / "a"))
    assert result.code == 1
    assert "in 2 files; 1 file skipped (not model configs)" in result.out
    assert ".hidden" not in result.out


def test_walk_order_and_what_it_skips(cli: CliRunner, tmp_path: Path) -> None:
    """Each directory's files by name, then its subdirectories; tool and hidden directories and
    symbolic links to directories are not entered (a link loop would never end)."""
    for name in ("b.yaml", "a.yml", "sub/z.json", "sub/deeper/c.yaml", "C.YAML", "node_modules/x.yaml", "venv/y.yaml"):
        write(tmp_path, f"root/{name}", SOFTMAX_MSE)  # YAML is JSON's superset: also the .json file
    (tmp_path / "root" / "loop").symlink_to(tmp_path / "root", target_is_directory=True)
    doc = json.loads(cli("check", "--format", "json", str(tmp_path / "root")).out)
    seen = list(dict.fromkeys(Path(f["file"]).relative_to(tmp_path / "root").as_posix() for f in doc["findings"]))
    assert seen == ["C.YAML", "a.yml", "b.yaml", "sub/z.json", "sub/deeper/c.yaml"]
    assert doc["summary"]["files"] == 5


@pytest.mark.parametrize(("given", "shown"), [(".", "sub/m.yaml"), ("./", "sub/m.yaml"), ("sub/", "sub/m.yaml"), ("./sub", "sub/m.yaml")])
def test_walked_files_are_named_relative_to_what_was_given(cli: CliRunner, tmp_path: Path, given: str, shown: str) -> None:
    write(tmp_path, "sub/m.yaml", SOFTMAX_MSE)
    doc = json.loads(cli("check", "--format", "json", given, cwd=tmp_path).out)
    assert {f["file"] for f in doc["findings"]} == {shown.replace("/", os.sep)}


def test_a_directory_that_cannot_be_listed_is_reported(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "root/ok.yaml", SOFTMAX_MSE)
    write(tmp_path, "root/locked/hidden.yaml", SOFTMAX_MSE)
    real_scandir = os.scandir

    def scandir(path: str):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # as root, chmod cannot make a directory unlistable
    result = cli("check", "--format", "json", str(tmp_path / "root"))
    doc = json.loads(result.out)
    assert result.code == 2
    assert doc["errors"] == [{"file": str(tmp_path / "root" / "locked"), "message": "cannot list directory: Permission denied"}]
    assert doc["summary"]["files"] == 1


def test_missing_path_exits_two_but_other_files_are_reported(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", SOFTMAX_MSE)
    result = cli("check", "--format", "json", str(tmp_path / "nope.yaml"), str(path))
    doc = json.loads(result.out)
    assert result.code == 2
    assert doc["errors"] == [{"file": str(tmp_path / "nope.yaml"), "message": "no such file or directory"}]
    assert any(f["rule_id"] == "NNA101" for f in doc["findings"])
    assert "nope.yaml: no such file or directory" in result.err


def test_exit_zero_never_hides_usage_errors(cli: CliRunner, tmp_path: Path) -> None:
    assert cli("check", "--exit-zero", str(tmp_path / "nope.yaml")).code == 2


def test_bad_option_value_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("check", "--fail-on", "fatal", str(write(tmp_path, "ok.yaml", CLEAN)))
    assert result.code == 2
    assert "fatal" in result.err


def test_explain_flag_adds_rationale(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", SOFTMAX_MSE)
    plain = cli("check", str(path)).out
    explained = cli("check", "--explain", str(path)).out
    assert "why (softmax-with-regression-loss):" in explained and "why (" not in plain
    assert "Jacobian" in explained


def test_color_always_and_never(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", SOFTMAX_MSE)
    assert "\x1b[" in cli("check", "--color", "always", str(path)).out
    assert "\x1b[" not in cli("check", "--color", "never", str(path)).out
    assert "\x1b[" not in cli("check", str(path)).out  # NO_COLOR is set by the fixture


def test_no_paths_is_a_usage_error(cli: CliRunner) -> None:
    assert cli("check").code == 2
