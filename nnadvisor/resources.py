"""Where the shipped rule base lives.

In a wheel the repository's ``rules/`` directory is installed as ``nnadvisor/_rules``; in a
source checkout (including editable installs) it is ``rules/`` next to the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def rules_dir() -> Path:
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if (candidate / "vocabulary.yaml").is_file():
            return candidate
    raise RuntimeError(f"nnadvisor's rule base is missing (looked in {_PACKAGE / '_rules'} and {_PACKAGE.parent / 'rules'})")
