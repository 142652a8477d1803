"""Python source bytes to a syntax tree, refusing what is not Python source with a located problem."""

from __future__ import annotations

import ast
import io

from nnadvisor.source import MAX_BYTES, Location, Problem, SourceError, decode


def problem(line: int, column: int, message: str) -> Problem:
    return Problem("", Location(max(line, 1), max(column, 1)), message)


def parse(raw: bytes, name: str = "-") -> tuple[ast.Module | None, Problem | None]:
    """The module's tree, or the problem that stops it being read (never an exception)."""
    if len(raw) > MAX_BYTES:
        return None, problem(1, 1, f"file is larger than {MAX_BYTES:,} bytes; Python sources are refused beyond that")
    nul = raw.find(b"\x00")
    if nul >= 0:
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
