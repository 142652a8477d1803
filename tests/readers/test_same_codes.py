"""The issue's "done when": each mistake is found in Keras and PyTorch inputs with the same code as in
the nnadvisor format, at the line of the user's own file; correct models produce no warning.

Each case pairs an nnadvisor-format config (its expected line marked ``# expect: CODE``) with real
Keras files (produced by tools/make_keras_fixtures.py, or hand-written legacy JSON) and real
PyTorch sources (lines marked ``# expect: CODE``). The whole set of error/warning codes must be the
same in all three formats, not just the mistake's code.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nnadvisor.rulebase import RuleBase
from tests.readers.conftest import KERAS, PYTORCH, check_path, check_text, codes, line_of, markers, serious


@dataclass(frozen=True)
class KerasFile:
    name: str
    needle: str
    """Text at the expected location (the last occurrence), in the JSON or in the archive's config.json."""


@dataclass(frozen=True)
class Mistake:
    code: str
    keras_native: str | None = None
    keras: tuple[KerasFile, ...] = ()
    pytorch_native: str | None = None
    pytorch: tuple[str, ...] = field(default=())


MISTAKES: dict[str, Mistake] = {
    "double-softmax": Mistake(
        "NNA103",
        keras_native="""framework: keras
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 10, activation: softmax}  # expect: NNA103
loss: {name: sparse_categorical_crossentropy, from_logits: true}
optimizer: {name: adam, learning_rate: 0.001}
""",
        keras=(
            KerasFile("double_softmax.json", '"activation": "softmax"'),
            KerasFile("compact_double_softmax.json", '"activation": "softmax"'),
            KerasFile("double_softmax.keras", '"activation": "softmax"'),
            KerasFile("double_softmax_layers.json", '"activation": "softmax"'),
            KerasFile("shuffled_double_softmax_layers.json", '"activation": "softmax"'),
        ),
        pytorch_native="""framework: pytorch
layers:
  - {type: dense, units: 64}
  - {type: relu}
  - {type: dense, units: 10}
  - {type: softmax}  # expect: NNA103
loss: CrossEntropyLoss
optimizer: {name: adam, lr: 0.001}
""",
        pytorch=("double_softmax_sequential.py", "double_softmax_forward.py"),
    ),
    "softmax-into-nll": Mistake(
        "NNA105",
        pytorch_native="""framework: pytorch
layers:
  - {type: dense, units: 64, activation: relu}
  - {type: dense, units: 5, activation: softmax}  # expect: NNA105
loss: NLLLoss
optimizer: {name: adam, lr: 0.001}
""",
        pytorch=("softmax_nll.py",),
    ),
    "sigmoid-before-logits-loss": Mistake(
        "NNA103",
        keras_native="""framework: keras
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 1, activation: sigmoid}  # expect: NNA103
loss: {name: binary_crossentropy, from_logits: true}
optimizer: adam
""",
        keras=(
            KerasFile("double_sigmoid.json", '"activation": "sigmoid"'),
            KerasFile("legacy_tf2_functional_double_sigmoid.json", '"activation": "sigmoid"'),
        ),
        pytorch_native="""framework: pytorch
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 16, activation: relu}
  - {type: dense, units: 1}
  - {type: sigmoid}  # expect: NNA103
loss: BCEWithLogitsLoss
optimizer: {name: adamw, lr: 0.0003, weight_decay: 0.01}
""",
        pytorch=("sigmoid_bce_with_logits.py", "sigmoid_in_training_loop.py"),
    ),
    "logits-into-probability-loss": Mistake(
        "NNA102",
        keras_native="""framework: keras
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 1}  # expect: NNA102
loss: binary_crossentropy
optimizer: adam
""",
        keras=(KerasFile("logits_bce.json", '"activation": "linear"'),),
        pytorch_native="""framework: pytorch
layers:
  - {type: dense, units: 24}
  - {type: tanh}
  - {type: dense, units: 1}  # expect: NNA102
loss: BCELoss
optimizer: {name: sgd, lr: 0.05, momentum: 0.9}
""",
        pytorch=("logits_bce.py",),
    ),
    "from-logits-false-on-logits": Mistake(
        "NNA102",
        keras_native="""framework: keras
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 10}  # expect: NNA102
loss: {name: categorical_crossentropy}
optimizer: {name: sgd, learning_rate: 0.01, momentum: 0.9}
""",
        keras=(KerasFile("from_logits_false.json", '"activation": "linear"'),),
    ),
    "one-unit-softmax": Mistake(
        "NNA201",
        keras_native="""framework: keras
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 1, activation: softmax}  # expect: NNA201
loss: binary_crossentropy
optimizer: adam
""",
        keras=(
            KerasFile("single_unit_softmax.json", '"activation": "softmax"'),
            KerasFile("legacy_keras21_list_config.json", '"activation": "softmax"'),
        ),
        pytorch_native="""framework: pytorch
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 1}
  - {type: softmax}  # expect: NNA201
loss: BCELoss
optimizer: {name: adam, lr: 0.001}
""",
        pytorch=("single_unit_softmax.py",),
    ),
    "softmax-with-mse": Mistake(
        "NNA101",
        keras_native="""framework: keras
layers:
  - {type: dense, units: 32, activation: relu}
  - {type: dense, units: 3, activation: softmax}
loss: mse  # expect: NNA101
optimizer: adam
""",
        keras=(
            KerasFile("softmax_mse.json", '"loss": "mse"'),
            KerasFile("softmax_layer_mse.json", '"class_name": "MeanSquaredError"'),
            KerasFile("legacy_keras22_softmax_mse.json", '"loss": "mean_squared_error"'),
        ),
        pytorch_native="""framework: pytorch
layers:
  - {type: dense, units: 16, activation: relu}
  - {type: dense, units: 3}
  - {type: softmax}
loss: MSELoss  # expect: NNA101
optimizer: {name: adam, lr: 0.001}
""",
        pytorch=("softmax_mse.py",),
    ),
}


def _native(text: str, rulebase: RuleBase) -> tuple[set[str], int]:
    findings = check_text(text, rulebase, "nnadvisor", "native.yaml")
    (line,) = [n for n, row in enumerate(text.splitlines(), 1) if "# expect:" in row]
    return codes(findings), line


def _keras_text(name: str) -> str:
    path = KERAS / name
    if path.suffix == ".keras":
        with zipfile.ZipFile(path) as zf:
            return zf.read("config.json").decode()
    return path.read_text()


KERAS_CASES = [
    pytest.param(m, f, id=f"{key}-{f.name}") for key, m in MISTAKES.items() for f in m.keras
]
PYTORCH_CASES = [
    pytest.param(m, name, id=f"{key}-{name}") for key, m in MISTAKES.items() for name in m.pytorch
]


@pytest.mark.parametrize(("mistake", "keras_file"), KERAS_CASES)
def test_keras_file_has_the_native_codes_at_its_own_line(mistake: Mistake, keras_file: KerasFile, rulebase: RuleBase) -> None:
    assert mistake.keras_native is not None
    native_codes, native_line = _native(mistake.keras_native, rulebase)
    assert mistake.code in native_codes
    findings = check_path(KERAS / keras_file.name, rulebase)
    assert codes(findings) == native_codes, [f"{f.rule_id} {f.message}" for f in serious(findings)]
    (hit,) = [f for f in findings if f.rule_id == mistake.code]
    assert (hit.line, hit.column) == line_of(_keras_text(keras_file.name), keras_file.needle)
    assert hit.file == str(KERAS / keras_file.name)


@pytest.mark.parametrize(("mistake", "source"), PYTORCH_CASES)
def test_pytorch_source_has_the_native_codes_at_its_own_line(mistake: Mistake, source: str, rulebase: RuleBase) -> None:
    assert mistake.pytorch_native is not None
    native_codes, _ = _native(mistake.pytorch_native, rulebase)
    assert mistake.code in native_codes
    path = PYTORCH / source
    findings = check_path(path, rulebase)
    assert codes(findings) == native_codes, [f"{f.rule_id} {f.message}" for f in serious(findings)]
    (hit,) = [f for f in findings if f.rule_id == mistake.code]
    assert (hit.line, mistake.code) in markers(path)


@pytest.mark.parametrize("key", sorted(MISTAKES))
def test_native_marker_line(key: str, rulebase: RuleBase) -> None:
    """The nnadvisor-format twin reports the mistake where its comment says (sanity of the table)."""
    mistake = MISTAKES[key]
    for text in (mistake.keras_native, mistake.pytorch_native):
        if text is None:
            continue
        findings = check_text(text, rulebase, "nnadvisor", "native.yaml")
        _, line = _native(text, rulebase)
        assert any(f.rule_id == mistake.code and f.line == line for f in findings)


def test_every_mistake_is_covered_in_both_frameworks() -> None:
    """NLLLoss has no Keras counterpart, and PyTorch has no from_logits flag (its analogue is
    logits-into-BCELoss): every other mistake has Keras and PyTorch fixtures."""
    for key, mistake in MISTAKES.items():
        if key != "softmax-into-nll":
            assert mistake.keras, key
        if key != "from-logits-false-on-logits":
            assert mistake.pytorch, key


GOOD_KERAS = sorted(p.name for p in KERAS.iterdir() if p.name.startswith(("good_", "compact_good_", "legacy_tfjs", "legacy_keras2_lstm")))
GOOD_PYTORCH = sorted(p.name for p in PYTORCH.glob("*.py") if p.name.startswith("good_") or p.name == "side_effect_on_import.py")


@pytest.mark.parametrize("name", GOOD_KERAS)
def test_correct_keras_models_produce_no_warning(name: str, rulebase: RuleBase) -> None:
    findings = check_path(KERAS / name, rulebase)
    assert serious(findings) == [], [f"{f.rule_id} {f.line}: {f.message}" for f in findings]


@pytest.mark.parametrize("name", GOOD_PYTORCH)
def test_correct_pytorch_models_produce_no_warning(name: str, rulebase: RuleBase) -> None:
    findings = check_path(PYTORCH / name, rulebase)
    assert serious(findings) == [], [f"{f.rule_id} {f.line}: {f.message}" for f in findings]


def test_fixture_lists_are_not_empty() -> None:
    assert len(GOOD_KERAS) >= 6 and len(GOOD_PYTORCH) >= 6


@pytest.mark.parametrize("path", sorted(PYTORCH.glob("*.py")), ids=lambda p: p.name)
def test_pytorch_fixture_findings_are_exactly_the_marked_ones(path: Path, rulebase: RuleBase) -> None:
    """Every error, warning and NNA002 note of a PyTorch fixture is marked at its line, and every
    marker is found."""
    findings = check_path(path, rulebase)
    got = {(f.line, f.rule_id) for f in findings if f.severity != "info" or f.rule_id == "NNA002"}
    assert got == markers(path), [f"{f.line} {f.rule_id} {f.message}" for f in findings]
