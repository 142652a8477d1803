"""Inline suppressions: ``# nnadvisor: ignore[NNA402]`` (codes or prefixes, comma-separated).

A suppression at the end of a line silences those codes on that line; on a line of its own it
silences them on the next line. A suppression that silenced nothing is reported as NNA003
(unused-suppression, info), so stale comments do not pile up. Formats without comments (JSON,
Keras files) use per-file ignores instead. In a notebook, suppressions are read in the program its
code cells make (:mod:`nnadvisor.readers.notebook`), and one on a line of its own applies to the
next line of its own cell only: on a cell's last line it silences nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from nnadvisor.findings import Finding

UNUSED = "NNA003"
_COMMENT = re.compile(r"#[^#\n]*?\bnnadvisor:\s*ignore\[([^\]]*)\]")


@dataclass
class Suppression:
    line: int
    """The line whose findings it silences."""
    comment_line: int
    column: int
    codes: tuple[str, ...]
    used: set[str]


def parse(text: str, ends: Collection[int] = ()) -> list[Suppression]:
    """The suppressions of a text; ``ends`` are lines after which the next line belongs to another
    unit (a notebook cell): a suppression on its own line there applies to no line (0)."""
    found: list[Suppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        own_line = not line[: match.start()].strip()
        target = (0 if number in ends else number + 1) if own_line else number
        found.append(Suppression(target, number, match.start() + 1, codes, set()))
    return found


def apply(
    findings: list[Finding], raw: bytes, file: str, unused_name: str = "unused-suppression", ends: Collection[int] = ()
) -> list[Finding]:
    """``findings`` without the suppressed ones, plus an NNA003 finding per unused code. ``raw``
    is the file's bytes: most files never mention nnadvisor and are not decoded again. ``ends``:
    see :func:`parse`."""
    if b"nnadvisor:" not in raw:
        return findings
    suppressions = parse(raw.decode("utf-8", "replace"), ends)
    if not suppressions:
        return findings
    kept = []
    for finding in findings:
        hit = next(
            (s for s in suppressions if s.line == finding.line and any(finding.rule_id.startswith(c) for c in s.codes)),
            None,
        )
        if hit is None or finding.rule_id == "NNA000":
            kept.append(finding)
        else:
            hit.used.update(c for c in hit.codes if finding.rule_id.startswith(c))
    for s in suppressions:
        unused = [c for c in s.codes if c not in s.used] or ([] if s.codes else ["(no code)"])
        if unused:
            kept.append(
                Finding(
                    rule_id=UNUSED,
                    name=unused_name,
                    severity="info",
                    file=file,
                    line=s.comment_line,
                    column=s.column,
                    pointer="",
                    message=f"unused suppression: {', '.join(unused)} reported nothing on line {s.line}"
                    if s.line
                    else f"unused suppression: {', '.join(unused)}: on the last line of its cell, it applies to no line",
                )
            )
    kept.sort(key=lambda f: (f.line, f.column, f.rule_id))
    return kept
