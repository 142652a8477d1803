"""Python source bytes to a syntax tree, refusing what is not Python source with a located problem."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from nnadvisor.source import MAX_BYTES, Location, Problem, SourceError, binary_hint, decode

if TYPE_CHECKING:
    from nnadvisor.readers import ReadResult
    from nnadvisor.readers.python.index import SourceIndex


def problem(line: int, column: int, message: str) -> Problem:
    return Problem("", Location(max(line, 1), max(column, 1)), message)


def parse(raw: bytes, name: str = "-") -> tuple[ast.Module | None, Problem | None]:
    """The module's tree, or the problem that stops it being read (never an exception)."""
    if len(raw) > MAX_BYTES:
        return None, problem(1, 1, f"file is larger than {MAX_BYTES:,} bytes; Python sources are refused beyond that")
    nul = raw.find(b"\x00")
    if nul >= 0:
        hint = binary_hint(raw)
        if hint is not None:
            return None, problem(1, 1, hint)
        return None, problem(raw.count(b"\n", 0, nul) + 1, nul - (raw.rfind(b"\n", 0, nul) + 1) + 1, "binary content (NUL byte): not Python source")
    try:
        text = decode_source(raw)
    except SourceError as exc:
        return None, problem(exc.line, exc.column, exc.message)
    try:
        return ast.parse(text, filename=name), None
    except SyntaxError as exc:
        return None, problem(exc.lineno or 1, exc.offset or 1, f"Python syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return None, problem(1, 1, f"cannot parse the Python source: {exc.__class__.__name__}")


def decode_source(raw: bytes) -> str:
    """UTF-8 (the default), or the encoding a PEP 263 coding cookie declares."""
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        # Without a cookie, tokenize complains about the encoding declaration when the bytes are
        # not UTF-8: say that, at the first bad byte (decode raises it), rather than the cookie.
        decode(raw)
        raise SourceError(f"Python encoding declaration: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    if encoding in ("utf-8", "utf-8-sig"):
        return decode(raw)
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        raise SourceError(f"the file is not valid {encoding} text", raw.count(b"\n", 0, start) + 1) from None


def read_source(raw: bytes, name: str, reader: Callable[[ast.Module, SourceIndex], list[ReadResult]]) -> list[ReadResult]:
    """What a source reader makes of ``raw``: its results, or one problem (the source refused, too
    deeply nested, or a reader error: a bug must not stop the other files), never an exception.
    Each result keeps the tree and index it was read from (``syntax``: the fix writers edit them)."""
    from nnadvisor.readers import ReadResult
    from nnadvisor.readers._model import INTERNAL_ERROR

    tree, refused = parse(raw, name)
    if refused is not None or tree is None:
        return [ReadResult(problems=[refused or problem(1, 1, "cannot parse the Python source")])]
    try:
        from nnadvisor.readers.python.index import build

        index = build(tree)
        results = reader(tree, index)
        for result in results:
            result.syntax = (tree, index)
        if not raw.isascii():
            _character_columns(results, decode_source(raw))
        return results
    except RecursionError:
        return [ReadResult(problems=[problem(1, 1, "the Python source is nested too deeply to analyse")])]
    except Exception as exc:
        return [ReadResult(problems=[problem(1, 1, f"{INTERNAL_ERROR} ({exc.__class__.__name__}: {exc})")])]


def _character_columns(results: list[ReadResult], text: str) -> None:
    """``ast`` counts columns in UTF-8 bytes; findings count characters. On a line with
    non-ASCII text before a location, its column is moved back to characters."""
    lines = text.splitlines()
    wide = {i + 1 for i, line in enumerate(lines) if not line.isascii()}
    if not wide:
        return

    def fix(loc: Location) -> Location:
        if loc.line not in wide:
            return loc
        encoded = lines[loc.line - 1].encode("utf-8")
        return Location(loc.line, len(encoded[: loc.column - 1].decode("utf-8", errors="replace")) + 1)

    for result in results:
        if result.doc is not None:
            result.doc.locations.update({k: fix(v) for k, v in result.doc.locations.items() if v.line in wide})
        for items in (result.notes, result.problems):
            items[:] = [Problem(p.pointer, fix(p.location), p.message) if p.location.line in wide else p for p in items]
