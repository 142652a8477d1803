"""PyTorch sources, read statically: parsed with :mod:`ast`, never imported, never executed.

The reader is a package on the shared Python core (:mod:`nnadvisor.readers.python`):

- :mod:`.catalogue`: PyTorch's API from ``rules/frameworks/pytorch.yaml``;
- :mod:`.modules`: what constructor expressions build; :mod:`.classes`: what ``__init__`` builds;
- :mod:`.forward`: a model's output path from its ``forward``;
- :mod:`.losses`, :mod:`.script`: where losses are applied and what model output each reads;
- this module: one result per (model output, loss) pair, with its optimizer.

Several models are each checked with the losses their outputs reach (a GAN's BCE on the
discriminator, not the generator). What cannot be followed is said (NNA002) and fires nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import START, Assembly, Entry, Part
from nnadvisor.readers.python.evaluate import Evaluator, arg
from nnadvisor.readers.python.index import FUNCTIONS, CallSite, Scope, SourceIndex
from nnadvisor.readers.python.source import read_source
from nnadvisor.readers.python.span import location
from nnadvisor.readers.pytorch.catalogue import catalogue
from nnadvisor.readers.pytorch.classes import Classes
from nnadvisor.readers.pytorch.context import Context
from nnadvisor.readers.pytorch.forward import Forward, _Frame
from nnadvisor.readers.pytorch.losses import Application, constructors, functional_applications
from nnadvisor.readers.pytorch.modules import Modules
from nnadvisor.readers.pytorch.script import CustomLoss, LossObj, Script
from nnadvisor.readers.pytorch.values import ModelRef, Opaque, Out, Seq, Sub, Tup, Value
from nnadvisor.source import Location

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase


def read(raw: bytes, rulebase: RuleBase, name: str = "-") -> list[ReadResult]:
    return read_source(raw, name, lambda tree, index: _Reader(tree, index, rulebase).read())


@dataclass
class _Pair:
    """A model output and the loss applied to it."""

    app: Application
    value: Value
    ref: ModelRef | None


class _Reader:
    def __init__(self, tree: ast.Module, index: SourceIndex, rulebase: RuleBase) -> None:
        cat = catalogue(rulebase.frameworks["pytorch"])
        self.ctx = ctx = Context(index, Evaluator(index), cat, Assembly("pytorch", rulebase.vocabulary))
        ctx.find_model_classes()
        self.modules = Modules(ctx)
        self.classes = Classes(ctx, self.modules)
        self.forward = Forward(ctx, self.modules, self.classes)
        self.script = Script(ctx, self.modules, self.classes, self.forward)
        self.torch_at = next((location(s) for s in index.imports if _imports_torch(s)), START)
        self.loss_unknown = False

    # --- the whole file ------------------------------------------------------------------------

    def read(self) -> list[ReadResult]:
        apps = self.applications()
        pairs = self.pairs(apps)
        optimizers = self.optimizers()
        asm = self.ctx.asm
        results: list[ReadResult] = []
        if pairs:
            labelled = len(pairs) > 1
            for pair in pairs:
                entries = self.forward.flatten(pair.value, pair.app.site.call) if pair.value is not None else []
                optimizer = self.optimizer_for(pair.ref, optimizers)
                label = self._label(pair) if labelled else None
                results.append(asm.result(entries, pair.app.part, optimizer, label=label, framework_at=self.torch_at))
            return results
        model = self.model_alone(optimizers)
        optimizer = self.optimizer_for(model[1] if model else None, optimizers)
        loss = self.loss_alone()
        if model is None and loss is None and not apps and optimizer is None:
            asm.note(START, "no PyTorch model (nn.Module subclass or nn.Sequential), criterion or optimizer found: nothing was checked")
        elif model is None:
            asm.note(self.torch_at, "no model (nn.Module subclass or nn.Sequential) found in this file: only the loss and the optimizer are checked")
        elif loss is None and not self.loss_unknown:
            asm.note(self.torch_at, "no criterion (nn.XLoss or F.cross_entropy-style call) found in this file: the loss is unknown")
        return [asm.result(model[0] if model else [], loss, optimizer, framework_at=self.torch_at)]

    def loss_alone(self) -> Part | None:
        """With no loss application in the file: the loss object it builds, when it builds one
        (a script that defines its model, criterion and optimizer and trains elsewhere)."""
        if self.loss_unknown:
            return None
        for (_, name), bindings in self.ctx.index.bindings.items():
            if not self.ctx.cat.says_loss(name):
                continue
            for b in bindings:
                if isinstance(b.value, ast.Call):
                    o = self.script.value_obj(b.value, self.ctx.index.tree, b.stmt, {}, 0)
                    if isinstance(o, CustomLoss):
                        self.loss_unknown = True
                        self.ctx.note(b.stmt, f"{name} at line {location(b.stmt).line} is {o.label}, not a built-in loss: the loss is unknown")
        if self.loss_unknown:
            return None
        parts: dict[str, Part] = {}
        for site in constructors(self.ctx):
            if self._in_loss_class(site.scope):
                continue
            o = self.script.value_obj(site.call, site.scope, site.call, {}, 0)
            if isinstance(o, LossObj):
                parts.setdefault(repr(o.part.value), o.part)
        if len(parts) > 1:
            lines = ", ".join(str(p.at[""].line) for p in parts.values())
            self.ctx.asm.note(next(iter(parts.values())).at[""], f"several losses are built in this file (lines {lines}) and none is applied to a model output: the loss is unknown")
            return None
        return next(iter(parts.values()), None)

    def _label(self, pair: _Pair) -> str:
        model = pair.ref.label if pair.ref is not None else "model"
        return f"{model} into {pair.app.name} (line {pair.app.site.call.lineno})"

    # --- losses --------------------------------------------------------------------------------

    def applications(self) -> list[Application]:
        """Every loss application of the file, outside custom loss classes."""
        ctx, script = self.ctx, self.script
        apps = functional_applications(ctx)
        made: set[int] = set()
        for site in constructors(ctx):
            made.add(id(site.call))
            if site.in_choice or (site.in_display and not _unpacked(site)):
                self.loss_unknown = True
                ctx.note(site.call, f"the loss at line {site.call.lineno} is chosen by a condition or from a collection: it is unknown")
            elif isinstance(site.parent, ast.Call) and site.parent.func is site.call:
                name = ctx.cat.loss_class(ctx.qual(site.call.func)) or ""
                from nnadvisor.readers.pytorch.losses import loss_part

                inline = CallSite(site.parent, site.scope, site.stmt)
                apps.append(Application(name, loss_part(ctx, name, site.call), inline, arg(site.parent, ctx.cat.loss_classes.get(name, (0, "input")))))
        for site in ctx.index.calls:
            call = site.call
            func = call.func
            if not call.args or id(call) in made:
                continue
            if isinstance(func, ast.Name):
                if func.id in ctx.index.functions or func.id in ctx.model_classes or func.id in ctx.index.aliases:
                    continue
            elif not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"):
                continue
            o = script.obj(func, site.scope, call)
            if isinstance(o, LossObj):
                apps.append(Application(o.name, o.part, site, arg(call, ctx.cat.loss_classes.get(o.name, (0, "input")))))
            elif isinstance(o, CustomLoss):
                self.loss_unknown = True
                ctx.note(call, f"the loss at line {call.lineno} is {o.label}, not a built-in loss: it is unknown")
                apps.append(Application(o.label, None, site, call.args[0]))
            elif o is None and ctx.cat.says_loss(func.id if isinstance(func, ast.Name) else func.attr):
                name = func.id if isinstance(func, ast.Name) else f"self.{func.attr}"
                found = script.binding(func.id, site.scope, call) if isinstance(func, ast.Name) else None
                where = found[0].stmt if found is not None else call
                self.loss_unknown = True
                ctx.note(where, f"{name} (line {getattr(where, 'lineno', call.lineno)}) is computed at run time, not a built-in loss: the loss is unknown")
                apps.append(Application(name, None, site, call.args[0]))
        return [a for a in apps if not self._in_loss_class(a.site.scope)]

    def _in_loss_class(self, scope: Scope) -> bool:
        cls = scope if isinstance(scope, ast.ClassDef) else self.ctx.index.enclosing_class(scope)
        return cls is not None and cls.name in self.script.loss_classes

    def pairs(self, apps: list[Application]) -> list[_Pair]:
        """Each application with the model output its prediction reads; eval-only duplicates dropped."""
        ctx = self.ctx
        captured: dict[int, Value] = {}
        by_stmt: dict[int, list[CallSite]] = {}
        owners: set[str] = set()
        for a in apps:
            cls = self.ctx.index.enclosing_class(a.site.scope)
            if cls is not None and cls.name in ctx.model_classes and a.pred is not None:
                by_stmt.setdefault(id(a.site.stmt), []).append(a.site)
                owners.add(cls.name)
        preds = {id(a.site.call): a.pred for a in apps}

        def on_loss(site: CallSite, env: dict[str, Value], frame: _Frame) -> None:
            pred = preds.get(id(site.call))
            if pred is not None and id(site.call) not in captured:
                captured[id(site.call)] = self.forward.trace(pred, env, frame)

        self.forward.hooks, self.forward.on_loss = by_stmt, on_loss
        for name in sorted(owners):
            self.forward.output(name, self.classes.instantiation(name))
        self.forward.hooks, self.forward.on_loss = {}, None
        pairs: list[_Pair] = []
        for a in apps:
            if id(a.site.call) in captured:
                cls = self.ctx.index.enclosing_class(a.site.scope)
                assert cls is not None
                owner = self.script._class_ref(cls.name, None)
                value = captured[id(a.site.call)]
                value = Out(value.path, owner) if isinstance(value, Out) else value
            else:
                self.script.meets = location(a.pred) if a.pred is not None else None
                value = self.script.resolve(a.pred, a.site.scope, a.site.call)
                self.script.meets = None
            ref = value.ref if isinstance(value, Out) else None
            if not isinstance(value, Out):
                what = "a tuple" if isinstance(value, Tup) else "not resolved statically"
                ctx.note(a.pred if a.pred is not None else a.site.call, f"what is fed into {a.name} at line {a.site.call.lineno} is {what}: its model output is unknown")
                value = None
            pairs.append(_Pair(a, value, ref))
        return self._dedupe(self._training_only(pairs))

    def _training_only(self, pairs: list[_Pair]) -> list[_Pair]:
        words = self.ctx.cat.eval_words

        def evaluating(pair: _Pair) -> bool:
            scope = pair.app.site.scope
            name = scope.name.lower() if isinstance(scope, FUNCTIONS) else ""
            return any(w in name for w in words)

        training = {p.ref.key if p.ref else None for p in pairs if not evaluating(p)}
        return [p for p in pairs if not evaluating(p) or (p.ref.key if p.ref else None) not in training]

    def _dedupe(self, pairs: list[_Pair]) -> list[_Pair]:
        from nnadvisor.readers.pytorch.forward import same

        out: list[_Pair] = []
        for p in pairs:
            if any(_same_loss(p.app, q.app) and (p.value is q.value or (p.value is not None and q.value is not None and same(p.value, q.value)))
                   and (p.ref is q.ref or (p.ref is not None and q.ref is not None and p.ref.key == q.ref.key)) for q in out):  # fmt: skip
                continue
            out.append(p)
        return out

    # --- a model checked without a loss --------------------------------------------------------

    def model_alone(self, optimizers: list[tuple[CallSite, Part, set[str]]]) -> tuple[list[Entry], ModelRef] | None:
        """With no loss application in the file: the model given to the optimizer, else the last defined."""
        candidates = self._candidates()
        keys = {k for _, _, refs in optimizers for k in refs}
        chosen: ModelRef | None = next((c for c in candidates if c.key in keys), None)
        if chosen is None and keys:
            chosen = self._optimizer_ref(optimizers)
            if chosen is None or isinstance(chosen.spec, Opaque):
                return None  # a model from elsewhere (an import, a hub): only the loss and optimizer are checked
        if chosen is None:
            if not candidates:
                return None
            chosen = candidates[-1]
            if len(candidates) > 1:
                names = ", ".join(c.label for c in candidates)
                self.ctx.note(chosen.node, f"{len(candidates)} models in this file ({names}): {chosen.label} is checked (the last defined)")
        elif len(candidates) > 1:
            self.ctx.note(chosen.node, f"{len(candidates)} models in this file: {chosen.label} is checked (it is passed to the optimizer)")
        if isinstance(chosen.spec, Sub):
            cls = self.ctx.index.classes[chosen.spec.cls]
            info = self.classes.info(chosen.spec.cls, chosen.spec.call)
            entries = self.forward.flatten(self.script.output(chosen), cls)
            if chosen.spec.call is None and info.defaults_used:
                self.ctx.note(cls, f"{cls.name} is not instantiated in this file: the defaults of its __init__ parameters are used ({', '.join(info.defaults_used)})")
            return entries, chosen
        return self.forward.flatten(self.script.output(chosen), chosen.node), chosen

    def _optimizer_ref(self, optimizers: list[tuple[CallSite, Part, set[str]]]) -> ModelRef | None:
        for site, _, _ in optimizers:
            for recv in self._parameter_owners(site):
                o = self.script.obj(recv, site.scope, site.call)
                if isinstance(o, ModelRef):
                    return o
        return None

    def _candidates(self) -> list[ModelRef]:
        ctx = self.ctx
        used: set[str] = set()
        for name in ctx.model_classes:
            for node in ast.walk(ctx.index.classes[name]):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ctx.model_classes and node.func.id != name:
                    used.add(node.func.id)
        out: list[tuple[int, ModelRef]] = []
        for name in ctx.model_classes:
            cls = ctx.index.classes[name]
            if name in used or name in self.script.loss_classes:
                continue
            if any(isinstance(n, ast.Call) and (ctx.cat.nn_name(ctx.qual(n.func)) or (isinstance(n.func, ast.Name) and n.func.id in ctx.model_classes)) for n in ast.walk(cls)):
                out.append((cls.lineno, self.script._class_ref(name, None)))
        for site in ctx.index.calls:
            if ctx.qual(site.call.func) == "torch.nn.Sequential" and not isinstance(site.scope, ast.ClassDef) and ctx.index.enclosing_class(site.scope) is None:
                if isinstance(site.parent, ast.Call) or isinstance(site.parent, ast.Starred):
                    continue  # nested in another Sequential
                o = self.script.value_obj(site.call, site.scope, site.call, {}, 0)
                if isinstance(o, ModelRef) and isinstance(o.spec, Seq):
                    out.append((site.call.lineno, o))
        out.sort(key=lambda c: c[0])
        return [ref for _, ref in out]

    # --- optimizers and clipping ---------------------------------------------------------------

    def optimizers(self) -> list[tuple[CallSite, Part, set[str]]]:
        """Each optimizer of the file, with the keys of the models whose parameters it takes."""
        out: list[tuple[CallSite, Part, set[str]]] = []
        for site in self.ctx.index.calls:
            name = self.ctx.cat.optimizer(self.ctx.qual(site.call.func))
            if name is None:
                continue
            refs: set[str] = set()
            for recv in self._parameter_owners(site):
                o = self.script.obj(recv, site.scope, site.call)
                if isinstance(o, ModelRef):
                    refs.add(o.key)
            out.append((site, self._optimizer_part(name, site), refs))
        self._clipping([part for _, part, _ in out])
        return out

    def _parameter_owners(self, site: CallSite) -> list[ast.expr]:
        """The models in an optimizer's ``params`` (``model.parameters()``, ``model.fc.parameters()``)."""
        call = site.call
        params = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "params"), None)
        if isinstance(params, ast.Name):
            found = self.script.binding(params.id, site.scope, call)
            params = found[0].value if found is not None and found[0].value is not None else params
        out: list[ast.expr] = []
        if params is None:
            return out
        for node in ast.walk(params):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("parameters", "named_parameters"):
                recv = node.func.value
                while isinstance(recv, ast.Attribute) and not (isinstance(recv.value, ast.Name) and recv.value.id == "self"):
                    recv = recv.value
                out.append(recv)
        return out

    def optimizer_for(self, ref: ModelRef | None, optimizers: list[tuple[CallSite, Part, set[str]]]) -> Part | None:
        """The optimizer of a model: the one taking its parameters, else the file's only one."""
        if not optimizers:
            return None
        distinct = {repr(p.value): p for _, p, _ in optimizers}
        if len(distinct) == 1:
            return _copy(next(iter(distinct.values())))
        if ref is not None:
            mine = {repr(p.value): p for _, p, refs in optimizers if ref.key in refs}
            if len(mine) == 1:
                return _copy(next(iter(mine.values())))
        lines = ", ".join(str(site.call.lineno) for site, _, _ in optimizers)
        self.ctx.note(optimizers[0][0].call, f"several different optimizers in this file (lines {lines}): the optimizer of {ref.label if ref else 'the model'} is unknown")
        return None

    def _optimizer_part(self, name: str, site: CallSite) -> Part:
        ctx = self.ctx
        call = site.call
        here = location(call)
        env = self.script.env(site.scope, call)
        spec: dict[str, Any] = {"name": name}
        at: dict[str, Location] = {"": here, "name": here}
        given: dict[str, ast.expr] = {}
        for key, node in zip(ctx.cat.optimizers.get(name, ("lr",)), call.args[1:]):
            if isinstance(node, ast.Starred):
                break
            given[key] = node
        for kw in call.keywords:
            if kw.arg is not None:
                given[kw.arg] = kw.value
        for key, node in given.items():
            target = ctx.cat.optimizer_params.get(key)
            if target is None:
                continue
            value = ctx.ev.literal(node, env)
            if key == "betas":
                ok = isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)
            elif target in ("nesterov", "amsgrad", "centered", "decoupled_weight_decay"):
                ok = isinstance(value, bool)
            else:
                ok = _number(value)
            if not ok:
                ctx.note(node, f"{key} of {name} at line {node.lineno} is not a literal: it is unknown")
                continue
            if key == "betas":
                spec["beta_1"], spec["beta_2"] = float(value[0]), float(value[1])
                at["beta_1"] = at["beta_2"] = at["betas"] = location(node)
            else:
                spec[target] = value
                at[target] = location(node)
                if key != target:
                    at[key] = location(node)
        return Part(spec, at)

    def _clipping(self, parts: list[Part]) -> None:
        """Gradient clipping anywhere in the file applies to its optimizers (``clip_grad_norm_``,
        ``clip_grad_value_``, Lightning's ``Trainer(gradient_clip_val=...)``)."""
        ctx = self.ctx
        trainer = ctx.cat.trainer_clipping
        for site in ctx.index.calls:
            call = site.call
            f = call.func
            fname = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
            q = ctx.qual(f) or ""
            if fname == "Trainer" and "lightning" in q:
                node = next((k.value for k in call.keywords if k.arg == trainer["threshold"]), None)
                if node is None:
                    continue
                algorithm = ctx.ev.literal(next((k.value for k in call.keywords if k.arg == trainer["algorithm"]), None))
                key = "clipvalue" if algorithm == "value" else "clipnorm"
            elif fname in ctx.cat.clipping:
                key, place = ctx.cat.clipping[fname]
                node = arg(call, place)
            else:
                continue
            if not parts:
                ctx.note(call, f"gradient clipping at line {call.lineno}, but no optimizer is found to attach it to")
                return
            value = ctx.ev.literal(node, self.script.env(site.scope, call)) if node is not None else None
            threshold = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float("nan")
            for part in parts:
                if isinstance(part.value, str):
                    part.value = {"name": part.value}
                part.value[key] = threshold
                part.at[key] = location(call)
            if threshold != threshold:  # nan: not a literal
                ctx.note(call, f"gradient clipping at line {call.lineno} has a non-literal threshold: clipping is present, its value unknown")
            return


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _copy(part: Part) -> Part:
    return Part(dict(part.value) if isinstance(part.value, dict) else part.value, dict(part.at))


def _same_loss(a: Application, b: Application) -> bool:
    return a.name == b.name and repr(a.part.value if a.part else None) == repr(b.part.value if b.part else None)


def _unpacked(site: CallSite) -> bool:
    """A call that is one element of a tuple unpacked by its assignment (``ce, mse = nn.X(), nn.Y()``)."""
    stmt = site.stmt
    return (
        isinstance(stmt, ast.Assign) and stmt.value is site.parent and isinstance(site.parent, ast.Tuple)
        and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple) and len(stmt.targets[0].elts) == len(site.parent.elts)
    )  # fmt: skip


def _imports_torch(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Import):
        return any(a.name.split(".")[0] == "torch" for a in stmt.names)
    return isinstance(stmt, ast.ImportFrom) and (stmt.module or "").split(".")[0] == "torch" and stmt.level == 0
