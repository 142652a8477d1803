"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning, VS Code SARIF viewer, ...).

Rules go in ``tool.driver.rules`` (short description: the rule's message template; full
description: its rationale; help: fix and references), results reference them by ``ruleId`` and
``ruleIndex``; file locations are relative URIs against ``%SRCROOT%`` (the working directory,
which code-scanning uploads resolve to the checkout) where the file lies below it, ``file://``
URIs otherwise. The output holds no absolute path of the machine it ran on.

A finding in a notebook has its region at its line and column in the notebook file (the JSON
text: the artifact is the ``.ipynb`` file, and code scanning shows that text), and says where it is
in the notebook's terms in the result's properties: ``cell`` (1-based among all cells),
``cellId`` (nbformat 4.5, when the cell has one), ``cellLine`` and ``cellColumn``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nnadvisor import __version__
from nnadvisor.findings import Finding, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFO_URI = "https://github.com/nnadvisor/nnadvisor"


def _uri(file: str, root: Path) -> tuple[str, str | None]:
    """(uri, uriBaseId) for a reported file name."""
    if file in ("-", "<stdin>"):
        return "stdin", None
    path = Path(file)
    absolute = path if path.is_absolute() else (root / path)
    try:
        relative = Path(os.path.relpath(absolute, root))
    except ValueError:  # another drive on Windows
        relative = Path("..")
    if not relative.as_posix().startswith("../"):
        return quote(relative.as_posix()), "%SRCROOT%"
    return absolute.resolve().as_uri(), None


def _rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    fix = (rule.get("fix") or {}).get("description")
    refs = rule.get("references") or []
    help_text = "\n".join(filter(None, [f"Fix: {fix}" if fix else None, " ".join(rule["rationale"].split()), *[f"- {r}" for r in refs]]))
    return {
        "id": rule["id"],
        "name": rule["name"],
        "shortDescription": {"text": rule["name"].replace("-", " ")},
        "fullDescription": {"text": " ".join(rule["rationale"].split())},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVEL[rule["severity"]]},
        "properties": {"category": rule["category"], "tags": [rule["category"]]},
    }


def _fix(f: Finding, artifact: dict[str, Any]) -> dict[str, Any]:
    """SARIF's ``fix``: the edits as replacements of regions of the file (a notebook's edits are in
    its cells, not regions of the file's text, and are left to the JSON output)."""
    assert f.fix is not None
    replacements = [
        {
            "deletedRegion": {"startLine": e.start.line, "startColumn": e.start.column, "endLine": e.end.line, "endColumn": e.end.column},
            "insertedContent": {"text": e.content},
        }
        for e in f.fix.edits
    ]
    return {
        "description": {"text": f.fix.description},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        "properties": {"applicability": f.fix.applicability},
    }


def render(report: Report, rules: Sequence[Mapping[str, Any]], root: Path | None = None) -> str:
    root = root or Path.cwd()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in report.findings:
        uri, base = _uri(f.file, root)
        artifact: dict[str, Any] = {"uri": uri}
        if base:
            artifact["uriBaseId"] = base
        region = {"startLine": f.line, "startColumn": f.column}
        properties: dict[str, Any] = {"pointer": f.pointer, **({"patch": f.fix.patch} if f.fix and f.fix.patch else {})}
        if f.cell is not None:
            region = {"startLine": f.file_line or f.line, "startColumn": f.file_column or f.column}
            properties.update(cell=f.cell, **({"cellId": f.cell_id} if f.cell_id is not None else {}), cellLine=f.line, cellColumn=f.column)
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "level": LEVEL[f.severity],
            "message": {"text": f.message + (f" Fix: {f.fix.description}" if f.fix else "")},
            "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
            "properties": properties,
        }
        if f.rule_id in index:
            result["ruleIndex"] = index[f.rule_id]
        if f.fix is not None and f.fix.edits and f.cell is None:
            result["fixes"] = [_fix(f, artifact)]
        results.append(result)
    notifications = [
        {"level": "error", "message": {"text": f"{e.file}: {e.message}"}} for e in report.errors
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "nnadvisor", "version": __version__, "informationUri": INFO_URI, "rules": [_rule(r) for r in rules]}},
        "results": results,
        "invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
