"""Issue 14, items 3, 4 and 6 (part): hooks in real repositories, nothing checked is not success,
a cache that cannot lie. Through the real entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliRunner

ROOT = Path(__file__).resolve().parents[1]
MISTAKE = "layers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\noptimizer: adam\n"
GOOD = "layers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\noptimizer: adam\n"
NOT_MODELS = {
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
    "mkdocs.yml": "site_name: docs\nnav:\n  - index.md\n",
    "package.json": '{"name": "x", "version": "1.0.0", "scripts": {"loss": "echo"}}\n',
    "setup.py": "from setuptools import setup\n\nsetup(name='x')\n",
    "data.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": "import pandas\n", "metadata": {}, "outputs": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
    "README.md": "# not passed by the hook\n",
}


def _repo(root: Path) -> list[str]:
    for name, text in {**NOT_MODELS, "models/net.yaml": MISTAKE}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_hook_passes_files_of_every_kind_it_reads() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    files = re.compile(hook["files"])
    for name in ("a.yaml", "b.yml", "c.json", "d.py", "e.ipynb", "f.keras", "G.YAML"):
        assert files.search(name), name
    assert not files.search("README.md") and not files.search("weights.h5")


def test_hook_in_a_repository_checks_only_the_model_config(cli: CliRunner, tmp_path: Path) -> None:
    """What ``pre-commit run --all-files`` does (pre-commit itself needs the network to install the
    hook): the hook's entry with every tracked file its ``files`` pattern selects, by name."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    files = re.compile(hook["files"])
    passed = [name for name in _repo(tmp_path) if files.search(name)]
    assert "mkdocs.yml" in passed and "setup.py" in passed and "README.md" not in passed
    program, command = hook["entry"].split()
    assert program == "nnadvisor"
    result = cli(command, *passed, cwd=tmp_path)
    assert result.code == 1 and "Traceback" not in result.err
    assert "models/net.yaml" in result.out and "NNA101" in result.out and "NNA000" not in result.out
    for name in NOT_MODELS:
        if name != "README.md":
            assert name not in result.out
            assert f"nnadvisor: note: {name}: skipped, not a model definition" in result.err
    assert "1 file; 5 files skipped" in result.out
    doc = json.loads(cli(command, "--format", "json", *passed, cwd=tmp_path).out)
    assert doc["summary"]["files"] == 1 and doc["summary"]["skipped"] == 5
    assert {f["file"] for f in doc["findings"]} == {"models/net.yaml"}


def test_clean_repository_passes_the_hook(cli: CliRunner, tmp_path: Path) -> None:
    _repo(tmp_path)
    (tmp_path / "models/net.yaml").write_text(GOOD)
    result = cli("check", *[n for n in NOT_MODELS if n != "README.md"], "models/net.yaml", cwd=tmp_path)
    assert result.code == 0 and "All checks passed (1 file; 5 files skipped" in result.out


def test_force_and_input_format_lint_a_named_file_anyway(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(NOT_MODELS["mkdocs.yml"])
    for extra in (["--force"], ["--input-format", "nnadvisor"]):
        result = cli("check", *extra, "mkdocs.yml", cwd=tmp_path)
        assert result.code == 1 and "NNA000" in result.out and "skipped" not in result.err, extra
    # stdin is always checked
    assert cli("check", "-", stdin=NOT_MODELS["mkdocs.yml"].encode()).code == 1


@pytest.mark.parametrize(
    ("name", "content", "model"),
    [
        ("a.json", '{"name": "x", "config": {"loss": "mse", "layers": []}}', False),  # nested: not top level
        ("b.json", '{"task": "binary", "version": 1, "loss": "mse"}', True),
        ("c.yaml", "jobs:\n  loss: 1\n", False),
        ("d.yaml", "# a model\n'optimizer': adam\n", True),
        ("e.json", '{"class_name": "Sequential", "config": {"layers": []}}', True),  # Keras JSON
        ("f.py", "import os\nprint('Module Sequential torch')\n", False),
        ("g.py", "from torch import nn\n", True),
        ("h.py", "import tensorflow as tf\n", True),
        # Not another tool's settings either: a named file that is no mapping is checked, so
        # that what is wrong with it is said (NNA000), as for any config given by name.
        ("i.yaml", "- just\n- a list\n", True),
        ("j.yaml", "", True),
        ("k.json", "[1, 2]", True),
        ("l.yaml", "\x00\x01binary", True),
    ],
)
def test_what_a_named_file_needs_to_be_checked(cli: CliRunner, tmp_path: Path, name: str, content: str, model: bool) -> None:
    (tmp_path / name).write_text(content)
    result = cli("check", "--format", "json", name, cwd=tmp_path)
    assert json.loads(result.out)["summary"]["files"] == (1 if model else 0), result.err
    assert ("skipped, not a model definition" in result.err) is not model


def test_nothing_found_is_a_warning_not_success(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "data.ipynb").write_text(NOT_MODELS["data.ipynb"])
    (tmp_path / "d" / "weights.h5").write_bytes(b"\x89HDF\r\n")
    result = cli("check", "d", cwd=tmp_path)
    assert result.code == 0 and result.out == ""
    assert "nnadvisor: warning: no model definitions found in d (1 file skipped)" in result.err
    assert "All checks passed" not in result.out + result.err
    assert cli("check", "--fail-on-empty", "d", cwd=tmp_path).code == 1
    doc = json.loads(cli("check", "--format", "json", "d", cwd=tmp_path).out)
    assert doc["summary"] == {"files": 0, "error": 0, "warning": 0, "info": 0, "skipped": 1, "fixed": 0}
    (tmp_path / "pyproject.toml").write_text("[tool.nnadvisor]\nfail-on-empty = true\n")
    assert cli("check", "d", cwd=tmp_path).code == 1
    assert cli("check", "--no-fail-on-empty", "d", cwd=tmp_path).code == 0
    (tmp_path / "pyproject.toml").write_text("[tool.nnadvisor]\nfail-on-empty = 1\n")
    bad = cli("check", "d", cwd=tmp_path)
    assert bad.code == 2 and "fail-on-empty" in bad.err
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "empty").mkdir()
    assert "no model definitions found in empty (0 files skipped)" in cli("check", "empty", cwd=tmp_path).err


def test_missing_path_is_not_also_an_empty_warning(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("check", "nope.yaml", cwd=tmp_path)
    assert result.code == 2 and "warning" not in result.err and result.out == ""


def test_a_file_given_twice_is_checked_once(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "ok.yaml").write_text(GOOD)
    for args in (["d", "d/ok.yaml"], ["d/ok.yaml", "./d/ok.yaml", "d"]):
        doc = json.loads(cli("check", "--format", "json", *args, cwd=tmp_path).out)
        assert doc["summary"]["files"] == 1, args


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_in_a_walk_is_skipped_without_opening_it(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "d" / "pipe.yaml")
    (tmp_path / "d" / "z.yaml").write_text(MISTAKE)
    env = {**os.environ, "NNADVISOR_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "nnadvisor", "check", "--format", "json", "d"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    doc = json.loads(result.stdout)
    assert result.returncode == 1 and doc["summary"]["files"] == 1 and doc["summary"]["skipped"] == 1
    assert {f["file"] for f in doc["findings"]} == {os.path.join("d", "z.yaml")}


@pytest.mark.parametrize(("value", "enabled"), [("0", True), ("false", True), ("No", True), ("OFF", True), ("", True), (" 0 ", True), ("1", False), ("true", False), ("yes", False)])
def test_no_cache_environment_values(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, enabled: bool) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(cache))
    monkeypatch.setenv("NNADVISOR_NO_CACHE", value)
    (tmp_path / "m.yaml").write_text(MISTAKE)
    assert cli("check", "m.yaml", cwd=tmp_path).code == 1
    assert bool(list(cache.glob("results-v*/*/*.json"))) is enabled
    assert bool(list(cache.glob("rulebase-*.json"))) is enabled


@pytest.mark.parametrize(
    "content",
    [
        {"vocabulary": {}, "inference": {}, "rules": [], "recommend": {}, "snippets": {}, "frameworks": {}},
        {"vocabulary": 1, "inference": [], "rules": {}, "recommend": 2, "snippets": None, "frameworks": "x"},
        {"vocabulary": {"activations": {}}, "inference": {}, "rules": [1], "recommend": {}, "snippets": {}, "frameworks": {}},
        [1, 2],
    ],
)
def test_a_rule_base_cache_of_the_wrong_shape_is_rebuilt(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: object) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(cache))
    (tmp_path / "m.yaml").write_text(MISTAKE)
    expected = cli("check", "--no-cache", "--format", "json", "m.yaml", cwd=tmp_path).out
    (written,) = [p for p in cache.glob("rulebase-*.json") if not p.name.startswith("rulebase-stamp-")]
    written.write_text(json.dumps(content))
    for args in (["--no-cache"], [], []):
        result = cli("check", *args, "--format", "json", "m.yaml", cwd=tmp_path)
        assert result.code == 1 and "internal error" not in result.err and result.out == expected, args
    assert json.loads(written.read_text()).keys() >= {"vocabulary", "rules"} and json.loads(written.read_text())["rules"]


def test_results_cache_is_keyed_by_nnadvisor_code(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install whose reader changed must not serve old findings."""
    from nnadvisor import result_cache

    package = Path(result_cache.__file__).parent
    monkeypatch.setattr(result_cache, "_code_stamp", None)
    before = result_cache.code_stamp()
    assert result_cache.code_stamp() is result_cache.code_stamp()  # once per process
    reader = package / "readers" / "native.py"
    st = reader.stat()
    try:
        os.utime(reader, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        monkeypatch.setattr(result_cache, "_code_stamp", None)
        assert result_cache.code_stamp() != before
    finally:
        os.utime(reader, ns=(st.st_atime_ns, st.st_mtime_ns))
    monkeypatch.setattr(result_cache, "_code_stamp", None)
    assert result_cache.code_stamp() == before
    # Through the CLI: a stored finding is not served to other code.
    cache = tmp_path / "cache"
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(cache))
    (tmp_path / "m.yaml").write_text(MISTAKE)
    assert "NNA101" in cli("check", "m.yaml", cwd=tmp_path).out
    (shard,) = cache.glob("results-v*/*/*.json")
    forged = {k: [v[0], []] for k, v in json.loads(shard.read_text()).items()}  # as if old code found nothing
    shard.write_text(json.dumps(forged))
    assert cli("check", "m.yaml", cwd=tmp_path).code == 0  # the same code: the (forged) entry is served
    monkeypatch.setattr(result_cache, "_code_stamp", "changed-code")
    assert "NNA101" in cli("check", "m.yaml", cwd=tmp_path).out


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["recommend", "--task", "binary"], ["rules"]])
def test_a_full_disk_is_said_as_such(args: list[str]) -> None:
    """Output to a full disk: what happened, exit 2, never "internal error" or a traceback."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "nnadvisor", *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 2
    assert result.stderr == "nnadvisor: error: cannot write the output: No space left on device\n"


def test_ci_runs_the_readme_test_command() -> None:
    """The README opens with the test command, and .ci/run's first job runs exactly it (after
    PyTorch, which the README lists as optional): CI sees what a new machine following it sees."""
    root = Path(__file__).resolve().parent.parent
    blocks = re.findall(r"```sh\n(.*?)```", (root / "README.md").read_text(), re.DOTALL)
    install, _, test = blocks[1].strip().partition(" && ")
    newest = re.search(r"^newest\(\) \{\n(.*?)^\}", (root / ".ci" / "run").read_text(), re.DOTALL | re.MULTILINE)
    assert newest is not None
    steps = [line.strip() for line in newest.group(1).splitlines()]
    assert install == "pip install -e '.[test]'" and "python -m pip install --quiet -e '.[test]'" in steps
    assert test in steps, (test, steps)


@pytest.mark.parametrize("command", ["recommend", "check", "explain", "rules"])
def test_help_is_readable_at_80_columns(command: str) -> None:
    """Help wraps at the terminal's width between words: choices and option names stay whole
    (rich's table broke `<regression|bina ry|...>` and cut `--dense-featur…`)."""
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "nnadvisor", command, "-h"], capture_output=True, text=True, env=env, check=True).stdout
    assert max(map(len, out.splitlines())) <= 80, out
    assert "…" not in out and "╭" not in out and "\\[" not in out, "rich's layout or escapes in the plain help"
    if command == "recommend":
        assert re.search(r"[<\[]regression\|binary\|multiclass\|multilabel[>\]]", out) and "--sparse-features / --dense-features" in out
