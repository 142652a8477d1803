"""``check --diff``: the fixes as a unified diff, one file after another (``--- a/PATH``, ``+++
b/PATH``, as git and ruff write them), so that ``patch -p1`` or ``git apply`` can apply it. A
notebook is shown cell by cell (``--- a/model.ipynb:cell 4``), as ruff shows notebooks: the diff
of its JSON text would be unreadable, and the cells are what the user edits."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnadvisor.api import FixedFile


def _diff(before: str, after: str, name: str, out: list[str]) -> None:
    name = name.lstrip("/")  # an absolute path: a//tmp/x.py is not a path git or patch -p1 reads
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"):
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")


def render(files: Sequence[FixedFile]) -> str:
    out: list[str] = []
    for f in files:
        if f.cells is None:
            _diff(f.before, f.after, f.display, out)
            continue
        for cell, (before, after) in sorted(f.cells.items()):
            _diff(before, after, f"{f.display}:cell {cell}", out)
    return "".join(out)
