"""A live ``torch.nn.Module`` as the layers on its output path.

- A module of ``torch.nn`` (``nn.Linear``, ``nn.Softmax``, ...) is read from its attributes through
  the PyTorch table (``rules/frameworks/pytorch.yaml``: ``layers``, ``activations.modules``), as the
  source reader reads its constructor: ``out_features`` is the width, ``negative_slope`` leaky
  relu's slope, ``p`` the dropout rate.
- ``nn.Sequential`` (not a subclass with its own ``forward``): its children in order (exact).
- Any other module: its ``forward`` traced by ``torch.fx`` (reached through ``importlib`` only
  because the module's class comes from torch; every exception caught). The output path is
  followed back from the graph's output through submodule calls, functional activations
  (``F.softmax``, ``torch.sigmoid``, the method ``x.softmax``; ``torch.log`` of a softmax is a
  log_softmax), pass-through operations (shape, dropout, pooling, indexing, scaling by a number)
  and, where branches merge, along the longest branch (the merge stays as an opaque layer). A
  submodule whose own ``forward`` cannot be traced is made a leaf of the trace and read on its own.
- A module fx cannot trace: its children in registration order, which is *assumed* to be the
  call order (said). Only when its last child is a known activation module after a known layer
  are those two read (its output layer and activation); everything before them, or the whole
  module otherwise, is one opaque layer: its output activation is unknown and no rule claims
  anything about it.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from nnadvisor.live import duck
from nnadvisor.live.objects import torch_loss, torch_optimizer
from nnadvisor.live.places import ROOT, Places, finish, pointer_of
from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import Assembly, Entry
from nnadvisor.readers.pytorch.catalogue import Activation, Catalogue, catalogue
from nnadvisor.source import Location

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase

_WEIGHTED = frozenset({"dense", "conv", "rnn", "lstm", "gru"})
_RECURRENT = frozenset({"rnn", "lstm", "gru"})
_MAX_DEPTH = 32
_MAX_RETRACES = 16
_OPERATORS = frozenset({"add", "sub", "mul", "truediv", "floordiv", "neg", "pos", "iadd", "isub", "imul", "itruediv"})
_PASS_FUNCTIONS = frozenset({"_operator.getitem", "builtins.getattr"})
_UNWRAP = (("DataParallel", "module"), ("DistributedDataParallel", "module"), ("OptimizedModule", "_orig_mod"))


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path and name else path or name


def _is_node(value: object) -> bool:
    return type(value).__name__ == "Node" and hasattr(value, "op") and hasattr(value, "all_input_nodes")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 140:
        first = first[:137] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _tracer_class(fx: ModuleType) -> Any:
    """A ``torch.fx.Tracer`` that treats the modules in ``nna_leaves`` as leaves and records the
    innermost module whose ``forward`` raised (``nna_culprit``), so that one untraceable submodule
    does not make the whole model unknown."""
    base: Any = fx.Tracer

    def is_leaf_module(self: Any, m: Any, qualname: str) -> bool:
        return qualname in self.nna_leaves or bool(base.is_leaf_module(self, m, qualname))

    def call_module(self: Any, m: Any, forward: Any, args: Any, kwargs: Any) -> Any:
        try:
            return base.call_module(self, m, forward, args, kwargs)
        except Exception:
            if self.nna_culprit is None:
                try:
                    self.nna_culprit = self.path_of_module(m)
                except Exception:  # noqa: BLE001 - a module not registered on the root: no culprit
                    self.nna_culprit = ""
            raise

    return type("LiveTracer", (base,), {"is_leaf_module": is_leaf_module, "call_module": call_module})


class TorchModel:
    """Reads one module tree into entries (layers on the output path), with notes."""

    def __init__(self, cat: Catalogue, asm: Assembly, places: Places, names: duck.Names) -> None:
        self.cat = cat
        self.asm = asm
        self.places = places
        self.names = names
        self._tracer: Any = None

    def note(self, path: str, message: str) -> None:
        self.asm.note(self.places.at(path), message, pointer_of(path))

    def at(self, path: str, *keys: str) -> dict[str, Location]:
        loc = self.places.at(path)
        return {key: loc for key in ("", "type", *keys)}

    # --- modules ---------------------------------------------------------------------------

    def read(self, model: Any) -> list[Entry]:
        """The entries of a model, read in training mode (``forward`` may compute something else
        in eval mode, ``if self.training: return logits``): a module in eval mode is switched
        to training for the reading, and back (only the ``training`` flags change)."""
        model = unwrap(model)
        modules = getattr(model, "modules", None)
        evaluating = [m for m in modules() if getattr(m, "training", True) is False] if callable(modules) else []
        if evaluating:
            self.note(ROOT, "the model is in eval mode: it is read as in training (model.train()), where the loss is applied; its mode is left as it was")
        try:
            for m in evaluating:
                m.training = True
            return self.module(model, "", 0)
        finally:
            for m in evaluating:
                m.training = False

    def torch_class(self, m: Any) -> str | None:
        """The ``torch.nn`` class a module is (a user subclass that keeps its ``forward`` too)."""
        base = duck.framework_class(m, "torch.nn")
        if base is None or base.__name__ == "Module":
            return None
        if base is not type(m) and duck.overrides(m, base, "forward"):
            return None
        return base.__name__

    def module(self, m: Any, path: str, depth: int) -> list[Entry]:
        name = self.torch_class(m)
        if name is not None:
            return self.leaf(m, name, path, depth)
        cls = type(m).__name__
        if depth >= _MAX_DEPTH:
            self.note(path, f"module {cls} is nested too deeply to read: what it computes is unknown")
            return [self.opaque(path, cls, f"module {cls}")]
        if duck.under(duck.module_of(type(m)), "torch"):  # torch.ao.nn and other torch internals
            return [self.opaque(path, cls, f"module {cls}")]
        graph, error = self.trace(m)
        if graph is not None:
            return self.graph(graph, m, path, depth)
        return self.fallback(m, path, error, depth)

    def opaque(self, path: str, name: str, what: str) -> Entry:
        return Entry({"type": "other", "name": name}, self.at(path), opaque=what)

    def leaf(self, m: Any, name: str, path: str, depth: int) -> list[Entry]:
        cat = self.cat
        if name in cat.containers:
            if name != "Sequential":  # ModuleList: not callable, its order is not a call order
                self.note(path, f"nn.{name} at {path or 'the model'} is not called as a whole: what it computes is unknown")
                return [self.opaque(path, name, f"nn.{name}")]
            entries: list[Entry] = []
            for child_name, child in m.named_children():
                entries += self.module(child, join(path, child_name), depth + 1)
            return entries
        if name in cat.keyed_containers or name in cat.loss_classes or name.endswith("Loss"):
            return [self.opaque(path, name, f"nn.{name}")]
        act = cat.activation_modules.get(name)
        if act is not None:
            at = self.at(path, "activation")
            return [Entry({"type": "activation", "activation": self.activation(act, lambda _p: getattr(m, _p[1], None), at)}, at)]
        entry = cat.layers.get(name)
        if entry is None:
            return [self.opaque(path, name, f"nn.{name}")]
        at = self.at(path)
        layer: dict[str, Any] = {"type": entry["type"], "name": name}
        if entry["units"] is not None:
            units = duck.plain(getattr(m, entry["units"][1], None))
            if isinstance(units, int) and not isinstance(units, bool) and units >= 0:
                layer["units"] = units
                at["units"] = at[""]
        for key, place in entry["params"].items():
            value = duck.plain(getattr(m, place[1], None))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                layer[key] = float(value) if key == "rate" else value
        if entry["cell_activation"] is not None:
            cell = getattr(m, entry["cell_activation"][1], None)
            layer["activation"] = cell if isinstance(cell, str) else entry["default_cell_activation"]
            at["activation"] = at[""]
        if entry["bidirectional"] is not None and getattr(m, entry["bidirectional"][1], None) is True:
            layer["bidirectional"] = True
        return [Entry(layer, at, returns_tuple=bool(entry["returns_tuple"]))]

    def activation(self, act: Activation, value_at: Any, at: dict[str, Location]) -> Any:
        """An activation as the config gives it (``{name, alpha}`` for leaky_relu's slope)."""
        if act.alpha is None:
            return act.name
        alpha = duck.plain(value_at(act.alpha))
        if isinstance(alpha, (int, float)) and not isinstance(alpha, bool):
            at["activation/alpha"] = at[""]
            return {"name": act.name, "alpha": float(alpha)}
        return act.name

    # --- torch.fx ---------------------------------------------------------------------------

    def trace(self, m: Any) -> tuple[Any, BaseException | None]:
        """The fx graph of ``m`` (untraceable submodules as leaves), or ``None`` and the error."""
        if not duck.from_torch(m):
            return None, TypeError("its class does not come from the imported torch")
        try:
            if self._tracer is None:
                self._tracer = _tracer_class(importlib.import_module("torch.fx"))
        except Exception as exc:  # noqa: BLE001 - no torch.fx: the model is read without it
            return None, exc
        leaves: set[str] = set()
        error: BaseException | None = None
        for _ in range(_MAX_RETRACES):
            tracer = self._tracer()
            tracer.nna_leaves, tracer.nna_culprit = leaves, None
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return tracer.trace(m), None
            except Exception as exc:  # noqa: BLE001 - the user's forward may raise anything
                error = exc
                culprit = tracer.nna_culprit
                if not culprit or culprit in leaves:
                    return None, exc
                leaves.add(culprit)
        return None, error

    def graph(self, graph: Any, root: Any, path: str, depth: int) -> list[Entry]:
        nodes = list(graph.nodes)
        cls = type(root).__name__
        out = next((n for n in reversed(nodes) if n.op == "output"), None)
        value = out.args[0] if out is not None and out.args else None
        while isinstance(value, (tuple, list)) and value:
            self.note(path, f"{cls}.forward returns a {type(value).__name__}: its first element is read as the output")
            value = value[0]
        if not _is_node(value):
            what = "a dict" if isinstance(value, dict) else "no tensor it computes"
            self.note(path, f"{cls}.forward returns {what}: its output is unknown")
            return [self.opaque(path, cls, f"module {cls}")]
        depth_of: dict[Any, int] = {}
        for n in nodes:
            depth_of[n] = 0 if n.op in ("placeholder", "get_attr") else 1 + max((depth_of.get(i, 0) for i in n.all_input_nodes), default=0)
        backwards: list[Entry] = []
        node: Any = value
        for _ in range(len(nodes) + 1):
            if not _is_node(node) or node.op in ("placeholder", "get_attr", "output"):
                break
            produced, node = self.step(node, root, path, depth, depth_of)
            backwards.extend(reversed(produced))
        return list(reversed(backwards))

    def _path(self, node: Any, path: str) -> str:
        """The object path of a function or method call: ``forward:softmax`` of the module whose
        ``forward`` makes it (``block.forward:relu`` inside submodule ``block``)."""
        stack = node.meta.get("nn_module_stack") if isinstance(getattr(node, "meta", None), dict) else None
        owner = next(reversed(stack), "") if stack else ""
        base = join(path, str(owner))
        return f"{base}.forward:{node.name}" if base else f"forward:{node.name}"

    def _inputs(self, node: Any, depth_of: dict[Any, int]) -> tuple[Any, Any, int]:
        """(the first tensor argument, the deepest input, how many tensor inputs)."""
        ins = [i for i in node.all_input_nodes if i.op != "get_attr"]
        deepest = max(ins, key=lambda i: depth_of.get(i, 0)) if ins else None
        first = node.args[0] if node.args and _is_node(node.args[0]) else node.kwargs.get("input", deepest)
        return (first if _is_node(first) else deepest), deepest, len(ins)

    def _activation_at(self, node: Any, root: Any) -> Activation | None:
        """The activation a node computes (function, method or activation module), if any."""
        if node.op == "call_function":
            return self.cat.activation_functions.get(self.names.qual(node.target) or "")
        if node.op == "call_method":
            return self.cat.activation_methods.get(str(node.target))
        if node.op == "call_module":
            try:
                sub = root.get_submodule(str(node.target))
            except Exception:  # noqa: BLE001 - not a registered submodule
                return None
            name = self.torch_class(sub)
            return self.cat.activation_modules.get(name) if name is not None else None
        return None

    def step(self, node: Any, root: Any, path: str, depth: int, depth_of: dict[Any, int]) -> tuple[list[Entry], Any]:
        """What one node on the output path adds (in order), and the node it reads."""
        first, deepest, count = self._inputs(node, depth_of)
        op = node.op
        if op == "call_module":
            target = str(node.target)
            try:
                sub = root.get_submodule(target)
            except Exception:  # noqa: BLE001 - not a registered submodule
                return [self.opaque(join(path, target), target, f"module {target}")], first
            return self.module(sub, join(path, target), depth + 1), first
        where = self._path(node, path)
        if op == "call_function":
            qual = self.names.qual(node.target) or ""
            fname = getattr(node.target, "__name__", None) or str(node.target)
            method = None
        else:
            qual = ""
            fname = method = str(node.target)
        act = self._activation_at(node, root)
        if act is not None:
            at = self.at(where, "activation")

            def arg(place: tuple[int, str]) -> Any:
                if len(node.args) > place[0] >= 0:
                    return node.args[place[0]]
                return node.kwargs.get(place[1])

            return [Entry({"type": "activation", "activation": self.activation(act, arg, at)}, at)], first
        cat = self.cat
        if qual == "torch.log" or method == "log":
            inner = self._activation_at(first, root) if _is_node(first) else None
            logged = cat.log_of.get(inner.name) if inner is not None else None
            if logged is not None:
                at = self.at(where, "activation")
                after, _, _ = self._inputs(first, depth_of)
                return [Entry({"type": "activation", "activation": logged}, at)], after
        if (method is not None and method in cat.passthrough_methods) or qual in cat.passthrough_functions or qual in cat.reductions or qual in _PASS_FUNCTIONS:
            return [], first
        if qual.startswith("_operator.") and qual[len("_operator.") :] in _OPERATORS and count <= 1:
            return [], first  # scaling or shifting by a number (logits / T)
        if qual in cat.merge_functions or (qual.startswith("_operator.") and count >= 2):
            what = f"a merge of branches ({fname})"
            return [Entry({"type": "other", "name": fname}, self.at(where), merge=True, opaque=what)], deepest
        what = f"the tensor method {method}" if method is not None else f"the function {fname}"
        return [self.opaque(where, fname, what)], deepest

    # --- when fx cannot trace ----------------------------------------------------------------

    def fallback(self, m: Any, path: str, error: BaseException | None, depth: int) -> list[Entry]:
        cls = type(m).__name__
        reason = f" ({_reason(error)})" if error is not None else ""
        block = self.opaque(path, cls, f"module {cls}")
        children = list(m.named_children())
        if len(children) >= 2:
            (prev_name, prev), (last_name, last) = children[-2], children[-1]
            prev_cls, last_cls = self.torch_class(prev), self.torch_class(last)
            layer = self.cat.layers.get(prev_cls or "")
            if last_cls in self.cat.activation_modules and layer is not None and layer["type"] in _WEIGHTED:
                prev_path, last_path = join(path, prev_name), join(path, last_name)
                self.note(
                    path,
                    f"torch.fx cannot trace {cls}.forward{reason}: its submodules are taken in registration order, which is "
                    f"assumed, not known, to be the order forward calls them; its last two, {prev_path} (nn.{prev_cls}) and "
                    f"{last_path} (nn.{last_cls}), are read as its output layer and activation, and what comes before them is unknown",
                )
                assert prev_cls is not None and last_cls is not None
                return [block, *self.leaf(prev, prev_cls, prev_path, depth + 1), *self.leaf(last, last_cls, last_path, depth + 1)]
        self.note(path, f"torch.fx cannot trace {cls}.forward{reason}: the order in which it calls its submodules is unknown, so what it computes is unknown")
        return [block]


def unwrap(model: Any) -> Any:
    """The module a wrapper runs (``nn.DataParallel``, ``DistributedDataParallel``, ``torch.compile``)."""
    for _ in range(8):
        for name, attr in _UNWRAP:
            inner = getattr(model, attr, None)
            if type(model).__name__ == name and duck.is_torch_module(inner):
                model = inner
                break
        else:
            return model
    return model


def recurrent(entries: list[Entry]) -> bool:
    return any(e.layer.get("type") in _RECURRENT for e in entries)


def read(model: Any, loss: Any, optimizer: Any, rulebase: RuleBase, context: Mapping[str, Any]) -> list[ReadResult]:
    """One result: the module's output path, its loss and its optimizer (each may be ``None``)."""
    cat = catalogue(rulebase.frameworks["pytorch"])
    asm = Assembly("pytorch", rulebase.vocabulary)
    places = Places()
    names = duck.Names([*cat.activation_functions, *cat.passthrough_functions, *cat.merge_functions, *cat.reductions, *cat.loss_functions, "torch.log"])

    def note(path: str, message: str) -> None:
        asm.note(places.at(path), message, pointer_of(path))

    if model is None:
        entries: list[Entry] = []
        note(ROOT, "no model was given: its layers are unknown")
    else:
        entries = TorchModel(cat, asm, places, names).read(model)
    loss_part = torch_loss(loss, cat, names, places.at("loss"), note) if loss is not None else None
    optimizer_part = torch_optimizer(optimizer, cat, places.at("optimizer"), note) if optimizer is not None else None
    if loss is None and optimizer is None:
        note(ROOT, "no loss and no optimizer were given: the loss and the optimizer are unknown")
    elif loss is None:
        note("loss", "no loss was given: the loss is unknown")
    elif optimizer is None:
        note("optimizer", "no optimizer was given: the optimizer is unknown")
    unknowns: frozenset[str] = frozenset()
    if optimizer_part is not None and recurrent(entries):
        note("optimizer", "a PyTorch model's gradients are clipped in its training loop (clip_grad_norm_), which is not given: whether they are clipped is unknown")
        unknowns = frozenset({"/optimizer/clipnorm"})
    result = asm.result(entries, loss_part, optimizer_part)
    if unknowns:
        result.unknowns = result.unknowns | unknowns
    return [finish(result, places.paths, rulebase.vocabulary, context, [])]
