"""``check --fix``: apply the selected findings' edits, check the fixed text again, repeat.

Files are checked first as by a plain ``check`` (same reading, selection and results cache);
only a file with a fix that applies is read again and fixed. A round applies every fix that does
not overlap another (:func:`nnadvisor.fixes.apply.choose`); the fixed text is checked again, and
rounds go on until no fix applies (at most :data:`MAX_ROUNDS`), so that ``--fix`` run twice
changes nothing the second time. A round whose text no longer reads (a finding NNA000 it did not
have) is dropped, and a file that did not read is never written. Writes are atomic: a temporary
file in the same directory, renamed over the original (its permissions kept; a symbolic link's
target is what is written).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from typing import TYPE_CHECKING

from nnadvisor.findings import Finding
from nnadvisor.fixes.apply import EditError, apply_edits, choose

if TYPE_CHECKING:
    from nnadvisor.api import Checker, FixOutcome
    from nnadvisor.fixes import Edit

MAX_ROUNDS = 10
READER_RULE = "NNA000"


class _Text:
    """A file's text and the way back to its bytes (its BOM, its encoding)."""

    def __init__(self, raw: bytes, fmt: str) -> None:
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        self.encoding = "utf-8"
        if fmt in ("python", "pytorch"):
            import io
            import tokenize

            self.encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
            if self.encoding == "utf-8-sig":
                self.encoding = "utf-8"
        body = raw[3:] if self.bom else raw
        self.text = body.decode(self.encoding)

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode(self.encoding)


def _fixed_bytes(raw: bytes, fmt: str, edits_of: list[Finding]) -> bytes:
    """``raw`` with the edits of the findings ``edits_of`` applied (in a notebook, each in its cell)."""
    if fmt == "notebook":
        from nnadvisor.readers.notebook import apply_cell_edits

        by_cell: dict[int, list[Edit]] = {}
        for e in (e for f in edits_of if f.fix for e in f.fix.edits):
            if e.cell is None:
                raise EditError("an edit of a notebook outside its cells")
            by_cell.setdefault(e.cell, []).append(e.edit())
        return apply_cell_edits(raw, by_cell)
    text = _Text(raw, fmt)
    return text.encode(apply_edits(text.text, [e.edit() for f in edits_of if f.fix for e in f.fix.edits]))


class NotConverging(Exception):
    """The fixes of a file undo each other (a round gives a text an earlier round had), or still
    find something to fix after :data:`MAX_ROUNDS`: the rules that offer them disagree about this
    file, and it is left as it was."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


def fix_one(checker: Checker, raw: bytes, fmt: str, display: str, findings: list[Finding], allowed: frozenset[str]) -> tuple[bytes, list[Finding], list[Finding]]:
    """(the fixed bytes, the findings fixed, the findings that remain); :class:`NotConverging`
    when the fixes do not settle."""
    if any(f.rule_id == READER_RULE for f in findings):
        return raw, [], findings  # a file that did not read is never written
    fixed: list[Finding] = []
    seen = {raw}
    for _ in range(MAX_ROUNDS):
        taken, applied = choose(findings, allowed)
        if not taken:
            return raw, fixed, findings
        try:
            candidate = _fixed_bytes(raw, fmt, applied)
        except (EditError, UnicodeError, SyntaxError, ValueError):
            return raw, fixed, findings
        after = checker.check_bytes(candidate, fmt, display).findings
        if any(f.rule_id == READER_RULE for f in after):
            return raw, fixed, findings  # the fix broke the file: keep the last text that read
        fixed += taken
        if candidate in seen:
            raise NotConverging(sorted({f.rule_id for f in fixed}))
        seen.add(candidate)
        raw, findings = candidate, after
    raise NotConverging(sorted({f.rule_id for f in fixed}))


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file at ``path`` (through a symbolic link: its target) in one rename."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    mode = os.stat(target).st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".nnadvisor-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def fix_paths(checker: Checker, paths: Iterable[str], allowed: frozenset[str], write: bool) -> FixOutcome:
    from nnadvisor import readers
    from nnadvisor.api import FixedFile, FixOutcome
    from nnadvisor.findings import FileError

    report, skipped = checker.check_paths(paths)
    by_file: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_file.setdefault(f.file, []).append(f)
    out = report.with_findings([])
    out.errors = list(report.errors)
    changed: list[FixedFile] = []
    unsettled: list[tuple[str, list[str]]] = []
    for file, findings in by_file.items():
        if not any(f.fix is not None and f.fix.applies(allowed) for f in findings):
            out.add(findings)
            continue
        if file == checker.options.stdin_name and not os.path.isfile(file):
            out.errors.append(FileError(file, "input from stdin cannot be fixed in place (use --diff to see the fixes)"))
            out.add(findings)
            continue
        try:
            with open(file, "rb") as handle:
                raw = handle.read()
            fmt = checker.options.input_format or readers.detect(file, raw)
            try:
                fixed_raw, fixed, remaining = fix_one(checker, raw, fmt, file, findings, allowed)
            except NotConverging as exc:
                unsettled.append((file, exc.codes))
                fixed_raw, fixed, remaining = raw, [], findings
            if fixed_raw != raw:
                changed.append(FixedFile(file, _shown(raw, fmt), _shown(fixed_raw, fmt), fixed, _cells(raw, fixed_raw) if fmt == "notebook" else None))
                if write:
                    write_atomic(file, fixed_raw)
        except OSError as exc:
            out.errors.append(FileError(file, f"cannot fix: {exc.strerror or exc}"))
            remaining, fixed = findings, []
        out.add(remaining)
        out.summary.fixed += len(fixed)
    order = {f.file: i for i, f in enumerate(report.findings)}
    out.findings.sort(key=lambda f: order.get(f.file, 0))
    return FixOutcome(out, changed, skipped, unsettled)


def _cells(before: bytes, after: bytes) -> dict[int, tuple[str, str]]:
    from nnadvisor.readers.notebook import cell_sources

    old, new = cell_sources(before), cell_sources(after)
    return {n: (old[n], new[n]) for n in old if n in new and old[n] != new[n]}


def _shown(raw: bytes, fmt: str) -> str:
    """The text a diff shows."""
    if fmt == "notebook":
        return raw.decode("utf-8-sig", errors="replace")
    return _Text(raw, fmt).text
