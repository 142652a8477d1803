"""Jupyter notebooks: the code cells, in order, read as one Python program; findings mapped back.

A notebook is a JSON document (nbformat 4, and nbformat 3's ``worksheets``). Its code cells are
joined, in order, into one Python program, so that a model defined in cell 3 and the loss applied
to it in cell 7 are read together, as the kernel runs them. The program goes through the same
readers as a ``.py`` file (``readers.read(program, "python", ...)`` via :func:`lint.check_bytes`,
which picks the framework readers by the imports), and every finding is then mapped from its
program line to the notebook's terms: the cell's 1-based position among *all* cells (markdown and
raw cells included, as ruff counts), the line and column inside that cell, the cell's ``id``
(nbformat 4.5), and the line and column in the notebook file's JSON text (SARIF and GitHub
annotations point there).

What is read and what is not:

- Only the top-level structure, the cells' ``cell_type``, ``id`` and ``source`` (``input`` in
  nbformat 3) and the notebook's language are decoded; outputs, attachments and metadata are
  skipped over by the JSON decoder and never looked at. Nothing is executed.
- IPython syntax is blanked without shifting any line: line magics (``%matplotlib inline``),
  shell escapes (``!pip install ...``), their assigning forms (``files = !ls``), help
  (``model?``, ``?model``), with their backslash continuations. A blanked line inside an indented
  block becomes ``pass`` at its indentation (IPython turns it into a call there). A line counts
  only where a statement can start: a ``%`` line inside a triple-quoted string or an open bracket
  is Python text, not a magic.
- A cell magic (``%%bash``, ``%%writefile``, ``%%html``, ``%%timeit``...) blanks its whole cell:
  its body is not Python run in the notebook's namespace. The exceptions are :data:`PYTHON_CELL_MAGICS`
  (``%%time``, ``%%capture``, ``%%prun``, ``%%debug``), whose body is Python run in the
  notebook's namespace: only their first line is blanked. ``%%timeit`` runs its body in a scope of
  its own, many times: what it binds does not exist afterwards, so it is blanked.
- A code cell that is not valid Python on its own (a scratch cell, IPython syntax this module
  does not know) is left out and said (NNA002 at the error): in a notebook a broken cell does not
  stop the others from running. A notebook that is not valid JSON or not nbformat is NNA000 at
  its line in the file.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from nnadvisor.readers import NOTEBOOK_MAX_BYTES
from nnadvisor.source import MAX_BYTES, SourceError, decode

if TYPE_CHECKING:
    from nnadvisor.fixes import Edit
    from nnadvisor.findings import Finding, TextEdit
    from nnadvisor.rulebase import RuleBase

PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug"})
"""Cell magics whose body is Python run in the notebook's namespace (kept; the ``%%`` line is
blanked). Every other cell magic blanks its cell."""

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_DECODER = json.JSONDecoder()
_CANDIDATE = re.compile(r"(?m)^[ \t]*(?:[%!?]|[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*[!%])")
_HELP_CANDIDATE = re.compile(r"(?m)\?[ \t]*$")
"""A cell that may hold IPython syntax (most cells do not, and skip the line-by-line scan)."""
_HELP_END = re.compile(r"%{0,2}[A-Za-z_*][\w*]*(?:\.[A-Za-z_*][\w*]*|\[\d+\])*\?\??[ \t]*$")
_ASSIGN_MAGIC = re.compile(r"[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*[!%]")
_LEX = re.compile(r"#|'''|\"\"\"|['\"]|[\[\](){}]")
_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=]")
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")
_HIGH_SURROGATE = re.compile(r"\\u[dD][89abAB]")
_LINE_REF = re.compile(r"\b(lines?) (\d+(?:, \d+)*)\b")


class Refused(Exception):
    """The file is not a notebook nnadvisor can read (finding NNA000 at ``line``:``column``)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Cell:
    """A code cell: where it is in the notebook and in the program."""

    position: int
    """1-based among all cells of the notebook (markdown and raw cells included)."""
    id: str | None
    start: int
    """Program line of the cell's first line (1-based)."""
    lines: list[str]
    """The cell's lines as they are in the program (IPython syntax blanked)."""
    at: int
    """Offset in the notebook's text of the cell (its ``{``)."""
    source_key: str = "source"
    """``source`` (nbformat 4) or ``input`` (nbformat 3)."""
    end: int = -1
    """Offset after the cell's ``}``; ``-1``: unknown."""
    source_last: bool = False
    """The source is the cell's last key (as Jupyter writes cells: keys sorted)."""


@dataclass
class Notebook:
    text: str
    """The notebook's JSON text (decoded)."""
    cells: list[Cell]
    """Code cells with at least one line, in order."""
    skipped: list[tuple[Cell, int, int, str]] = field(default_factory=list)
    """Cells left out as not valid Python: (cell, line, column in it, why)."""
    _counted: tuple[int, int] = (0, 1)
    _pieces: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)

    def program(self) -> str:
        return "".join(line + "\n" for cell in self.cells for line in cell.lines)

    def last_lines(self) -> frozenset[int]:
        """Program lines that end a cell (a suppression on its own line there applies to nothing)."""
        return frozenset(cell.start + len(cell.lines) - 1 for cell in self.cells)

    # --- program line -> cell -----------------------------------------------------------------

    def cell_of(self, line: int) -> Cell | None:
        if len(self._starts) != len(self.cells):
            self._starts = [cell.start for cell in self.cells]
        i = bisect.bisect_right(self._starts, line) - 1
        if i < 0:
            return None
        cell = self.cells[i]
        return cell if line < cell.start + len(cell.lines) else None

    def describe(self, line: int) -> str:
        cell = self.cell_of(line)
        return f"{line - cell.start + 1} of cell {cell.position}" if cell is not None else str(line)

    def _reword(self, message: str) -> str:
        """Program lines a message names ("the loss at line 40") in cell terms ("line 3 of cell 5")."""

        def one(match: re.Match[str]) -> str:
            numbers = [int(n) for n in match.group(2).split(", ")]
            cells = [self.cell_of(n) for n in numbers]
            if any(c is None for c in cells):
                return match.group()
            if len({c.position for c in cells if c is not None}) == 1:
                first = cells[0]
                assert first is not None
                inside = ", ".join(str(n - first.start + 1) for n in numbers)
                return f"{match.group(1)} {inside} of cell {first.position}"
            return f"{match.group(1)} " + ", ".join(self.describe(n) for n in numbers)

        return _LINE_REF.sub(one, message) if "line" in message else message

    def remap(self, findings: list[Finding]) -> list[Finding]:
        """Findings located in the program, located in the notebook instead (their fix edits too)."""
        out = []
        for f in findings:
            cell = self.cell_of(f.line)
            message = self._reword(f.message)
            if f.fix is not None and f.fix.edits:
                f = replace(f, fix=replace(f.fix, edits=self._cell_edits(f.fix.edits)))
            if cell is None:
                out.append(replace(f, message=message))
                continue
            line = f.line - cell.start + 1
            file_line, file_column = self.file_position(cell, line, f.column)
            out.append(replace(f, line=line, message=message, cell=cell.position, cell_id=cell.id, file_line=file_line, file_column=file_column))
        return out

    def _cell_edits(self, edits: list[TextEdit]) -> list[TextEdit]:
        """Program edits as edits of cells; none at all when one of them is not inside one cell
        (a fix is applied whole or not at all)."""
        from nnadvisor.findings import Position, TextEdit

        out = []
        for e in edits:
            cell = self.cell_of(e.start.line)
            if cell is None:
                return []
            count = len(cell.lines)
            end_line, end_column = e.end.line - cell.start + 1, e.end.column
            if end_line == count + 1 and end_column == 1:  # through the end of the cell's last line
                end_line, end_column = count, len(cell.lines[-1]) + 1
            if not 1 <= end_line <= count:
                return []
            out.append(TextEdit(Position(e.start.line - cell.start + 1, e.start.column), Position(end_line, end_column), e.content, cell.position))
        return out

    # --- cell line -> position in the notebook file -------------------------------------------

    def file_position(self, cell: Cell, line: int, column: int) -> tuple[int, int]:
        """Line and column in the notebook's JSON text of ``column`` on ``line`` of ``cell`` (the
        end of the line when the column is past it). Only the escapes of the source's JSON
        strings are walked one by one; the text between them is taken whole."""
        text = self.text
        pieces = self._pieces.get(cell.position)
        if pieces is None:
            source_at = _source_at(text, cell.at, cell.source_key, cell.end if cell.source_last else -1)
            pieces = self._pieces[cell.position] = _source_strings(text, source_at)
        current, col = 1, 1
        last = pieces[0][0] if pieces else cell.at
        for start, stop in pieces:
            if current < line:  # skip whole strings before the line (most hold one line each)
                lines_in = text.count("\\n", start, stop)
                ends_line = text.endswith("\\n", start, stop)
                if (current + lines_in < line or (current + lines_in == line and ends_line)) and "\\\\" not in text[start:stop] and "\\r" not in text[start:stop]:
                    current, col = current + lines_in, 1
                    last = stop
                    continue
            pos = start
            for m in _ESCAPE.finditer(text, start, stop):
                run = m.start() - pos  # plain characters before the escape
                if current == line and col + run > column:
                    return self._line_col(pos + column - col)
                col += run
                escape = m.group()
                if escape in ("\\n", "\\r"):
                    if current == line:
                        return self._line_col(m.start())  # past the end of the line: its end
                    if escape == "\\n" or not text.startswith("\\n", m.end()):  # \r\n is one line end
                        current, col = current + 1, 1
                elif not _HIGH_SURROGATE.match(escape):
                    if current == line and col == column:
                        return self._line_col(m.start())
                    col += 1
                pos = m.end()
            run = stop - pos
            if current == line and col + run > column:
                return self._line_col(pos + column - col)
            col += run
            last = stop
        return self._line_col(last)

    def _line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset of the text, counted on from the previous call
        (findings come in file order, so a notebook's text is counted through about once)."""
        known_at, known_line = self._counted
        if offset < known_at:
            known_at, known_line = 0, 1
        line = known_line + self.text.count("\n", known_at, offset)
        self._counted = (offset, line)
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1


def _source_strings(text: str, at: int) -> list[tuple[int, int]]:
    """Offsets (start, end) of the contents of the JSON strings of a source value at ``at``: the
    string itself, or each string of a list."""
    pieces: list[tuple[int, int]] = []
    if text.startswith("[", at):
        at += 1
        while True:
            m = _LIST_STRING.match(text, at)
            if m is None:
                break
            pieces.append((m.start(1) + 1, m.end(1) - 1))
            if not m.group(2):
                break
            at = m.end()
    else:
        m = _STRING.match(text, at)
        if m is not None:
            pieces.append((m.start() + 1, m.end() - 1))
    return pieces


def _skip_ws(text: str, at: int) -> int:
    m = _WS.match(text, at)
    return m.end() if m is not None else at


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- reading the notebook's JSON ------------------------------------------------------------------


class _Scanner:
    """The notebook's skeleton (the top-level object, the cells and their keys), walked by hand
    to know where each cell is in the text; every value is decoded (or skipped) by the C JSON
    decoder, so outputs cost what ``json.loads`` would spend on them and no Python per token."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, message: str, at: int) -> Refused:
        return Refused(message, *_line_col(self.text, at))

    def value(self, pos: int) -> tuple[Any, int]:
        """The JSON value at ``pos`` (no whitespace before it) and the offset after it."""
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise Refused(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise self.fail("not valid JSON: nested too deeply", pos) from None
        except ValueError as exc:  # e.g. an integer with more digits than Python converts
            raise self.fail(f"not valid JSON: {exc}", pos) from None

    def members(self, pos: int) -> Iterator[tuple[str, int, int]]:
        """(key, offset of the key, offset of its value) of the object at ``pos`` (its ``{``). The
        consumer sets :attr:`end` to the offset after the value when it read it; otherwise the
        value is skipped. :attr:`end` is the offset after the object when the iteration stops."""
        text = self.text
        pos += 1
        m = _CLOSE_OBJECT.match(text, pos)
        if m is not None:
            self.end = m.end()
            return
        while True:
            m = _KEY.match(text, pos)
            if m is None:
                at = _skip_ws(text, pos)
                raise self.fail("not valid JSON: expected a key in double quotes" + ("" if at < len(text) else " before the end of the file"), at)
            key = m.group(1)
            if "\\" in key:
                key = self.value(m.start(1) - 1)[0]
            self.end = -1
            yield key, m.start(1) - 1, m.end()
            pos = self.end if self.end >= 0 else self.value(m.end())[1]
            m = _AFTER_MEMBER.match(text, pos)
            if m is None:
                at = _skip_ws(text, pos)
                raise self.fail("not valid JSON: expected ',' or '}'" + ("" if at < len(text) else " before the end of the file"), at)
            if m.group(1) == "}":
                self.end = m.end()
                return
            pos = m.end()

    def items(self, pos: int) -> Iterator[int]:
        """Offsets of the items of the array at ``pos`` (its ``[``); as :meth:`members`."""
        text = self.text
        m = _CLOSE_ARRAY.match(text, pos + 1)
        if m is not None:
            self.end = m.end()
            return
        pos = _skip_ws(text, pos + 1)
        while True:
            self.end = -1
            yield pos
            pos = self.end if self.end >= 0 else self.value(pos)[1]
            m = _AFTER_ITEM.match(text, pos)
            if m is None:
                at = _skip_ws(text, pos)
                raise self.fail("not valid JSON: expected ',' or ']'" + ("" if at < len(text) else " before the end of the file"), at)
            if m.group(1) == "]":
                self.end = m.end()
                return
            pos = m.end()

    def read(self, pos: int) -> Any:
        """The value at ``pos``, marking it read for :meth:`members` / :meth:`items`."""
        data, self.end = self.value(pos)
        return data


_LIST_STRING = re.compile(r'[ \t\n\r]*("[^"\\]*(?:\\.[^"\\]*)*")[ \t\n\r]*(,?)')
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_KEY = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*(?:\\.[^"\\\x00-\x1f]*)*)"[ \t\n\r]*:[ \t\n\r]*')
_AFTER_MEMBER = re.compile(r"[ \t\n\r]*([,}])")
_AFTER_ITEM = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
_CLOSE_OBJECT = re.compile(r"[ \t\n\r]*}")
_CLOSE_ARRAY = re.compile(r"[ \t\n\r]*]")


class _Raw(NamedTuple):
    """A cell as read from the file."""

    position: int
    data: dict[str, Any]
    at: int
    end: int
    source_key: str


def _cells(scan: _Scanner, pos: int, raws: list[_Raw], source_key: str) -> None:
    """Each cell is decoded whole, by the C decoder; where its source is in the text is looked
    for only when a finding or a problem needs it (:func:`_source_at`)."""
    text = scan.text
    for at in scan.items(pos):
        position = len(raws) + 1
        if not text.startswith("{", at):
            raise scan.fail(f"cell {position} is not a JSON object: not a Jupyter notebook", at)
        data = scan.read(at)
        raws.append(_Raw(position, data, at, scan.end, source_key))


def _source_at(text: str, at: int, key: str, end: int = -1) -> int:
    """Offset of the value of ``key`` in the (valid) JSON object at ``at`` (the object's own
    offset when it has none). ``end``: the object's end, when ``key`` is its last key: then the
    last ``"key":`` token before the end is it (what follows is its value, strings without keys),
    found without decoding the values before it (outputs)."""
    if end >= 0:
        token = f'"{key}"'
        stop = end
        while True:
            found = text.rfind(token, at, stop)
            if found < 0:
                break
            k = found - 1
            while text[k] == "\\":  # an escaped quote is inside a string
                k -= 1
            m = _COLON.match(text, found + len(token))
            if m is not None and (found - 1 - k) % 2 == 0:
                return m.end()
            stop = found
    scan = _Scanner(text)
    try:
        for name, _, value_at in scan.members(at):
            if name == key:
                return value_at
    except Refused:
        pass
    return at


def _read(text: str) -> tuple[int | None, Any, list[_Raw]]:
    """(nbformat, metadata, cells) of a notebook's text."""
    scan = _Scanner(text)
    start = _skip_ws(text, 0)
    if not text.startswith("{", start):
        if start >= len(text):
            raise scan.fail("empty file: not a Jupyter notebook", start)
        scan.value(start)  # a JSON syntax error is reported as such
        raise scan.fail("the top level is not a JSON object: not a Jupyter notebook", start)
    nbformat: Any = None
    nbformat_at = 0
    metadata: Any = None
    raws: list[_Raw] = []
    seen_cells = False
    top = scan.members(start)
    for key, key_at, value_at in top:
        if key == "nbformat":
            nbformat, nbformat_at = scan.read(value_at), key_at
        elif key == "metadata":
            metadata = scan.read(value_at)
        elif key in ("cells", "worksheets"):
            seen_cells = True
            if not text.startswith("[", value_at):
                raise scan.fail(f"'{key}' is not a list: not a Jupyter notebook", key_at)
            if key == "cells":
                _cells(scan, value_at, raws, "source")
                continue
            for at in scan.items(value_at):  # nbformat 3: worksheets, each with its cells
                if not text.startswith("{", at):
                    raise scan.fail("a worksheet is not a JSON object: not a Jupyter notebook", at)
                for wkey, wkey_at, wvalue_at in scan.members(at):
                    if wkey == "cells":
                        if not text.startswith("[", wvalue_at):
                            raise scan.fail("'cells' is not a list: not a Jupyter notebook", wkey_at)
                        _cells(scan, wvalue_at, raws, "input")
    end = _skip_ws(text, scan.end)
    if end < len(text):
        raise scan.fail("not valid JSON: extra data after the notebook", end)
    if nbformat is None:
        raise Refused("no 'nbformat' key: not a Jupyter notebook (is it a JSON config with a .ipynb name?)")
    if not isinstance(nbformat, int) or isinstance(nbformat, bool):
        raise scan.fail(f"'nbformat' is {nbformat!r}, not a whole number: not a Jupyter notebook", nbformat_at)
    if nbformat not in (3, 4):
        raise scan.fail(f"nbformat {nbformat} is not supported (nbformat 4, and 3, are)", nbformat_at)
    if not seen_cells:
        raise Refused(f"no '{'cells' if nbformat == 4 else 'worksheets'}' key: not a Jupyter notebook")
    return nbformat, metadata, raws


def language(metadata: Any) -> str | None:
    """The notebook's language as its metadata states it (``None`` when it states none)."""
    if not isinstance(metadata, dict):
        return None
    for key, name in (("language_info", "name"), ("kernelspec", "language")):
        part = metadata.get(key)
        if isinstance(part, dict) and isinstance(part.get(name), str):
            return str(part[name])
    return None


def parse(raw: bytes) -> Notebook:
    """The notebook's code cells as one program, or :class:`Refused` saying why it is not one."""
    if len(raw) > NOTEBOOK_MAX_BYTES:
        raise Refused(f"notebook is larger than {NOTEBOOK_MAX_BYTES:,} bytes; notebooks are refused beyond that")
    try:
        text = decode(raw)
    except SourceError as exc:
        raise Refused(exc.message, exc.line, exc.column) from None
    nbformat, metadata, raws = _read(text)
    lang = language(metadata)
    if lang is not None and lang.lower() not in ("python", "python3", "ipython", "ipython3"):
        raise _NotPython(lang)
    cells: list[Cell] = []
    start = 1
    size = 0
    for raw_cell in raws:
        kind = raw_cell.data.get("cell_type")
        if kind != "code":
            if not isinstance(kind, str):
                raise Refused(f"cell {raw_cell.position} has no cell_type string: not a Jupyter notebook", *_line_col(text, raw_cell.at))
            continue
        source = raw_cell.data.get(raw_cell.source_key)
        if not isinstance(source, str):

            def where() -> tuple[int, int]:  # computed only for the error
                return _line_col(text, _source_at(text, raw_cell.at, raw_cell.source_key))

            if isinstance(source, list):
                try:
                    source = "".join(source)  # a list of strings, as Jupyter writes it
                except TypeError:
                    raise Refused(f"the source of cell {raw_cell.position} is a list holding something other than strings", *where()) from None
            elif raw_cell.source_key not in raw_cell.data:
                raise Refused(f"code cell {raw_cell.position} has no '{raw_cell.source_key}': not a Jupyter notebook", *where())
            else:
                raise Refused(f"the source of cell {raw_cell.position} is not a string or a list of strings", *where())
        if not source:
            continue
        if "\r" in source:
            source = source.replace("\r\n", "\n").replace("\r", "\n")
        own = source.split("\n")
        if own[-1] == "":
            own.pop()
        if not own:
            continue
        size += len(source) + 1
        if size > MAX_BYTES:
            raise Refused(f"the code cells hold more than {MAX_BYTES:,} bytes; Python sources are refused beyond that", *_line_col(text, raw_cell.at))
        cell_id = raw_cell.data.get("id")
        last = next(reversed(raw_cell.data)) == raw_cell.source_key
        cells.append(Cell(raw_cell.position, cell_id if isinstance(cell_id, str) else None, start, python_lines(own, source), raw_cell.at, raw_cell.source_key, raw_cell.end, last))
        start += len(own)
    if cells:  # a coding cookie in the program's first two lines would change how it is decoded
        first = cells[0].lines
        for i in range(min(2, len(first))):
            if _COOKIE.match(first[i]):
                first[i] = ""
        if len(first) < 2 and len(cells) > 1 and cells[1].lines and _COOKIE.match(cells[1].lines[0]):
            cells[1].lines[0] = ""
    return Notebook(text, cells)


class _NotPython(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


# --- IPython syntax -------------------------------------------------------------------------------


def python_lines(lines: list[str], text: str | None = None) -> list[str]:
    """A cell's lines with IPython syntax blanked (same number of lines); ``text``: the lines
    joined, when the caller has it."""
    first = next((line for line in lines if line.strip()), "")
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        lines = list(lines)
        lines[lines.index(first)] = ""
        text = None
    if text is None:
        text = "\n".join(lines)
    help_mark = "?" in text
    if not (((help_mark or "%" in text or "!" in text) and _CANDIDATE.search(text)) or (help_mark and _HELP_CANDIDATE.search(text))):
        return lines
    return _blank_magics(lines)


def _is_magic(stripped: str) -> bool:
    return stripped.startswith(("%", "!", "?")) or _HELP_END.match(stripped) is not None or _ASSIGN_MAGIC.match(stripped) is not None


def _blank_magics(lines: list[str]) -> list[str]:
    """Blank the lines where a statement starts with IPython syntax; a line inside a string or a
    bracket, or continuing the previous one, is left alone."""
    out = list(lines)
    string: str | None = None  # the quote of a string open at the end of the previous line
    depth = 0
    continued = False  # the previous line ended with a backslash (outside a string)
    in_magic = False
    for n, line in enumerate(lines):
        if in_magic:  # a backslash continuation of a magic line
            out[n] = ""
            in_magic = line.endswith("\\")
            continue
        stripped = line.lstrip()
        if string is None and depth == 0 and not continued and stripped and _is_magic(stripped):
            indent = line[: len(line) - len(stripped)]
            out[n] = f"{indent}pass" if indent else ""
            in_magic = line.endswith("\\")
            continue
        pos = 0
        comment = False
        if string is not None:
            end = _string_end(line, 0, string)
            if end < 0:
                if len(string) == 1 and not line.endswith("\\"):
                    string = None  # an unterminated string: Python's problem, not ours
                continued = False
                continue
            pos, string = end, None
        while True:
            m = _LEX.search(line, pos)
            if m is None:
                break
            token = m.group()
            if token == "#":
                comment = True
                break
            if token in "([{":
                depth += 1
                pos = m.end()
            elif token in ")]}":
                depth = max(depth - 1, 0)
                pos = m.end()
            else:
                end = _string_end(line, m.end(), token)
                if end < 0:
                    if len(token) == 3 or line.endswith("\\"):
                        string = token
                    break
                pos = end
        continued = string is None and not comment and line.endswith("\\")
    return out


def _string_end(line: str, start: int, quote: str) -> int:
    """The offset just past the closing ``quote`` on ``line`` from ``start`` (-1: not closed)."""
    i = start
    while True:
        j = line.find(quote, i)
        if j < 0:
            return -1
        backslashes = 0
        k = j - 1
        while k >= start and line[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2 == 0:
            return j + len(quote)
        i = j + 1


# --- checking -------------------------------------------------------------------------------------

_SYNTAX = "Python syntax error"
"""How the Python core words a program that does not parse (:mod:`nnadvisor.readers.python.source`)."""


def _broken_cells(notebook: Notebook) -> None:
    """Leave out every code cell that is not valid Python on its own (said in a note)."""
    import ast

    for cell in notebook.cells:
        try:
            ast.parse("".join(line + "\n" for line in cell.lines))
        except SyntaxError as exc:
            notebook.skipped.append((cell, exc.lineno or 1, exc.offset or 1, f"{exc.__class__.__name__}: {exc.msg}"))
            cell.lines = [""] * len(cell.lines)
        except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
            notebook.skipped.append((cell, 1, 1, exc.__class__.__name__))
            cell.lines = [""] * len(cell.lines)


def check(raw: bytes, file: str, rulebase: RuleBase) -> list[Finding]:
    """Findings for a notebook's bytes, located in its cells."""
    from nnadvisor import suppressions
    from nnadvisor.lint import NOTE_RULE, READER_RULE, check_bytes, rule_codes

    try:
        notebook = parse(raw)
    except Refused as exc:
        return [_reported(rulebase, READER_RULE, file, exc.line, exc.column, exc.message)]
    except _NotPython as exc:
        return [_reported(rulebase, NOTE_RULE, file, 1, 1, f"a notebook in {exc.name}, not Python: nothing was checked")]
    program = notebook.program().encode()
    findings = check_bytes(program, file, rulebase, "python", suppress=False)
    if any(f.rule_id == READER_RULE and f.message.startswith(_SYNTAX) for f in findings):
        _broken_cells(notebook)
        if notebook.skipped:
            program = notebook.program().encode()
            findings = check_bytes(program, file, rulebase, "python", suppress=False)
    if not any(f.rule_id == READER_RULE for f in findings):
        findings = suppressions.apply(findings, program, file, ends=notebook.last_lines(), known=rule_codes(rulebase))
    for cell, line, column, why in notebook.skipped:
        message = f"not valid Python ({why}): cell {cell.position} is not checked"
        findings.append(_reported(rulebase, NOTE_RULE, file, cell.start + line - 1, column, message))
    findings.sort(key=lambda f: (f.line, f.column, f.rule_id))
    return notebook.remap(findings)


def _reported(rulebase: RuleBase, rule_id: str, file: str, line: int, column: int, message: str) -> Finding:
    from nnadvisor.findings import Finding

    rule = rulebase.rule(rule_id) or {"name": rule_id, "severity": "error"}
    return Finding(rule_id, rule["name"], rule["severity"], file, line, column, "", message)


# --- writing fixes back into cells ----------------------------------------------------------------


def apply_cell_edits(raw: bytes, edits: dict[int, list[Edit]]) -> bytes:
    """The notebook with ``edits`` (cell position -> edits in that cell's lines) applied to its
    cells' sources, and nothing else of the file changed: each edited cell's ``source`` value is
    written again in the file's own style (a list of lines, one per line as Jupyter writes them, with
    the indentation the list had; or a single string), the rest of the text is kept byte for byte.

    Raises :class:`~nnadvisor.fixes.apply.EditError` for an edit that does not fit its cell, and for
    a cell whose source holds carriage returns (its lines were read with them removed)."""
    from nnadvisor.fixes.apply import EditError, apply_edits

    text = decode(raw)
    _, _, raws = _read(text)
    by_position = {r.position: r for r in raws}
    replacements: list[tuple[int, int, str]] = []
    for position, cell_edits in edits.items():
        cell = by_position.get(position)
        if cell is None:
            raise EditError(f"no cell {position}")
        value_at = _source_at(text, cell.at, cell.source_key, cell.end if next(reversed(cell.data)) == cell.source_key else -1)
        source, value_end = _DECODER.raw_decode(text, value_at)
        as_list = isinstance(source, list)
        joined = "".join(source) if as_list else source
        if not isinstance(joined, str) or "\r" in joined:
            raise EditError(f"cell {position}: its source cannot be edited in place")
        fixed = apply_edits(joined, cell_edits)
        replacements.append((value_at, value_end, _source_json(text, value_at, value_end, fixed) if as_list else json.dumps(fixed, ensure_ascii=False)))
    out: list[str] = []
    at = 0
    for start, end, content in sorted(replacements):
        out += (text[at:start], content)
        at = end
    out.append(text[at:])
    fixed_text = "".join(out)
    return (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + fixed_text.encode()


def cell_sources(raw: bytes) -> dict[int, str]:
    """Each code cell's source (position among all cells -> text), as the file holds it."""
    _, _, raws = _read(decode(raw))
    out = {}
    for cell in raws:
        source = cell.data.get(cell.source_key)
        if cell.data.get("cell_type") == "code" and isinstance(source, (str, list)):
            out[cell.position] = source if isinstance(source, str) else "".join(map(str, source))
    return out


def _source_json(text: str, start: int, end: int, source: str) -> str:
    """``source`` as a JSON list of lines laid out as the list at ``text[start:end]`` was."""
    lines = source.splitlines(keepends=True)
    if not lines:
        return "[]"
    inside = text[start + 1 : end - 1]
    lead = inside[: len(inside) - len(inside.lstrip())]  # "\n    " before the first string
    tail = inside[len(inside.rstrip()) :]  # "\n   " before the "]"
    if not inside.strip():
        lead, tail = "", ""
    separator = "," + lead if lead else ", "
    return "[" + lead + separator.join(json.dumps(line, ensure_ascii=False) for line in lines) + tail + "]"
