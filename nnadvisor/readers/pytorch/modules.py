"""What a constructor expression builds: ``nn.Linear(64, 10)`` is a dense layer of 10 units,
``nn.Sequential(...)`` its children in order, ``Net(...)`` a model class of the file, anything
else an opaque module (said, never guessed)."""

from __future__ import annotations

import ast
from typing import Any

from nnadvisor.readers._model import UNKNOWN, Entry
from nnadvisor.readers.python.evaluate import arg, is_number
from nnadvisor.readers.python.span import location
from nnadvisor.readers.pytorch.catalogue import Activation
from nnadvisor.readers.pytorch.context import Context
from nnadvisor.readers.pytorch.values import SPECS, Leaf, LossMod, Opaque, Seq, Spec, Sub
from nnadvisor.source import Location

Env = dict[str, Any]
"""Names bound while reading a function: static values, specs, or lists of specs."""
_BUILTINS = frozenset({"list", "dict", "tuple", "int", "float", "str", "len", "range", "super", "setattr", "isinstance", "print", "zip", "enumerate"})


class Modules:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def spec_arg(self, node: ast.expr, env: Env) -> list[Spec] | None:
        """One argument of ``nn.Sequential(...)``: a module, or ``*name`` of a list of modules."""
        if isinstance(node, ast.Starred):
            return self.specs(node.value, env)
        spec = self.spec(node, env)
        return None if spec is None else [spec]

    def specs(self, node: ast.expr, env: Env) -> list[Spec] | None:
        """A list of modules: a list/tuple display, or a name bound to one."""
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[Spec] = []
            for e in node.elts:
                more = self.spec_arg(e, env)
                if more is None:
                    return None
                out += more
            return out
        if isinstance(node, ast.Name) and isinstance(env.get(node.id), list):
            value: list[Any] = env[node.id]
            if all(isinstance(v, SPECS) for v in value):
                return list(value)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            self.ctx.note(node, f"layers built by the comprehension at line {node.lineno} are not resolved statically")
            return [Opaque(f"the layers of the comprehension at line {node.lineno}", node)]
        return None

    def spec(self, node: ast.expr, env: Env, module_only: bool = False) -> Spec | None:
        """What module an expression builds; ``None`` when it is not a module at all."""
        ctx = self.ctx
        if isinstance(node, ast.Name):
            v = env.get(node.id)
            if isinstance(v, SPECS):
                return v
            if isinstance(v, list) and v and all(isinstance(i, SPECS) for i in v):
                return Seq(tuple(v))
            return None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ctx.cat.module_methods:
            inner = self.spec(func.value, env, module_only)
            if inner is not None:
                return inner
        q = ctx.qual(func)
        nn_name = ctx.cat.nn_name(q)
        if nn_name is not None:
            return self.torch_module(nn_name, node, env)
        if isinstance(func, ast.Name) and func.id in ctx.model_classes:
            return Sub(func.id, node)
        if q is None:
            return Opaque("a module built at run time", node) if not module_only else None
        if q in ctx.cat.wrappers and node.args:
            return self.spec(node.args[0], env, module_only)
        if q.startswith("torch.") or q in _BUILTINS:
            return None
        if q == "getattr":
            return Opaque("a module chosen by getattr", node)
        if q in ctx.index.functions:
            return Opaque(f"the module returned by {q}()", node)
        return Opaque(q, node)

    def torch_module(self, name: str, call: ast.Call, env: Env) -> Spec:
        ctx = self.ctx
        cat = ctx.cat
        here = location(call)
        if name in cat.containers:
            return self._container(name, call, env)
        if name in cat.keyed_containers:
            return Opaque(f"nn.{name} (modules by key)", call)
        if cat.loss_class(ctx.qual(call.func)) is not None:
            from nnadvisor.readers.pytorch.losses import loss_part

            return LossMod(loss_part(ctx, name, call, env), call)
        act = cat.activation_modules.get(name)
        if act is not None:
            at: dict[str, Location] = {"": here, "type": here, "activation": here}
            return Leaf((Entry({"type": "activation", "activation": self.activation(act, call, env, at)}, at),))
        entry = cat.layers.get(name)
        if entry is None:
            return Leaf((Entry({"type": "other", "name": name}, {"": here, "type": here}, opaque=f"nn.{name}"),))
        layer: dict[str, Any] = {"type": entry["type"], "name": name}
        at = {"": here, "type": here}
        if entry["units"] is not None:
            node = arg(call, tuple(entry["units"]))
            value = ctx.ev.literal(node, env)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                layer["units"] = value
                at["units"] = location(node) if node is not None else here
            elif node is not None:
                at["units"] = location(node)
        for key, place in entry["params"].items():
            value = ctx.ev.literal(arg(call, tuple(place)), env)
            if is_number(value):
                layer[key] = float(value) if key == "rate" else value
        if entry["cell_activation"] is not None:
            node = arg(call, tuple(entry["cell_activation"]))
            value = ctx.ev.literal(node, env)
            if node is None:
                layer["activation"] = entry["default_cell_activation"]
            elif isinstance(value, str):
                layer["activation"] = value
                at["activation"] = location(node)
            else:
                layer["activation"] = UNKNOWN
                at["activation"] = location(node)
                ctx.note(node, f"nonlinearity of nn.{name} at line {node.lineno} is not a literal: the cell activation is unknown")
        if entry["bidirectional"] is not None and ctx.ev.literal(arg(call, tuple(entry["bidirectional"])), env) is True:
            layer["bidirectional"] = True
        return Leaf((Entry(layer, at, returns_tuple=entry["returns_tuple"]),))

    def _container(self, name: str, call: ast.Call, env: Env) -> Spec:
        ctx = self.ctx
        if name == "ModuleList":
            if not call.args:
                return Seq(())
            more = self.specs(call.args[0], env)
            return Seq(tuple(more)) if more is not None else Opaque(f"nn.ModuleList at line {call.lineno}", call)
        items: list[Spec] = []
        if len(call.args) == 1 and isinstance(call.args[0], ast.Call) and ctx.qual(call.args[0].func) in ("collections.OrderedDict", "OrderedDict", "dict"):
            pairs = call.args[0].args[0] if call.args[0].args else None
            if isinstance(pairs, (ast.List, ast.Tuple)):
                for p in pairs.elts:
                    if isinstance(p, ast.Tuple) and len(p.elts) == 2:
                        s = self.spec(p.elts[1], env)
                        items.append(s if s is not None else Opaque("a Sequential entry", p))
                return Seq(tuple(items))
            return Opaque("nn.Sequential(OrderedDict(...)) built at run time", call)
        for a in call.args:
            more = self.spec_arg(a, env)
            items += more if more is not None else [Opaque(f"an argument of nn.Sequential at line {a.lineno}", a)]
        return Seq(tuple(items))

    def activation(self, act: Activation, call: ast.Call, env: Env, at: dict[str, Location]) -> Any:
        """An activation module or function call as a config activation (``{name, alpha}`` for leaky_relu)."""
        if act.alpha is None:
            return act.name
        node = arg(call, act.alpha)
        alpha = self.ctx.ev.literal(node, env)
        if is_number(alpha):
            if node is not None:
                at["activation/alpha"] = location(node)
            return {"name": act.name, "alpha": float(alpha)}
        return act.name

    def activation_entry(self, act: Activation, call: ast.Call, where: Location | None = None) -> Entry:
        """A functional activation as a layer; ``where`` locates it elsewhere than the call."""
        here = where or location(call)
        at = {"": here, "type": here, "activation": here}
        return Entry({"type": "activation", "activation": self.activation(act, call, {}, at)}, at)
