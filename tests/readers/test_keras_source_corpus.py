"""A corpus of realistic Keras / tf.keras / Keras 1-2 / TensorFlow 1 programs
(tests/fixtures/keras_source/), checked through the real CLI entry point as Python source: nnadvisor
reads them statically and never imports them.

The markers are those of the PyTorch corpus (tests/readers/test_pytorch_corpus.py), whose helpers
this module imports:

- ``# expect: clean`` on the first line: a correct program; nnadvisor must report no error and no
  warning on it, and no info note other than NNA002 (what it could not resolve);
- otherwise the file seeds one realistic mistake: ``# expect: CODE[, CODE]`` trails the line where
  each finding must be reported, and ``# expect-alt: CODE`` marks another line where a finding of
  that code is accepted instead (one mistake, one finding: reported at exactly one of them). For an
  output-activation mistake the expected line is the layer (``Dense(5, activation="sigmoid")``,
  ``Activation('softmax')``, ``tf.nn.softmax(...)``) and the alternative the loss argument of
  ``compile`` (or the TF1 loss call), or the other way round; a label-format mistake is at the
  loss argument; an optimizer mistake at the optimizer's construction.

Headers (first 5 lines) of this corpus:

- ``# requires: NAME[, NAME]``: what the program needs to *run* (checking it needs nothing):
  ``keras`` (Keras 3, run with KERAS_BACKEND=torch where PyTorch is installed, else jax, else
  tensorflow), ``tensorflow`` (tf.keras, or TF1 code written against ``tensorflow.compat.v1``),
  ``tensorflow1`` (TF 1.x graph code, ``tf.placeholder`` at the top level: run as is on TensorFlow
  1, and on TensorFlow 2 with ``tensorflow`` bound to ``tensorflow.compat.v1`` with v2 behaviour
  disabled, which needs tf_keras from TensorFlow 2.16 on for ``tf.layers`` / ``tf.nn.rnn_cell``),
  ``keras2`` (standalone Keras 2.x: ``keras.layers.core``, ``lr=``), ``keras1`` (the Keras 1 API:
  ``Dense(output_dim=..., init=...)``, ``Convolution2D(32, 3, 3)``, ``nb_epoch``; Keras <= 2.2
  still accepted it), and ``scikeras``, ``torch``, ``tf_keras``;
- ``# run-raises: ExceptionName``: the seeded mistake makes training stop with this exception
  (integer labels into categorical crossentropy, one-hot labels into the sparse loss): the run test
  checks that it does, which proves the mistake is real.

Every program guards its training under ``if __name__ == "__main__":`` with tiny random data; a
dataset download (``keras.datasets.mnist.load_data()``, ``image_dataset_from_directory``) sits in a
function the main block does not call, so the label evidence stays in the file for the static
reader.

Every Keras 3 program (``# requires: keras``) defines a module-level ``make_model()``, callable
without arguments, that builds and compiles the model the file trains and returns it (or a tuple
of compiled models, such as a GAN's discriminator and stacked generator + discriminator), without
training or touching data. Where Keras is importable, the model-file test builds it for real in a
subprocess, saves ``model.to_json()`` (which carries the compile config in Keras 3) and checks that
``nnadvisor check`` reports the same error/warning codes on that JSON as on the source file.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from nnadvisor.rulebase import RuleBase
from tests.conftest import CliRunner
from tests.readers.conftest import FIXTURES, markers
from tests.readers.test_pytorch_corpus import (
    _ANY_EXPECT,
    _check,
    _describe,
    _lines,
    alt_markers,
    is_clean,
    requirements,
    seeded_problems,
)

CORPUS = FIXTURES / "keras_source"
FILES = sorted(CORPUS.glob("*.py"))
KERAS3_FILES = [p for p in FILES if "keras" in requirements(p)]
_RAISES = re.compile(r"^#\s*run-raises:\s*([A-Za-z_][A-Za-z0-9_.]*)$")
KNOWN_REQUIREMENTS = {"keras", "keras1", "keras2", "tensorflow", "tensorflow1", "tf_keras", "scikeras", "torch"}
DATA_FACTS = ("labels", "num_classes", "target_range", "outliers")
"""Facts of the training data: a source file can show them (``to_categorical``, a dataset call), a
saved model cannot, so findings that depend on them may differ between the two."""
RUN_TIMEOUT = 600


def run_raises(path: Path) -> str | None:
    """The exception named by a ``# run-raises:`` header comment, if any."""
    for line in _lines(path)[:5]:
        match = _RAISES.match(line.strip())
        if match:
            return match.group(1)
    return None


def _serious_codes(findings: list[dict]) -> set[str]:
    return {f["rule_id"] for f in findings if f["severity"] in ("error", "warning")}


# -- the corpus itself --------------------------------------------------------------------------


def test_corpus_cannot_silently_shrink() -> None:
    clean = [p for p in FILES if is_clean(p)]
    assert len(FILES) >= 45, len(FILES)
    assert len(clean) >= 28, len(clean)
    assert len(FILES) - len(clean) >= 15, len(FILES) - len(clean)
    assert len(KERAS3_FILES) >= 15, len(KERAS3_FILES)


def _module_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _has_main_guard(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = [n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)]
            strings = [n.value for n in ast.walk(node.test) if isinstance(n, ast.Constant)]
            if names == ["__name__"] and strings == ["__main__"]:
                return True
    return False


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_is_well_formed(path: Path) -> None:
    assert not path.name.startswith("test_") and not path.stem.endswith("_test"), "pytest would collect it"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert _has_main_guard(tree), "the training part must be guarded by if __name__ == '__main__':"
    needs = requirements(path)
    assert needs, "a '# requires:' header names what the program needs to run"
    assert set(needs) <= KNOWN_REQUIREMENTS, sorted(set(needs) - KNOWN_REQUIREMENTS)
    if "keras" in needs:
        make_model = _module_function(tree, "make_model")
        assert make_model is not None, "a Keras 3 program defines a module-level make_model()"
        args = make_model.args
        required = len(args.posonlyargs) + len(args.args) - len(args.defaults)
        required += sum(d is None for d in args.kw_defaults)
        assert required == 0, "make_model() must be callable without arguments"

    lines = _lines(path)
    marked = [n for n, line in enumerate(lines, 1) if _ANY_EXPECT.search(line)]
    if is_clean(path):
        assert marked == [1], f"a clean file has no other expect markers: lines {marked}"
        assert run_raises(path) is None, "a correct program runs to the end"
        return
    expected = markers(path)
    assert expected, "a file that is not '# expect: clean' must mark at least one finding"
    expected_codes = {code for _, code in expected}
    for line, code in alt_markers(path):
        assert code in expected_codes, f"expect-alt {code} at line {line} has no '# expect: {code}'"
        assert (line, code) not in expected, f"line {line} is both expect and expect-alt for {code}"


# -- what nnadvisor reports ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p in FILES if is_clean(p)], ids=lambda p: p.name)
def test_clean_program_has_no_finding(path: Path, cli: CliRunner) -> None:
    findings = _check(cli, path)
    serious = [f for f in findings if f["severity"] in ("error", "warning")]
    assert serious == [], _describe(findings)
    other_notes = [f for f in findings if f["severity"] == "info" and f["rule_id"] != "NNA002"]
    assert other_notes == [], _describe(findings)


@pytest.mark.parametrize("path", [p for p in FILES if not is_clean(p)], ids=lambda p: p.name)
def test_seeded_mistake_is_reported_at_its_line(path: Path, cli: CliRunner) -> None:
    findings = _check(cli, path)
    problems = seeded_problems(path, findings)
    assert problems == [], problems + ["findings:"] + _describe(findings)


# -- every program is real code -----------------------------------------------------------------


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _major(distribution: str) -> int | None:
    try:
        return int(importlib.metadata.version(distribution).split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


def _version(distribution: str) -> tuple[int, ...]:
    try:
        raw = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ()
    return tuple(int(part) for part in re.findall(r"\d+", raw)[:2])


@cache
def _keras_backend() -> str | None:
    for backend in ("torch", "jax", "tensorflow"):
        if _available(backend):
            return backend
    return None


def _run_environment(path: Path) -> tuple[dict[str, str], str]:
    """The environment and the runner mode for a program, or ``pytest.skip`` when this
    interpreter lacks what the program needs to run."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_USE_LEGACY_KERAS", "KERAS_BACKEND")}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONDONTWRITEBYTECODE="1", CUDA_VISIBLE_DEVICES="")
    mode = "plain"
    for need in requirements(path):
        if need == "keras":
            if not _available("keras") or _major("keras") != 3:
                pytest.skip("Keras 3 is not installed")
            backend = _keras_backend()
            if backend is None:
                pytest.skip("no Keras backend (torch, jax or tensorflow) is installed")
            env["KERAS_BACKEND"] = backend
        elif need == "keras2":
            if not _available("keras") or _major("keras") != 2:
                pytest.skip("standalone Keras 2 is not installed")
        elif need == "keras1":
            if not _available("keras") or not () < _version("keras") < (2, 3):
                pytest.skip("Keras < 2.3 (which accepts the Keras 1 API) is not installed")
        elif need in ("tensorflow", "tensorflow1"):
            if not _available("tensorflow"):
                pytest.skip("tensorflow is not installed")
            env["KERAS_BACKEND"] = "tensorflow"
            if need == "tensorflow1" and _major("tensorflow") != 1:
                mode = "tensorflow1"
                if _version("tensorflow") >= (2, 16):
                    if not _available("tf_keras"):
                        pytest.skip("TF1 tf.layers / tf.nn.rnn_cell need tf_keras on TensorFlow >= 2.16")
                    env["TF_USE_LEGACY_KERAS"] = "1"
        elif need == "tf_keras":
            if not _available("tf_keras"):
                pytest.skip("tf_keras is not installed")
            env["TF_USE_LEGACY_KERAS"] = "1"
        elif not _available(need):
            pytest.skip(f"{need} is not installed")
    return env, mode


_RUNNER = """
import json, os, runpy, sys, traceback
path, mode, cwd, out = sys.argv[1:5]
if mode == "tensorflow1":
    # TensorFlow 2 still ships the TF1 API as tensorflow.compat.v1; the program's
    # `import tensorflow as tf` gets it, with graph mode (tf.placeholder, tf.Session) on.
    import tensorflow.compat.v1 as tf1
    tf1.disable_v2_behavior()
    sys.modules["tensorflow"] = tf1
status = {"raised": None, "traceback": "", "files": [], "models": [], "models_error": ""}
os.chdir(cwd)
sys.argv = [path]
try:
    runpy.run_path(path, run_name="__main__")
except SystemExit as exc:
    if exc.code not in (None, 0):
        status["raised"], status["traceback"] = "SystemExit", traceback.format_exc()
except BaseException as exc:
    status["raised"], status["traceback"] = type(exc).__name__, traceback.format_exc()
status["files"] = sorted(os.listdir(cwd))
if out:
    try:
        namespace = runpy.run_path(path, run_name="keras_source_corpus")
        models = namespace["make_model"]()
        if not isinstance(models, (list, tuple)):
            models = [models]
        for index, model in enumerate(models):
            target = os.path.join(out, f"model{index}.json")
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(model.to_json(indent=2))
            status["models"].append(target)
    except BaseException:
        status["models_error"] = traceback.format_exc()
sys.stdout.flush()
with open(os.path.join(os.path.dirname(cwd), "status.json"), "w", encoding="utf-8") as fh:
    json.dump(status, fh)
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run a program once, in a subprocess: its main block in an empty working directory, then,
    for a Keras 3 program, ``make_model()`` with each returned model saved with ``to_json()``.
    Shared by the run test and the saved-model test (one Keras start-up per program)."""
    done: dict[Path, dict[str, Any]] = {}

    def run(path: Path) -> dict[str, Any]:
        if path not in done:
            env, mode = _run_environment(path)
            base = tmp_path_factory.mktemp(path.stem)
            cwd, out = base / "cwd", base / "models"
            cwd.mkdir()
            out.mkdir()
            wants_models = str(out) if path in KERAS3_FILES else ""
            proc = subprocess.run(
                [sys.executable, "-c", _RUNNER, str(path), mode, str(cwd), wants_models],
                env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL,
            )
            status_file = base / "status.json"
            assert proc.returncode == 0 and status_file.exists(), proc.stderr[-4000:]
            done[path] = json.loads(status_file.read_text(encoding="utf-8"))
        return done[path]

    return run


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_program_runs(path: Path, executed: Any) -> None:
    status = executed(path)
    raises = run_raises(path)
    if raises is None:
        assert status["raised"] is None, status["traceback"][-4000:]
    else:
        assert status["raised"] == raises.rsplit(".", 1)[-1], (
            f"expected the run to stop with {raises}; got {status['raised']}\n" + status["traceback"][-4000:]
        )
    assert status["files"] == [], "a corpus program must not write files"


# -- the saved model and the source agree -------------------------------------------------------


def _condition_paths(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        if isinstance(node.get("path"), str):
            out.add(node["path"])
        for value in node.values():
            _condition_paths(value, out)
    elif isinstance(node, list):
        for value in node:
            _condition_paths(value, out)
    return out


def data_dependent_rules(rulebase: RuleBase) -> set[str]:
    """Rules whose conditions read a fact of the training data (``DATA_FACTS``)."""
    out: set[str] = set()
    for rule in rulebase.rules:
        paths = _condition_paths({k: v for k, v in rule.items() if k != "examples"}, set())
        if any(p.split(".")[0] in DATA_FACTS for p in paths):
            out.add(rule["id"])
    return out


def _is_subclassed(document: dict) -> bool:
    """A subclassed model's JSON names the user's class and holds no layers: only its loss and
    optimizer can be read from it."""
    config = document.get("config")
    return document.get("class_name") not in ("Sequential", "Functional") or not (
        isinstance(config, dict) and "layers" in config
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", KERAS3_FILES, ids=lambda p: p.name)
def test_saved_model_and_source_report_the_same_codes(
    path: Path, executed: Any, cli: CliRunner, rulebase: RuleBase
) -> None:
    status = executed(path)
    assert status["models_error"] == "", status["models_error"][-4000:]
    saved = [Path(p) for p in status["models"]]
    assert saved, "make_model() returned no model"

    source_findings = _check(cli, path)
    source_codes = _serious_codes(source_findings)
    model_codes: set[str] = set()
    any_subclassed = False
    report: list[str] = []
    for json_path in saved:
        findings = _check(cli, json_path)
        model_codes |= _serious_codes(findings)
        any_subclassed |= _is_subclassed(json.loads(json_path.read_text(encoding="utf-8")))
        report += [f"{json_path.name}: " + d for d in _describe(findings)]

    tolerated = data_dependent_rules(rulebase)
    only_source = source_codes - model_codes - tolerated
    only_model = model_codes - source_codes - tolerated
    if any_subclassed:
        only_source = set()  # the JSON of a subclassed model holds no layers: it may know less
    differ = [f"only in the source: {sorted(only_source)}"] * bool(only_source)
    differ += [f"only in the saved model: {sorted(only_model)}"] * bool(only_model)
    assert differ == [], differ + ["source findings:"] + _describe(source_findings) + ["saved model findings:"] + report
