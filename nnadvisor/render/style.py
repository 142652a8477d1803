"""Minimal ANSI styling for the text renderers.

The lint and recommend paths print a few coloured words; importing rich for that would cost
about as much start-up time as the rest of ``check`` together (budgets.md), so plain SGR codes
are used here and rich only where layout needs it (``rules``, ``explain``).
"""

from __future__ import annotations

import os
from typing import TextIO

_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}


def use_color(choice: str, stream: TextIO) -> bool:
    """``--color auto|always|never``; auto honours NO_COLOR, FORCE_COLOR and whether ``stream`` is a TTY."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Styler:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"
