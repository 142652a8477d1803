"""Inline suppressions: ``# nnadvisor: ignore[NNA402]`` (codes or prefixes, comma-separated).

A suppression at the end of a line silences those codes on that line; on a line of its own it
silences them on the next line. A suppression that silenced nothing is reported as NNA003
(unused-suppression, info), so stale comments do not pile up. Formats without comments (JSON,
Keras files) use per-file ignores instead.
"""

from __future__ import annotations

import re
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


def parse(text: str) -> list[Suppression]:
    found: list[Suppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        own_line = not line[: match.start()].strip()
        found.append(Suppression(number + 1 if own_line else number, number, match.start() + 1, codes, set()))
    return found


def apply(findings: list[Finding], raw: bytes, file: str, unused_name: str = "unused-suppression") -> list[Finding]:
    """``findings`` without the suppressed ones, plus an NNA003 finding per unused code. ``raw``
    is the file's bytes: most files never mention nnadvisor and are not decoded again."""
    if b"nnadvisor:" not in raw:
        return findings
    suppressions = parse(raw.decode("utf-8", "replace"))
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
                    message=f"unused suppression: {', '.join(unused)} reported nothing on line {s.line}",
                )
            )
    kept.sort(key=lambda f: (f.line, f.column, f.rule_id))
    return kept
