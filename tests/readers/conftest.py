"""Helpers for the reader tests: check a file the way ``nnadvisor check`` does, read fixture markers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnadvisor.findings import Finding
from nnadvisor.lint import check_bytes, run_check
from nnadvisor.rulebase import RuleBase

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KERAS = FIXTURES / "keras"
PYTORCH = FIXTURES / "pytorch"
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def check_path(path: Path, rulebase: RuleBase, fmt: str | None = None) -> list[Finding]:
    """Findings of one file through ``run_check`` (detection, archive reading), without the cache."""
    report, _ = run_check([str(path)], rulebase, fmt=fmt)
    assert not report.errors, report.errors
    return report.findings


def check_text(text: str, rulebase: RuleBase, fmt: str, name: str = "<test>") -> list[Finding]:
    return check_bytes(text.encode(), name, rulebase, fmt)


def serious(findings: list[Finding]) -> list[Finding]:
    """Errors and warnings (what "correct models produce no warning" is about)."""
    return [f for f in findings if f.severity in ("error", "warning")]


def codes(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in serious(findings)}


def markers(path: Path) -> set[tuple[int, str]]:
    """``(line, code)`` for every ``# expect: CODE[, CODE]`` comment of a fixture."""
    out: set[tuple[int, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            out |= {(number, code.strip()) for code in match.group(1).split(",") if code.strip()}
    return out


def line_of(text: str, needle: str, occurrence: int = -1) -> tuple[int, int]:
    """(line, column) of the ``occurrence``-th match of ``needle`` (1-based, like findings)."""
    starts = [m.start() for m in re.finditer(re.escape(needle), text)]
    assert starts, f"{needle!r} not in the text"
    offset = starts[occurrence]
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNADVISOR_NO_CACHE", "1")
