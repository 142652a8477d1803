"""Helpers for the live-model tests: check a live model as ``nnadvisor check`` checks what a
reader made of a file (``lint.check_results``), and compare with the file."""

from __future__ import annotations

import runpy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nnadvisor.findings import Finding
from nnadvisor.lint import NOTE_RULE, check_bytes, check_results
from nnadvisor.live import read_live
from nnadvisor.readers import ReadResult
from nnadvisor.rulebase import RuleBase

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PYTORCH = FIXTURES / "pytorch"
KERAS = FIXTURES / "keras"
LIVE = "<live model>"


def findings_of(results: list[ReadResult], rulebase: RuleBase) -> list[Finding]:
    """What ``nnadvisor check`` reports for these results (``lint.check_results``, as for a file's;
    the public ``check_model`` adds rule selection and the object paths' prefix)."""
    return check_results(results, LIVE, rulebase)


def live(rulebase: RuleBase, model: Any, loss: Any = None, optimizer: Any = None, **context: Any) -> list[Finding]:
    return findings_of(read_live(model, loss, optimizer, rulebase, context), rulebase)


def file_findings(rulebase: RuleBase, text: str | bytes, fmt: str, name: str = "model.py") -> list[Finding]:
    raw = text.encode() if isinstance(text, str) else text
    return check_bytes(raw, name, rulebase, fmt)


def rule_ids(findings: Iterable[Finding]) -> set[str]:
    """The rules that fired, without the readers' own notes (NNA002) and suppressions (NNA003)."""
    return {f.rule_id for f in findings if f.rule_id not in (NOTE_RULE, "NNA003")}


def notes(findings: Iterable[Finding]) -> list[str]:
    return [f.message for f in findings if f.rule_id == NOTE_RULE]


def run_fixture(path: Path) -> dict[str, Any]:
    """A fixture program's namespace, run without its ``__main__`` block (no training)."""
    return runpy.run_path(str(path), run_name="live_fixture")


def run_source(text: str, tmp_path: Path, name: str = "model.py") -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_fixture(path)
