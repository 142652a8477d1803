"""A source file's fixes are verified together, with one reading of the edited file; one by one
only when that fails, and never beyond :data:`nnadvisor.fixes.python.REREAD_BYTES` of re-reading
(a file with hundreds of findings was read hundreds of times)."""

from __future__ import annotations

from typing import Any

import pytest

import nnadvisor.fixes.python as python_fixes
from nnadvisor.fixes.apply import apply_edits
from nnadvisor.fixes.python import verify
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import RuleBase

# Three classifiers, each with a double softmax before CrossEntropyLoss: three fixes in one file.
THREE_MODELS = """\
import torch
from torch import nn

teacher = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
student = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10), nn.Softmax(dim=1))
probe = nn.Sequential(nn.Linear(32, 10), nn.Softmax(dim=1))
criterion = nn.CrossEntropyLoss()
x, y = torch.randn(8, 32), torch.randint(0, 10, (8,))
loss = criterion(teacher(x), y) + criterion(student(x), y) + criterion(probe(x), y)
loss.backward()
"""


def _fixable(text: str, rulebase: RuleBase) -> list[Any]:
    return [f for f in check_bytes(text.encode(), "train.py", rulebase, "python") if f.rule_id == "NNA103"]


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = verify.read

    def counted(text: str, framework: str, know: Any) -> Any:
        reads.append(text)
        return real(text, framework, know)

    monkeypatch.setattr(verify, "read", counted)
    verify._READS.clear()
    return reads


def test_the_fixes_of_a_file_are_verified_with_one_reading(rulebase: RuleBase, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _count_reads(monkeypatch)
    found = _fixable(THREE_MODELS, rulebase)
    assert len(found) == 3 and all(f.fix and f.fix.edits for f in found)
    assert len(reads) == 1, "each fix read the file again"
    fixed = apply_edits(THREE_MODELS, [e.edit() for f in found if f.fix for e in f.fix.edits])
    assert "nn.Softmax" not in fixed and not _fixable(fixed, rulebase)


def test_each_fix_alone_also_clears_its_finding(rulebase: RuleBase) -> None:
    """Verified together, the edits are still each a fix of their own finding."""
    for f in _fixable(THREE_MODELS, rulebase):
        assert f.fix is not None
        alone = apply_edits(THREE_MODELS, [e.edit() for e in f.fix.edits])
        assert len(_fixable(alone, rulebase)) == 2


def test_when_verifying_together_fails_each_is_verified_alone(rulebase: RuleBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "verified_together", lambda *args, **kwargs: False)
    reads = _count_reads(monkeypatch)
    found = _fixable(THREE_MODELS, rulebase)
    assert all(f.fix and f.fix.edits for f in found)
    assert len(reads) == 3


def test_re_reading_is_bounded(rulebase: RuleBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "verified_together", lambda *args, **kwargs: False)
    monkeypatch.setattr(python_fixes, "REREAD_BYTES", 2 * len(THREE_MODELS))
    reads = _count_reads(monkeypatch)
    found = _fixable(THREE_MODELS, rulebase)
    assert len(reads) == 1 and sum(bool(f.fix and f.fix.edits) for f in found) == 1


def test_a_file_larger_than_the_bound_gets_descriptions_but_no_edits(rulebase: RuleBase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_fixes, "REREAD_BYTES", len(THREE_MODELS) - 1)
    reads = _count_reads(monkeypatch)
    found = _fixable(THREE_MODELS, rulebase)
    assert len(found) == 3 and all(f.fix and f.fix.description and not f.fix.edits for f in found)
    assert reads == []
