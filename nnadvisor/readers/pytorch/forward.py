"""A model's output path, read from its ``forward``: the modules and activations applied to the
input, in order, along the path to each returned value.

``forward`` runs statement by statement over traced values (:mod:`.values`): module calls extend
the path, functional activations and tensor methods add a step, shape operations pass the value
through, arithmetic on two traced values is a merge, and anything the reader cannot see into is an
opaque step that keeps the output unknown. A returned tuple keeps its elements apart, so that a
loss on the second output reads the second path.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from nnadvisor.readers._model import Entry
from nnadvisor.readers.python.index import CallSite
from nnadvisor.readers.python.span import location
from nnadvisor.source import Location
from nnadvisor.readers.pytorch.classes import ClassInfo, Classes
from nnadvisor.readers.pytorch.context import Context
from nnadvisor.readers.pytorch.modules import Modules
from nnadvisor.readers.pytorch.values import INPUT, Leaf, LossMod, Opaque, Out, Path, Seq, Spec, Step, Sub, Tup, Value, first

_MAX_DEPTH = 12
Env = dict[str, Value]
Hook = Callable[[CallSite, Env, "_Frame"], None]


@dataclass
class _Frame:
    info: ClassInfo
    depth: int
    mods: dict[str, Spec] = field(default_factory=dict)
    """Loop variables bound to the modules of a ModuleList (``for layer in self.layers``)."""
    returns: list[tuple[Value, ast.AST]] = field(default_factory=list)


class Forward:
    def __init__(self, ctx: Context, modules: Modules, classes: Classes) -> None:
        self.ctx = ctx
        self.modules = modules
        self.classes = classes
        self._outputs: dict[tuple[str, int], Value] = {}
        self._active: list[str] = []
        self.hooks: dict[int, list[CallSite]] = {}
        """Statements (by id) holding a loss call: the loss's input is read in the environment
        before the statement runs (losses computed inside ``forward`` or a helper it calls)."""
        self.on_loss: Hook | None = None

    # --- a model class's output ----------------------------------------------------------------

    def output(self, name: str, call: ast.Call | None) -> Value:
        """What ``forward`` of class ``name`` returns (memoised per instantiation)."""
        key = (name, id(call))
        if key in self._outputs:
            return self._outputs[key]
        cls = self.ctx.index.classes[name]
        if name in self._active or len(self._active) >= _MAX_DEPTH:
            return Out(INPUT.then(Opaque(f"{name} (recursive)", cls)))
        self._active.append(name)
        try:
            value = self._output(name, call)
        finally:
            self._active.pop()
        self._outputs[key] = value
        return value

    def _output(self, name: str, call: ast.Call | None) -> Value:
        info = self.classes.info(name, call)
        forward = info.methods.get("forward")
        if forward is None:
            if info.sequential:
                return Out(_extend(INPUT, info.seq_init or []))
            self.ctx.note(info.node, f"{name} has no forward(): its layers are taken in __init__ order and its output is not resolved")
            return Out(_extend(INPUT, [*info.modules.values(), Opaque(f"{name} (no forward())", info.node)]))
        value = self.function(info, forward, None, 0)
        if value is None:
            self.ctx.note(forward, f"the output of {name}.forward() (line {forward.lineno}) is not resolved statically")
            return Out(INPUT.then(Opaque(f"{name}.forward()", forward)))
        return value

    def function(self, info: ClassInfo, func: ast.FunctionDef | ast.AsyncFunctionDef, env: Env | None, depth: int) -> Value:
        if env is None:
            args = func.args
            env = {a.arg: Out(INPUT) for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)[1:]}
        frame = _Frame(info, depth)
        self._run(func.body, env, frame)
        if not frame.returns:
            return None
        value = frame.returns[0][0]
        if all(same(v, value) for v, _ in frame.returns):
            return value
        lines = ", ".join(str(getattr(n, "lineno", "?")) for _, n in frame.returns)
        self.ctx.note(func, f"{func.name}() returns along several paths (lines {lines}) that differ: the output activation is unknown")
        return unknown_after([v for v, _ in frame.returns], Opaque(f"one of several return paths of {func.name}()", func))

    # --- statements ------------------------------------------------------------------------------

    def _run(self, body: list[ast.stmt], env: Env, frame: _Frame) -> None:
        for stmt in body:
            sites = self.hooks.get(id(stmt))
            if sites is not None and self.on_loss is not None:
                for site in sites:
                    self.on_loss(site, env, frame)
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                value = self.trace(stmt.value, env, frame)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    _assign(t, value, env)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                a, b = env.get(stmt.target.id), self.trace(stmt.value, env, frame)
                env[stmt.target.id] = self._merge([a, b], stmt)
            elif isinstance(stmt, ast.Return):
                frame.returns.append((self.trace(stmt.value, env, frame) if stmt.value is not None else None, stmt))
                return
            elif isinstance(stmt, ast.If):
                test = self.classes.test(stmt.test, {}, frame.info)
                if test is True:
                    self._run(stmt.body, env, frame)
                elif test is False:
                    self._run(stmt.orelse, env, frame)
                else:
                    other = dict(env)
                    self._run(stmt.body, env, frame)
                    self._run(stmt.orelse, other, frame)
                    for k in set(env) | set(other):
                        a, b = env.get(k), other.get(k)
                        if a is not b and not same(a, b):
                            env[k] = unknown_after([a, b], Opaque(f"a value set differently in the branches of the if at line {stmt.lineno}", stmt))
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                items = self._loop_items(stmt, frame.info)
                if items is not None and isinstance(stmt.target, ast.Name):
                    for spec in items:
                        frame.mods[stmt.target.id] = spec
                        self._run(stmt.body, env, frame)
                    frame.mods.pop(stmt.target.id, None)
                else:
                    self.ctx.note(stmt, f"the loop at line {stmt.lineno} in {frame.info.node.name}.forward() is read as a single pass")
                    self._run(stmt.body, env, frame)
            elif isinstance(stmt, ast.While):
                self.ctx.note(stmt, f"the loop at line {stmt.lineno} in {frame.info.node.name}.forward() is read as a single pass")
                self._run(stmt.body, env, frame)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                self._run(stmt.body, env, frame)
            elif isinstance(stmt, ast.Try):
                self._run(stmt.body, env, frame)
                self._run(stmt.finalbody, env, frame)

    def _loop_items(self, stmt: ast.For | ast.AsyncFor, info: ClassInfo) -> list[Spec] | None:
        it = stmt.iter
        if isinstance(it, ast.Attribute) and isinstance(it.value, ast.Name) and it.value.id == "self":
            spec = info.modules.get(it.attr)
            if isinstance(spec, Seq):
                return list(spec.items)
            if isinstance(spec, Opaque):
                return [spec]  # reported where it is built
        return None

    def _merge(self, values: list[Value], node: ast.AST) -> Value:
        known = [v.path for v in (first(v) for v in values) if isinstance(v, Out)]
        if not known:
            return None
        longest = max(known, key=lambda p: p.size)
        return Out(longest.then(Entry({"type": "other", "name": "merge"}, {"": location(node)}, merge=True, opaque="an arithmetic combination of values")))

    # --- expressions ---------------------------------------------------------------------------

    def trace(self, node: ast.expr, env: Env, frame: _Frame) -> Value:
        """How a value in ``forward`` was computed from the input."""
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if isinstance(node, ast.Tuple):
            return Tup(tuple(self.trace(e, env, frame) for e in node.elts))
        if isinstance(node, ast.Subscript):
            base = self.trace(node.value, env, frame)
            if isinstance(base, Tup):
                index = self.ctx.ev.literal(node.slice)
                if isinstance(index, int) and not isinstance(index, bool) and -len(base.items) <= index < len(base.items):
                    return base.items[index]
                return None
            return base
        if isinstance(node, ast.Starred):
            return self.trace(node.value, env, frame)
        if isinstance(node, ast.BinOp):
            return self._merge([self.trace(node.left, env, frame), self.trace(node.right, env, frame)], node)
        if isinstance(node, ast.UnaryOp):
            return self._merge([self.trace(node.operand, env, frame)], node)
        if isinstance(node, ast.IfExp):
            test = self.classes.test(node.test, {}, frame.info)
            if test is not None:
                return self.trace(node.body if test else node.orelse, env, frame)
            a, b = self.trace(node.body, env, frame), self.trace(node.orelse, env, frame)
            if same(a, b):
                return a
            return unknown_after([a, b], Opaque(f"a conditional expression at line {node.lineno}", node))
        if isinstance(node, ast.Call):
            return self._call(node, env, frame)
        return None

    def _call(self, node: ast.Call, env: Env, frame: _Frame) -> Value:
        ctx, cat = self.ctx, self.ctx.cat
        func = node.func
        source = node.args[0] if node.args else None
        info = frame.info

        def through(step: Step | None, src: ast.expr | None = source) -> Value:
            base = first(self.trace(src, env, frame)) if src is not None else None
            if step is None:
                return base
            path = base.path if isinstance(base, Out) else INPUT
            return self.apply(path, step)

        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            attr = func.attr
            if attr in info.modules:
                spec = info.modules[attr]
                return through(spec) if not isinstance(spec, LossMod) else None
            method = info.methods.get(attr)
            if method is not None and attr != "forward" and frame.depth < 6:
                params = [a.arg for a in method.args.args[1:]]
                sub_env: Env = {p: self.trace(a, env, frame) for p, a in zip(params, node.args)}
                return self.function(info, method, sub_env, frame.depth + 1)
            return through(Opaque(f"self.{attr}", node))
        if isinstance(func, ast.Name) and func.id in frame.mods:
            return through(frame.mods[func.id])
        q = ctx.qual(func)
        if q is not None:
            act = cat.activation_functions.get(q)
            if act is not None:
                return through(self.modules.activation_entry(act, node))
            if q in cat.passthrough_functions:
                return through(None)
            if q in cat.merge_functions or q in cat.reductions:
                parts: list[Value] = []
                for a in node.args:
                    if isinstance(a, (ast.List, ast.Tuple)):
                        parts += [self.trace(e, env, frame) for e in a.elts]
                    else:
                        parts.append(self.trace(a, env, frame))
                if q in cat.reductions and len(parts) == 1:
                    return parts[0]
                return self._merge(parts, node)
            if q == "torch.log":
                return log_of(ctx, first(self.trace(source, env, frame)) if source is not None else None, node)
        if isinstance(func, ast.Attribute):
            act = cat.activation_methods.get(func.attr)
            if act is not None:
                return through(self.modules.activation_entry(act, node), func.value)
            if func.attr in cat.passthrough_methods:
                return through(None, func.value)
            if func.attr == "log":
                return log_of(ctx, first(self.trace(func.value, env, frame)), node)
        # Anything else applied to a traced value: opaque.
        for a in [*node.args, *(kw.value for kw in node.keywords)]:
            t = first(self.trace(a, env, frame))
            if isinstance(t, Out):
                return t.then(Opaque(f"{q or 'a call'}() at line {node.lineno}", node))
        if isinstance(func, ast.Attribute):
            t = first(self.trace(func.value, env, frame))
            if isinstance(t, Out):
                return t.then(Opaque(f".{func.attr}() at line {node.lineno}", node))
        return None

    def apply(self, path: Path, spec: Step) -> Value:
        """``spec`` applied to a value on ``path``: a model class of the file is spliced in
        (its own output, tuples kept apart); a tuple-returning layer (``nn.GRU``: the sequence
        and the last hidden state, both computed by the layer) gives a pair of its output."""
        if isinstance(spec, Sub):
            return splice(path, self.output(spec.cls, spec.call))
        out = Out(path.then(spec))
        if isinstance(spec, Leaf) and spec.entries and spec.entries[-1].returns_tuple:
            return Tup((out, out))
        return out

    def flatten(self, value: Value, where: ast.AST | None = None) -> list[Entry]:
        """The layers along a value's path (the first element of a tuple, said in a note)."""
        if isinstance(value, Tup):
            if where is not None:
                self.ctx.note(where, f"the model returns a tuple (line {getattr(where, 'lineno', '?')}): its first element is taken as the output")
            value = first(value)
            while isinstance(value, Tup):
                value = first(value)
        if not isinstance(value, Out):
            return []
        return self.entries(value.path.steps())

    def entries(self, steps: list[Step] | tuple[Spec, ...]) -> list[Entry]:
        out: list[Entry] = []
        for step in steps:
            if isinstance(step, Entry):
                out.append(step.copy())
            elif isinstance(step, Leaf):
                out += [e.copy() for e in step.entries]
            elif isinstance(step, Seq):
                out += self.entries(step.items)
            elif isinstance(step, Sub):
                sub = self.output(step.cls, step.call)
                out += self.flatten(sub, self.ctx.index.classes[step.cls])
            elif isinstance(step, Opaque):
                out.append(Entry({"type": "other", "name": step.what[:60]}, {"": location(step.node)}, opaque=step.what))
        return out


def _assign(target: ast.expr, value: Value, env: Env) -> None:
    if isinstance(target, ast.Name):
        env[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        for i, e in enumerate(target.elts):
            if isinstance(value, Tup):
                item = value.items[i] if i < len(value.items) else None
            else:
                item = value if i == 0 else None
            _assign(e.value if isinstance(e, ast.Starred) else e, item, env)


def _extend(path: Path, specs: list[Spec]) -> Path:
    for spec in specs:
        path = path.then(spec)
    return path


def splice(base: Path, value: Value) -> Value:
    """``value`` (computed from a model's own input) continued from ``base``."""
    if isinstance(value, Tup):
        return Tup(tuple(splice(base, item) for item in value.items))
    if not isinstance(value, Out):
        return None
    path = base
    for step in value.path.steps():
        path = path.then(step)
    return Out(path, value.ref)


def log_of(ctx: Context, base: Value, node: ast.Call, where: Location | None = None) -> Value:
    """``torch.log(softmax(x))`` is log_softmax; a log of anything else is opaque."""
    if not isinstance(base, Out):
        return None
    last = base.path.last
    if isinstance(last, Entry) and last.layer.get("type") == "activation":
        act = last.layer.get("activation")
        name = act.get("name") if isinstance(act, dict) else act
        logged = ctx.cat.log_of.get(str(name))
        if logged is not None and base.path.prev is not None:
            here = where or location(node)
            entry = Entry({"type": "activation", "activation": logged}, {"": here, "type": here, "activation": here})
            return Out(base.path.prev.then(entry), base.ref)
    return base.then(Opaque(f"torch.log at line {node.lineno}", node))


def unknown_after(values: list[Value], opaque: Opaque) -> Value:
    """Values that differ: what they share, then the unknown (``x = self.fc(x)`` then either a
    softmax or nothing is ``fc`` followed by something the reader cannot decide)."""
    paths = [v.path for v in (first(v) for v in values) if isinstance(v, Out)]
    if not paths:
        return Out(INPUT.then(opaque))
    shared = paths[0]
    for other in paths[1:]:
        shared = _common(shared, other)
    return Out(shared.then(opaque))


def _common(a: Path, b: Path) -> Path:
    """The longest shared beginning of two paths (steps compared by identity)."""
    sa, sb = a.steps(), b.steps()
    path = INPUT
    for x, y in zip(sa, sb):
        if x is not y and _step_sig(x) != _step_sig(y):
            break
        path = path.then(x)
    return path


def _step_sig(step: Step | None) -> object:
    if isinstance(step, Entry):
        if step.layer.get("type") in ("dropout", "flatten", "pooling"):
            return None
        return ("entry", step.layer.get("type"), repr(step.layer.get("activation")), step.layer.get("units"), step.opaque)
    return id(step)


def same(a: Value, b: Value) -> bool:
    """Whether two values were computed the same way (shared prefixes compared by identity)."""
    if a is b:
        return True
    if isinstance(a, Tup) and isinstance(b, Tup):
        return len(a.items) == len(b.items) and all(same(x, y) for x, y in zip(a.items, b.items))
    if not (isinstance(a, Out) and isinstance(b, Out)):
        return False
    pa: Path | None = a.path
    pb: Path | None = b.path
    while pa is not pb:
        if pa is None or pb is None:
            return False
        sa, sb = _step_sig(pa.step), _step_sig(pb.step)
        if sa is None:
            pa = pa.prev
            continue
        if sb is None:
            pb = pb.prev
            continue
        if sa != sb:
            return False
        pa, pb = pa.prev, pb.prev
    return True
