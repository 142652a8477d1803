"""Where the shipped rule base lives, and its one-per-process loaders.

In a wheel the repository's ``rules/`` directory is installed as ``nnadvisor/_rules``; in a
source checkout (including editable installs) it is ``rules/`` next to the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnadvisor.vocabulary import Vocabulary

_PACKAGE = Path(__file__).resolve().parent


@cache
def rules_dir() -> Path:
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if (candidate / "vocabulary.yaml").is_file():
            return candidate
    raise RuntimeError(f"nnadvisor's rule base is missing (looked in {_PACKAGE / '_rules'} and {_PACKAGE.parent / 'rules'})")


@cache
def load_vocabulary() -> Vocabulary:
    from nnadvisor.source import parse
    from nnadvisor.vocabulary import Vocabulary

    path = rules_dir() / "vocabulary.yaml"
    return Vocabulary.model_validate(parse(path.read_text(encoding="utf-8")).data)
