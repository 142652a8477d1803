"""What ``check`` reports: findings and the report around them (the JSON contract of cli.md).

These are standard-library dataclasses rather than pydantic models on purpose: importing
``pydantic.BaseModel`` alone costs about 0.2x of the start-up floor that budgets.md allows
``check`` 1.2x of, and a check whose results come from the cache needs nothing else from pydantic.
pydantic still owns their schema: ``pydantic.TypeAdapter(Report).json_schema()`` is what
``nnadvisor schema report`` prints, and a test validates real output against it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from nnadvisor import __version__
from nnadvisor.terms import SEVERITY_RANK, Severity

SCHEMA_VERSION = 1


@dataclass
class FixOut:
    description: str
    patch: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "patch": [dict(op) for op in self.patch]}


@dataclass
class Finding:
    rule_id: str
    name: str
    severity: Severity
    file: str
    line: int
    column: int
    cell: int | None = field(default=None, kw_only=True)
    """In a notebook: the cell's 1-based position among all its cells (markdown included);
    ``line`` and ``column`` are then inside that cell. ``None`` elsewhere (and not written out)."""
    cell_id: str | None = field(default=None, kw_only=True)
    """In a notebook: the cell's ``id`` (nbformat 4.5), ``None`` when it has none."""
    file_line: int | None = field(default=None, kw_only=True)
    """In a notebook: the line of the finding in the notebook file's JSON text (SARIF's region)."""
    file_column: int | None = field(default=None, kw_only=True)
    pointer: str
    message: str
    fix: FixOut | None = None
    demo: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fix = data.get("fix")
        return cls(**{**data, "fix": FixOut(**fix) if fix else None})

    def to_dict(self) -> dict[str, Any]:
        """As ``dataclasses.asdict`` gives it, written out (asdict deep-copies field by field and
        took a tenth of a 10,000-file run's time), except that the notebook fields are written only
        for a finding in a notebook cell: the output for other files is what it always was."""
        if self.cell is None:
            return {
                "rule_id": self.rule_id,
                "name": self.name,
                "severity": self.severity,
                "file": self.file,
                "line": self.line,
                "column": self.column,
                "pointer": self.pointer,
                "message": self.message,
                "fix": None if self.fix is None else self.fix.to_dict(),
                "demo": self.demo,
            }
        return {
            "rule_id": self.rule_id,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "cell": self.cell,
            "cell_id": self.cell_id,
            "file_line": self.file_line,
            "file_column": self.file_column,
            "pointer": self.pointer,
            "message": self.message,
            "fix": None if self.fix is None else self.fix.to_dict(),
            "demo": self.demo,
        }

    def where(self) -> str:
        """``line:column``, or ``cell N, line:column`` in a notebook."""
        return f"{self.line}:{self.column}" if self.cell is None else f"cell {self.cell}, {self.line}:{self.column}"


@dataclass
class FileError:
    """A path that could not be checked at all (missing, unreadable): exit code 2."""

    file: str
    message: str


@dataclass
class Tool:
    name: str = "nnadvisor"
    version: str = __version__


@dataclass
class Summary:
    files: int = 0
    error: int = 0
    warning: int = 0
    info: int = 0
    skipped: int = 0
    """Files met but not checked: not model definitions, or not regular files (a FIFO)."""


@dataclass
class Report:
    schema_version: int = SCHEMA_VERSION
    tool: Tool = field(default_factory=Tool)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)

    def add(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)
        for finding in findings:
            setattr(self.summary, finding.severity, getattr(self.summary, finding.severity) + 1)

    def worst(self) -> int:
        """Rank of the most severe finding (-1 when there is none)."""
        return max((SEVERITY_RANK[f.severity] for f in self.findings), default=-1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": asdict(self.tool),
            "findings": [f.to_dict() for f in self.findings],
            "errors": [asdict(e) for e in self.errors],
            "summary": asdict(self.summary),
        }
