"""``check --format concise``: one line per finding, ``path:line:col: severity CODE message``
(ruff's concise output), which editors and terminals turn into a link to the place; a finding in
a notebook is ``model.ipynb:cell 5:4:11: ...`` (the cell, then the line and column in it). The
summary line follows, as in the grouped text format.
"""

from __future__ import annotations

from nnadvisor.findings import Finding, Report
from nnadvisor.render.lint_text import mark, summary_lines
from nnadvisor.render.style import SEVERITY_STYLE, Styler


def where(f: Finding) -> str:
    if f.object_path is not None:
        return f.object_path
    return f"{f.file}:cell {f.cell}:{f.line}:{f.column}" if f.cell is not None else f"{f.file}:{f.line}:{f.column}"


def render(report: Report, *, color: bool = False, skipped: int = 0, unsafe: bool = False, summary: bool = True) -> str:
    s = Styler(color)
    lines = [
        f"{s(where(f), 'bold')}: {s(f.severity, SEVERITY_STYLE[f.severity], 'bold')} {s(f.rule_id, 'bold')} {mark(f, unsafe)}{f.message}"
        for f in report.findings
    ]
    if summary:
        lines.extend(summary_lines(report, s, skipped, unsafe))
    if not lines:
        return ""
    return "\n".join(lines) + "\n"
