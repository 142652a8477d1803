"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request diff.

Escaping follows the runner's rules: in the message, ``%``, CR and LF are percent-encoded; in
property values (file, title) also ``:`` and ``,``.

A finding in a notebook is annotated at its line and column in the notebook file (the JSON text,
which is what a diff of the ``.ipynb`` shows), and its message starts with where it is in the
notebook's terms: ``cell 5, line 4: ...``.
"""

from __future__ import annotations

from nnadvisor.findings import Report

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        line, column, message = f.line, f.column, f.message
        if f.cell is not None:
            line, column = f.file_line or line, f.file_column or column
            message = f"cell {f.cell}, line {f.line}: {message}"
        props = f"file={escape_property(f.file)},line={line},col={column},title={escape_property(f'{f.rule_id} {f.name}')}"
        message += f" (fix: {f.fix.description})" if f.fix else ""
        lines.append(f"::{COMMAND[f.severity]} {props}::{escape_data(message)}")
    for e in report.errors:
        lines.append(f"::error file={escape_property(e.file)}::{escape_data(e.message)}")
    return "".join(line + "\n" for line in lines)
