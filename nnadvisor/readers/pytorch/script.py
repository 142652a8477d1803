"""The training code: what each loss is applied to, which model that is, and its optimizer.

Pairing starts from every loss application and follows its prediction argument back: through
assignments (the binding a use sees), tuple unpacking and indexing, attributes of an external
model's output (``out.logits``), functional activations and shape operations, helper functions
(their returns, with the caller's arguments bound) and parameters (the arguments of the calls in
the file), to the model call that produced it. A model is a class of the file, a module
expression (``nn.Sequential(...)``, a bare ``nn.Linear``), a factory function's return, or
something the reader cannot see into. What cannot be followed is said (NNA002), never replaced by
another model.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from nnadvisor.readers._model import Entry, Part
from nnadvisor.readers.python.evaluate import bind, is_number
from nnadvisor.readers.python.index import FUNCTIONS, Binding, Scope
from nnadvisor.readers.pytorch.classes import ClassInfo, Classes
from nnadvisor.readers.pytorch.context import Context
from nnadvisor.readers.pytorch.forward import Forward, log_of
from nnadvisor.readers.pytorch.losses import loss_part
from nnadvisor.readers.pytorch.modules import Env, Modules
from nnadvisor.source import Location
from nnadvisor.readers.pytorch.values import INPUT, Leaf, LossMod, ModelRef, Opaque, Out, Seq, Spec, Sub, Tup, Value, first

_MAX_DEPTH = 8
_SCOPE = ast.ClassDef(name="<scope>", bases=[], keywords=[], body=[], decorator_list=[])
"""Stands for the function or module whose statements :meth:`Script.env` reads as ``__init__`` is read."""


@dataclass
class _Cursor:
    """How far :meth:`Script.env` has read a scope: its environment after ``next`` statements."""

    env: Env
    next: int = 0
    line: int = 0


@dataclass(frozen=True, eq=False)
class LossObj:
    """A built-in loss object (``criterion = nn.CrossEntropyLoss()``)."""

    name: str
    part: Part


@dataclass(frozen=True, eq=False)
class CustomLoss:
    """A loss the reader cannot name: a class of the file or a package."""

    label: str
    node: ast.AST


Obj = Union[ModelRef, LossObj, CustomLoss, None]
Params = dict[tuple[int, str], tuple[ast.expr, Scope, ast.AST]]
"""Parameters bound while following a helper's returns: (function id, name) -> the caller's argument."""


class Script:
    def __init__(self, ctx: Context, modules: Modules, classes: Classes, forward: Forward) -> None:
        self.ctx = ctx
        self.modules = modules
        self.classes = classes
        self.forward = forward
        self._cursors: dict[int, _Cursor] = {}
        self._objs: dict[int, Obj] = {}
        self.loss_classes = self._loss_classes()
        self.meets: Location | None = None
        """Where the prediction being resolved meets its loss: activations applied in the training
        code are located there (the line where the squashed output is handed to the loss)."""

    def _loss_classes(self) -> set[str]:
        """Model classes that are losses: named so, or bound to a name that says loss/criterion."""
        says = self.ctx.cat.says_loss
        found = {n for n in self.ctx.model_classes if says(n)}
        for (_, name), bindings in self.ctx.index.bindings.items():
            if says(name):
                for b in bindings:
                    v = b.value
                    if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in self.ctx.model_classes:
                        found.add(v.func.id)
        return found

    # --- names and their bindings ------------------------------------------------------------

    def binding(self, name: str, scope: Scope, at: ast.AST) -> tuple[Binding, Scope] | None:
        """The binding a use of ``name`` in ``scope`` at ``at`` sees (enclosing scopes too)."""
        index = self.ctx.index
        current: Scope | None = scope
        before: ast.AST | None = at
        while current is not None:
            if before is not None:
                found = index.reaching(current, name, before)
            else:
                bound = index.bound(current, name)
                found = bound[-1] if bound else None
            if found is not None:
                return found, current
            if isinstance(current, ast.Module):
                return None
            parent = index.scope_parent.get(id(current))
            while isinstance(parent, ast.ClassDef):  # class bodies are not enclosing scopes
                parent = index.scope_parent.get(id(parent))
            current, before = parent, None  # an enclosing scope's binding may come later in the text
        return None

    def _arguments(self, func: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> list[tuple[ast.expr, Scope, ast.AST]]:
        """What the calls of a module-level function in the file pass for parameter ``name``."""
        out: list[tuple[ast.expr, Scope, ast.AST]] = []
        if self.ctx.index.functions.get(func.name) is not func:
            return out
        for site in self.ctx.index.calls_of.get(func.name, []):
            given, defaults = bind(func, site.call, method=False)
            node = given.get(name) or defaults.get(name)
            if node is not None:
                out.append((node, site.scope if node in given.values() else func, site.call if node in given.values() else func))
        return out

    def _parameter(self, b: Binding, scope: Scope, name: str, params: Params) -> list[tuple[ast.expr, Scope, ast.AST]] | None:
        """The argument expressions a parameter may stand for (``None``: not a parameter)."""
        if not isinstance(b.stmt, ast.arg):
            return None
        bound = params.get((id(scope), name))
        if bound is not None:
            return [bound]
        if isinstance(scope, FUNCTIONS):
            return self._arguments(scope, name)
        return []

    # --- objects: models and loss objects ----------------------------------------------------

    def obj(self, expr: ast.expr, scope: Scope, at: ast.AST, params: Params | None = None, depth: int = 0) -> Obj:
        """What a callee expression refers to."""
        params = params or {}
        if depth > _MAX_DEPTH:
            return None
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            if expr.id == "self":
                cls = ctx.index.enclosing_class(scope)
                if cls is not None and cls.name in ctx.model_classes:
                    return self._class_ref(cls.name, None)
                return None
            found = self.binding(expr.id, scope, at)
            if found is None:
                return None
            b, where = found
            args = self._parameter(b, where, expr.id, params)
            if args is not None:
                objs = [self.obj(node, s, a, params, depth + 1) for node, s, a in args]
                return _agree(objs)
            value = _element(b.value, b.path)
            if value is None:
                return None
            memo = self._objs.get(id(b))
            if memo is None and id(b) not in self._objs:
                memo = self.value_obj(value, where, b.stmt, params, depth + 1)
                if not params:
                    self._objs[id(b)] = memo
            return memo
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            cls = ctx.index.enclosing_class(scope)
            if cls is None or cls.name not in ctx.model_classes:
                return None
            info = self.classes.info(cls.name, self.classes.instantiation(cls.name))
            spec = info.modules.get(expr.attr)
            if spec is None:
                return None
            return self._spec_obj(spec, expr)
        if isinstance(expr, ast.Call):
            return self.value_obj(expr, scope, at, params, depth + 1)
        return None

    def _spec_obj(self, spec: Spec, node: ast.AST) -> Obj:
        if isinstance(spec, LossMod):
            part = spec.part
            name = part.value if isinstance(part.value, str) else str(part.value.get("name"))
            return LossObj(name, part)
        if isinstance(spec, Sub):
            if spec.cls in self.loss_classes:
                return CustomLoss(f"the custom class {spec.cls}", node)
            return self._class_ref(spec.cls, spec.call)
        return self._expr_ref(spec, node)

    def _class_ref(self, name: str, call: ast.Call | None) -> ModelRef:
        call = call or self.classes.instantiation(name)
        return ModelRef(f"class:{name}", name, Sub(name, call), self.ctx.index.classes[name])

    def _expr_ref(self, spec: Spec, node: ast.AST) -> ModelRef:
        if isinstance(spec, Opaque):
            return ModelRef(f"opaque:{spec.what}", spec.what, spec, node)
        line = getattr(node, "lineno", "?")
        what = "nn.Sequential" if isinstance(spec, Seq) else "the layer"
        if isinstance(spec, Leaf) and spec.entries:
            what = f"nn.{spec.entries[0].layer.get('name', 'Module')}"
        return ModelRef(f"expr:{id(spec)}", f"the {what} at line {line}" if what != "the layer" else f"the layer at line {line}", spec, node)

    def value_obj(self, value: ast.expr, scope: Scope, at: ast.AST, params: Params, depth: int, bound: Env | None = None) -> Obj:
        """What an expression builds or refers to, through ``.to(device)``, wrappers and factories."""
        ctx, cat = self.ctx, self.ctx.cat
        while isinstance(value, ast.Call):
            func = value.func
            if isinstance(func, ast.Attribute) and func.attr in cat.module_methods:
                value = func.value
            elif ctx.qual(func) in cat.wrappers and value.args:
                value = value.args[0]
            else:
                break
        if not isinstance(value, ast.Call):
            return self.obj(value, scope, at, params, depth + 1) if isinstance(value, (ast.Name, ast.Attribute)) else None
        func = value.func
        if isinstance(func, ast.Name) and func.id in ctx.model_classes:
            if func.id in self.loss_classes:
                return CustomLoss(f"the custom class {func.id}", value)
            return self._class_ref(func.id, value)
        q = ctx.qual(func)
        loss = cat.loss_class(q)
        if loss is not None:
            return LossObj(loss, loss_part(ctx, loss, value, self.env(scope, value, bound)))
        if cat.nn_name(q) is not None:
            spec = self.modules.spec(value, self.env(scope, value, bound))
            return self._spec_obj(spec, value) if spec is not None else None
        if isinstance(func, ast.Name) and func.id in ctx.index.functions and ctx.index.functions[func.id] is not scope:
            return self._factory(ctx.index.functions[func.id], value, scope, params, depth)
        if isinstance(func, ast.Subscript):
            return ModelRef(f"opaque:{id(value)}", f"a model chosen from a collection (line {value.lineno})", Opaque(f"a model chosen from a collection (line {value.lineno})", value), value)
        if q is None or q.startswith("torch.") or q in ("getattr", "dict", "list", "tuple", "len", "range"):
            return None
        if cat.says_loss(q.rsplit(".", 1)[-1]):
            return CustomLoss(q, value)
        return ModelRef(f"opaque:{q}", q, Opaque(q, value), value)

    def _factory(self, func: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, scope: Scope, params: Params, depth: int) -> Obj:
        """A function that returns a model (or a loss object): what its returns agree on."""
        inner, given, defaults = _called(func, call, scope, params)
        # The static values the call gives the factory's parameters (``make(n_out=1)``).
        ev = self.ctx.ev
        statics: Env = {name: ev.literal(node) for name, node in defaults.items()}
        statics.update({name: ev.literal(node, self.env(scope, call)) for name, node in given.items()})
        objs = []
        for r in self.ctx.index.returns.get(id(func), []):
            if r.value is None:
                continue
            if isinstance(r.value, ast.Call):
                objs.append(self.value_obj(r.value, func, r, inner, depth + 1, self.env(func, r, statics)))
            else:
                objs.append(self.obj(r.value, func, r, inner, depth + 1))
        return _agree(objs)

    def env(self, scope: Scope, before: ast.AST, bound: Env | None = None) -> Env:
        """Static values and module lists bound in ``scope`` before ``before`` (what a module
        expression's arguments can refer to): the scope's statements up to it, read as
        ``__init__`` is. ``bound`` starts from given parameter values (a factory's call).

        Requests come in source order, so each scope is read once, incrementally (a cursor per
        scope; a request before the cursor starts over). The environment returned is live: use
        it at once."""
        line = getattr(before, "lineno", 0)
        if bound is not None:
            cursor = _Cursor(self._start(scope, bound))
        else:
            cursor = self._cursors.get(id(scope)) or _Cursor(self._start(scope, None))
            if line < cursor.line:
                cursor = _Cursor(self._start(scope, None))
            self._cursors[id(scope)] = cursor
        body = scope.body if isinstance(scope, (ast.Module, *FUNCTIONS)) else []
        todo: list[ast.stmt] = []
        while cursor.next < len(body) and body[cursor.next].lineno < line:
            stmt = body[cursor.next]
            cursor.next += 1
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
                todo.append(stmt)
        cursor.line = max(cursor.line, line)
        if todo:
            self.classes._run(ClassInfo(_SCOPE, {}), todo, cursor.env)
        return cursor.env

    def _start(self, scope: Scope, bound: Env | None) -> Env:
        env: Env = dict(bound or {})
        if isinstance(scope, FUNCTIONS) and bound is None:
            for name, node in bind(scope, None, method=False)[1].items():
                env[name] = self.ctx.ev.literal(node)
        return env

    # --- values: what the prediction argument of a loss is -----------------------------------

    def resolve(self, expr: ast.expr | None, scope: Scope, at: ast.AST, params: Params | None = None, depth: int = 0) -> Value:
        params = params or {}
        if expr is None or depth > _MAX_DEPTH * 3:
            return None
        ctx, cat = self.ctx, self.ctx.cat
        if isinstance(expr, ast.Name):
            found = self.binding(expr.id, scope, at)
            if found is None:
                return None
            b, where = found
            args = self._parameter(b, where, expr.id, params)
            if args is not None:
                values = [self.resolve(node, s, a, params, depth + 1) for node, s, a in args]
                return values[0] if values and all(_same_value(v, values[0]) for v in values) else None
            if b.value is None:
                return None
            value = self.resolve(b.value, where, b.stmt, params, depth + 1)
            for i in b.path:
                if isinstance(value, Tup):
                    value = value.items[i] if i < len(value.items) else None
                else:
                    value = value if i == 0 else None
            return value
        if isinstance(expr, ast.Subscript):
            base = self.resolve(expr.value, scope, at, params, depth + 1)
            if isinstance(base, Tup):
                index = ctx.ev.literal(expr.slice)
                if isinstance(index, int) and not isinstance(index, bool) and -len(base.items) <= index < len(base.items):
                    return base.items[index]
                return None
            return base
        if isinstance(expr, ast.Attribute):
            base = self.resolve(expr.value, scope, at, params, depth + 1)
            if isinstance(base, Out) and base.ref is not None and isinstance(base.ref.spec, Opaque) and base.path.size == 1:
                return base  # out.logits of a model the reader cannot see into: still its output
            return None
        if isinstance(expr, ast.BinOp):
            return self._scaled(expr, scope, at, params, depth)
        if isinstance(expr, ast.Tuple):
            return Tup(tuple(self.resolve(e, scope, at, params, depth + 1) for e in expr.elts))
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        source = expr.args[0] if expr.args else None
        q = ctx.qual(func)
        if q is not None:
            act = cat.activation_functions.get(q)
            if act is not None:
                return _then(first(self.resolve(source, scope, at, params, depth + 1)), self.modules.activation_entry(act, expr, self.meets))
            if q in cat.passthrough_functions or q in cat.reductions:
                return first(self.resolve(source, scope, at, params, depth + 1))
            if q == "torch.log":
                return log_of(ctx, first(self.resolve(source, scope, at, params, depth + 1)), expr, self.meets)
        if isinstance(func, ast.Attribute):
            act = cat.activation_methods.get(func.attr)
            if act is not None:
                return _then(first(self.resolve(func.value, scope, at, params, depth + 1)), self.modules.activation_entry(act, expr, self.meets))
            if func.attr in cat.passthrough_methods:
                return first(self.resolve(func.value, scope, at, params, depth + 1))
            if func.attr == "log":
                return log_of(ctx, first(self.resolve(func.value, scope, at, params, depth + 1)), expr, self.meets)
            if func.attr == "forward":
                func = func.value
        if isinstance(func, ast.Name) and func.id in ctx.index.functions and func.id not in ctx.model_classes:
            helper = ctx.index.functions[func.id]
            if helper is not scope:
                return self._helper(helper, expr, scope, params, depth)
        o = self.obj(func, scope, expr, params, depth + 1)
        if isinstance(o, ModelRef):
            return self.output(o)
        return None

    def _helper(self, func: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, scope: Scope, params: Params, depth: int) -> Value:
        inner = _called(func, call, scope, params)[0]
        values = [self.resolve(r.value, func, r, inner, depth + 1) for r in self.ctx.index.returns.get(id(func), []) if r.value is not None]
        return values[0] if values and all(_same_value(v, values[0]) for v in values) else None

    def _scaled(self, expr: ast.BinOp, scope: Scope, at: ast.AST, params: Params, depth: int) -> Value:
        """``logits / T``: a linear output scaled by a number is still a linear output."""
        if not isinstance(expr.op, (ast.Div, ast.Mult)):
            return None
        left, right = expr.left, expr.right
        for traced, other in ((left, right), (right, left)):
            if isinstance(expr.op, ast.Div) and traced is right:
                continue
            # A number, or (for a division) a name such as a temperature; a product with a name
            # may be a product with a tensor (a mask), which is not a scaling.
            if not is_number(self.ctx.ev.literal(other)) and not (isinstance(expr.op, ast.Div) and _plain_name(other)):
                continue
            value = first(self.resolve(traced, scope, at, params, depth + 1))
            if isinstance(value, Out) and not _ends_in_activation(value):
                return value
        return None

    def output(self, ref: ModelRef) -> Value:
        """What calling a model gives: its ``forward`` output for a class, its layers otherwise."""
        spec = ref.spec
        if isinstance(spec, Sub):
            return _attach(self.forward.output(spec.cls, spec.call), ref)
        value = self.forward.apply(INPUT, spec)
        return _attach(value, ref)


def _called(func: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, scope: Scope, params: Params) -> tuple[Params, dict[str, ast.expr], dict[str, ast.expr]]:
    """The parameters a call of ``func`` binds (its arguments in the caller's scope, else the
    defaults in the function's), added to those already bound; and the two halves."""
    inner: Params = dict(params)
    given, defaults = bind(func, call, method=False)
    for name, node in given.items():
        inner[(id(func), name)] = (node, scope, call)
    for name, node in defaults.items():
        inner[(id(func), name)] = (node, func, func)
    return inner, given, defaults


def _element(value: ast.expr | None, path: tuple[int, ...]) -> ast.expr | None:
    """The expression a tuple unpacking binds (``g, d = Generator(), Discriminator()``)."""
    for i in path:
        if not isinstance(value, (ast.Tuple, ast.List)) or i >= len(value.elts) or any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        value = value.elts[i]
    return value


def _then(value: Value, entry: Entry) -> Value:
    return value.then(entry) if isinstance(value, Out) else None


def _attach(value: Value, ref: ModelRef) -> Value:
    if isinstance(value, Tup):
        return Tup(tuple(_attach(v, ref) for v in value.items))
    if isinstance(value, Out):
        return Out(value.path, ref)
    return None


def _agree(objs: list[Obj]) -> Obj:
    """One object when every candidate is the same (by key for models), else unknown."""
    if not objs or any(o is None for o in objs):
        return None
    head = objs[0]
    if isinstance(head, ModelRef):
        return head if all(isinstance(o, ModelRef) and o.key == head.key for o in objs) else None
    return head if all(o is head for o in objs) or len(objs) == 1 else None


def _same_value(a: Value, b: Value) -> bool:
    from nnadvisor.readers.pytorch.forward import same

    if isinstance(a, Out) and isinstance(b, Out):
        return (a.ref is b.ref or (a.ref is not None and b.ref is not None and a.ref.key == b.ref.key)) and same(a, b)
    return same(a, b)


def _plain_name(node: ast.expr) -> bool:
    """A name (a temperature, a scale) that is not itself a traced tensor."""
    return isinstance(node, (ast.Name, ast.Attribute)) and not isinstance(node, ast.Call)


def _ends_in_activation(value: Out) -> bool:
    last = value.path.last
    return isinstance(last, Entry) and last.layer.get("type") == "activation"
