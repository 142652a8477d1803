"""Project settings: ``[tool.nnadvisor]`` in the nearest ``pyproject.toml`` above the working
directory. Command-line flags win over them.

```toml
[tool.nnadvisor]
select = ["NNA"]                 # codes or prefixes; default all
extend-select = []
ignore = ["NNA504"]
fail-on = "warning"              # error | warning | info
fail-on-empty = true             # exit 1 when no model definition was found
format = "sarif"                 # default output format of check
jobs = 2                         # processes for large inputs; default: usable CPUs, at most 4
rules = ["ci/nnadvisor-rules"]   # extra rule packs, relative to pyproject.toml

[tool.nnadvisor.per-file-ignores]
"legacy/*.yaml" = ["NNA402"]
```

Validated by hand against a small table rather than with pydantic: reading settings is on the
start-up path of every ``check``, and an unknown or mistyped key is an error naming the file and
the line of the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("text", "concise", "json", "json-lines", "sarif", "github")
SEVERITIES = ("error", "warning", "info")
_LIST = "a list of strings"
KEYS: dict[str, str] = {
    "select": _LIST,
    "extend-select": _LIST,
    "ignore": _LIST,
    "rules": _LIST,
    "fail-on": "one of " + ", ".join(SEVERITIES),
    "format": "one of " + ", ".join(FORMATS),
    "per-file-ignores": "a table of glob = [codes]",
    "jobs": "a whole number of processes, 1 or more",
    "fail-on-empty": "true or false",
}


class SettingsError(Exception):
    def __init__(self, file: Path, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")


@dataclass(frozen=True)
class Settings:
    file: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rules: tuple[Path, ...] = ()
    fail_on: str | None = None
    format: str | None = None
    jobs: int | None = None
    fail_on_empty: bool = False
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)


def find_pyproject(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _line_of(text: str, key: str) -> int:
    header = re.search(r"^\s*\[tool\.nnadvisor[\].]", text, re.MULTILINE)
    start = header.start() if header else 0
    match = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE).search(text, start)
    target = match.start() if match else start
    return text.count("\n", 0, target) + 1


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def load(start: Path | None = None) -> Settings:
    """Settings of the nearest pyproject.toml (empty if none has ``[tool.nnadvisor]``)."""
    path = find_pyproject(start or Path.cwd())
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(path, 1, f"cannot read: {exc}") from None
    if "nnadvisor" not in text:
        return Settings()
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise SettingsError(path, int(found.group(1)) if found else 1, f"invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("nnadvisor")
    if table is None:
        return Settings()

    def fail(key: str, message: str) -> SettingsError:
        return SettingsError(path, _line_of(text, key), message)

    if not isinstance(table, dict):
        raise fail("nnadvisor", "[tool.nnadvisor] must be a table")
    for key, value in table.items():
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known settings: {', '.join(KEYS)}"
            raise fail(key, f"unknown setting {key!r} in [tool.nnadvisor]{hint}")
        ok = {
            "fail-on": value in SEVERITIES,
            "format": value in FORMATS,
            "per-file-ignores": isinstance(value, dict) and all(_strings(v) for v in value.values()),
            "jobs": type(value) is int and value >= 1,
            "fail-on-empty": isinstance(value, bool),
        }.get(key, _strings(value))
        if not ok:
            raise fail(key, f"setting {key!r} must be {KEYS[key]} (got {value!r})")
    return Settings(
        file=path,
        select=tuple(table["select"]) if "select" in table else None,
        extend_select=tuple(table.get("extend-select", ())),
        ignore=tuple(table.get("ignore", ())),
        rules=tuple(path.parent / r for r in table.get("rules", ())),
        fail_on=table.get("fail-on"),
        format=table.get("format"),
        jobs=table.get("jobs"),
        fail_on_empty=table.get("fail-on-empty", False),
        per_file_ignores={k: tuple(v) for k, v in table.get("per-file-ignores", {}).items()},
    )
