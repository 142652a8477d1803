"""What ``check`` reports: findings and the report around them (the JSON contract of cli.md).

These are standard-library dataclasses rather than pydantic models on purpose: importing
``pydantic.BaseModel`` alone costs about 0.2x of the start-up floor that budgets.md allows
``check`` 1.2x of, and a check whose results come from the cache needs nothing else from pydantic.
pydantic still owns their schema: ``pydantic.TypeAdapter(Report).json_schema()`` is what
``nnadvisor schema report`` prints, and a test validates real output against it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from nnadvisor import __version__
from nnadvisor.fixes import Edit
from nnadvisor.terms import SEVERITY_RANK, Severity

SCHEMA_VERSION = 1
Applicability = Literal["safe", "unsafe"]
SAFE_FIXES: frozenset[str] = frozenset({"safe"})
"""What ``check --fix`` applies."""
ALL_FIXES: frozenset[str] = frozenset({"safe", "unsafe"})
"""What ``check --fix --unsafe-fixes`` applies."""


@dataclass
class Position:
    line: int
    column: int
    """1-based, in characters."""


@dataclass
class TextEdit:
    """One edit of a fix in the report: replace the text from ``start`` up to (not including)
    ``end`` by ``content`` (positions as every location here: 1-based, inside the cell in a
    notebook)."""

    start: Position
    end: Position
    content: str
    cell: int | None = None
    """In a notebook: the cell the positions are in (it may not be the finding's: the loss in one
    cell, the model it trains in another). ``None`` elsewhere (and not written out)."""

    @classmethod
    def of(cls, edit: Edit, cell: int | None = None) -> TextEdit:
        return cls(Position(edit.start_line, edit.start_column), Position(edit.end_line, edit.end_column), edit.content, cell)

    def edit(self) -> Edit:
        return Edit(self.start.line, self.start.column, self.end.line, self.end.column, self.content)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": {"line": self.start.line, "column": self.start.column}, "end": {"line": self.end.line, "column": self.end.column}, "content": self.content}
        if self.cell is not None:
            out["cell"] = self.cell
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextEdit:
        return cls(Position(**data["start"]), Position(**data["end"]), data["content"], data.get("cell"))


@dataclass
class FixOut:
    description: str
    patch: list[dict[str, Any]] = field(default_factory=list)
    """The fix as a JSON Patch on the normalised config (for an nnadvisor config, that file)."""
    applicability: Applicability = "unsafe"
    edits: list[TextEdit] = field(default_factory=list)
    """The fix as edits of the file's text; empty when it cannot be applied as text (the finding
    is then not fixable: the description says what to do)."""

    def applies(self, applicabilities: frozenset[str]) -> bool:
        """The fix can be applied as text, and is of one of these applicabilities."""
        return bool(self.edits) and self.applicability in applicabilities

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "patch": [dict(op) for op in self.patch],
            "applicability": self.applicability,
            "edits": [e.to_dict() for e in self.edits],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FixOut:
        return cls(
            data["description"],
            data.get("patch") or [],
            data.get("applicability", "unsafe"),
            [TextEdit.from_dict(e) for e in data.get("edits") or ()],
        )


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
    object_path: str | None = field(default=None, kw_only=True)
    """For a live model (:func:`nnadvisor.check_model`): the object the finding is about
    (``model.head.1``, ``loss``); ``None`` for files (and not written out)."""
    pointer: str
    message: str
    fix: FixOut | None = None
    demo: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fix = data.get("fix")
        return cls(**{**data, "fix": FixOut.from_dict(fix) if fix else None})

    def to_dict(self) -> dict[str, Any]:
        """As ``dataclasses.asdict`` gives it, written out (asdict deep-copies field by field and
        took a tenth of a 10,000-file run's time), except that the notebook fields are written only
        for a finding in a notebook cell and ``object_path`` only for one on a live model: the
        output for other files is what it always was."""
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }
        if self.cell is not None:
            out["cell"] = self.cell
            out["cell_id"] = self.cell_id
            out["file_line"] = self.file_line
            out["file_column"] = self.file_column
        if self.object_path is not None:
            out["object_path"] = self.object_path
        out["pointer"] = self.pointer
        out["message"] = self.message
        out["fix"] = None if self.fix is None else self.fix.to_dict()
        out["demo"] = self.demo
        return out

    def where(self) -> str:
        """``line:column``, or ``cell N, line:column`` in a notebook, or the object's path."""
        if self.object_path is not None:
            return self.object_path
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
    fixed: int = 0
    """Findings ``check --fix`` fixed (they are no longer in the report)."""


@dataclass
class Report:
    schema_version: int = SCHEMA_VERSION
    tool: Tool = field(default_factory=Tool)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)

    def with_findings(self, findings: list[Finding]) -> Report:
        """This report (tool, errors, files checked and skipped) with these findings, counted."""
        out = Report(tool=self.tool, errors=self.errors, summary=Summary(files=self.summary.files, skipped=self.summary.skipped))
        out.add(findings)
        return out

    def add(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)
        for finding in findings:
            setattr(self.summary, finding.severity, getattr(self.summary, finding.severity) + 1)

    def worst(self) -> int:
        """Rank of the most severe finding (-1 when there is none)."""
        return max((SEVERITY_RANK[f.severity] for f in self.findings), default=-1)

    def __repr__(self) -> str:
        """The concise text (``path:line:col: severity CODE message`` and the summary)."""
        from nnadvisor.render.concise import render

        return render(self).rstrip("\n")

    def _repr_html_(self) -> str:
        """A table in Jupyter."""
        from nnadvisor.render.report_html import render

        return render(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": asdict(self.tool),
            "findings": [f.to_dict() for f in self.findings],
            "errors": [asdict(e) for e in self.errors],
            "summary": asdict(self.summary),
        }
