"""Model classes of the file: their methods (through base classes of the file) and what their
``__init__`` builds (``self.fc = nn.Linear(...)``, lists and ``nn.ModuleList`` grown with
``append``), with the arguments of the instantiation bound to its parameters."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from nnadvisor.readers.python.evaluate import NO, bind, compare
from nnadvisor.readers.pytorch.context import Context
from nnadvisor.readers.pytorch.modules import Env, Modules
from nnadvisor.readers.pytorch.values import Opaque, Seq, Spec

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class ClassInfo:
    node: ast.ClassDef
    methods: dict[str, Function]
    modules: dict[str, Spec] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    """Static values of ``self.x`` set in ``__init__``."""
    seq_init: list[Spec] | None = None
    sequential: bool = False
    defaults_used: list[str] = field(default_factory=list)


class Classes:
    def __init__(self, ctx: Context, modules: Modules) -> None:
        self.ctx = ctx
        self.modules = modules
        self._infos: dict[tuple[str, int], ClassInfo] = {}
        self._instantiations: dict[str, ast.Call | None] = {}

    def bases_in_file(self, cls: ast.ClassDef) -> list[ast.ClassDef]:
        """The class and its model-class bases defined in the file, in lookup order."""
        classes, models = self.ctx.index.classes, self.ctx.model_classes
        order: list[ast.ClassDef] = []
        todo = [cls]
        while todo and len(order) < 16:
            c = todo.pop(0)
            if c in order:
                continue
            order.append(c)
            todo += [classes[b.id] for b in c.bases if isinstance(b, ast.Name) and b.id in models]
        return order

    def info(self, name: str, call: ast.Call | None) -> ClassInfo:
        key = (name, id(call))
        found = self._infos.get(key)
        if found is not None:
            return found
        cls = self.ctx.index.classes[name]
        methods: dict[str, Function] = {}
        bases = self.bases_in_file(cls)
        for c in reversed(bases):
            for stmt in c.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    methods[stmt.name] = stmt
        sequential = any(self.ctx.qual(b) == "torch.nn.Sequential" for c in bases for b in c.bases)
        info = ClassInfo(cls, methods, sequential=sequential)
        self._infos[key] = info
        init = methods.get("__init__")
        if init is not None:
            self._run(info, init.body, self._bind(init, call, info))
        return info

    def _bind(self, func: Function, call: ast.Call | None, info: ClassInfo) -> Env:
        """``__init__``'s parameters bound to the static arguments of ``call``, else their defaults."""
        given, defaults = bind(func, call, method=True)
        args = func.args
        env: Env = {a.arg: NO for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)[1:]}
        ev = self.ctx.ev
        for p, node in given.items():
            env[p] = ev.literal(node)
        for p, node in defaults.items():
            env[p] = ev.literal(node)
            if call is None and env[p] is not NO:
                info.defaults_used.append(f"{p}={env[p]!r}")
        return env

    # --- __init__, statement by statement ----------------------------------------------------

    def _run(self, info: ClassInfo, body: list[ast.stmt], env: Env) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    self._assign(info, t, stmt.value, env)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and isinstance(env.get(stmt.target.id), list):
                more = self.modules.specs(stmt.value, env)
                env[stmt.target.id] = NO if more is None else [*env[stmt.target.id], *more]
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                self._call(info, stmt.value, env)
            elif isinstance(stmt, ast.If):
                test = self.test(stmt.test, env, info)
                if test is True:
                    self._run(info, stmt.body, env)
                elif test is False:
                    self._run(info, stmt.orelse, env)
                else:
                    self._branches(info, stmt, env)
            elif isinstance(stmt, (ast.With, ast.Try)):
                self._run(info, stmt.body, env)
            elif isinstance(stmt, (ast.For, ast.While, ast.AsyncFor)):
                self._loop(info, stmt, env)

    def _branches(self, info: ClassInfo, stmt: ast.If, env: Env) -> None:
        before_modules, before_env = dict(info.modules), dict(env)
        self._run(info, stmt.body, env)
        after_body, env_body = dict(info.modules), dict(env)
        info.modules = dict(before_modules)
        env.clear()
        env.update(before_env)
        self._run(info, stmt.orelse, env)
        for attr in set(after_body) | set(info.modules):
            a, b = after_body.get(attr), info.modules.get(attr)
            if a is not None and b is not None and a is not b:
                info.modules[attr] = Opaque(f"self.{attr} (set differently in the branches of the if at line {stmt.lineno})", stmt)
                self.ctx.note(stmt, f"self.{attr} depends on a condition that is not resolved statically (line {stmt.lineno})")
            elif b is None and a is not None:
                info.modules[attr] = a
        for k, v in env_body.items():
            if k not in env:
                env[k] = v
            elif env[k] is not v and env[k] != v:
                env[k] = NO

    def _loop(self, info: ClassInfo, stmt: ast.stmt, env: Env) -> None:
        touched: set[str] = set()
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self" and isinstance(node.value, ast.Call):
                        touched.add(f"self.{t.attr}")
                        info.modules[t.attr] = Opaque(f"self.{t.attr} (built in the loop at line {stmt.lineno})", stmt)
                    elif isinstance(t, ast.Name):
                        if isinstance(env.get(t.id), list):
                            touched.add(t.id)
                        env[t.id] = built_in_loop(env.get(t.id), stmt)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                recv = node.func.value
                if node.func.attr in ("append", "extend", "add_module", "insert") and isinstance(recv, ast.Name) and recv.id != "self":
                    if isinstance(env.get(recv.id), list):
                        touched.add(recv.id)
                    env[recv.id] = built_in_loop(env.get(recv.id), stmt)
                elif node.func.attr == "add_module" and isinstance(recv, ast.Name) and recv.id == "self":
                    touched.add("self.add_module")
                elif node.func.attr in ("append", "extend") and isinstance(recv, ast.Attribute):
                    touched.add(f"self.{recv.attr}")
                    info.modules[recv.attr] = Opaque(f"self.{recv.attr} (built in the loop at line {stmt.lineno})", stmt)
        if touched:
            self.ctx.note(stmt, f"layers built in the loop at line {stmt.lineno} ({', '.join(sorted(touched))}) are not resolved statically")

    def _assign(self, info: ClassInfo, target: ast.expr, value: ast.expr, env: Env) -> None:
        ev, modules = self.ctx.ev, self.modules
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            lit = ev.literal(value, env)
            if lit is not NO:
                info.attrs[target.attr] = lit
                return
            spec = modules.spec(value, env, module_only=True)
            if spec is not None:
                info.modules[target.attr] = spec
            return
        if isinstance(target, ast.Name):
            if isinstance(value, (ast.List, ast.Tuple)):
                specs = modules.specs(value, env)
                env[target.id] = specs if specs is not None else NO
                return
            lit = ev.literal(value, env)
            if lit is not NO:
                env[target.id] = lit
                return
            spec = modules.spec(value, env, module_only=True)
            env[target.id] = spec if spec is not None else NO

    def _call(self, info: ClassInfo, call: ast.Call, env: Env) -> None:
        func = call.func
        modules = self.modules
        if isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call):
            if isinstance(func.value.func, ast.Name) and func.value.func.id == "super" and info.sequential:
                items: list[Spec] = []
                for a in call.args:
                    more = modules.spec_arg(a, env)
                    items += more if more is not None else [Opaque("an argument of super().__init__", a)]
                info.seq_init = items
            return
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            recv = func.value.id
            if recv == "self" and func.attr == "add_module" and len(call.args) >= 2:
                key = self.ctx.ev.literal(call.args[0], env)
                spec = modules.spec(call.args[1], env)
                if isinstance(key, str) and spec is not None:
                    info.modules[key] = spec
                    if info.sequential:
                        info.seq_init = [*(info.seq_init or []), spec]
            elif func.attr in ("append", "extend") and isinstance(env.get(recv), list) and call.args:
                more = modules.specs(call.args[0], env) if func.attr == "extend" else modules.spec_arg(call.args[0], env)
                env[recv] = NO if more is None else [*env[recv], *more]
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
            owner = func.value
            if isinstance(owner.value, ast.Name) and owner.value.id == "self" and func.attr in ("append", "extend"):
                current = info.modules.get(owner.attr)
                if isinstance(current, Seq) and call.args:
                    more = modules.specs(call.args[0], env) if func.attr == "extend" else modules.spec_arg(call.args[0], env)
                    info.modules[owner.attr] = Seq((*current.items, *more)) if more is not None else Opaque(f"self.{owner.attr}", call)

    def test(self, test: ast.expr, env: Env, info: ClassInfo | None) -> bool | None:
        """A condition's value when it is static (literals, bound parameters, ``self.training``)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.test(test.operand, env, info)
            return None if inner is None else not inner
        if isinstance(test, ast.Attribute) and isinstance(test.value, ast.Name) and test.value.id == "self":
            if test.attr == "training":
                return True  # the training output is what the loss sees
            if info is not None and test.attr in info.attrs:
                return bool(info.attrs[test.attr])
            return None
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            a, b = self._value(test.left, env, info), self._value(test.comparators[0], env, info)
            return None if a is NO or b is NO else compare(test.ops[0], a, b)
        v = self._value(test, env, info)
        return None if v is NO else bool(v)

    def _value(self, node: ast.expr, env: Env, info: ClassInfo | None) -> Any:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" and info is not None:
            return info.attrs.get(node.attr, NO)
        return self.ctx.ev.literal(node, env)

    def instantiation(self, name: str) -> ast.Call | None:
        """The first call of a model class outside the model classes (its arguments bind ``__init__``)."""
        if name not in self._instantiations:
            self._instantiations[name] = self._instantiation(name)
        return self._instantiations[name]

    def _instantiation(self, name: str) -> ast.Call | None:
        for site in self.ctx.index.calls_of.get(name, []):
            owner = self.ctx.index.enclosing_class(site.scope) if not isinstance(site.scope, ast.ClassDef) else site.scope
            if owner is None or owner.name not in self.ctx.model_classes:
                return site.call
        return None


def built_in_loop(value: Any, stmt: ast.stmt) -> Any:
    """A list of modules extended in a loop: one opaque entry stands for what the loop adds."""
    if isinstance(value, list):
        return [*value, Opaque(f"the layers built in the loop at line {stmt.lineno}", stmt)]
    return NO
