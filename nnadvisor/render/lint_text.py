"""``check`` for people: findings grouped by file, coloured by severity, a summary line.

Each finding starts with its ``line:column``; in a notebook, ``cell N, line:column`` (the cell's
position among all cells, the line and column inside it). The column of locations is as wide as
the file's widest one (at least 7), so that severities, codes and fixes stay aligned.
"""

from __future__ import annotations

import textwrap

from nnadvisor.findings import Finding, Report
from nnadvisor.render.style import SEVERITY_STYLE, Styler

WIDTH = 88


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(report: Report, *, color: bool = False, rationales: dict[str, str] | None = None, skipped: int = 0) -> str:
    """The report as text; ``rationales`` (rule id -> text) adds each rule's why (``--explain``)."""
    s = Styler(color)
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    for file, findings in by_file.items():
        lines.append(s(file, "bold"))
        wheres = [f.where() for f in findings]
        width = max(7, *map(len, wheres))
        indent = " " * (width + 12)  # under the rule code: "  LLLL:CC  severity "
        for f, where in zip(findings, wheres):
            severity = s(f"{f.severity:<7}", SEVERITY_STYLE[f.severity], "bold")
            lines.append(f"  {where:>{width}}  {severity} {s(f.rule_id, 'bold')} {f.message}")
            if f.fix is not None:
                lines.append(f"{indent}{s('fix:', 'green')} {f.fix.description}")
            if rationales and f.rule_id in rationales:
                body = textwrap.fill(
                    " ".join(rationales[f.rule_id].split()),
                    WIDTH,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
                lines.append(s(f"{indent}why ({f.name}):", "dim"))
                lines.append(s(body, "dim"))
        lines.append("")
    lines.append(summary_line(report, s, skipped))
    return "\n".join(lines) + "\n"


def summary_line(report: Report, s: Styler, skipped: int = 0) -> str:
    """``Found 1 error, 2 warnings in 3 files.`` or ``All checks passed (3 files).``"""
    sm = report.summary
    checked = _plural(sm.files, "file")
    extra = f"; {_plural(skipped, 'file')} skipped (not model configs)" if skipped else ""
    if report.findings:
        counts = ", ".join(
            s(_plural(n, name), SEVERITY_STYLE[name]) for name, n in (("error", sm.error), ("warning", sm.warning), ("info", sm.info)) if n
        )
        return f"Found {counts} in {checked}{extra}."
    return s(f"All checks passed ({checked}{extra}).", "green")
