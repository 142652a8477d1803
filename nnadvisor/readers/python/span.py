"""Locations of syntax nodes as spans: a start and an end, so that fixes can edit text.

Columns are 1-based characters, as in every nnadvisor finding (``ast`` counts UTF-8 bytes from 0;
the conversion matters only on lines with non-ASCII text before the node).
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from nnadvisor.source import Location


class Span(NamedTuple):
    """From (line, column) to (end_line, end_column), 1-based, end exclusive; ``cell`` is the
    notebook cell (1-based) the span lies in, ``None`` in a plain file."""

    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None = None

    @property
    def start(self) -> Location:
        return Location(self.line, self.column)


def span(node: ast.AST) -> Span:
    line = getattr(node, "lineno", 1)
    column = getattr(node, "col_offset", 0) + 1
    end_line = getattr(node, "end_lineno", None) or line
    end_column = (getattr(node, "end_col_offset", None) or column - 1) + 1
    return Span(line, column, end_line, end_column)


def location(node: ast.AST) -> Location:
    """Where a node starts (what a finding's ``line``/``column`` show)."""
    return Location(getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)
