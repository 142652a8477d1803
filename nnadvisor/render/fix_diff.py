"""``check --diff``: the fixes as a unified diff, one file after another (``--- a/PATH``, ``+++
b/PATH``, as git and ruff write them), so that ``patch -p1`` or ``git apply`` can apply it."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnadvisor.api import FixedFile


def render(files: Sequence[FixedFile]) -> str:
    out: list[str] = []
    for f in files:
        before = f.before.splitlines(keepends=True)
        after = f.after.splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, f"a/{f.display}", f"b/{f.display}"):
            out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)
