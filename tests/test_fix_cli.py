"""``check --fix``, ``--unsafe-fixes``, ``--diff`` and ``--fix-only`` through the real entry point,
on nnadvisor configs (the source fixes have their own tests under tests/fixes/)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import CliRunner

GOLDEN = Path(__file__).parent / "golden"

SOFTMAX_MSE = """\
# classifier for the sensor data
task: multiclass   # ten machines
labels: one-hot
num_classes: 10
layers:
  - type: dense
    units: 64
    activation: relu    # hidden
  - {type: dense, units: 10, activation: softmax}
loss: mse  # was regression before
optimizer: {name: adam, learning_rate: 0.001}
"""

LOG_SOFTMAX_CE = """\
framework: pytorch
task: multiclass
labels: integer
num_classes: 10
layers:
  - type: dense
    units: 64
    activation: relu
  - type: dense
    units: 10
    activation: log_softmax   # "for stability"
loss: CrossEntropyLoss
"""


def _codes(cli: CliRunner, path: Path) -> set[str]:
    result = cli("check", "--no-cache", "--format", "json", str(path))
    return {f["rule_id"] for f in json.loads(result.out)["findings"]}


def test_unsafe_fixes_rewrite_only_what_the_fix_is_about(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SOFTMAX_MSE)
    assert "NNA101" in _codes(cli, path)
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    assert result.code == 0, result.out + result.err
    assert "Fixed 1 finding; all checks passed (1 file)." in result.out
    after = path.read_text()
    assert after == SOFTMAX_MSE.replace("loss: mse  #", "loss: categorical_crossentropy  #")
    assert _codes(cli, path) == set()


def test_fix_alone_applies_only_safe_fixes(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SOFTMAX_MSE)
    result = cli("check", "--no-cache", "--fix", str(path))
    assert result.code == 1
    assert path.read_text() == SOFTMAX_MSE, "an unsafe fix was applied without --unsafe-fixes"
    assert "[*]" not in result.out.splitlines()[1]
    assert "1 fixable with --fix --unsafe-fixes (no safe fixes)." in result.out


def test_a_safe_fix_is_applied_by_fix_and_marked(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(LOG_SOFTMAX_CE)
    shown = cli("check", "--no-cache", str(path))
    assert "NNA104 [*] log_softmax output" in shown.out
    assert "[*] 1 fixable with --fix." in shown.out
    result = cli("check", "--no-cache", "--fix", str(path))
    assert result.code == 0
    assert path.read_text() == LOG_SOFTMAX_CE.replace("activation: log_softmax   #", "activation: linear   #")


def test_fix_twice_changes_nothing_the_second_time(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SOFTMAX_MSE)
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    once = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    second = cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    assert second.code == 0
    assert path.read_bytes() == once
    assert path.stat().st_mtime_ns == mtime, "a file with nothing to fix was written again"
    assert cli("check", "--no-cache", "--diff", "--unsafe-fixes", str(path)).code == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "model.yaml").write_text(SOFTMAX_MSE)
    result = cli("check", "--no-cache", "--diff", "--unsafe-fixes", "model.yaml", cwd=tmp_path)
    assert result.code == 1
    assert (tmp_path / "model.yaml").read_text() == SOFTMAX_MSE
    golden = GOLDEN / "fix-diff.txt"
    if os.environ.get("NNADVISOR_UPDATE_GOLDEN"):
        golden.write_text(result.out)
    assert result.out == golden.read_text()
    assert "would fix 1 finding (0 remaining)" in result.err


def test_diff_applies_with_patch(cli: CliRunner, tmp_path: Path) -> None:
    """The diff is one ``git apply`` accepts, and gives the file --fix writes."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "model.yaml").write_text(SOFTMAX_MSE)
    diff = cli("check", "--no-cache", "--diff", "--unsafe-fixes", "model.yaml", cwd=tmp_path).out
    (tmp_path / "fix.patch").write_text(diff)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    applied = (tmp_path / "model.yaml").read_text()
    (tmp_path / "model.yaml").write_text(SOFTMAX_MSE)
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", "model.yaml", cwd=tmp_path)
    assert (tmp_path / "model.yaml").read_text() == applied


def test_fix_only_reports_the_count_and_exits_zero(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SOFTMAX_MSE)
    result = cli("check", "--no-cache", "--fix-only", "--unsafe-fixes", str(path))
    assert result.code == 0
    assert result.out == ""
    assert "fixed 1 finding in 1 file" in result.err


def test_a_file_that_does_not_read_is_never_written(cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("layers: [\n  {type: dense, activation: softmax\nloss: mse\n")
    good = tmp_path / "good.yaml"
    good.write_text(SOFTMAX_MSE)
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(broken), str(good))
    assert broken.read_text() == "layers: [\n  {type: dense, activation: softmax\nloss: mse\n"
    assert "NNA000" in result.out
    assert "categorical_crossentropy" in good.read_text(), "one broken file stopped the others' fixes"
    assert result.code == 1


def test_writes_keep_permissions_and_symbolic_links(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text(SOFTMAX_MSE)
    target.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(link))
    assert link.is_symlink()
    assert "categorical_crossentropy" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".nnadvisor-")], "a temporary file was left behind"


def test_json_findings_carry_edits_and_applicability(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SOFTMAX_MSE)
    findings = json.loads(cli("check", "--no-cache", "--format", "json", str(path)).out)["findings"]
    fix = next(f for f in findings if f["rule_id"] == "NNA101")["fix"]
    assert fix["applicability"] == "unsafe"
    assert fix["patch"] == [{"op": "add", "path": "/loss", "value": "categorical_crossentropy"}]
    assert fix["edits"] == [{"start": {"line": 10, "column": 7}, "end": {"line": 10, "column": 10}, "content": "categorical_crossentropy"}]


def test_stdin_cannot_be_fixed_in_place(cli: CliRunner) -> None:
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", "-", stdin=SOFTMAX_MSE.encode())
    assert result.code == 2
    assert "stdin cannot be fixed in place (use --diff" in result.err


def test_selection_limits_what_is_fixed(cli: CliRunner, tmp_path: Path) -> None:
    """Only selected findings are fixed: with only NNA5 selected, the loss fix is not applied."""
    path = tmp_path / "model.yaml"
    path.write_text(SOFTMAX_MSE)
    cli("check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "NNA5", str(path))
    assert path.read_text() == SOFTMAX_MSE


def test_fixes_that_undo_each_other_leave_the_file_alone(cli: CliRunner, tmp_path: Path) -> None:
    """A multiclass task on one output unit: NNA201 wants sigmoid, NNA205 a categorical loss, and
    each fix brings the other back. Said, and nothing written."""
    text = "task: multiclass\nlabels: integer\nlayers:\n  - {type: dense, units: 1, activation: softmax}\nloss: mse\n"
    path = tmp_path / "model.yaml"
    path.write_text(text)
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    assert path.read_text() == text
    assert "not fixed: the fixes of" in result.err and "undo each other here; fix it by hand" in result.err
    assert result.code == 1 and "NNA201" in result.out
