"""Applying fixes to a text: which findings' edits to take together, and the text they give.

A finding's edits are applied all or none. Fixes are taken in the order of their first edit;
one that overlaps a fix already taken waits for the next round (``check --fix`` checks the fixed
text again and repeats, as ruff does), so two fixes never rewrite the same characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from nnadvisor.fixes import Edit

if TYPE_CHECKING:
    from nnadvisor.findings import Finding, TextEdit

_LINE_END = re.compile(r"\r\n|\r|\n")


class EditError(ValueError):
    """Edits that do not fit the text (a position past its end, overlapping edits)."""


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (index 0 is line 1)."""
    return [0, *(m.end() for m in _LINE_END.finditer(text))]


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    if not 1 <= line <= len(starts) + 1 or column < 1:
        raise EditError(f"position {line}:{column} is outside the text")
    if line == len(starts) + 1:  # the position just after a final line end
        if column != 1:
            raise EditError(f"position {line}:{column} is outside the text")
        return len(text)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    offset = start + column - 1
    if offset > end:
        raise EditError(f"position {line}:{column} is past the end of line {line}")
    return offset


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` applied (they must not overlap; an insertion may touch a neighbour)."""
    starts = line_starts(text)
    spans = sorted(
        ((_offset(starts, text, e.start_line, e.start_column), _offset(starts, text, e.end_line, e.end_column), e.content) for e in edits),
        key=lambda span: (span[0], span[1]),
    )
    out: list[str] = []
    at = 0
    for start, end, content in spans:
        if start < at or end < start:
            raise EditError("edits overlap or end before they start")
        out += (text[at:start], content)
        at = end
    out.append(text[at:])
    return "".join(out)


Span = tuple[int, int, int, int, int]
"""(cell or 0, start line, start column, end line, end column) of an edit in a report."""


def _span(edit: TextEdit) -> Span:
    return (edit.cell or 0, edit.start.line, edit.start.column, edit.end.line, edit.end.column)


def choose(findings: Sequence[Finding], applicabilities: frozenset[str]) -> tuple[list[Finding], list[Finding]]:
    """The findings one round fixes, and those of them whose edits to apply.

    Only fixes with edits and an applicability in ``applicabilities`` count. Two findings with the
    very same edits (two rules offering one fix) are both fixed by one copy of them."""
    taken: list[Finding] = []
    applied: list[Finding] = []
    spans: list[Span] = []
    seen: set[tuple[tuple[Span, str], ...]] = set()
    candidates = [f for f in findings if f.fix is not None and f.fix.applies(applicabilities)]
    candidates.sort(key=lambda f: min(map(_span, f.fix.edits)) if f.fix else (0, 0, 0, 0, 0))
    for f in candidates:
        assert f.fix is not None
        own = tuple(sorted((_span(e), e.content) for e in f.fix.edits))
        if own in seen:
            taken.append(f)
            continue
        if any(_overlaps(a, b) for a, _ in own for b in spans):
            continue
        seen.add(own)
        taken.append(f)
        applied.append(f)
        spans.extend(span for span, _ in own)
    return taken, applied


def _overlaps(a: Span, b: Span) -> bool:
    """Two edits touch the same characters (two insertions at one place count: their order would be
    arbitrary)."""
    if a[0] != b[0]:
        return False
    a0, a1, b0, b1 = a[1:3], a[3:5], b[1:3], b[3:5]
    if a0 == a1 and b0 == b1:
        return a0 == b0
    return a0 < b1 and b0 < a1
