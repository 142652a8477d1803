"""One pass over a module's syntax tree, so that every later question is a lookup.

The pass records imports and their aliases, classes and functions, every call with the scope
(function, class body or module) and statement it is in, and every binding of a name per scope
(assignments, tuple unpacking, ``for`` targets, ``with ... as``, parameters). Readers then follow
a name to the value bound to it before a use without walking the tree again, which keeps reading
linear in the size of the file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Union

Scope = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda]
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Binding:
    """``name`` bound by ``stmt`` to ``value`` (``None`` for a value the source does not show:
    a ``for`` target, an exception, an import); ``path`` indexes into a tuple unpacking
    (``a, (b, c) = ...`` binds ``c`` with path ``(1, 1)``)."""

    stmt: ast.AST
    value: ast.expr | None
    path: tuple[int, ...] = ()

    @property
    def end(self) -> tuple[int, int]:
        return (getattr(self.stmt, "end_lineno", 0) or 0, getattr(self.stmt, "end_col_offset", 0) or 0)


class CallSite:
    """A call, the scope and the statement it is in. What it is part of (``parent``) and whether
    it is one of several values (``in_choice``, ``in_display``) are worked out on first use, from
    its statement alone: few calls are asked, and the indexing pass stays lean."""

    __slots__ = ("call", "scope", "stmt", "_situation")

    def __init__(self, call: ast.Call, scope: Scope, stmt: ast.stmt) -> None:
        self.call = call
        self.scope = scope
        self.stmt = stmt
        self._situation: tuple[ast.AST, bool, bool] | None = None

    @property
    def parent(self) -> ast.AST:
        return self._situate()[0]

    @property
    def in_choice(self) -> bool:
        """Inside a conditional expression or a boolean operation: one of several values, chosen at run time."""
        return self._situate()[1]

    @property
    def in_display(self) -> bool:
        """Inside a collection display, a comprehension or a lambda: one of several values, or a
        value kept for later."""
        return self._situate()[2]

    def _situate(self) -> tuple[ast.AST, bool, bool]:
        if self._situation is None:
            self._situation = _situation(self.stmt, self.call)
        return self._situation


def _situation(stmt: ast.stmt, call: ast.Call) -> tuple[ast.AST, bool, bool]:
    """The parent of ``call`` within ``stmt`` and whether a choice or a display encloses it."""
    todo: list[tuple[ast.AST, ast.AST, bool, bool]] = [(child, stmt, False, False) for child in _expressions(stmt)]
    while todo:
        node, parent, choice, display = todo.pop()
        if node is call:
            return parent, choice, display
        choice = choice or isinstance(node, _CHOICE)
        display = display or isinstance(node, _DISPLAY)
        todo += [(child, node, choice, display) for child in ast.iter_child_nodes(node)]
    return stmt, False, False


def _expressions(stmt: ast.stmt) -> list[ast.AST]:
    """The direct children of a statement that are not statements (its expressions)."""
    return [c for c in ast.iter_child_nodes(stmt) if not isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case))]


@dataclass
class SourceIndex:
    tree: ast.Module
    aliases: dict[str, str] = field(default_factory=dict)
    """Local name -> the module path it stands for (``nn`` -> ``torch.nn``)."""
    imports: list[ast.stmt] = field(default_factory=list)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    """Module-level functions by name."""
    calls: list[CallSite] = field(default_factory=list)
    bindings: dict[tuple[int, str], list[Binding]] = field(default_factory=dict)
    """(id of the scope, name) -> bindings in source order."""
    calls_of: dict[str, list[CallSite]] = field(default_factory=dict)
    """Calls by the plain name they call (``train(...)``, ``Net(...)``)."""
    owner: dict[int, ast.ClassDef] = field(default_factory=dict)
    """id of a method -> its class."""
    scope_parent: dict[int, Scope] = field(default_factory=dict)
    """id of a function or class -> the scope it is defined in."""
    returns: dict[int, list[ast.Return]] = field(default_factory=dict)
    """id of a function -> its return statements (not those of nested functions)."""
    stmt_parent: dict[int, ast.stmt] = field(default_factory=dict)
    """id of a statement -> the compound statement it is in (a loop, an ``if``, a ``with``), not
    across function boundaries."""
    attribute_sets: dict[str, list[tuple[ast.Assign, ast.Attribute, Scope]]] = field(default_factory=dict)
    """Assignments to an attribute of a name (``model.loss = ...``), by attribute name."""

    def qual(self, node: ast.AST, defaults: dict[str, str] | None = None) -> str | None:
        """The dotted name an expression stands for after import aliases (``F.relu`` ->
        ``torch.nn.functional.relu``); ``None`` for anything but a name or attribute chain."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.aliases.get(node.id) or (defaults.get(node.id) if defaults else None) or node.id
        if not parts:
            return base
        parts.append(base)
        return ".".join(reversed(parts))

    def bound(self, scope: Scope, name: str) -> list[Binding]:
        return self.bindings.get((id(scope), name), [])

    def reaching(self, scope: Scope, name: str, before: ast.AST) -> Binding | None:
        """The binding of ``name`` in ``scope`` that a use at ``before`` sees: the last one that
        ends before it (textual order; a loop's later iterations are not followed)."""
        line, col = getattr(before, "lineno", 0), getattr(before, "col_offset", 0)
        found = None
        for b in self.bound(scope, name):
            if b.end <= (line, col):
                found = b
            else:
                break
        return found

    def enclosing_class(self, scope: Scope) -> ast.ClassDef | None:
        """The class a method belongs to (also for functions nested in a method)."""
        current: Scope | None = scope
        while current is not None and not isinstance(current, ast.Module):
            cls = self.owner.get(id(current))
            if cls is not None:
                return cls
            current = self.scope_parent.get(id(current))
        return None


def _targets(target: ast.expr, path: tuple[int, ...], out: list[tuple[str, tuple[int, ...]]]) -> None:
    if isinstance(target, ast.Name):
        out.append((target.id, path))
    elif isinstance(target, (ast.Tuple, ast.List)):
        for i, elt in enumerate(target.elts):
            _targets(elt.value if isinstance(elt, ast.Starred) else elt, (*path, i), out)
    elif isinstance(target, ast.Starred):
        _targets(target.value, path, out)


_CHOICE = (ast.IfExp, ast.BoolOp)
_DISPLAY = (ast.Lambda, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)
_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def build(tree: ast.Module) -> SourceIndex:
    """Index ``tree`` in one pass (explicit stacks: no recursion, whatever the nesting).

    Statements are taken from an outer stack in source order (their bindings then come in
    order); the expressions of each are walked by a tight inner loop that only looks for calls
    and lambdas, since expressions are most of a tree."""
    index = SourceIndex(tree)
    bindings = index.bindings
    calls = index.calls
    calls_of = index.calls_of
    stmt_parent = index.stmt_parent

    def bind(scope: Scope, name: str, binding: Binding) -> None:
        key = (id(scope), name)
        found = bindings.get(key)
        if found is None:
            bindings[key] = [binding]
        else:
            found.append(binding)

    fields_of = _FIELDS
    leaves = _LEAVES
    call_cls, lambda_cls, attribute_cls, keyword_cls = ast.Call, ast.Lambda, ast.Attribute, ast.keyword
    # Outer stack: (block, scope, the statement it is in). A block is a statement, an except
    # handler or a match case; only statements bind and own calls.
    blocks: list[tuple[ast.AST, Scope, ast.stmt | None]] = [(s, tree, None) for s in reversed(tree.body)]
    while blocks:
        node, scope, outer = blocks.pop()
        inner_scope: Scope = scope
        stmt: ast.stmt
        if isinstance(node, ast.stmt):
            stmt = node
            if outer is not None:
                stmt_parent[id(node)] = outer
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name):
                        index.attribute_sets.setdefault(t.attr, []).append((node, t, scope))
                        continue
                    names: list[tuple[str, tuple[int, ...]]] = []
                    _targets(t, (), names)
                    for name, path in names:
                        bind(scope, name, Binding(node, node.value, path))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                if isinstance(node.target, ast.Name) and node.value is not None:
                    bind(scope, node.target.id, Binding(node, node.value if isinstance(node, ast.AnnAssign) else None))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                names = []
                _targets(node.target, (), names)
                for name, path in names:
                    bind(scope, name, Binding(node, None, path))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        names = []
                        _targets(item.optional_vars, (), names)
                        for name, path in names:
                            bind(scope, name, Binding(node, None, path))
            elif isinstance(node, ast.Import):
                index.imports.append(node)
                for a in node.names:
                    local = a.asname or a.name.split(".")[0]
                    index.aliases[local] = a.name if a.asname else local
                    bind(scope, local, Binding(node, None))
                continue
            elif isinstance(node, ast.ImportFrom):
                index.imports.append(node)
                if node.module and node.level == 0:
                    for a in node.names:
                        index.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                        bind(scope, a.asname or a.name, Binding(node, None))
                continue
            elif isinstance(node, ast.Return):
                index.returns.setdefault(id(scope), []).append(node)
            elif isinstance(node, ast.ClassDef):
                index.classes[node.name] = node
                index.scope_parent[id(node)] = scope
                bind(scope, node.name, Binding(node, None))
                inner_scope = node
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                index.scope_parent[id(node)] = scope
                bind(scope, node.name, Binding(node, None))
                if scope is tree:
                    index.functions[node.name] = node
                elif isinstance(scope, ast.ClassDef):
                    index.owner[id(node)] = scope
                args = node.args
                for param in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
                    if param is not None:
                        bind(node, param.arg, Binding(param, None))
                inner_scope = node
        else:
            assert outer is not None
            stmt = outer
        # The block's children: nested blocks go on the outer stack, expressions are walked here.
        exprs: list[tuple[ast.AST, Scope]] = []
        nested: list[ast.AST] = []
        for name in fields_of.get(node.__class__) or _fields(node.__class__):
            value = getattr(node, name, None)
            if value is None:
                continue
            for child in value if value.__class__ is list else (value,):
                if child is None or child.__class__ in leaves:
                    continue
                if isinstance(child, _BLOCKS):
                    nested.append(child)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and name in ("decorator_list", "bases", "keywords", "args", "returns"):
                    exprs.append((child, scope))  # decorators, bases and defaults belong to the outer scope
                else:
                    exprs.append((child, inner_scope))
        while exprs:
            expr, expr_scope = exprs.pop()
            cls = expr.__class__
            if cls is call_cls:
                calls.append(CallSite(expr, expr_scope, stmt))  # type: ignore[arg-type]
            elif cls is lambda_cls:
                expr_scope = expr  # type: ignore[assignment]
            fields = fields_of.get(cls) or _fields(cls)
            for name in reversed(fields):
                value = getattr(expr, name, None)
                if value is None:
                    continue
                for child in reversed(value) if value.__class__ is list else (value,):
                    kind = child.__class__
                    # Leaves, and an attribute or keyword over a leaf (``nn.Linear``, ``dim=1``,
                    # the most common nodes), hold nothing to index: never pushed.
                    if kind in leaves or child is None or ((kind is attribute_cls or kind is keyword_cls) and child.value.__class__ in leaves):
                        continue
                    exprs.append((child, expr_scope))
        for child in reversed(nested):
            blocks.append((child, inner_scope, stmt))
    calls.sort(key=_position)  # the inner walk meets a statement's expressions last first
    for site in calls:
        func = site.call.func
        if func.__class__ is ast.Name:
            calls_of.setdefault(func.id, []).append(site)
    return index


def _position(site: CallSite) -> tuple[int, int]:
    return (site.call.lineno, site.call.col_offset)


def _fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS[cls] = tuple(f for f in cls._fields if f not in _SCALAR_FIELDS)  # type: ignore[attr-defined]
    return fields


_SCALAR_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "is_async", "conversion", "asname", "names", "simple", "tag", "kwd_attrs", "lineno", "n", "s"})
"""Fields that hold no node the index needs (names, contexts, operators, import aliases)."""
_LEAVES = frozenset({ast.Name, ast.Constant})
"""Nodes with nothing to index and nothing below: never pushed (they are most of a tree)."""
_FIELDS: dict[type, tuple[str, ...]] = {leaf: () for leaf in _LEAVES}
"""Per node class, the fields that may hold nodes to walk (``ast.iter_child_nodes`` yields
contexts and operators too, and is a generator: this is about twice as fast)."""
