"""Which rules report: ``--select`` / ``--extend-select`` / ``--ignore`` with codes or prefixes.

As in ruff, the most specific matching prefix decides (``--select NNA1 --ignore NNA108`` keeps
NNA101 and drops NNA108); on a tie the ignore wins. NNA000 (the file cannot be read) always
reports: a config that nobody could check must not pass silently.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from nnadvisor.findings import Report

ALWAYS = frozenset({"NNA000"})
_CODE = re.compile(r"^[A-Z]{2,8}\d{0,3}$")


class SelectionError(ValueError):
    """A code or prefix that names no rule."""


def check_codes(codes: Iterable[str], known: Iterable[str], option: str) -> tuple[str, ...]:
    known = tuple(known)
    out = []
    for raw in codes:
        code = raw.strip().upper()
        if code == "ALL":
            code = ""
        if code and (not _CODE.match(code) or not any(k.startswith(code) for k in known)):
            raise SelectionError(f"{option} {raw!r}: no rule code starts with it (see `nnadvisor rules`)")
        out.append(code)
    return tuple(out)


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ("",)
    """Prefixes; the empty prefix (``ALL``) selects every rule, built-in or from a pack."""
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Glob -> codes or prefixes. A glob matches the path relative to ``root`` (the directory
    of the pyproject.toml that set it), the path as reported, or the file name."""
    root: Path | None = None

    def enabled(self, code: str, file: str = "") -> bool:
        if code in ALWAYS:
            return True
        ignore: Sequence[str] = self.ignore
        if file and self.per_file_ignores:
            import fnmatch

            names = [file, PurePath(file).name]
            if self.root is not None:
                names.append(Path(os.path.relpath(Path(file).absolute(), self.root)).as_posix())
            for pattern, codes in self.per_file_ignores.items():
                if any(fnmatch.fnmatch(name, pattern) for name in names):
                    ignore = (*ignore, *codes)
        selected = _longest(code, self.select)
        return selected >= 0 and selected > _longest(code, ignore)


def apply(report: Report, selection: Selection) -> Report:
    """The report with only the enabled findings, and the summary counted again."""
    return report.with_findings([f for f in report.findings if selection.enabled(f.rule_id, f.file)])
