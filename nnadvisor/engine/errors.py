"""The one error the rule base raises, kept apart so that catching it imports nothing heavy."""

from __future__ import annotations

from pathlib import Path


class RuleLoadError(Exception):
    """A rule-base file is malformed: names the file, the line and the reason."""

    def __init__(self, file: Path | str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = str(file)
        self.line = line
        self.message = message
