"""``check`` for people: findings grouped by file, coloured by severity, a summary line.

Each finding starts with its ``line:column``; in a notebook, ``cell N, line:column`` (the cell's
position among all cells, the line and column inside it). The column of locations is as wide as
the file's widest one (at least 7), so that severities, codes and fixes stay aligned.
"""

from __future__ import annotations

import re
import textwrap

from nnadvisor.findings import ALL_FIXES, SAFE_FIXES, Finding, Report
from nnadvisor.render.style import SEVERITY_STYLE, Styler

WIDTH = 88


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fixable(f: Finding, unsafe: bool) -> bool:
    """The finding has a fix ``--fix`` applies (``--unsafe-fixes`` too, with ``unsafe``)."""
    return f.fix is not None and f.fix.applies(ALL_FIXES if unsafe else SAFE_FIXES)


def mark(f: Finding, unsafe: bool) -> str:
    """``[*] `` before the message of a finding ``--fix`` fixes (as ruff marks them)."""
    return "[*] " if fixable(f, unsafe) else ""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _wrapped(first: str, text: str, hang: int, columns: int | None) -> list[str]:
    """``first`` + ``text``, wrapped at ``columns`` (when given: a terminal's width) with the
    continuation lines indented by ``hang``; words are never broken, and a word longer than a
    line (a path) stays whole."""
    visible = len(_ANSI.sub("", first))
    if columns is None or visible + len(text) <= columns or columns - hang < 20:
        return [first + text]
    lines = textwrap.wrap(text, columns, initial_indent=" " * visible, subsequent_indent=" " * hang, break_long_words=False, break_on_hyphens=False)
    return [first + lines[0][visible:], *lines[1:]] if lines else [first]


def render(
    report: Report,
    *,
    color: bool = False,
    rationales: dict[str, str] | None = None,
    skipped: int = 0,
    unsafe: bool = False,
    columns: int | None = None,
    summary: bool = True,
) -> str:
    """The report as text; ``rationales`` (rule id -> text) adds each rule's why (``--explain``);
    ``unsafe``: unsafe fixes count as fixable (``--unsafe-fixes``); ``columns``: wrap messages
    and fixes at that width with hanging indents (a terminal; a file or a CI log is not wrapped);
    ``summary``: end with the summary lines (not with ``--quiet``)."""
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
            head = f"  {where:>{width}}  {severity} {s(f.rule_id, 'bold')} "
            lines += _wrapped(head, mark(f, unsafe) + f.message, len(indent) + len(f.rule_id) + 1, columns)
            if f.fix is not None:
                lines += _wrapped(f"{indent}{s('fix:', 'green')} ", f.fix.description, len(indent) + 5, columns)
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
    if summary:
        lines.extend(summary_lines(report, s, skipped, unsafe))
    elif lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def summary_lines(report: Report, s: Styler, skipped: int = 0, unsafe: bool = False) -> list[str]:
    """``Found 1 error, 2 warnings in 3 files.`` (with ``(2 fixed, 1 remaining)`` after ``--fix``)
    or ``All checks passed (3 files).``, then how many findings ``--fix`` would fix, as ruff says
    it: ``[*] 2 fixable with --fix (1 more with --unsafe-fixes).``"""
    sm = report.summary
    checked = _plural(sm.files, "file")
    extra = f"; {_plural(skipped, 'file')} skipped (not model configs)" if skipped else ""
    fixed = f" ({sm.fixed} fixed, {len(report.findings)} remaining)" if sm.fixed else ""
    if not report.findings:
        done = f"Fixed {_plural(sm.fixed, 'finding')}; all" if sm.fixed else "All"
        return [s(f"{done} checks passed ({checked}{extra}).", "green")]
    counts = ", ".join(
        s(_plural(n, name), SEVERITY_STYLE[name]) for name, n in (("error", sm.error), ("warning", sm.warning), ("info", sm.info)) if n
    )
    out = [f"Found {counts} in {checked}{extra}{fixed}."]
    now = sum(fixable(f, unsafe) for f in report.findings)
    more = 0 if unsafe else sum(fixable(f, True) for f in report.findings) - now
    option = "--fix --unsafe-fixes" if unsafe else "--fix"
    hint = f" ({more} more with --unsafe-fixes)" if more else ""
    if now:
        out.append(f"[*] {now} fixable with {option}{hint}.")
    elif more:
        out.append(f"{more} fixable with --fix --unsafe-fixes (no safe fixes).")
    return out
