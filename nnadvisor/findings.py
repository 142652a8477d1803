"""What ``check`` reports: findings and the report around them (the JSON contract of cli.md).

The models are built lazily (``defer_build``) and filled with ``model_construct`` from data the
engine already checked: the text output then never pays for pydantic's schema building, which
would cost a large part of ``check``'s start-up budget; the JSON output builds the serializer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nnadvisor import __version__
from nnadvisor.terms import SEVERITY_RANK, Severity

SCHEMA_VERSION = 1


class _Out(BaseModel):
    model_config = ConfigDict(defer_build=True)


class FixOut(_Out):
    description: str
    patch: list[dict[str, Any]] = Field(default_factory=list)


class Finding(_Out):
    rule_id: str
    name: str
    severity: Severity
    file: str
    line: int
    column: int
    pointer: str
    message: str
    fix: FixOut | None = None
    demo: str | None = None


class FileError(_Out):
    """A path that could not be checked at all (missing, unreadable): exit code 2."""

    file: str
    message: str


class Tool(_Out):
    name: str = "nnadvisor"
    version: str = __version__


class Summary(_Out):
    files: int = 0
    error: int = 0
    warning: int = 0
    info: int = 0


class Report(_Out):
    schema_version: int = SCHEMA_VERSION
    tool: Tool = Field(default_factory=Tool)
    findings: list[Finding] = Field(default_factory=list)
    errors: list[FileError] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)

    def add(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)
        for finding in findings:
            setattr(self.summary, finding.severity, getattr(self.summary, finding.severity) + 1)

    def worst(self) -> int:
        """Rank of the most severe finding (-1 when there is none)."""
        return max((SEVERITY_RANK[f.severity] for f in self.findings), default=-1)
