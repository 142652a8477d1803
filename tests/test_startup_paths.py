"""Start-up shortcuts change speed only (issue 15): the one-command application, the console
script's exit, the rule-base stamp. Timings live in benchmarks/startup.py, not here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nnadvisor.cli
from nnadvisor import rulebase as rulebase_module
from nnadvisor.cli import COMMANDS, _command
from nnadvisor.resources import rules_dir
from nnadvisor.rulebase import load_rulebase
from tests.conftest import CliRunner

BAD = "layers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n"


def _whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nnadvisor.cli, "_command", lambda argv: None)


@pytest.mark.parametrize(
    "args",
    [
        *([name, "--help"] for name in COMMANDS),
        ["rules", "validate", "--help"],
        ["check"],
        ["check", "--bogus", "m.yaml"],
        ["check", "--format", "bogus", "m.yaml"],
        ["check", "--jobs", "0", "m.yaml"],
        ["check", "--format", "json", "m.yaml"],
        ["lint", "m.yaml"],
        ["recommend", "--task", "bogus"],
        ["recommend", "--task", "binary", "--emit", "config"],
        ["explain", "nna101", "--format", "json"],
        ["schema", "config"],
        ["rules"],
    ],
    ids=" ".join,
)
def test_one_command_application_behaves_as_the_whole(args: list[str], cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "m.yaml").write_text(BAD)
    monkeypatch.setenv("COLUMNS", "100")
    alone = cli(*args, cwd=tmp_path)
    _whole_app(monkeypatch)
    whole = cli(*args, cwd=tmp_path)
    assert (alone.code, alone.out, alone.err) == (whole.code, whole.out, whole.err)


def test_which_application_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _command(["check", "m.yaml"]) == "check"
    assert _command(["lint"]) == "lint"
    for argv in ([], ["--help"], ["--version"], ["-h", "check"], ["chek"], ["m.yaml"]):
        assert _command(argv) is None
    monkeypatch.setenv("_NNADVISOR_COMPLETE", "complete_bash")
    assert _command(["check"]) is None


def test_only_the_invoked_command_is_imported(tmp_path: Path) -> None:
    from tests.test_import_budget import imported_modules

    (tmp_path / "m.yaml").write_text(BAD)
    modules = imported_modules(["check", "m.yaml"], tmp_path)
    assert "nnadvisor.cli.check" in modules
    assert not modules & {f"nnadvisor.cli.{m}" for m in ("rules", "explain", "recommend", "demo", "schema")}


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console script's way: ``python -m nnadvisor`` (``nnadvisor.cli.run``)."""
    return subprocess.run([sys.executable, "-m", "nnadvisor", *args], capture_output=True, text=True, cwd=cwd)


def test_the_process_exit_keeps_output_and_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(BAD)
    found = _run("check", "--format", "json", "m.yaml", cwd=tmp_path)
    assert found.returncode == 1 and json.loads(found.stdout)["summary"]["error"] >= 1
    missing = _run("check", "missing.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "missing.yaml" in missing.stderr
    assert _run("--version", cwd=tmp_path).stdout.startswith("nnadvisor ")
    catalogue = _run("rules", "--format", "json", cwd=tmp_path)
    assert catalogue.returncode == 0 and len(json.loads(catalogue.stdout)) > 10
    recommended = _run("recommend", "--task", "binary", cwd=tmp_path)
    assert recommended.returncode == 0 and recommended.stdout.endswith("\n")


def test_a_closed_stdout_exits_as_before(tmp_path: Path) -> None:
    """A flush that fails leaves the exit to the interpreter, as without the shortcut."""

    def run(*cmd: str) -> tuple[int, str]:
        read, write = os.pipe()
        os.close(read)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        try:
            done = subprocess.run(cmd, stdout=write, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
        finally:
            os.close(write)
        return done.returncode, done.stderr

    script = run(sys.executable, "-m", "nnadvisor", "rules")
    plain = run(sys.executable, "-c", "import sys; from nnadvisor.cli import main; sys.argv = ['nnadvisor', 'rules']; main()")
    assert script == plain and script[0] != 0


def test_touching_the_rule_base_keeps_its_fingerprint_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    first = load_rulebase(root)
    rule = root / "lint" / "NNA101-softmax-with-regression-loss.yaml"
    os.utime(rule, ns=(rule.stat().st_atime_ns, rule.stat().st_mtime_ns + 10**9))

    def no_validation(root: Path) -> None:
        raise AssertionError("an unchanged rule base was validated again")

    monkeypatch.setattr(rulebase_module, "_validate", no_validation)
    touched = load_rulebase(root)
    assert touched.fingerprint == first.fingerprint and touched.rules == first.rules
    assert len(list((tmp_path / "cache").glob("rulebase-stamp-*.json"))) == 2


def test_an_edit_in_place_of_the_same_size_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    before = load_rulebase(root)
    rule = root / "lint" / "NNA101-softmax-with-regression-loss.yaml"
    text = rule.read_text()
    stat = rule.stat()
    with rule.open("r+") as f:  # same file, same size, a different severity
        f.write(text.replace("severity: error", "severity: info ", 1))
    assert rule.stat().st_size == stat.st_size
    os.utime(rule, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # as the next write would
    after = load_rulebase(root)
    assert after.fingerprint != before.fingerprint
    assert {r["id"]: r["severity"] for r in after.rules}["NNA101"] == "info"
    (root / "notes.yaml").write_text("# not a rule file, but part of the directory\n")
    assert load_rulebase(root).fingerprint != after.fingerprint  # an added file is seen too
