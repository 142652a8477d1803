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
from nnadvisor.findings import FileError, Finding, FixOut, Report
from nnadvisor.result_cache import ResultCache
from nnadvisor.rulebase import RuleBase
from nnadvisor.source import MAX_BYTES, Problem

READER_RULE = "NNA000"
UNKNOWN_NAME_RULE = "NNA001"
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
    """Findings for one file's bytes (for a ``.keras`` archive: its packed members).

    A reader returns one result per output head; each head is checked on its own and, when there
    are several, a finding that does not hold for every head names its head (``[head NAME] ``).
    """
    results = readers.read(raw, fmt, rulebase.vocabulary, file)
    problems = [p for result in results for p in result.problems]
    if problems:
        return _reader_findings(READER_RULE, problems, file, rulebase)
    from nnadvisor.facts import derive

    per_head: list[tuple[str | None, list[Finding]]] = []
    for result in results:
        assert result.config is not None
        facts = derive(result.config, result.doc, rulebase.vocabulary)
        rulebase.inference.apply(facts)
        found = evaluate(rulebase.compiled, facts, file, result.doc)
        # A name the reader already reported as unresolved (NNA002) is not a typo (NNA001).
        found = [f for f in found if not (f.rule_id == UNKNOWN_NAME_RULE and f.pointer in result.unresolved)]
        if fmt != "nnadvisor":
            # Fix patches are JSON Patch operations on an nnadvisor config, not on this file.
            for f in found:
                if f.fix is not None and f.fix.patch:
                    f.fix = FixOut(f.fix.description, [])
        per_head.append((result.head, found))
    findings = _merge_heads(per_head)
    notes: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for result in results:
        for note in result.notes:
            key = (note.location.line, note.location.column, note.message)
            if key not in seen:
                seen.add(key)
                notes.append(note)
    findings += _reader_findings(NOTE_RULE, notes, file, rulebase)
    findings.sort(key=lambda f: (f.line, f.column, f.rule_id))
    if fmt in readers.COMMENTED:
        from nnadvisor import suppressions

        findings = suppressions.apply(findings, raw.decode("utf-8", "replace"), file)
    return findings


def _merge_heads(per_head: list[tuple[str | None, list[Finding]]]) -> list[Finding]:
    """One list: a finding every head has is kept once; the others are prefixed with their head."""
    if len(per_head) == 1:
        return per_head[0][1]
    count: dict[tuple[str, int, int, str], int] = {}
    for _, found in per_head:
        for key in {(f.rule_id, f.line, f.column, f.message) for f in found}:
            count[key] = count.get(key, 0) + 1
    merged: list[Finding] = []
    emitted: set[tuple[str, int, int, str]] = set()
    for head, found in per_head:
        for f in found:
            key = (f.rule_id, f.line, f.column, f.message)
            if count[key] == len(per_head):
                if key not in emitted:
                    emitted.add(key)
                    merged.append(f)
                continue
            f.message = f"[head {head}] {f.message}"
            merged.append(f)
    return merged


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
    """At most one byte more than the reader accepts: a 100 MB file is refused, not loaded.
    Configs are small, so a first 64 KiB read usually is the whole file (asking for the full cap
    at once would allocate 5 MiB per file)."""
    stream = sys.stdin.buffer if path is None else path.open("rb")
    try:
        chunks: list[bytes] = []
        size, want = 0, 65536
        while size <= MAX_BYTES:
            chunk = stream.read(want)
            chunks.append(chunk)
            size += len(chunk)
            if len(chunk) < want:  # end of input
                break
            want = min(1 << 20, MAX_BYTES + 1 - size)
        return b"".join(chunks)
    finally:
        if path is not None:
            stream.close()


def _read_input(target: Target, fmt: str | None) -> tuple[bytes, str]:
    """The bytes to lint and their reader. A zip archive (``.keras``) is not read whole: only its
    ``config.json`` and ``metadata.json`` members, capped, packed together (so the results cache
    keys on exactly them); anything else is read up to the size cap."""
    if target.path is not None:
        archive = readers.archive_format(target.path, fmt)
        if archive is not None:
            return readers.read_archive(target.path), archive
    raw = _read_capped(target.path)
    return raw, fmt or readers.detect(target.display, raw)


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
            raw, reader = _read_input(target, fmt)
        except OSError as exc:
            report.errors.append(FileError(file=target.display, message=exc.strerror or str(exc)))
            continue
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
