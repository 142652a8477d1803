"""A report as an HTML table, for Jupyter (``Report._repr_html_``): where, severity, code, message
and fix per finding, then the summary line. Everything user-supplied is escaped."""

from __future__ import annotations

from html import escape

from nnadvisor.findings import Finding, Report
from nnadvisor.render.concise import where
from nnadvisor.render.lint_text import summary_lines
from nnadvisor.render.style import Styler

_COLOUR = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


def _row(f: Finding) -> str:
    fix = escape(f.fix.description) if f.fix is not None else ""
    return (
        "<tr>"
        f"<td><code>{escape(where(f))}</code></td>"
        f'<td style="color:{_COLOUR.get(f.severity, "inherit")}">{escape(f.severity)}</td>'
        f"<td><b>{escape(f.rule_id)}</b></td>"
        f'<td style="text-align:left">{escape(f.message)}</td>'
        f'<td style="text-align:left">{fix}</td>'
        "</tr>"
    )


def render(report: Report) -> str:
    summary = "<br>".join(escape(line) for line in summary_lines(report, Styler(False), report.summary.skipped))
    errors = "".join(f"<li><code>{escape(e.file)}</code>: {escape(e.message)}</li>" for e in report.errors)
    table = ""
    if report.findings:
        head = "<tr><th>where</th><th>severity</th><th>code</th><th>message</th><th>fix</th></tr>"
        table = f"<table>{head}{''.join(map(_row, report.findings))}</table>"
    return f"<div>{table}{f'<ul>{errors}</ul>' if errors else ''}<p>{summary}</p></div>"
