"""The user's source as text and syntax tree, and the edits fixes make of it.

Shared by the PyTorch and Keras writers: find the node a config pointer's location names, its
parents, the statement and function it is in; remove a call argument or a list element with its
comma (and its line when it is alone on it), delete a statement's lines, replace a call by its
first argument, insert a keyword argument. Edits are :class:`Change` objects on character offsets
of the text; :meth:`Source.edits` turns them into the 1-based line/column :class:`Edit` records.
Every helper returns ``None`` when the text around a node is not of a shape it can edit without
touching anything else (a comment in the way, parentheses, several statements on a line).
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from nnadvisor.fixes import Edit
from nnadvisor.readers.python.index import SourceIndex, build
from nnadvisor.source import Location

_NEWLINE = re.compile(r"\r\n|\r|\n")
_COMMENT = re.compile(r"#[^\r\n]*")
_PRIMARY = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.JoinedStr)
"""Expressions that need no parentheses wherever an expression may stand."""
_ANY_EXPRESSION = (ast.Return, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.keyword)
"""Places where any expression can be written without parentheses (the value of a statement)."""
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


class Change(NamedTuple):
    """Replace ``text[start:end]`` (character offsets) by ``content``."""

    start: int
    end: int
    content: str


@dataclass
class Source:
    """A parsed source: text, tree, the reader core's index (imports, aliases, bindings), and
    positions in characters.

    Nodes are found by location and their parents looked up through maps filled one top-level
    statement at a time, when a lookup first reaches into it: a fix looks at a few places of a
    file, and walking every node of it cost more than the fix (this runs for every finding that
    has a fix, in every ``check``)."""

    text: str
    tree: ast.Module
    index: SourceIndex
    line_starts: list[int]
    parents: dict[int, ast.AST]
    starts: dict[tuple[int, int], list[ast.AST]]
    _tops: list[tuple[int, int]] = field(default_factory=list)
    """(first line, last line) of each top-level statement, decorators included."""
    _walked: set[int] = field(default_factory=set)
    _ascii: bool = True
    _imported: dict[str, bool] | None = None

    @classmethod
    def parse(cls, text: str, syntax: tuple[ast.Module, SourceIndex] | None = None) -> Source | None:
        """``syntax``: the tree and index the reader made of ``text``, when the caller has them."""
        if syntax is not None:
            tree, index = syntax
        else:
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
                return None
            index = build(tree)
        line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        tops = [(min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))]), stmt.end_lineno or stmt.lineno) for stmt in tree.body]
        return cls(text, tree, index, line_starts, {}, {}, tops, set(), text.isascii())

    def _cover(self, line: int) -> bool:
        """Index the top-level statement that holds ``line`` (False when none does)."""
        i = bisect.bisect_right(self._tops, (line, 1 << 62)) - 1
        if i < 0 or self._tops[i][1] < line:
            return False
        if i not in self._walked:
            self._walked.add(i)
            stmt = self.tree.body[i]
            self.parents[id(stmt)] = self.tree
            self._walk(stmt)
        return True

    def _cover_all(self) -> None:
        for i, (first, _) in enumerate(self._tops):
            if i not in self._walked:
                self._cover(first)

    def _walk(self, root: ast.AST) -> None:
        """Parents and start positions of the nodes under ``root``, by hand over the fields
        (``ast.walk`` and ``iter_child_nodes`` are generators); contexts and operators are
        leaves nobody asks about."""
        parents, starts = self.parents, self.starts
        stack: list[ast.AST] = [root]
        while stack:
            node = stack.pop()
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST) and not isinstance(item, _LEAVES):
                            parents[id(item)] = node
                            stack.append(item)
                elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                    parents[id(value)] = node
                    stack.append(value)
            line = getattr(node, "lineno", None)
            if line is not None:
                column = node.col_offset if self._ascii else self._chars(line, node.col_offset)  # type: ignore[attr-defined]
                starts.setdefault((line, column + 1), []).append(node)

    def import_only(self, name: str) -> bool:
        """Every binding of ``name``, in any scope, is an import (it cannot stand for anything
        else). Worked out for all names at once, the first time it is asked."""
        if self._imported is None:
            imported: dict[str, bool] = {}
            for (_, n), found in self.index.bindings.items():
                imported[n] = imported.get(n, True) and all(isinstance(b.stmt, (ast.Import, ast.ImportFrom)) for b in found)
            self._imported = imported
        return self._imported.get(name, True)

    # --- positions -----------------------------------------------------------------------------

    def _line(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end]

    def _chars(self, line: int, byte_col: int) -> int:
        """``ast`` counts columns in UTF-8 bytes; this module in characters."""
        text = self._line(line)
        return byte_col if text.isascii() else len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and a 0-based character column."""
        return self.line_starts[line - 1] + column

    def start(self, node: ast.AST) -> int:
        line = node.lineno  # type: ignore[attr-defined]
        return self.offset(line, self._chars(line, node.col_offset))  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        line = node.end_lineno  # type: ignore[attr-defined]
        return self.offset(line, self._chars(line, node.end_col_offset))  # type: ignore[attr-defined]

    def segment(self, node: ast.AST) -> str:
        return self.text[self.start(node) : self.end(node)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1

    def line_start(self, offset: int) -> int:
        return self.line_starts[self.position(offset)[0] - 1]

    def next_line(self, offset: int) -> int:
        """The offset of the start of the line after the one ``offset`` is on (or the text's end)."""
        line = self.position(offset)[0]
        return self.line_starts[line] if line < len(self.line_starts) else len(self.text)

    def edits(self, changes: Sequence[Change]) -> list[Edit] | None:
        """The changes as edits, in order; ``None`` when two of them overlap."""
        ordered = sorted(changes)
        for a, b in itertools.pairwise(ordered):
            if b.start < a.end or (a.start == a.end == b.start == b.end):
                return None
        return [Edit(*self.position(c.start), *self.position(c.end), c.content) for c in ordered]

    # --- nodes ---------------------------------------------------------------------------------

    def at(self, loc: Location | None) -> list[ast.AST]:
        """The nodes that start at a location, outermost first."""
        if loc is None or not self._cover(loc.line):
            return []
        return sorted(self.starts.get((loc.line, loc.column), ()), key=lambda n: -self.end(n))

    def parent(self, node: ast.AST) -> ast.AST | None:
        found = self.parents.get(id(node))
        if found is None and node is not self.tree:
            line = getattr(node, "lineno", None)
            if line is None or not self._cover(line):
                self._cover_all()  # a node without a position (arguments, a comprehension)
            found = self.parents.get(id(node))
        return found

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def statement(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement a node is in (the node itself when it is one)."""
        if isinstance(node, ast.stmt):
            return node
        return next((a for a in self.ancestors(node) if isinstance(a, ast.stmt)), None)

    def function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function a node is in (not a lambda or comprehension: those are ``None``)."""
        for a in self.ancestors(node):
            if isinstance(a, FUNCTIONS):
                return a
            if isinstance(a, _SCOPES):
                return None
        return None

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        return next((a for a in self.ancestors(node) if isinstance(a, ast.ClassDef)), None)

    def qual(self, node: ast.AST, defaults: dict[str, str] | None = None) -> str | None:
        return self.index.qual(node, defaults)

    # --- edits ---------------------------------------------------------------------------------

    def replace(self, node: ast.AST, content: str) -> Change:
        return Change(self.start(node), self.end(node), content)

    def argument_text(self, arg: ast.expr, instead_of: ast.expr) -> str:
        """The text of ``arg`` to write in place of ``instead_of`` (parenthesised when it would
        otherwise bind differently there: ``(a + b).view(-1)``)."""
        text = self.segment(arg)
        parent = self.parent(instead_of)
        if isinstance(arg, _PRIMARY) or isinstance(parent, _ANY_EXPRESSION):
            return text
        if isinstance(parent, ast.Call) and instead_of in parent.args and not isinstance(arg, (ast.NamedExpr, ast.Starred)):
            return text
        if isinstance(parent, (ast.Tuple, ast.List)) and not isinstance(arg, (ast.NamedExpr, ast.Lambda, ast.Starred, ast.Yield, ast.YieldFrom)):
            return text
        return f"({text})"

    def call_items(self, call: ast.Call) -> list[ast.AST]:
        """A call's arguments, positional and keyword, in source order."""
        items: list[ast.AST] = [*call.args, *call.keywords]
        return sorted(items, key=self.start)

    def call_open(self, call: ast.Call) -> int | None:
        """The offset just after a call's opening parenthesis."""
        at = self.end(call.func)
        gap = self.text[at : self.end(call)]
        stripped = gap.lstrip()
        if not stripped.startswith("("):
            return None
        return at + (len(gap) - len(stripped)) + 1

    def remove_item(self, items: Sequence[ast.AST], i: int, opening: int, closing: int) -> list[Change] | None:
        """Remove ``items[i]`` (an argument of a call, an element of a list display) with its
        comma; when it is alone on its line(s), with its line(s) and the comment on them.
        ``opening`` is the offset after the opening bracket, ``closing`` that of the closing one."""
        item = items[i]
        s, e = self.start(item), self.end(item)
        prev_end = self.end(items[i - 1]) if i > 0 else opening
        next_start = self.start(items[i + 1]) if i + 1 < len(items) else closing
        before, after = self.text[prev_end:s], self.text[e:next_start]
        commas_before, commas_after = _commas(before), _commas(after)
        if commas_before is None or commas_after is None:
            return None
        if commas_before != (1 if i > 0 else 0) or commas_after != (1 if i + 1 < len(items) else commas_after) or commas_after > 1:
            return None
        comma_end = e + after.index(",") + 1 if commas_after else e
        line_start = self.line_start(s)
        rest_of_line = self.text[comma_end : self.next_line(comma_end)]
        if not self.text[line_start:s].strip() and not _COMMENT.sub("", rest_of_line).strip():
            return [Change(line_start, self.next_line(comma_end), "")]
        if i > 0:
            a, b = prev_end, e
        elif i + 1 < len(items):
            a, b = s, next_start
        else:
            a, b = s, comma_end
        if "#" in self.text[a:s] or "#" in self.text[e:b]:
            return None  # a comment between the items belongs to a line that stays
        return [Change(a, b, "")]

    def insert_after(self, items: Sequence[ast.AST], i: int, text: str, closing: int) -> list[Change] | None:
        """Insert ``text`` as a new item after ``items[i]``: on a line of its own when the items
        are one per line (with the next item's indentation), else after the item and a comma."""
        item = items[i]
        s, e = self.start(item), self.end(item)
        next_start = self.start(items[i + 1]) if i + 1 < len(items) else closing
        after = self.text[e:next_start]
        commas = _commas(after)
        if commas is None or commas > 1 or (i + 1 < len(items) and commas != 1):
            return None
        indent = self.text[self.line_start(s) : s]
        comma_end = e + after.index(",") + 1 if commas else e
        rest = self.text[comma_end : self.next_line(comma_end)]
        if not indent.strip() and not _COMMENT.sub("", rest).strip() and self.line_start(next_start) > self.line_start(s):
            newline = _NEWLINE.search(self.text, comma_end)
            eol = newline.group() if newline else "\n"
            at = self.next_line(comma_end)
            head = "" if commas else ","
            if head:
                return [Change(e, e, ","), Change(at, at, f"{indent}{text},{eol}")]
            return [Change(at, at, f"{indent}{text},{eol}")]
        return [Change(e, e, f", {text}")]

    def remove_argument(self, call: ast.Call, node: ast.AST) -> list[Change] | None:
        """Remove an argument (a positional expression or a ``keyword``) of a call."""
        items = self.call_items(call)
        if node not in items:
            return None
        opening = self.call_open(call)
        if opening is None:
            return None
        return self.remove_item(items, items.index(node), opening, self.end(call) - 1)

    def remove_element(self, display: ast.List | ast.Tuple, node: ast.AST) -> list[Change] | None:
        if node not in display.elts or not self.segment(display)[:1] in "[(":
            return None
        return self.remove_item(display.elts, display.elts.index(node), self.start(display) + 1, self.end(display) - 1)

    def insert_keyword(self, call: ast.Call, text: str) -> list[Change] | None:
        """Add ``text`` (``name=value``) as the last argument of a call: on a line of its own when
        the arguments are one per line, else after the last one."""
        items = self.call_items(call)
        opening = self.call_open(call)
        if opening is None:
            return None
        closing = self.end(call) - 1
        if not items:
            if self.text[opening:closing].strip():
                return None
            return [Change(opening, opening, text)]
        last = items[-1]
        e = self.end(last)
        after = self.text[e:closing]
        commas = _commas(after)
        if commas is None or commas > 1:
            return None
        s = self.start(last)
        indent = self.text[self.line_start(s) : s]
        one_per_line = not indent.strip() and self.position(s)[0] > self.position(opening)[0]
        if one_per_line:
            newline = _NEWLINE.search(self.text, e)
            eol = newline.group() if newline else "\n"
            if commas:
                comma_end = e + after.index(",") + 1
                return [Change(comma_end, comma_end, f"{eol}{indent}{text},")]
            return [Change(e, e, f",{eol}{indent}{text}")]
        return [Change(e, e, f", {text}")]

    def delete_statement(self, stmt: ast.stmt) -> list[Change] | None:
        """Delete a statement with its line(s), when it is alone on them and not the only
        statement of its block."""
        s, e = self.start(stmt), self.end(stmt)
        line_start = self.line_start(s)
        rest = self.text[e : self.next_line(e)]
        if self.text[line_start:s].strip() or _COMMENT.sub("", rest).strip():
            return None
        parent = self.parent(stmt)
        for name in ("body", "orelse", "finalbody"):
            block = getattr(parent, name, None)
            if isinstance(block, list) and stmt in block and len(block) == 1:
                return None
        return [Change(line_start, self.next_line(e), "")]

    def replace_by_argument(self, call: ast.Call, arg: ast.expr) -> list[Change]:
        """Replace ``f(arg, ...)`` by ``arg``; a statement ``x = f(x, ...)`` that then only
        rebinds is deleted with its line (when it can be)."""
        stmt = self.parent(call)
        if (
            isinstance(stmt, ast.Assign)
            and stmt.value is call
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(arg, ast.Name)
            and arg.id == stmt.targets[0].id
        ):
            deleted = self.delete_statement(stmt)
            if deleted is not None:
                return deleted
        return [self.replace(call, self.argument_text(arg, call))]

    # --- names ---------------------------------------------------------------------------------

    def names(self, scope: ast.AST, name: str) -> list[ast.Name]:
        """Every use of ``name`` under ``scope`` (loads and stores, nested scopes included)."""
        return [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == name]

    def scope(self, node: ast.AST) -> ast.AST | None:
        """The function or module whose names a node's names are (``None`` in a class body, a
        lambda or a comprehension)."""
        for a in self.ancestors(node):
            if isinstance(a, FUNCTIONS):
                return a
            if isinstance(a, _SCOPES):
                return None
        return self.tree

    def _local_to(self, func: ast.AST, name: str) -> bool:
        """Whether ``name`` is a local of a function (a parameter, or assigned in it)."""
        if isinstance(func, (*FUNCTIONS, ast.Lambda)):
            args = func.args
            if any(a.arg == name for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a is not None):
                return True
        if any(isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names for n in ast.walk(func)):
            return False
        return any(isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load) for n in ast.walk(func))

    def only_consumer(self, stmt: ast.stmt, name: str) -> ast.Name | None:
        """The one load that sees the value ``stmt`` binds to ``name`` in its scope (a function, or
        the module), when there is exactly one and nothing else could see it: no later store, no
        load from a nested scope, no load before ``stmt`` in a loop around it (a later iteration
        would see the value)."""
        scope = self.scope(stmt)
        if scope is None:
            return None
        if any(isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names for n in ast.walk(scope)):
            return None
        if any(isinstance(a, ast.AugAssign) and isinstance(a.target, ast.Name) and a.target.id == name for a in ast.walk(scope)):
            return None
        s, e = self.start(stmt), self.end(stmt)
        block = self._block(stmt)
        kill = next((b for b in block[block.index(stmt) + 1 :] if self._stores(b, name)), None) if block else None
        until = self.end(kill) if kill is not None else len(self.text)
        loops: list[ast.AST] = []
        for a in self.ancestors(stmt):
            if a is scope:
                break
            if isinstance(a, _LOOPS) and kill is None:
                loops.append(a)
        later: list[ast.Name] = []
        for n in self.names(scope, name):
            pos = self.start(n)
            if s <= pos < e or pos >= until:
                continue  # the statement itself, or after the statement that binds the name again
            inner = self.scope(n)
            if inner is not scope:
                owner = next((a for a in self.ancestors(n) if isinstance(a, _SCOPES)), None)
                if owner is not None and self._local_to(owner, name):
                    continue  # another function's own variable of the same name
                return None  # seen from a nested function, lambda or comprehension
            if pos >= e:
                if not isinstance(n.ctx, ast.Load):
                    if kill is not None and self.statement(n) is kill:
                        continue
                    return None
                later.append(n)
            elif isinstance(n.ctx, ast.Load) and any(self.start(loop) <= pos < self.end(loop) for loop in loops):
                return None
        return later[0] if len(later) == 1 else None

    def _block(self, stmt: ast.stmt) -> list[ast.stmt] | None:
        """The statement list a statement is in."""
        parent = self.parent(stmt)
        for name in ("body", "orelse", "finalbody"):
            block = getattr(parent, name, None)
            if isinstance(block, list) and stmt in block:
                return block
        return None

    def _stores(self, stmt: ast.stmt, name: str) -> bool:
        """Whether a simple assignment statement binds ``name`` (as its whole target)."""
        return isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)


def _commas(gap: str) -> int | None:
    """The number of commas between two items, or ``None`` when the gap holds anything but
    commas, white space and comments (a parenthesis, a backslash continuation)."""
    bare = _COMMENT.sub("", gap)
    if bare.replace(",", "").strip():
        return None
    return bare.count(",")


def quote_style(src: Source) -> str:
    """The quote character most string literals of the file use (``"`` when there are none;
    docstrings are not counted)."""
    double = single = 0
    docstrings = {id(n.value) for n in ast.walk(src.tree) if isinstance(n, ast.Expr)}
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and hasattr(node, "lineno") and id(node) not in docstrings:
            first = src.text[src.start(node) : src.start(node) + 4].lstrip("rRbBuUfF")[:1]
            if first == '"':
                double += 1
            elif first == "'":
                single += 1
    return "'" if single > double else '"'


def string_literal(value: str, like: str | None) -> str:
    """``value`` as a Python string literal in the quote style of ``like`` (a literal's text, or
    a quote character)."""
    quote = "'" if like and like.lstrip("rRbBuUfF")[:1] == "'" else '"'
    if quote in value or "\\" in value or "\n" in value:
        return repr(value)
    return f"{quote}{value}{quote}"


def literal(value: object) -> str | None:
    """A JSON value of a patch as Python source (``True``, ``0.9``, ``1e-08``), or ``None``."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return None
