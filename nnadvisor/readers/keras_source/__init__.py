"""Keras, tf.keras, Keras 1/2 and TensorFlow 1 scripts, read statically (parsed, never run).

Models are found where they are built: ``Sequential([...])`` and ``Sequential()`` grown with
``add`` (in order, loops over literal lists unrolled), the functional API (``Model(inputs,
outputs)``, traced back from each output through the layer calls, one head per output),
subclassed ``keras.Model`` classes (layers from ``__init__``, the path from ``call()``), in
factory functions too; each with the ``compile(...)`` its variable gets (through bindings and
factory returns). TensorFlow 1 graphs are read from their loss: the ``logits`` (or predictions)
argument of ``tf.nn.softmax_cross_entropy_with_logits`` and friends, followed back through
``tf.nn.*`` activations, ``tf.layers.dense`` and ``tf.matmul(x, W) + b``.

Layers, losses and optimizers are serialised as Keras writes them (:mod:`.serialize`) and read by
the Keras file reader, so a script and the model it saves get the same findings.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import START, Entry, Part
from nnadvisor.readers.python.evaluate import NO, Evaluator, arg, bind
from nnadvisor.readers.python.index import FUNCTIONS, CallSite, Scope, SourceIndex
from nnadvisor.readers.python.source import read_source
from nnadvisor.readers.python.span import location
from nnadvisor.readers.keras_source.catalogue import catalogue
from nnadvisor.readers.keras_source.graph import Frame, Graph, Step
from nnadvisor.readers.keras_source.serialize import Env, Serializer
from nnadvisor.source import Document, Location

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase


def read(raw: bytes, rulebase: RuleBase, name: str = "-") -> list[ReadResult]:
    return read_source(raw, name, lambda tree, index: _Reader(tree, index, rulebase).read())


@dataclass
class _Model:
    """A model built in the file: where, how, and the variable it is bound to."""

    kind: str
    """``sequential``, ``functional`` or ``subclassed``."""
    site: CallSite
    label: str


class _Reader:
    def __init__(self, tree: ast.Module, index: SourceIndex, rulebase: RuleBase) -> None:
        from nnadvisor.readers.keras import _Reader as KerasFileReader

        self.index = index
        self.cat = cat = catalogue(rulebase.frameworks["keras"])
        self.ev = Evaluator(index)
        self.layer_classes: set[str] = set()
        self.ser = Serializer(index, self.ev, cat, self.layer_classes)
        self.model_classes, layers = self._classes()
        self.layer_classes.update(layers)  # the serialiser's set: custom layers read as opaque
        self.json = KerasFileReader(None, Document(None, self.ser.locations), rulebase.vocabulary)
        self.asm = self.json.asm
        self.graph = Graph(self.ser, self)
        self.keras_at = next((location(s) for s in index.imports if _imports_keras(s)), START)
        self._heads: dict[int, list[tuple[str | None, list[Step]]]] = {}
        self._envs: dict[int, Env] = {}
        self.context: dict[str, tuple[Any, Location]] = {}

    def qual(self, node: ast.AST) -> str | None:
        """The dotted name of a node (the serialiser's, memoised: several passes ask)."""
        return self.ser.qual(node)

    def _classes(self) -> tuple[set[str], set[str]]:
        """Subclassed models and custom layers of the file (also through other classes of it)."""
        models: set[str] = set()
        layers: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, cls in self.index.classes.items():
                if name in models or name in layers:
                    continue
                for base in cls.bases:
                    named = self.cat.keras(self.qual(base))
                    if (named and named[1] in self.cat.model_bases) or (isinstance(base, ast.Name) and base.id in models):
                        models.add(name)
                    elif (named and named[1] in self.cat.layer_bases) or (isinstance(base, ast.Name) and base.id in layers):
                        layers.add(name)
                    else:
                        continue
                    changed = True
                    break
        return models, layers

    # --- the file ------------------------------------------------------------------------------

    def read(self) -> list[ReadResult]:
        try:
            return self._read()
        finally:
            # The graph refers back to the reader: break the cycle, so that the syntax tree is
            # freed at once by reference counting, not later by a collection over all its nodes.
            del self.graph

    def _read(self) -> list[ReadResult]:
        self.context = self.label_context()
        models = self.models()
        compiles = self.compiles(models)
        results: list[ReadResult] = []
        nested = {id(m.site.call) for m in models if self._is_nested(m, models)}
        checked = [m for m in models if id(m.site.call) in compiles] or [m for m in models if id(m.site.call) not in nested]
        applied = self.applied_losses(models)
        checked += [m for m in models if id(m.site.call) in applied and m not in checked]
        several = len(checked) > 1
        for model in checked:
            results += self.model_results(model, compiles.get(id(model.site.call)), several, applied.get(id(model.site.call)))
        results += self.tf1_results()
        if not results:
            self.asm.note(self.keras_at, "no Keras model (Sequential, functional Model, subclassed keras.Model) or TensorFlow graph loss found: nothing was checked")
            results.append(self.asm.result([], None, None, framework_at=self.keras_at))
        return results

    def models(self) -> list[_Model]:
        out: list[_Model] = []
        for site in self.index.calls:
            func = site.call.func
            if isinstance(func, ast.Name) and func.id in self.model_classes:
                out.append(_Model("subclassed", site, self._label(site, func.id)))
                continue
            named = self.cat.keras(self.qual(func))
            if named is None or named[0] not in ("", "models"):
                continue
            if named[1] in self.cat.sequential:
                out.append(_Model("sequential", site, self._label(site, "Sequential")))
            elif named[1] in self.cat.functional and (site.call.args or any(k.arg in ("inputs", "outputs") for k in site.call.keywords)):
                out.append(_Model("functional", site, self._label(site, "Model")))
        return out

    def _label(self, site: CallSite, what: str) -> str:
        stmt = site.stmt
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            return f"{stmt.targets[0].id} ({what}, line {site.call.lineno})"
        return f"the {what} at line {site.call.lineno}"

    def _is_nested(self, model: _Model, models: list[_Model]) -> bool:
        """A model used as a layer of another model built in the file (not checked on its own)."""
        stmt = model.site.stmt
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return False
        name = stmt.targets[0].id
        for site in self.index.calls_of.get(name, []):
            if site.scope is model.site.scope:
                return True  # called on a tensor: used as a layer
        return False

    # --- compile -------------------------------------------------------------------------------

    def compiles(self, models: list[_Model]) -> dict[int, CallSite]:
        """The last ``compile(...)`` of each model (by the id of its constructor call)."""
        by_call = {id(m.site.call): m for m in models}
        out: dict[int, CallSite] = {}
        for site in self.index.calls:
            func = site.call.func
            if isinstance(func, ast.Attribute) and func.attr == "compile":
                built = self.model_of(func.value, site.scope, site.call, 0)
                if built is not None and id(built) in by_call:
                    out[id(built)] = site
        return out

    def model_of(self, expr: ast.expr, scope: Scope, at: ast.AST, depth: int) -> ast.Call | None:
        """The constructor call a model expression stands for (through bindings and factories)."""
        if depth > 8:
            return None
        if isinstance(expr, ast.Name):
            found = self.index.reaching(scope, expr.id, at)
            if found is None and not isinstance(scope, ast.Module):
                bound = self.index.bound(self.index.tree, expr.id)
                found = bound[-1] if bound else None
                scope = self.index.tree
            if found is None or found.value is None or found.path:
                return None
            return self.model_of(found.value, scope, found.stmt, depth + 1)
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in self.cat.model_methods:
            return self.model_of(func.value, scope, at, depth + 1)
        if isinstance(func, ast.Name) and func.id in self.index.functions and func.id not in self.model_classes:
            factory = self.index.functions[func.id]
            for ret in self.index.returns.get(id(factory), []):
                if ret.value is not None:
                    built = self.model_of(ret.value, factory, ret, depth + 1)
                    if built is not None:
                        return built
            return None
        return expr

    def compile_parts(self, site: CallSite | None, heads: list[str | None], env: Env, needs_loss: bool = True) -> tuple[dict[str | None, Part | None], Part | None]:
        if site is None:
            return {}, None
        call = site.call
        ptr = self.ser.pointer("compile")
        self.ser.at(ptr, call)
        config: dict[str, Any] = {}
        for key in ("optimizer", "loss"):
            node = arg(call, (self.cat.compile.index(key), key))
            if node is None:
                continue
            node = self._resolved(node, site.scope, call)
            where = f"{ptr}/{key}"
            config[key] = self.ser.loss(node, env, where) if key == "loss" else self.ser.optimizer(node, env, where)
        if "optimizer" not in config:
            config["optimizer"] = "rmsprop"  # compile()'s default
            self.ser.at(f"{ptr}/optimizer", call)
        losses = self.json.losses(config, ptr, heads) if "loss" in config else {}
        if "loss" not in config and needs_loss and not self._loss_set(site):
            self.asm.note(location(call), f"the model is compiled without a loss at line {call.lineno}: the loss is unknown")
        return losses, self.json.optimizer(config["optimizer"], f"{ptr}/optimizer")

    def _loss_set(self, compiled: CallSite) -> bool:
        return any(True for _ in self._loss_assignments(compiled))

    def _loss_assignments(self, compiled: CallSite) -> list[tuple[ast.Assign, Scope]]:
        """``model.loss = ...`` on the variable a ``compile`` was called on, in the same scope."""
        func = compiled.call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return []
        name = func.value.id
        return [(stmt, scope) for stmt, target, scope in self.index.attribute_sets.get("loss", [])
                if scope is compiled.scope and isinstance(target.value, ast.Name) and target.value.id == name]  # fmt: skip

    def assigned_loss(self, compiled: CallSite | None, heads: list[str | None]) -> dict[str | None, Part | None] | None:
        """The loss a ``model.loss = ...`` after the compile sets (the last one), read as compile's."""
        if compiled is None:
            return None
        found = [(stmt, scope) for stmt, scope in self._loss_assignments(compiled) if stmt.lineno > compiled.call.lineno]
        if not found:
            return None
        stmt, scope = found[-1]
        ptr = self.ser.pointer("compile")
        config = {"loss": self.ser.loss(self._resolved(stmt.value, scope, stmt), self.env(scope), f"{ptr}/loss")}
        return self.json.losses(config, ptr, heads)

    def _resolved(self, node: ast.expr, scope: Scope, at: ast.AST) -> ast.expr:
        """A name bound once to a value (``opt = SGD(lr=0.01)``) stands for that value."""
        for _ in range(4):
            if not isinstance(node, ast.Name):
                return node
            found = self.index.reaching(scope, node.id, at) or next(iter(self.index.bound(self.index.tree, node.id)[-1:]), None)
            if found is None or found.value is None or found.path:
                return node
            node, at = found.value, found.stmt
        return node

    # --- models --------------------------------------------------------------------------------

    def model_results(self, model: _Model, compiled: CallSite | None, several: bool, applied: tuple[Part | None, list[Step]] | None = None) -> list[ReadResult]:
        heads = self.heads(model)
        env = self.env(model.site.scope)
        losses, optimizer = self.compile_parts(compiled, [h for h, _ in heads], env, needs_loss=applied is None)
        losses = self.assigned_loss(compiled, [h for h, _ in heads]) or losses
        if applied is not None:
            # A training loop's loss (GradientTape, train_step) is what the output is trained with;
            # what the loop applies to the output before it is part of the output.
            losses = {None: applied[0]}
            heads = [(head, [*steps, *applied[1]]) for head, steps in heads]
        elif compiled is None:
            self.asm.note(location(model.site.call), f"{model.label} is not compiled in this file: its loss and optimizer are unknown")
        out = []
        for head, steps in heads:
            entries: list[Entry] = []
            for layer, ptr in steps:
                entries += self.json.layer(layer, ptr)
            label = None
            if several:
                label = model.label if head is None or len(heads) == 1 else f"{model.label}, head {head}"
            loss = losses.get(head, losses.get(None))
            out.append(self.asm.result(entries, loss, optimizer, head=head if len(heads) > 1 else None, label=label, framework_at=self.keras_at, context=self.context))
        return out

    def heads(self, model: _Model) -> list[tuple[str | None, list[Step]]]:
        key = id(model.site.call)
        if key not in self._heads:
            self._heads[key] = [(None, [])]  # a model used inside itself reads as empty
            if model.kind == "sequential":
                self._heads[key] = [(None, self.sequential(model.site))]
            elif model.kind == "functional":
                self._heads[key] = self.functional(model.site)
            else:
                self._heads[key] = self.subclassed(model.site)
        return self._heads[key]

    def nested(self, call: ast.Call, frame: Frame) -> list[Step] | None:
        """The layers of a model built by ``call``, used as a layer of another."""
        built = self.model_of(call, frame.scope, call, 0)
        for model in self.models_cache():
            if model.site.call is built:
                heads = self.heads(model)
                return heads[0][1] if heads else []
        return None

    def models_cache(self) -> list[_Model]:
        cached: list[_Model] | None = getattr(self, "_models", None)
        if cached is None:
            cached = self._models = self.models()
        return cached

    def env(self, scope: Scope) -> Env:
        """Static values of a scope: a function's parameter defaults and names bound once to a literal."""
        key = id(scope)
        found = self._envs.get(key)
        if found is not None:
            return found
        env: Env = {}
        if isinstance(scope, FUNCTIONS):
            for name, node in bind(scope, None, method=False)[1].items():
                value = self.ev.literal(node)
                if value is not NO:
                    env[name] = value
        for (scope_id, name), bindings in self.index.bindings.items():
            if scope_id == key and len(bindings) == 1 and bindings[0].value is not None and not bindings[0].path:
                value = self.ev.literal(bindings[0].value, env)
                if value is not NO:
                    env[name] = value
        self._envs[key] = env
        return env

    def _layer_step(self, node: ast.expr, frame: Frame) -> list[Step]:
        """One entry of a Sequential: a layer call, a name bound to one, a nested model, or opaque."""
        ser = self.ser
        if isinstance(node, ast.Name):
            resolved = self._resolved(node, frame.scope, node)
            if resolved is not node:
                return self._layer_step(resolved, frame)
        if isinstance(node, ast.Call):
            if ser.layer_name(node):
                ptr = ser.pointer("layer")
                return [(ser.layer(node, frame.env, ptr), ptr)]
            named = self.cat.keras(self.qual(node.func))
            if named is not None and named[1] in self.cat.inputs:
                return []
            nested = self.nested(node, frame)
            if nested is not None:
                return nested
        ptr = ser.pointer("opaque")
        ser.at(f"{ptr}/class_name", node)
        what = self.qual(node.func) if isinstance(node, ast.Call) else None
        return [({"class_name": what or "a layer computed at run time", "config": {}}, ptr)]

    def sequential(self, site: CallSite) -> list[Step]:
        frame = Frame(site.scope, self.env(site.scope))
        steps: list[Step] = []
        given = arg(site.call, (0, "layers"))
        if isinstance(given, ast.Name):
            given = self._resolved(given, site.scope, site.call)
        if isinstance(given, (ast.List, ast.Tuple)):
            for item in given.elts:
                steps += self._layer_step(item, frame)
        elif given is not None:
            steps += self._layer_step(given, frame)
        stmt = site.stmt
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            steps += self._added(stmt.targets[0].id, stmt, site.scope, frame)
        return steps

    def _added(self, name: str, binding: ast.stmt, scope: Scope, frame: Frame) -> list[Step]:
        """``model.add(layer)`` calls on the model's variable after it is bound, in order."""
        steps: list[Step] = []
        done: set[int] = set()
        for site in self.index.calls:
            func = site.call.func
            if not (isinstance(func, ast.Attribute) and func.attr == "add" and isinstance(func.value, ast.Name) and func.value.id == name):
                continue
            if site.scope is not scope or site.call.lineno < binding.lineno or not site.call.args:
                continue
            seen = self.index.reaching(scope, name, site.call)
            if seen is None or seen.stmt is not binding:
                continue
            loop = self._loop(site.stmt)
            if loop is None:
                steps += self._layer_step(site.call.args[0], frame)
            elif id(loop) not in done:
                done.add(id(loop))
                steps += self._unrolled(loop, name, frame)
        return steps

    def _loop(self, stmt: ast.stmt) -> ast.For | None:
        current: ast.stmt | None = self.index.stmt_parent.get(id(stmt))
        while current is not None:
            if isinstance(current, (ast.For, ast.While)):
                return current if isinstance(current, ast.For) else None
            current = self.index.stmt_parent.get(id(current))
        return None

    def _unrolled(self, loop: ast.For, name: str, frame: Frame) -> list[Step]:
        """``for units in [64, 32]: model.add(Dense(units, ...))``: one pass per literal item."""
        items = self.ev.literal(loop.iter, frame.env)
        if isinstance(loop.iter, ast.Call) and self.qual(loop.iter.func) == "range" and len(loop.iter.args) == 1:
            count = self.ev.literal(loop.iter.args[0], frame.env)
            items = list(range(count)) if isinstance(count, int) and 0 <= count <= 64 else NO
        if not isinstance(items, list) or not isinstance(loop.target, ast.Name) or len(items) > 64:
            ptr = self.ser.pointer("opaque")
            self.ser.at(f"{ptr}/class_name", loop)
            self.asm.note(location(loop), f"layers added in the loop at line {loop.lineno} are not resolved statically")
            return [({"class_name": f"the layers added in the loop at line {loop.lineno}", "config": {}}, ptr)]
        steps: list[Step] = []
        adds = [s for s in ast.walk(loop) if isinstance(s, ast.Call) and isinstance(s.func, ast.Attribute) and s.func.attr == "add" and isinstance(s.func.value, ast.Name) and s.func.value.id == name and s.args]
        for item in items:
            inner = Frame(frame.scope, {**frame.env, loop.target.id: item})
            for call in adds:
                steps += self._layer_step(call.args[0], inner)
        return steps

    def functional(self, site: CallSite) -> list[tuple[str | None, list[Step]]]:
        frame = Frame(site.scope, self.env(site.scope))
        outputs = arg(site.call, (1, "outputs"))
        if isinstance(outputs, ast.Name):
            outputs = self._resolved(outputs, site.scope, site.call)
        named: list[tuple[str | None, ast.expr]] = []
        if isinstance(outputs, (ast.List, ast.Tuple)):
            named = [(self._output_name(e, frame), e) for e in outputs.elts]
        elif isinstance(outputs, ast.Dict):
            named = [(self.ev.literal(k) if k is not None else None, v) for k, v in zip(outputs.keys, outputs.values)]
        elif outputs is not None:
            named = [(None, outputs)]
        heads: list[tuple[str | None, list[Step]]] = []
        for head, expr in named:
            steps = self.graph.chain(expr, frame)
            if steps is None:
                self.asm.note(location(expr), f"the output at line {expr.lineno} is not computed from the model's inputs as far as the reader can see: it is not checked")
                continue
            heads.append((head if isinstance(head, str) else None, steps))
        if len(heads) > 1 and any(h is None for h, _ in heads):
            heads = [(h or f"output {i}", s) for i, (h, s) in enumerate(heads)]
        return heads or [(None, [])]

    def _output_name(self, expr: ast.expr, frame: Frame) -> str | None:
        """An output's name: the ``name=`` of the layer that computes it, else its variable."""
        node: ast.expr | None = expr
        if isinstance(expr, ast.Name):
            found = self.index.reaching(frame.scope, expr.id, expr)
            node = found.value if found is not None else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
            given = self.ev.literal(arg(node.func, (-1, "name")))
            if isinstance(given, str):
                return given
        return expr.id if isinstance(expr, ast.Name) else None

    def subclassed(self, site: CallSite) -> list[tuple[str | None, list[Step]]]:
        name = site.call.func.id  # type: ignore[attr-defined]
        cls = self.index.classes[name]
        methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for c in self._bases(cls):
            for stmt in c.body:
                if isinstance(stmt, FUNCTIONS):
                    methods.setdefault(stmt.name, stmt)
        init, call = methods.get("__init__"), methods.get("call")
        attrs: dict[str, ast.expr] = {}
        env: Env = {}
        if init is not None:
            given, defaults = bind(init, site.call, method=True)
            caller = self.env(site.scope)
            env = {k: self.ev.literal(v, caller) for k, v in given.items()}
            env.update({k: self.ev.literal(v) for k, v in defaults.items()})
            env = {k: v for k, v in env.items() if v is not NO}
            for node in ast.walk(init):
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                            attrs[t.attr] = node.value
        if call is None:
            self.asm.note(location(cls), f"{name} has no call() the reader can see: its output is not resolved")
            return [(None, [])]
        inputs = frozenset(a.arg for a in call.args.args[1:2])
        frame = Frame(call, env, attrs, inputs)
        returns = [r for r in self.index.returns.get(id(call), []) if r.value is not None]
        chains = [self.graph.chain(r.value, frame) for r in returns]
        known = [c for c in chains if c is not None]
        if not known:
            self.asm.note(location(call), f"the output of {name}.call() is not resolved statically")
            return [(None, [])]
        if len(known) > 1 and any([layer for layer, _ in c] != [layer for layer, _ in known[0]] for c in known[1:]):
            self.asm.note(location(call), f"{name}.call() returns along several paths: the first is checked")
        return [(None, known[0])]

    def _bases(self, cls: ast.ClassDef) -> list[ast.ClassDef]:
        order: list[ast.ClassDef] = []
        todo = [cls]
        while todo and len(order) < 16:
            c = todo.pop(0)
            if c not in order:
                order.append(c)
                todo += [self.index.classes[b.id] for b in c.bases if isinstance(b, ast.Name) and b.id in self.index.classes]
        return order

    # --- losses applied outside compile ----------------------------------------------------

    def applied_losses(self, models: list[_Model]) -> dict[int, tuple[Part | None, list[Step]]]:
        """Keras losses called in a training loop or ``train_step``: ``loss_fn(y, model(x))`` for a
        loss object or function (``y_pred`` is the second argument), by the model they read."""
        by_call = {id(m.site.call): m for m in models}
        out: dict[int, tuple[Part | None, list[Step]]] = {}
        for site in self.index.calls:
            call = site.call
            if len(call.args) < 2 and not any(k.arg == "y_pred" for k in call.keywords):
                continue
            found_loss = self._loss_object(call.func, site)
            if found_loss is None:
                continue
            loss, loss_ptr = found_loss
            pred = arg(call, (1, "y_pred"))
            steps: list[Step] = []
            for _ in range(8):  # activations the loop applies to the output, innermost last
                if isinstance(pred, ast.Name):
                    found = self.index.reaching(site.scope, pred.id, pred)
                    pred = found.value if found is not None and not found.path else None
                    continue
                if isinstance(pred, ast.Call) and pred.args:
                    act = self.cat.activation(self.qual(pred.func))
                    if act is not None:
                        steps.insert(0, self.graph._activation(act, pred))
                        pred = pred.args[0]
                        continue
                break
            if not isinstance(pred, ast.Call):
                continue
            built = self._model_called(pred.func, site)
            if built is not None and id(built) in by_call:
                part = self.json.loss(loss, loss_ptr)  # at the pointer its locations were recorded under
                out[id(built)] = (part, steps)
        return out

    def _loss_object(self, func: ast.expr, site: CallSite) -> tuple[Any, str] | None:
        """The serialised loss a callee is (``loss_fn`` bound to ``keras.losses.X(...)``, or
        ``keras.losses.categorical_crossentropy``) and the pointer its locations are under, else
        ``None``."""
        node = self._resolved(func, site.scope, site.call) if isinstance(func, ast.Name) else func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            cls = self.index.enclosing_class(site.scope)
            init = next((m for m in cls.body if isinstance(m, FUNCTIONS) and m.name == "__init__"), None) if cls else None
            node = next((a.value for a in ast.walk(init) if isinstance(a, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == func.attr for t in a.targets)), func) if init else func
        target = node.func if isinstance(node, ast.Call) else node
        named = self.cat.keras(self.qual(target))
        if named is None or named[0] != "losses":
            return None
        ptr = self.ser.pointer("loss")
        value = self.ser.loss(node, {}, ptr)
        self.ser.at(ptr, node)
        return (value, ptr) if value else None

    def _model_called(self, func: ast.expr, site: CallSite) -> ast.Call | None:
        """The model a call in a training loop runs (``model(x)``, ``self(x)`` in ``train_step``)."""
        if isinstance(func, ast.Name) and func.id == "self":
            cls = self.index.enclosing_class(site.scope)
            if cls is not None:
                return next((m.site.call for m in self.models_cache() if isinstance(m.site.call.func, ast.Name) and m.site.call.func.id == cls.name), None)
            return None
        return self.model_of(func, site.scope, site.call, 0)

    # --- what the file shows of its labels ---------------------------------------------------

    def label_context(self) -> dict[str, tuple[Any, Location]]:
        """``labels`` (and ``num_classes``) when the file shows them: one-hot encoding
        (``to_categorical``), a dataset loader whose labels are known (``mnist.load_data()``), a
        directory loader's label mode. One-hot encoding applies to what a loader gave, so it
        wins; other disagreements leave the labels unknown. Said in a note at the line."""
        cat = self.cat
        one_hot: list[tuple[ast.Call, int | None]] = []
        others: list[tuple[str, int | None, ast.Call, str]] = []
        for site in self.index.calls:
            call = site.call
            q = self.qual(call.func) or ""
            last = q.rsplit(".", 1)[-1]
            if q in cat.one_hot or last == "to_categorical":
                n = self.ev.literal(arg(call, (1, "num_classes")))
                one_hot.append((call, n if isinstance(n, int) and not isinstance(n, bool) else None))
            elif last == "load_data" and q.count(".") >= 1 and q.rsplit(".", 2)[-2] in cat.datasets:
                data = cat.datasets[q.rsplit(".", 2)[-2]]
                others.append((data["labels"], data.get("num_classes"), call, f"{q.rsplit('.', 2)[-2]}.load_data() at line {call.lineno}"))
            elif isinstance(call.func, ast.Attribute) and call.func.attr in cat.label_modes or last in cat.label_modes:
                mode = cat.label_modes[call.func.attr if isinstance(call.func, ast.Attribute) else last]
                given = arg(call, (-1, mode["keyword"]))
                value = self.ev.literal(given) if given is not None else mode["default"]
                if isinstance(value, str) and value in mode["values"]:
                    others.append((mode["values"][value], None, call, f"{mode['keyword']}={value!r} at line {call.lineno}"))
        context: dict[str, tuple[Any, Location]] = {}
        if one_hot:
            call, n = one_hot[0]
            context["labels"] = ("one-hot", location(call))
            if n is not None and len({c[1] for c in one_hot}) == 1:
                context["num_classes"] = (n, location(call))
            written = (self.qual(call.func) or "to_categorical").rsplit(".", 1)[-1]
            self.asm.note(location(call), f"labels are taken as one-hot: {written} at line {call.lineno}")
        elif others and len({o[0] for o in others}) == 1:
            labels, n, call, why = others[0]
            context["labels"] = (labels, location(call))
            if n is not None and len({o[1] for o in others}) == 1:
                context["num_classes"] = (n, location(call))
            self.asm.note(location(call), f"labels are taken as {labels}: {why}")
        return context

    # --- TensorFlow 1 ----------------------------------------------------------------------------

    def tf1_results(self) -> list[ReadResult]:
        """One result per TensorFlow loss of the file, with the graph its prediction comes from."""
        out: list[ReadResult] = []
        optimizers = [s for s in self.index.calls if self.qual(s.call.func) in self.cat.tf1_optimizers]
        optimizer: Part | None = None
        if optimizers:
            ptr = self.ser.pointer("optimizer")
            opt = optimizers[0]
            optimizer = self.json.optimizer(self.ser.optimizer(opt.call, self.env(opt.scope), ptr), ptr)
        for site in self.index.calls:
            call = site.call
            q = self.qual(call.func)
            entry = self.cat.tf_losses.get(q or "")
            if entry is not None:
                pred = arg(call, entry["prediction"])
                loss = {"class_name": entry["loss"], "config": {} if entry.get("from_logits") is None else {"from_logits": entry["from_logits"]}}
            elif q in self.cat.tf1_log and self._handwritten_cross_entropy(site):
                pred = call.args[0] if call.args else None
                loss = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": False}}
            else:
                continue
            frame = Frame(site.scope, self.env(site.scope))
            steps = self.graph.chain(pred, frame)
            if steps is None:
                self.asm.note(location(call), f"what is fed into the loss at line {call.lineno} is not resolved statically: its model output is unknown")
                steps = []
            ptr = self.ser.pointer("loss")
            self.ser.at(ptr, call)
            self.ser.at(f"{ptr}/class_name", call)
            entries: list[Entry] = []
            for layer, lptr in steps:
                entries += self.json.layer(layer, lptr)
            out.append(self.asm.result(entries, self.json.loss(loss, ptr), optimizer, framework_at=self.keras_at, context=self.context))
        return out

    def _handwritten_cross_entropy(self, site: CallSite) -> bool:
        """``tf.log(p)`` multiplied by the labels inside a reduction: ``-reduce_sum(y * log(p))``."""
        parent = site.parent
        return isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mult)


def _imports_keras(stmt: ast.stmt) -> bool:
    names = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""] if isinstance(stmt, ast.ImportFrom) else []
    return any(n.split(".")[0] in ("keras", "tensorflow") for n in names)
