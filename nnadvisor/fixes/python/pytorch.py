"""Fixes in PyTorch sources: the output activation (an ``nn.Sequential`` element, a module
attribute used in ``forward``, a functional call, a tensor method, an activation the training
code applies before the loss), the loss (class or function) and the optimizer's arguments.

An activation a fix removes:

- ``nn.Softmax(dim=1)`` ending an ``nn.Sequential(...)`` (or a list of layers given to one, or
  appended to it): the element with its comma, and its line when it is alone on it;
- ``self.act = nn.Softmax(dim=1)`` used once as ``x = self.act(x)``: the use (the definition stays);
- ``return F.softmax(self.fc(x), dim=1)``, ``torch.sigmoid(...)``, ``x.softmax(dim=-1)``: the
  argument; ``x = F.softmax(x, dim=1)`` before ``return x``: the line;
- ``probs = F.softmax(logits, dim=1)`` then ``criterion(probs, y)``: ``criterion(logits, y)``
  (``probs`` stays for the other uses), or ``probs = logits`` when ``probs`` has no other use.
"""

from __future__ import annotations

import ast
from typing import Any

from nnadvisor.fixes.python.writer import Changes, Writer
from nnadvisor.readers.pytorch.catalogue import FUNCTIONAL, NN, OPTIM, TORCH


class TorchWriter(Writer):
    framework = "pytorch"

    # --- activations ----------------------------------------------------------------------------

    def activation(self, index: int, layer: dict[str, Any], new: str) -> Changes | None:
        pointer = f"/layers/{index}"
        if self.shared(pointer):
            return None
        old = self.know.canonical("activation", layer.get("activation"))
        if layer.get("type") == "activation" and old is not None:
            return self._standalone(pointer, old, new)
        if old is not None and self.location(f"{pointer}/activation") != self.location(pointer):
            return self._cell_activation(pointer, new)
        if layer.get("activation") is None and f"{pointer}/activation" not in self.doc.locations and new != "linear":
            return self._add(pointer, new)
        return None

    def _add(self, pointer: str, new: str) -> Changes | None:
        """An activation after a layer that has none: ``nn.Sigmoid()`` after ``nn.Linear(32, 1)``
        in its ``nn.Sequential(...)`` (or list of layers), or ``torch.sigmoid(self.out(h))`` where
        ``forward`` calls it. Not for a normalising activation: which dimension is the classes'
        the source does not say."""
        params = self.know.activation_params(new)
        if params is None or any(p in self.know.torch_fixes["axis_params"] for p in params):
            return None
        cat = self.know.torch
        layer = next((n for n in self.nodes(pointer) if isinstance(n, ast.Call) and cat.nn_name(self.src.qual(n.func, cat.default_aliases)) in cat.layers), None)
        if layer is None:
            return None
        parent = self.src.parent(layer)
        module = self.know.torch_activation("modules", new)
        if isinstance(parent, (ast.Call, ast.List)):
            if module is None or self.indexed(parent):
                return None
            if isinstance(layer.func, ast.Attribute):
                base = self.src.segment(layer.func.value)
                spelt: str | None = f"{base}.{module}" if f"{self.src.qual(layer.func.value, cat.default_aliases)}." == NN else self.spell(NN + module)
            else:
                spelt = self.spell(NN + module)
            if spelt is None:
                return None
            if isinstance(parent, ast.Call):
                if layer not in parent.args or cat.nn_name(self.src.qual(parent.func, cat.default_aliases)) not in cat.containers:
                    return None
                items = self.src.call_items(parent)
                return self.src.insert_after(items, items.index(layer), f"{spelt}()", self.src.end(parent) - 1)
            return self.src.insert_after(parent.elts, parent.elts.index(layer), f"{spelt}()", self.src.end(parent) - 1)
        use = self.attribute_use(layer) if isinstance(parent, ast.Assign) else None
        if use is None:
            return None
        spellings = [self.spell(prefix + name) for prefix, family in ((TORCH, "torch"), (FUNCTIONAL, "functional")) if (name := self.know.torch_activation(family, new))]
        found = [s for s in spellings if s is not None]
        return self.wrap_call(use, min(found, key=len)) if found else None

    def _standalone(self, pointer: str, old: str, new: str) -> Changes | None:
        for node in self.nodes(pointer):
            kind = self._kind(node)
            if kind is None:
                continue
            assert isinstance(node, (ast.Call, ast.Name))
            if new == "linear":
                return self._remove(node, kind)
            return self._replace(node, kind, old, new)
        return None

    def _kind(self, node: ast.AST) -> str | None:
        """``modules`` (``nn.Softmax(dim=1)``), ``functional``/``torch`` (``F.softmax(x)``),
        ``methods`` (``x.softmax(1)``), ``name`` (a variable holding one), or ``None``."""
        cat = self.know.torch
        if isinstance(node, ast.Name):
            return "name"
        if not isinstance(node, ast.Call):
            return None
        q = self.src.qual(node.func, cat.default_aliases)
        name = cat.nn_name(q)
        if name is not None and name in cat.activation_modules:
            return "modules"
        if q is not None and q in cat.activation_functions:
            return "functional" if q.startswith(FUNCTIONAL) else "torch"
        if isinstance(node.func, ast.Attribute) and node.func.attr in cat.activation_methods and (q is None or not q.startswith(TORCH)):
            return "methods"
        return None

    def _input(self, call: ast.Call, kind: str) -> ast.expr | None:
        if kind == "methods":
            assert isinstance(call.func, ast.Attribute)
            return call.func.value
        if call.args and not isinstance(call.args[0], ast.Starred):
            return call.args[0]
        return None

    def _remove(self, node: ast.Call | ast.Name, kind: str) -> Changes | None:
        if isinstance(node, ast.Name):
            return self._remove_applied(node)
        if kind != "modules":
            arg = self._input(node, kind)
            return None if arg is None else self.drop_call(node, arg)
        parent = self.src.parent(node)
        cat = self.know.torch
        if isinstance(parent, ast.Call) and parent.func is node and len(parent.args) == 1 and not parent.keywords:
            return self.drop_call(parent, parent.args[0])  # nn.Softmax(dim=1)(x)
        if isinstance(parent, ast.Call) and node in parent.args:
            name = cat.nn_name(self.src.qual(parent.func, cat.default_aliases))
            if self.indexed(parent):
                return None
            if name in cat.containers and parent.args[-1] is node and len(parent.args) > 1:
                return self.src.remove_argument(parent, node)
            if isinstance(parent.func, ast.Attribute) and len(parent.args) == 1 and not parent.keywords:
                stmt = self.src.parent(parent)
                if isinstance(stmt, ast.Expr):
                    return self.src.delete_statement(stmt)  # layers.append(nn.Softmax(dim=1))
            return None
        element: ast.expr = node
        if isinstance(parent, ast.Tuple) and len(parent.elts) == 2 and parent.elts[1] is node:
            element, parent = parent, self.src.parent(parent)  # OrderedDict([..., ("softmax", nn.Softmax(dim=1))])
        if isinstance(parent, ast.List) and parent.elts[-1] is element and len(parent.elts) > 1 and not self.indexed(parent):
            return self.src.remove_element(parent, element)  # layers = [..., nn.Softmax(dim=1)]
        if isinstance(parent, ast.Assign):
            return self.drop_module_use(node)
        return None

    def _remove_applied(self, name: ast.Name) -> Changes | None:
        """``probs`` handed to the loss, bound to an activation of the model's output."""
        found = self.bound_activation(name)
        if found is None:
            return None
        stmt, value = found
        kind = self._kind(value)
        if kind not in ("functional", "torch", "methods"):
            return None
        assert isinstance(value, ast.Call)
        arg = self._input(value, kind)
        if arg is None or stmt.value is not value:
            return None
        if isinstance(arg, ast.Name) and self.unchanged_between(arg.id, name, self.src.start(stmt), self.src.start(name)):
            return [self.src.replace(name, arg.id)]
        return self.drop_call(value, arg, consumer=name)

    def _replace(self, node: ast.Call | ast.Name, kind: str, old: str, new: str) -> Changes | None:
        """One activation written as another: ``nn.Softmax(dim=1)`` -> ``nn.Sigmoid()``,
        ``F.softmax(x, dim=1)`` -> ``F.log_softmax(x, dim=1)``."""
        if isinstance(node, ast.Name):
            found = self.bound_activation(node)
            if found is None or self.src.only_consumer(found[0], node.id) is not node:
                return None
            call = found[1]
            kind_of = self._kind(call)
            if not isinstance(call, ast.Call) or kind_of not in ("functional", "torch", "methods"):
                return None
            return self._replace(call, kind_of, old, new)
        if kind == "modules" and isinstance(self.src.parent(node), ast.Assign) and self.attribute_use(node) is None:
            return None  # a module attribute used elsewhere too
        written = self.know.torch_activation(kind, new)
        if written is None:
            return None
        cat = self.know.torch
        prefix = {"modules": NN, "functional": FUNCTIONAL, "torch": TORCH}.get(kind)
        out: Changes = []
        if prefix is None:
            assert isinstance(node.func, ast.Attribute)
            changed = self.rename_attribute(node.func, written)
        else:
            changed = self.rename(node.func, self.src.qual(node.func, cat.default_aliases), prefix + written)
        if changed is None:
            return None
        out.append(changed)
        kept = self._arguments(node, kind, old, new)
        if kept is None:
            return None
        return out + kept

    def _arguments(self, call: ast.Call, kind: str, old: str, new: str) -> Changes | None:
        """The changes to an activation call's arguments for the new activation: those it takes
        stay, the axis of a normalising one goes when the new one is elementwise."""
        old_params, new_params = self.know.activation_params(old), self.know.activation_params(new)
        if old_params is None or new_params is None:
            return None
        axis = self.know.torch_fixes["axis_params"]
        positional = call.args[1:] if kind in ("functional", "torch") else call.args
        named: list[tuple[str, ast.AST]] = []
        for i, a in enumerate(positional):
            if isinstance(a, ast.Starred) or i >= len(old_params):
                return None
            named.append((old_params[i], a))
        for kw in call.keywords:
            if kw.arg is None:
                return None
            named.append((kw.arg, kw))
        dropped: list[ast.AST] = []
        for i, (p, n) in enumerate(named):
            if p in new_params:
                if i < len(positional) and (i >= len(new_params) or new_params[i] != p):
                    return None  # a positional argument would land on another parameter
                continue
            if p not in axis or any(q in axis for q in new_params):
                return None  # an argument the new activation does not take
            if i < len(positional) and i + 1 < len(positional):
                return None
            dropped.append(n)
        if not dropped:
            return []
        if len(dropped) > 1:
            return None
        return self.src.remove_argument(call, dropped[0])

    def _cell_activation(self, pointer: str, new: str) -> Changes | None:
        """``nn.RNN(..., nonlinearity="relu")`` -> ``"tanh"``."""
        if new not in self.know.torch_fixes["cell_activations"]:
            return None
        layer = next((n for n in self.nodes(pointer) if isinstance(n, ast.Call)), None)
        for node in self.nodes(f"{pointer}/activation"):
            if layer is not None and isinstance(node, ast.Constant) and isinstance(node.value, str) and (node in layer.args or any(kw.value is node for kw in layer.keywords)):
                return [self.src.replace(node, self.string(new, node))]
        return None

    # --- loss -----------------------------------------------------------------------------------

    def loss(self, old: Any, new: Any) -> Changes | None:
        cls = self.know.torch_loss(new)
        if cls is None:
            return None
        cat = self.know.torch
        for pointer in ("/loss/name", "/loss"):
            for node in self.nodes(pointer):
                if not isinstance(node, ast.Call):
                    continue
                q = self.src.qual(node.func, cat.default_aliases)
                written = cat.loss_class(q)
                if written is not None:
                    return self._loss_call(node, q, NN + cls, cls, old, new, 0)
                if q in cat.loss_functions:
                    function = self.know.torch_functional_loss(cls)
                    was = self.know.torch_loss_class_of_function(q.rpartition(".")[2]) if q.startswith(FUNCTIONAL) else None
                    if function is None or was is None:
                        return None
                    return self._loss_call(node, q, FUNCTIONAL + function, cls, old, new, 2, was)
            if self.location(pointer) is not None:
                return None
        return None

    def _loss_call(self, call: ast.Call, qual: str | None, new_qual: str, cls: str, old: Any, new: Any, inputs: int, was: str | None = None) -> Changes | None:
        """A loss class's constructor (``inputs`` 0) or a loss function's call (``inputs`` 2,
        prediction and target first) changed to ``cls``, its arguments kept when ``cls`` takes them."""
        old_cls = was or (qual.rpartition(".")[2] if qual else None)
        old_params, new_params = self.know.torch_loss_params(old_cls or ""), self.know.torch_loss_params(cls)
        if old_params is None or new_params is None:
            return None
        out: Changes = []
        if qual != new_qual:
            renamed = self.rename(call.func, qual, new_qual)
            if renamed is None:
                return None
            out.append(renamed)
        given: dict[str, ast.AST] = {}
        for i, a in enumerate(call.args[inputs:]):
            if isinstance(a, ast.Starred) or i >= len(old_params) or i >= len(new_params) or old_params[i] != new_params[i]:
                return None
            given[old_params[i]] = a
        for kw in call.keywords:
            if kw.arg is None or kw.arg not in new_params:
                return None
            given[kw.arg] = kw.value
        old_spec = old if isinstance(old, dict) else {}
        new_spec = new if isinstance(new, dict) else {}
        for key in sorted(set(old_spec) | set(new_spec)):
            if key in ("name", "from_logits") or old_spec.get(key) == new_spec.get(key):
                continue
            keyword = self.know.torch_loss_keyword(cls, key)
            if keyword is None or key not in new_spec:
                return None
            changed = self.set_argument(call, given.get(keyword), keyword, new_spec[key])
            if changed is None:
                return None
            out += changed
        return out

    # --- optimizer ------------------------------------------------------------------------------

    def optimizer(self, old: dict[str, Any], new: dict[str, Any]) -> Changes | None:
        cat = self.know.torch
        call = next((n for n in self.nodes("/optimizer") if isinstance(n, ast.Call) and cat.optimizer(self.src.qual(n.func, cat.default_aliases))), None)
        if call is None or set(old) - set(new):
            return None
        q = self.src.qual(call.func, cat.default_aliases)
        old_cls = cat.optimizer(q)
        canonical = self.know.canonical("optimizer", new.get("name"))
        cls = self.know.torch_optimizer(canonical) if canonical else None
        if old_cls is None or cls is None:
            return None
        params = self.rulebase_optimizers.get(cls)
        old_params = self.rulebase_optimizers.get(old_cls)
        if params is None or old_params is None:
            return None
        out: Changes = []
        if cls != old_cls:
            for i, a in enumerate(call.args[1:]):
                if isinstance(a, ast.Starred) or i >= len(params) or i >= len(old_params) or params[i] != old_params[i]:
                    return None
            if any(kw.arg is None or kw.arg not in params for kw in call.keywords):
                return None
            renamed = self.rename(call.func, q, OPTIM + cls)
            if renamed is None:
                return None
            out.append(renamed)
        positional = dict(zip(old_params, call.args[1:]))
        for key, value in new.items():
            if key == "name" or value == old.get(key):
                continue
            keyword = self.know.torch_optimizer_keyword(cls, key)
            if keyword is None:
                return None
            current = next((kw.value for kw in call.keywords if kw.arg == keyword), None) or positional.get(keyword)
            changed = self.set_argument(call, current, keyword, value)
            if changed is None:
                return None
            out += changed
        return out

    @property
    def rulebase_optimizers(self) -> dict[str, list[str]]:
        optimizers: dict[str, list[str]] = self.know.rulebase.frameworks["pytorch"]["optimizers"]
        return optimizers
