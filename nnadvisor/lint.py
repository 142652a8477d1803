"""``check``: find the files, read each into a config, derive facts, evaluate the rules.

One bad file never stops the others: what cannot be read becomes finding NNA000 at its line;
a path that does not exist or cannot be opened is a :class:`FileError` (exit code 2) and the
remaining files are still checked.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnadvisor import readers
from nnadvisor.engine.compiled import evaluate
from nnadvisor.findings import FileError, Finding, Report
from nnadvisor.result_cache import ResultCache
from nnadvisor.rulebase import RuleBase
from nnadvisor.source import MAX_BYTES, Problem

READER_RULE = "NNA000"
NOTE_RULE = "NNA002"
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"})


def check_data(data: dict[str, Any], rulebase: RuleBase, file: str = "<example>") -> list[Finding]:
    """Findings for a config given as data (rule examples, ``recommend --emit config``)."""
    return check_bytes(json.dumps(data).encode(), file, rulebase, "nnadvisor")


def _reader_findings(rule_id: str, problems: list[Problem], file: str, rulebase: RuleBase) -> list[Finding]:
    """Findings a reader reports itself: NNA000 (cannot read) and NNA002 (cannot resolve)."""
    rule = rulebase.rule(rule_id) or {"name": rule_id, "severity": "error"}
    return [
        Finding(
            rule_id=rule_id,
            name=rule["name"],
            severity=rule["severity"],
            file=file,
            line=p.location.line,
            column=p.location.column,
            pointer=p.pointer,
            message=p.message,
        )
        for p in problems
    ]


def check_bytes(raw: bytes, file: str, rulebase: RuleBase, fmt: str) -> list[Finding]:
    result = readers.read(raw, fmt, rulebase.vocabulary, file)
    if result.problems:
        return _reader_findings(READER_RULE, result.problems, file, rulebase)
    assert result.config is not None
    from nnadvisor.facts import derive

    facts = derive(result.config, result.doc, rulebase.vocabulary)
    rulebase.inference.apply(facts)
    findings = evaluate(rulebase.compiled, facts, file, result.doc)
    findings += _reader_findings(NOTE_RULE, result.notes, file, rulebase)
    findings.sort(key=lambda f: (f.line, f.column, f.rule_id))
    return findings


@dataclass(frozen=True)
class Target:
    """One input to check: a file path, or ``-`` for stdin (shown under ``display``)."""

    path: Path | None
    display: str
    explicit: bool


def discover(paths: Iterable[str], stdin_name: str = "-") -> Iterator[Target | FileError]:
    """Files in the order given; directories walked (sorted) for known extensions."""
    for given in paths:
        if given == "-":
            yield Target(None, stdin_name, True)
            continue
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if Path(name).suffix.lower() in readers.EXTENSIONS:
                        full = Path(root) / name
                        yield Target(full, str(full), False)
        elif path.exists():
            yield Target(path, given, True)
        else:
            yield FileError(file=given, message="no such file or directory")


def _read_capped(path: Path | None) -> bytes:
    """At most one byte more than the reader accepts: a 100 MB file is refused, not loaded."""
    if path is None:
        return sys.stdin.buffer.read(MAX_BYTES + 1)
    with path.open("rb") as f:
        return f.read(MAX_BYTES + 1)


def run_check(
    paths: Iterable[str],
    rulebase: RuleBase,
    fmt: str | None = None,
    stdin_name: str = "-",
    cache: ResultCache | None = None,
) -> tuple[Report, int]:
    """The report over ``paths`` and the number of files skipped as not being model configs."""
    report = Report()
    skipped = 0
    for target in discover(paths, stdin_name):
        if isinstance(target, FileError):
            report.errors.append(target)
            continue
        try:
            raw = _read_capped(target.path)
        except OSError as exc:
            report.errors.append(FileError(file=target.display, message=exc.strerror or str(exc)))
            continue
        reader = fmt or readers.detect(target.display)
        if not target.explicit and not readers.looks_like_config(raw, reader):
            skipped += 1
            continue
        report.summary.files += 1
        findings = cache.get(raw, reader, target.display) if cache else None
        if findings is None:
            findings = check_bytes(raw, target.display, rulebase, reader)
            if cache:
                cache.put(raw, reader, target.display, findings)
        report.add(findings)
    return report, skipped
