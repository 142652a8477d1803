"""Inline suppressions: ``# nnadvisor: ignore[NNA402]`` (codes or prefixes, comma-separated), and
the bare ``# nnadvisor: ignore`` (every code).

A suppression at the end of a line silences those codes on that line; on a line of its own it
silences them on the next line. The bare form silences every finding there, as ruff's bare
``# noqa`` does, except NNA000 (a file nobody could read is never silenced). Each is reported as
NNA003 (unused-suppression, info) when it is not doing what it says, so stale comments do not
pile up:

- a code that silenced nothing, or a bare ``ignore`` that silenced nothing;
- a code no rule has (``ignore[NNA999]``): said as an unknown code, not as unused (a typo hides
  nothing, but the finding it was meant for is not silenced either);
- a malformed comment (``# nnadvisor: ignore NNA402``, ``ignore[]``), which silences nothing.

Formats without comments (JSON, Keras files) use per-file ignores instead. In a notebook,
suppressions are read in the program its code cells make (:mod:`nnadvisor.readers.notebook`),
and one on a line of its own applies to the next line of its own cell only: on a cell's last line
it silences nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from nnadvisor.findings import Finding

UNUSED = "NNA003"
BUILTIN_PREFIX = "NNA"
_COMMENT = re.compile(r"#[^#\n]*?\bnnadvisor:\s*ignore\b(\[[^\]\n]*\]?)?([^#\n]*)")
_CODE_LIKE = re.compile(r"^\s*[:=]?\s*[A-Za-z]{2,8}\d")
_CODE = re.compile(r"^[A-Z]{2,8}\d{0,3}$")


@dataclass
class Suppression:
    line: int
    """The line whose findings it silences (0: none)."""
    comment_line: int
    column: int
    codes: tuple[str, ...]
    """The codes and prefixes it names; empty with ``every``."""
    used: set[str]
    every: bool = False
    """The bare ``# nnadvisor: ignore``: every code on its line."""
    malformed: str | None = None
    """Why the comment is not a suppression (it then silences nothing)."""

    def silences(self, rule_id: str) -> bool:
        if self.malformed is not None or rule_id == "NNA000":
            return False
        return self.every or any(rule_id.startswith(c) for c in self.codes)


def parse(text: str, ends: Collection[int] = ()) -> list[Suppression]:
    """The suppressions of a text; ``ends`` are lines after which the next line belongs to another
    unit (a notebook cell): a suppression on its own line there applies to no line (0)."""
    found: list[Suppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        brackets, rest = match.group(1), match.group(2)
        own_line = not line[: match.start()].strip()
        target = (0 if number in ends else number + 1) if own_line else number
        suppression = Suppression(target, number, match.start() + 1, (), set())
        if brackets is None:
            if _CODE_LIKE.match(rest):
                suppression.malformed = f"write the codes in brackets, `# nnadvisor: ignore[{rest.strip(' :=').split()[0]}]`"
            else:
                suppression.every = True
        elif not brackets.endswith("]"):
            suppression.malformed = "the bracket is not closed: `# nnadvisor: ignore[CODE, ...]`"
        else:
            codes = tuple(c.strip().upper() for c in brackets[1:-1].split(",") if c.strip())
            bad = [c for c in codes if not _CODE.match(c)]
            if not codes:
                suppression.malformed = "no code in the brackets: name the codes, `# nnadvisor: ignore[NNA402]`, or drop the brackets to silence every code"
            elif bad:
                suppression.malformed = f"{', '.join(bad)} is not a rule code (codes look like NNA402)"
            suppression.codes = codes
        found.append(suppression)
    return found


def _unused(what: str, line: int, verb: str) -> str:
    if line:
        return f"unused suppression: {what} {verb} nothing on line {line}"
    return f"unused suppression: {what}: on the last line of its cell, it applies to no line"


@lru_cache(maxsize=1)
def builtin_codes() -> frozenset[str]:
    """The built-in rule codes, from the rule files' names (``NNA402-...yaml``): cheap, and needed
    only when a suppression names a code that silenced nothing."""
    from nnadvisor.resources import rules_dir

    return frozenset(path.name.split("-", 1)[0] for path in (rules_dir() / "lint").glob("*.yaml"))


def _unknown(code: str, known: Collection[str] | None) -> bool:
    """No rule has ``code`` (or a code starting with it). Without ``known`` (the rule base's
    codes, rule packs included), only codes of the built-in ``NNA`` prefix can be judged."""
    if known is None:
        if not code.startswith(BUILTIN_PREFIX):
            return False
        known = builtin_codes()
    return not any(k.startswith(code) for k in known)


def apply(
    findings: list[Finding],
    raw: bytes,
    file: str,
    unused_name: str = "unused-suppression",
    ends: Collection[int] = (),
    known: Collection[str] | None = None,
) -> list[Finding]:
    """``findings`` without the suppressed ones, plus an NNA003 finding per suppression that does
    not do what it says (see the module docstring). ``raw`` is the file's bytes: most files never
    mention nnadvisor and are not decoded again. ``ends``: see :func:`parse`. ``known``: the rule
    codes of the run (see :func:`_unknown`)."""
    if b"nnadvisor:" not in raw:
        return findings
    suppressions = parse(raw.decode("utf-8", "replace"), ends)
    if not suppressions:
        return findings
    kept = []
    for finding in findings:
        hit = next((s for s in suppressions if s.line == finding.line and s.silences(finding.rule_id)), None)
        if hit is None:
            kept.append(finding)
        elif hit.every:
            hit.used.add(finding.rule_id)
        else:
            hit.used.update(c for c in hit.codes if finding.rule_id.startswith(c))

    def report(s: Suppression, message: str) -> None:
        kept.append(
            Finding(
                rule_id=UNUSED, name=unused_name, severity="info", file=file, line=s.comment_line, column=s.column, pointer="", message=message
            )
        )

    # A file that could not be read (NNA000) was not checked by the rules: whether a suppression
    # silenced something there is unknown, so only what is wrong with the comment itself is said.
    unreadable = any(f.rule_id == "NNA000" for f in findings)
    for s in suppressions:
        if s.malformed is not None:
            report(s, f"malformed suppression, it silences nothing: {s.malformed}")
            continue
        if s.every:
            if not s.used and not unreadable:
                report(s, _unused("`# nnadvisor: ignore`", s.line, "silenced"))
            continue
        if "NNA000" in s.codes:
            report(s, "NNA000 cannot be suppressed: a file that cannot be read is always reported")
        unknown = [c for c in s.codes if c not in s.used and c != "NNA000" and _unknown(c, known)]
        unused = [c for c in s.codes if c not in s.used and c != "NNA000" and c not in unknown]
        if unknown:
            report(s, f"unknown rule code{'s' if len(unknown) > 1 else ''} in suppression: {', '.join(unknown)} (no rule has {'them' if len(unknown) > 1 else 'it'}; `nnadvisor rules` lists the codes)")
        if unused and not unreadable:
            report(s, _unused(", ".join(unused), s.line, "reported"))
    kept.sort(key=lambda f: (f.line, f.column, f.rule_id))
    return kept
