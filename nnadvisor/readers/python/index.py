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


@dataclass(frozen=True)
class CallSite:
    """A call, the scope and statement it is in, and its parent node (what it is part of)."""

    call: ast.Call
    scope: Scope
    stmt: ast.stmt
    parent: ast.AST
    in_choice: bool
    """Inside a conditional expression or a boolean operation: one of several values, chosen at run time."""
    in_display: bool
    """Inside a collection display, a comprehension or a lambda: one of several values, or a
    value kept for later."""


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
_CHOICE_FLAG, _DISPLAY_FLAG = 1, 2


def build(tree: ast.Module) -> SourceIndex:
    """Index ``tree`` in one pass (an explicit stack: no recursion, whatever the nesting)."""
    index = SourceIndex(tree)
    bindings = index.bindings
    calls = index.calls
    calls_of = index.calls_of

    def bind(scope: Scope, name: str, binding: Binding) -> None:
        key = (id(scope), name)
        found = bindings.get(key)
        if found is None:
            bindings[key] = [binding]
        else:
            found.append(binding)

    # (node, scope, statement, parent, flags: _CHOICE_FLAG | _DISPLAY_FLAG)
    stack: list[tuple[ast.AST, Scope, ast.stmt | None, ast.AST | None, int]] = [(tree, tree, None, None, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, scope, stmt, parent, flags = pop()
        cls = node.__class__
        inner_scope = scope
        if isinstance(node, ast.stmt):
            stmt = node
            if isinstance(node, ast.Assign):
                for t in node.targets:
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
            elif isinstance(node, ast.ImportFrom):
                index.imports.append(node)
                if node.module and node.level == 0:
                    for a in node.names:
                        index.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                        bind(scope, a.asname or a.name, Binding(node, None))
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
                # Decorators and defaults belong to the outer scope; the body to the function.
                for child in (*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)):
                    push((child, scope, stmt, node, 0))
                for child_stmt in reversed(node.body):
                    push((child_stmt, node, None, node, 0))
                continue
        elif isinstance(node, ast.Call):
            assert stmt is not None and parent is not None
            site = CallSite(node, scope, stmt, parent, bool(flags & _CHOICE_FLAG), bool(flags & _DISPLAY_FLAG))
            calls.append(site)
            func = node.func
            if isinstance(func, ast.Name):
                calls_of.setdefault(func.id, []).append(site)
        elif isinstance(node, ast.Lambda):
            inner_scope = node
        if cls in _CHOICE:
            flags |= _CHOICE_FLAG
        elif cls in _DISPLAY:
            flags |= _DISPLAY_FLAG
        for grandchild in reversed(list(ast.iter_child_nodes(node))):
            push((grandchild, inner_scope, stmt, node, flags))
    return index
