"""Static values: what an expression is without running it, or :data:`NO` when that takes running.

Literals, tuples and lists of them, unary minus and simple arithmetic, names bound in the given
environment or to a module-level constant (a name assigned once, or always to the same value),
``int(...)``/``float(...)`` and ``torch.tensor([...])`` of those. Anything else is unknown.
"""

from __future__ import annotations

import ast
from typing import Any

from nnadvisor.readers.python.index import SourceIndex


class _No:
    """No static value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO"


NO: Any = _No()
_MAX_DEPTH = 20
_WRAPPING_CALLS = frozenset({"torch.tensor", "torch.Tensor", "torch.FloatTensor", "torch.as_tensor", "float", "int", "numpy.array", "np.array"})


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def arg(call: ast.Call, place: tuple[int, str]) -> ast.expr | None:
    """The argument of ``call`` at ``place`` (position, keyword); a position after ``*args`` is unknown."""
    index, keyword = place
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if 0 <= index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    return None


def parameters(func: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    args = func.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    return names[1:] if method else names


def bind(func: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call | None, method: bool) -> tuple[dict[str, ast.expr], dict[str, ast.expr]]:
    """The arguments ``call`` gives each parameter of ``func``, and the defaults of the others."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr] = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults) :], args.defaults)}
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    given: dict[str, ast.expr] = {}
    if call is not None:
        names = parameters(func, method)
        for name, value in zip(names, call.args):
            if isinstance(value, ast.Starred):
                break
            given[name] = value
        for kw in call.keywords:
            if kw.arg is not None:
                given[kw.arg] = kw.value
    return given, {k: v for k, v in defaults.items() if k not in given}


class Evaluator:
    """Static evaluation over one module (its constants computed once)."""

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self.constants: dict[str, Any] = {}
        self.constants = self._module_constants()

    def _module_constants(self) -> dict[str, Any]:
        tree = self.index.tree
        values: dict[str, Any] = {}
        for (scope_id, name), found in self.index.bindings.items():
            if scope_id != id(tree):
                continue
            seen: list[Any] = []
            for b in found:
                if b.value is None or b.path or not isinstance(b.stmt, (ast.Assign, ast.AnnAssign)):
                    seen.append(NO)
                    break
                seen.append(b.value)
            values[name] = seen
        out: dict[str, Any] = {}
        # Constants may refer to earlier constants: evaluate in source order of first binding.
        for name, exprs in values.items():
            results = [NO if e is NO else self.literal(e, out) for e in exprs]
            first = results[0]
            if first is not NO and all(r is not NO and r == first and type(r) is type(first) for r in results):
                out[name] = first
        return out

    def literal(self, node: ast.AST | None, env: dict[str, Any] | None = None, depth: int = 0) -> Any:
        """The value of ``node``; names are looked up in ``env``, then in the module's constants."""
        if node is None or depth > _MAX_DEPTH:
            return NO
        cls = node.__class__
        if cls is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            return value if isinstance(value, (int, float, str, bool, type(None))) else NO
        if cls is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            if env is not None and name in env:
                return env[name]
            return self.constants.get(name, NO)
        if cls is ast.Tuple or cls is ast.List:
            items = [self.literal(e, env, depth + 1) for e in node.elts]  # type: ignore[attr-defined]
            return NO if any(i is NO for i in items) else items
        if cls is ast.UnaryOp:
            v = self.literal(node.operand, env, depth + 1)  # type: ignore[attr-defined]
            op = node.op  # type: ignore[attr-defined]
            if is_number(v) and isinstance(op, (ast.USub, ast.UAdd)):
                return -v if isinstance(op, ast.USub) else v
            if isinstance(op, ast.Not) and v is not NO:
                return not v
            return NO
        if cls is ast.BinOp:
            return self._binop(node, env, depth)  # type: ignore[arg-type]
        if cls is ast.Call and len(node.args) == 1 and not node.keywords:  # type: ignore[attr-defined]
            q = self.index.qual(node.func)  # type: ignore[attr-defined]
            if q in _WRAPPING_CALLS:
                v = self.literal(node.args[0], env, depth + 1)  # type: ignore[attr-defined]
                if q == "int" and is_number(v):
                    return int(v)
                if q == "float" and is_number(v):
                    return float(v)
                return v
        return NO

    def _binop(self, node: ast.BinOp, env: dict[str, Any] | None, depth: int) -> Any:
        a, b = self.literal(node.left, env, depth + 1), self.literal(node.right, env, depth + 1)
        if not (is_number(a) and is_number(b)):
            return NO
        op = node.op
        try:
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b if abs(a) < 1e12 and abs(b) < 1e12 else NO
            if isinstance(op, ast.Div):
                return a / b
            if isinstance(op, ast.FloorDiv):
                return a // b
            if isinstance(op, ast.Pow) and abs(b) <= 64 and abs(a) < 1e6:
                return a**b
        except (ZeroDivisionError, OverflowError):
            return NO
        return NO

    def test(self, node: ast.expr, env: dict[str, Any] | None = None) -> bool | None:
        """A condition's truth when it is static (comparisons of static values, ``not``)."""
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            a, b = self.literal(node.left, env), self.literal(node.comparators[0], env)
            if a is NO or b is NO:
                return None
            return compare(node.ops[0], a, b)
        v = self.literal(node, env)
        return None if v is NO else bool(v)


def compare(op: ast.cmpop, a: Any, b: Any) -> bool | None:
    """``a op b`` for static values, ``None`` when it cannot be decided."""
    try:
        if isinstance(op, ast.Eq):
            return bool(a == b)
        if isinstance(op, ast.NotEq):
            return bool(a != b)
        if isinstance(op, ast.Gt):
            return bool(a > b)
        if isinstance(op, ast.GtE):
            return bool(a >= b)
        if isinstance(op, ast.Lt):
            return bool(a < b)
        if isinstance(op, ast.LtE):
            return bool(a <= b)
        if isinstance(op, ast.Is):
            return a is b
        if isinstance(op, ast.IsNot):
            return a is not b
        if isinstance(op, ast.In):
            return bool(a in b)
        if isinstance(op, ast.NotIn):
            return bool(a not in b)
    except TypeError:
        return None
    return None

