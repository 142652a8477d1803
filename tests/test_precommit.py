"""The pre-commit hook in a real repository, through ``pre-commit try-repo`` (issue 14, "Done when").

A scratch repository with what a normal project has beside its models (a GitHub Actions workflow,
``mkdocs.yml``, ``package.json``), a clean Keras script and a clean notebook: the hook passes and
names the three other tools' files as skipped. With a softmax + MSE model added (as a script, a
notebook, an nnadvisor config, a Keras JSON file and a ``.keras`` archive, the file types
``.pre-commit-hooks.yaml`` claims) it fails, with each file's finding.

The hook repository is a temporary clone of this checkout's HEAD: ``try-repo`` installs what is
committed, so uncommitted changes to nnadvisor or to ``.pre-commit-hooks.yaml`` are not seen here
(commit first). pre-commit builds the hook's virtual environment with pip from the package index
(nnadvisor's build backend and dependencies), once per ``try-repo``: about 10 s each with a warm
pip cache, hence ``slow``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KERAS_FIXTURES = ROOT / "tests" / "fixtures" / "keras"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - run: pip install -e '.[test]'
      - run: python -m pytest
"""

MKDOCS = """\
site_name: Digits
nav:
  - Home: index.md
  - Model: model.md
theme:
  name: material
markdown_extensions:
  - admonition
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""

PACKAGE_JSON = {
    "name": "digits-docs",
    "version": "1.0.0",
    "private": True,
    "scripts": {"build": "mkdocs build"},
    "devDependencies": {"prettier": "^3.0.0"},
}

CLEAN_KERAS = """\
\"\"\"Train a digit classifier.\"\"\"
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""

CLEAN_CELL = """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
"""

SOFTMAX_MSE_KERAS = """\
import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu"), layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="mse")
"""

SOFTMAX_MSE_CELL = """\
from tensorflow import keras

model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="mean_squared_error")
"""

SOFTMAX_MSE_CONFIG = """\
layers:
  - {type: dense, units: 16, activation: relu}
  - {type: dense, units: 4, activation: softmax}
loss: mse
optimizer: adam
"""


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Experiments"]}]
            + [
                {"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [], "source": cell.splitlines(keepends=True)}
                for i, cell in enumerate(cells)
            ],
        },
        indent=1,
    )


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=ISOLATED)


# Neither the user's git configuration (commit signing, hooks paths, templates) nor their
# pre-commit cache takes part; pre-commit and pip still read pip's configuration (index, proxy).
ISOLATED = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this checkout's HEAD, which ``try-repo`` installs the hook from."""
    pytest.importorskip("pre_commit", reason="needs pre-commit (in the test extras)")
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True, env=ISOLATED)
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != ROOT:
        pytest.skip(f"{ROOT} is not a git checkout (try-repo installs the hook from a git repository)")
    clone = tmp_path_factory.mktemp("hook") / "nnadvisor"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True, env=ISOLATED)
    assert (clone / ".pre-commit-hooks.yaml").is_file(), "HEAD has no .pre-commit-hooks.yaml"
    return clone


def try_repo(hook_repo: Path, scratch: Path, home: Path) -> subprocess.CompletedProcess[str]:
    git(scratch, "add", "--all")  # --all-files is what git tracks
    env = {**ISOLATED, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "nnadvisor-check", "--all-files", "--verbose", "--color", "never"],
        cwd=scratch, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
    )


def test_try_repo_passes_in_a_normal_repository_and_fails_on_softmax_mse(hook_repo: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "project"
    (scratch / ".github" / "workflows").mkdir(parents=True)
    (scratch / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (scratch / "mkdocs.yml").write_text(MKDOCS)
    (scratch / "package.json").write_text(json.dumps(PACKAGE_JSON, indent=2) + "\n")
    (scratch / "train.py").write_text(CLEAN_KERAS)
    (scratch / "explore.ipynb").write_text(notebook(CLEAN_CELL))
    git(scratch, "init", "--quiet")

    clean = try_repo(hook_repo, scratch, tmp_path / "pre-commit-home")
    out = clean.stdout + clean.stderr
    if "Installing environment" in out and "An unexpected error has occurred" in out:
        pytest.fail("pre-commit could not build the hook's environment:\n" + out[-6000:])
    assert clean.returncode == 0, out[-6000:]
    assert "nnadvisor check" in out and "Passed" in out, out
    lines = out.splitlines()
    for name in (".github/workflows/ci.yml", "mkdocs.yml", "package.json"):  # passed to the hook, and skipped
        assert any(f"{name}: skipped" in line for line in lines), out
    for name in ("train.py", "explore.ipynb"):  # passed to the hook, and checked
        assert not any(f"{name}: skipped" in line for line in lines), out
    assert "NNA" not in out, out

    (scratch / "regress.py").write_text(SOFTMAX_MSE_KERAS)
    (scratch / "regress.ipynb").write_text(notebook(SOFTMAX_MSE_CELL))
    (scratch / "configs").mkdir()
    (scratch / "configs" / "regress.yaml").write_text(SOFTMAX_MSE_CONFIG)
    (scratch / "saved").mkdir()
    shutil.copy(KERAS_FIXTURES / "softmax_mse.json", scratch / "saved" / "regress.json")
    shutil.copy(KERAS_FIXTURES / "double_softmax.keras", scratch / "saved" / "double_softmax.keras")

    found = try_repo(hook_repo, scratch, tmp_path / "pre-commit-home")
    out = found.stdout + found.stderr
    assert found.returncode == 1, out[-6000:]
    assert "nnadvisor check" in out and "Failed" in out, out
    lines = out.splitlines()
    for name, code in [
        ("regress.py", "NNA101"),
        ("regress.ipynb", "NNA101"),
        ("configs/regress.yaml", "NNA101"),
        ("saved/regress.json", "NNA101"),
        ("saved/double_softmax.keras", "NNA103"),
    ]:
        assert code in findings_of(name, lines), f"{name}: no {code}:\n{out}"
    assert findings_of("train.py", lines) == findings_of("explore.ipynb", lines) == "", out


def findings_of(name: str, lines: list[str]) -> str:
    """What the hook's output says about ``name``: its ``name:line:col: ...`` lines (concise), or
    the indented lines under a ``name`` header (text)."""
    said = [line for line in lines if line.startswith(name + ":") and "skipped" not in line]
    for i, line in enumerate(lines):
        if line == name:
            for more in lines[i + 1 :]:
                if not more.startswith(" "):
                    break
                said.append(more)
    return "\n".join(said)
