"""A malformed rule is rejected when it loads, with its file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnadvisor.engine.errors import RuleLoadError
from nnadvisor.engine.loader import load_rule_file, load_vocabulary_file
from nnadvisor.resources import rules_dir

VOCAB = load_vocabulary_file(rules_dir() / "vocabulary.yaml")
GOOD = """id: NNA901
name: test-rule
severity: warning
category: test
message: softmax output with {loss.given}
at: [loss.name]
when:
  all:
    - {path: output.activation, op: equals, value: softmax}
    - {path: output.units, op: gt, value: 1}
rationale: Because.
references: [nowhere]
examples:
  bad:
    - config: {layers: [{type: dense, units: 3, activation: softmax}], loss: mse}
  good:
    - config: {layers: [{type: dense, units: 3}], loss: mse}
"""

MUTATIONS = {
    "unknown-path": ("path: output.units", "path: output.unit", 10, "unknown path 'output.unit'"),
    "unknown-operator": ("op: gt", "op: greater", 10, "Input should be"),
    "non-canonical-name": ("value: softmax}", "value: softmaxx}", 9, "'softmaxx' is not one of"),
    "numeric-op-on-string": ("{path: output.activation, op: equals, value: softmax}", "{path: output.activation, op: gt, value: 1}", 9, "needs a numeric path"),
    "string-for-number": ("value: 1}", "value: one}", 10, "expected a number"),
    "unknown-placeholder": ("{loss.given}", "{loss.givn}", 5, "unknown placeholder {loss.givn}"),
    "unknown-key": ("category: test", "category: test\ncolour: red", 5, "unknown key 'colour'"),
    "missing-examples": ("  good:\n    - config: {layers: [{type: dense, units: 3}], loss: mse}\n", "  good: []\n", 16, "at least 1 item"),
    "bad-severity": ("severity: warning", "severity: fatal", 3, "Input should be 'error', 'warning' or 'info'"),
    "bad-id": ("id: NNA901", "id: X901", 1, "should match pattern"),
    "python-tag": ("rationale: Because.", "rationale: !!python/name:os.system", 11, "not allowed"),
    "no-at": ("at: [loss.name]\n", "", 1, "a rule needs `at`"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_malformed_rule(name: str, tmp_path: Path) -> None:
    old, new, line, text = MUTATIONS[name]
    assert old in GOOD
    path = tmp_path / "NNA901-test-rule.yaml"
    path.write_text(GOOD.replace(old, new))
    with pytest.raises(RuleLoadError) as err:
        load_rule_file(path, VOCAB)
    assert text in err.value.message
    assert err.value.line == line and err.value.file == str(path)


def test_the_base_rule_loads(tmp_path: Path) -> None:
    path = tmp_path / "NNA901-test-rule.yaml"
    path.write_text(GOOD)
    assert load_rule_file(path, VOCAB).rule.id == "NNA901"


def test_file_name_must_match_id_and_name(tmp_path: Path) -> None:
    path = tmp_path / "NNA902-other.yaml"
    path.write_text(GOOD)
    with pytest.raises(RuleLoadError, match="file name should be NNA901-test-rule.yaml"):
        load_rule_file(path, VOCAB)
