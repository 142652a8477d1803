"""Fixes in Keras, tf.keras and Keras 1/2 sources: a layer's activation argument, activation
layers and activation functions, the loss and the optimizer given to ``compile``.

- ``Dense(10, activation="softmax")``: the keyword removed (linear) or its string replaced
  (another activation, in the literal's quotes); ``Dense(1, "softmax")`` positionally likewise;
  ``Dense(1)`` given ``activation="sigmoid"``;
- ``layers.Softmax()`` / ``layers.Activation("softmax")`` ending a ``Sequential([...])`` list: the
  element; ``model.add(layers.Activation("softmax"))``: the statement; ``x =
  layers.Activation("softmax")(x)`` before ``Model(inputs, x)``: the line; ``self.act`` of a
  subclassed model: its use in ``call``; ``tf.nn.softmax(x)``: the argument;
- ``loss="mse"`` -> ``loss="categorical_crossentropy"``, ``keras.losses.MeanSquaredError()`` ->
  ``keras.losses.CategoricalCrossentropy()``, ``from_logits`` set or removed, a string made a loss
  object when the patch needs an argument (spelt through the file's imports: ``keras.losses.``,
  ``tf.keras.losses.``, ``losses.``; no fix when no import makes it spellable);
- the optimizer's arguments (``momentum=0.9``, ``clipnorm=1.0``) and class, a string optimizer made
  an object when it needs arguments.
"""

from __future__ import annotations

import ast
from typing import Any

from nnadvisor.fixes.python.text import Change, literal
from nnadvisor.fixes.python.writer import Changes, Writer


class KerasWriter(Writer):
    framework = "keras"

    def modules(self, target: str) -> list[str]:
        canonical = self.know.keras.canonical(target)
        return [target] if canonical in (None, target) else [target, canonical]

    def spell_object(self, kind: str, name: str) -> str | None:
        """A Keras object of a module (``loss``, ``optimizer``, ``layer``) spelt through what the
        file imports: ``keras.losses.Huber``, ``tf.keras.losses.Huber``, ``losses.Huber``, ``Huber``."""
        cat = self.know.keras
        module = self.know.keras_fixes["modules"][kind]
        found: list[str] = []
        for local, target in self.src.index.aliases.items():
            t = cat.canonical(target)
            if t is None or not self._import_only(local):
                continue
            if cat.keras(t) == (module, name):
                found.append(local)
            elif cat.keras(f"{t}.{name}") == (module, name) and t.rpartition(".")[2] == module:
                found.append(f"{local}.{name}")
            for root in cat.roots:
                if t == root:
                    found.append(f"{local}.{module}.{name}")
                elif root.startswith(t + "."):
                    found.append(f"{local}{root[len(t):]}.{module}.{name}")
        return min(found, key=lambda s: (len(s), s)) if found else None

    def _named(self, node: ast.AST) -> tuple[str, str] | None:
        """(module, name) of the Keras object a name or attribute stands for."""
        cat = self.know.keras
        return cat.keras(cat.canonical(self.src.qual(node, cat.default_aliases)))

    def _layer_class(self, call: ast.AST) -> str | None:
        """The Keras layer class a call builds (as written: ``Dense``, ``Convolution2D``)."""
        if not isinstance(call, ast.Call):
            return None
        named = self._named(call.func)
        module = self.know.keras_fixes["modules"]["layer"]
        if named is None or named[0] not in (module, "") or not named[1][:1].isupper():
            return None
        return named[1]

    def _written_activation(self, node: ast.expr) -> bool:
        """An activation written where it is used: a string (``"softmax"``) or an activation
        function (``tf.nn.softmax``), not a variable holding one."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        cat = self.know.keras
        return isinstance(node, (ast.Name, ast.Attribute)) and cat.activation(cat.canonical(self.src.qual(node, cat.default_aliases))) is not None

    def _tf1_dense(self, call: ast.Call) -> bool:
        cat = self.know.keras
        return cat.canonical(self.src.qual(call.func, cat.default_aliases)) in cat.tf1_dense

    # --- activations ----------------------------------------------------------------------------

    def activation(self, index: int, layer: dict[str, Any], new: str) -> Changes | None:
        pointer = f"/layers/{index}"
        if self.shared(pointer):
            return None
        if layer.get("type") == "activation":
            return self._standalone(pointer, new)
        return self._layer_argument(pointer, new)

    def _standalone(self, pointer: str, new: str) -> Changes | None:
        cat = self.know.keras
        for node in self.nodes(pointer):
            if not isinstance(node, ast.Call):
                continue
            written = self._layer_class(node)
            function = cat.activation(cat.canonical(self.src.qual(node.func, cat.default_aliases)))
            if written is None and function is None:
                continue
            if new == "linear":
                if written is None:  # tf.nn.softmax(x), keras.activations.softmax(x, axis=-1)
                    return self.drop_call(node, node.args[0]) if node.args and not isinstance(node.args[0], ast.Starred) else None
                return self._remove_layer(node)
            if written is None:
                return self._rename_function(node, new)
            return self._replace_layer(node, written, pointer, new)
        return None

    def _remove_layer(self, call: ast.Call) -> Changes | None:
        parent = self.src.parent(call)
        if isinstance(parent, (ast.List, ast.Call)) and self.indexed(parent):
            return None
        if isinstance(parent, ast.List):
            if parent.elts[-1] is call and len(parent.elts) > 1:
                return self.src.remove_element(parent, call)  # Sequential([..., layers.Softmax()])
            return None
        if isinstance(parent, ast.Call) and parent.func is call:
            if len(parent.args) == 1 and not parent.keywords and not isinstance(parent.args[0], ast.Starred):
                return self.drop_call(parent, parent.args[0])  # x = layers.Activation("softmax")(x)
            return None
        if isinstance(parent, ast.Call) and parent.args == [call] and not parent.keywords and isinstance(parent.func, ast.Attribute):
            stmt = self.src.parent(parent)
            if isinstance(stmt, ast.Expr):
                return self.src.delete_statement(stmt)  # model.add(layers.Activation("softmax"))
            return None
        if isinstance(parent, ast.Assign):
            return self.drop_module_use(call)  # self.act = layers.Softmax() in a subclassed model
        return None

    def _replace_layer(self, call: ast.Call, written: str, pointer: str, new: str) -> Changes | None:
        """``Activation("softmax")`` -> ``Activation("sigmoid")``; ``Softmax()`` -> ``Activation("sigmoid")``."""
        name = self.know.keras_activation(new)
        if name is None:
            return None
        if isinstance(self.src.parent(call), ast.Assign) and self.attribute_use(call) is None:
            return None  # a layer attribute used elsewhere too
        activation_layer = self.know.keras_fixes["activation_layer"]
        if self.know.keras.layer_class(written) == activation_layer:
            argument = next((n for n in self.nodes(f"{pointer}/activation") if n in call.args or any(kw.value is n for kw in call.keywords)), None)
            if not isinstance(argument, ast.expr) or not self._written_activation(argument):
                return None
            return [self.src.replace(argument, self.string(name, argument))]
        if call.args or call.keywords:
            return None
        func = call.func
        if isinstance(func, ast.Attribute):
            renamed = self.rename_attribute(func, activation_layer)
        else:
            spelt = self.spell_object("layer", activation_layer)
            renamed = None if spelt is None else self.src.replace(func, spelt)
        if renamed is None:
            return None
        inside = self.src.end(call) - 1  # before the closing parenthesis of Softmax()
        return [renamed, Change(inside, inside, self.string(name))]

    def _rename_function(self, call: ast.Call, new: str) -> Changes | None:
        """``tf.nn.softmax(x)`` -> ``tf.nn.sigmoid(x)``, when the module has the new activation."""
        cat = self.know.keras
        qual = self.src.qual(call.func, cat.default_aliases)
        if qual is None or not isinstance(call.func, ast.Attribute) or call.keywords or len(call.args) != 1:
            return None
        base = qual.rpartition(".")[0]
        names = [n for n in self.know.keras_fixes["activations"] if cat.activation(cat.canonical(f"{base}.{n}")) == new]
        if not names:
            return None
        found = self.rename_attribute(call.func, new if new in names else names[0])
        return None if found is None else [found]

    def _layer_argument(self, pointer: str, new: str) -> Changes | None:
        """A layer's own activation argument: removed, replaced, or given."""
        cat = self.know.keras
        call = next((n for n in self.nodes(pointer) if isinstance(n, ast.Call) and (self._layer_class(n) or self._tf1_dense(n))), None)
        if call is None:
            return None
        written = self._layer_class(call) or ""
        params = cat.layer_params(written) if written else []  # tf.layers.dense: by keyword only
        position = params.index("activation") if "activation" in params else -1
        keyword = next((kw for kw in call.keywords if kw.arg is not None and cat.keyword(cat.layer_class(written), kw.arg) == "activation"), None)
        given: ast.expr | None = keyword.value if keyword is not None else None
        if given is None and 0 <= position < len(call.args):
            given = call.args[position]
        at = self.location(f"{pointer}/activation")
        if given is None:
            if new == "linear" or any(kw.arg is None for kw in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
                return None
            name = self.know.keras_activation(new)
            return None if name is None else self.src.insert_keyword(call, f"activation={self.string(name)}")
        if at is None or self.src.position(self.src.start(given)) != (at.line, at.column):
            return None  # the activation the config has is not this argument
        if not self._written_activation(given):
            return None  # a variable's value, or a layer object: the user's configuration, not this fix's
        if new == "linear":
            if keyword is not None:
                return self.src.remove_argument(call, keyword)
            if call.args[-1] is given:
                return self.src.remove_argument(call, given)
            return [self.src.replace(given, "None")]
        name = self.know.keras_activation(new)
        return None if name is None else [self.src.replace(given, self.string(name, given))]

    # --- compile: loss and optimizer ------------------------------------------------------------

    def _compile_argument(self, node: ast.AST, key: str) -> bool:
        """Whether a literal is the ``key`` argument of a compile-like call (by keyword or by
        position), or an entry of a per-output list or dict given as one, or assigned to the
        model's attribute of that name (``model.loss = "mse"``)."""
        parent = self.src.parent(node)
        if isinstance(parent, (ast.List, ast.Tuple, ast.Dict)) and (node in getattr(parent, "elts", ()) or node in getattr(parent, "values", ())):
            node, parent = parent, self.src.parent(parent)
        if isinstance(parent, ast.keyword):
            return parent.arg == key and isinstance(self.src.parent(parent), ast.Call)
        if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
            target = parent.targets[0]
            return isinstance(target, ast.Attribute) and target.attr == key  # model.loss = "mse" after compile
        order: list[str] = self.know.keras.compile
        return isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and key in order and order.index(key) < len(parent.args) and parent.args[order.index(key)] is node

    def loss(self, old: Any, new: Any) -> Changes | None:
        for pointer in ("/loss/name", "/loss"):
            nodes = self.nodes(pointer)
            for node in nodes:
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    return self._string_loss(node, new) if self._compile_argument(node, "loss") else None
                if isinstance(node, ast.Call) and self._named(node.func) is not None:
                    return self._loss_object(node, old, new)
                if isinstance(node, (ast.Attribute, ast.Name)) and self._named(node) is not None:
                    return self._loss_function(node, new)
            if nodes:
                return None
        return None

    def _extra(self, value: Any) -> dict[str, Any]:
        """A loss's or optimizer's arguments besides its name (and ``from_logits``, a loss's)."""
        return {k: v for k, v in value.items() if k not in ("name", "from_logits")} if isinstance(value, dict) else {}

    def _new_loss(self, new: Any) -> str | None:
        """A loss object's source: ``keras.losses.BinaryCrossentropy(from_logits=True)``."""
        found = self.know.keras_loss_class(new)
        if found is None:
            return None
        cls, logits = found
        extra = self._extra(new)
        if not self.know.keras_loss_accepts(cls, extra):
            return None
        spelt = self.spell_object("loss", cls)
        args = (["from_logits=True"] if logits else []) + [f"{k}={literal(v)}" for k, v in extra.items()]
        if spelt is None or any(literal(v) is None for v in extra.values()):
            return None
        return f"{spelt}({', '.join(args)})"

    def _string_loss(self, node: ast.Constant, new: Any) -> Changes | None:
        name = self.know.keras_loss_string(new) if not self._extra(new) else None
        text = self.string(name, node) if name is not None else self._new_loss(new)
        return None if text is None else [self.src.replace(node, text)]

    def _loss_function(self, node: ast.expr, new: Any) -> Changes | None:
        """``keras.losses.mse`` -> ``keras.losses.categorical_crossentropy`` (or an object)."""
        named = self._named(node)
        name = self.know.keras_loss_string(new) if not self._extra(new) else None
        if name is not None and isinstance(node, ast.Attribute) and named is not None and named[0] == self.know.keras_fixes["modules"]["loss"]:
            found = self.rename_attribute(node, name)
            return None if found is None else [found]
        text = self._new_loss(new)
        return None if text is None else [self.src.replace(node, text)]

    def _loss_object(self, call: ast.Call, old: Any, new: Any) -> Changes | None:
        """``keras.losses.MeanSquaredError()`` -> ``keras.losses.CategoricalCrossentropy()``,
        ``from_logits`` and other arguments set as the patch says."""
        named = self._named(call.func)
        found = self.know.keras_loss_class(new)
        losses: dict[str, list[str]] = self.know.rulebase.frameworks["keras"]["losses"]
        if named is None or found is None or named[1] not in losses:
            return None
        cls, logits = found
        out: Changes = []
        if cls != named[1]:
            if isinstance(call.func, ast.Attribute):
                renamed = self.rename_attribute(call.func, cls)
            else:
                spelt = self.spell_object("loss", cls)
                renamed = None if spelt is None else self.src.replace(call.func, spelt)
            if renamed is None:
                return None
            out.append(renamed)
        old_params, new_params = losses[named[1]], losses[cls]
        given: dict[str, ast.AST] = {}
        for i, a in enumerate(call.args):
            if isinstance(a, ast.Starred) or i >= len(old_params) or i >= len(new_params) or old_params[i] != new_params[i]:
                return None
            given[old_params[i]] = a
        for kw in call.keywords:
            if kw.arg is None:
                return None
            given[kw.arg] = kw
        if not self.know.keras_loss_accepts(cls, [k for k in given if k != "from_logits" or logits]):
            return None
        current = given.get("from_logits")
        value = current.value if isinstance(current, ast.keyword) else current
        if logits:
            changed = self.set_argument(call, value, "from_logits", True)
            if changed is None:
                return None
            out += changed
        elif current is not None:
            if not isinstance(current, ast.keyword):
                return None
            removed = self.src.remove_argument(call, current)
            if removed is None:
                return None
            out += removed
        old_extra, new_extra = self._extra(old), self._extra(new)
        for key in sorted(set(old_extra) | set(new_extra)):
            if old_extra.get(key) == new_extra.get(key):
                continue
            if key not in new_extra:
                return None
            node = given.get(key)
            changed = self.set_argument(call, node.value if isinstance(node, ast.keyword) else node, key, new_extra[key])
            if changed is None:
                return None
            out += changed
        return out

    def optimizer(self, old: dict[str, Any], new: dict[str, Any]) -> Changes | None:
        if set(old) - set(new):
            return None
        canonical = self.know.canonical("optimizer", new.get("name"))
        cls = self.know.keras_optimizer(canonical) if canonical else None
        if cls is None:
            return None
        params = {k: v for k, v in new.items() if k != "name" and v != old.get(k)}
        for node in self.nodes("/optimizer"):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if not self._compile_argument(node, "optimizer"):
                    return None
                if not params:
                    return [self.src.replace(node, self.string(cls.lower(), node))]
                if not all(self.know.keras_optimizer_accepts(cls, k) for k in params) or any(literal(v) is None for v in params.values()):
                    return None
                spelt = self.spell_object("optimizer", cls)
                args = ", ".join(f"{k}={literal(v)}" for k, v in params.items())
                return None if spelt is None else [self.src.replace(node, f"{spelt}({args})")]
            if isinstance(node, ast.Call):
                return self._optimizer_object(node, cls, params)
        return None

    def _optimizer_object(self, call: ast.Call, cls: str, params: dict[str, Any]) -> Changes | None:
        named = self._named(call.func)
        optimizers: dict[str, list[str]] = self.know.rulebase.frameworks["keras"]["optimizers"]
        if named is None or named[0] != self.know.keras_fixes["modules"]["optimizer"] or named[1] not in optimizers:
            return None
        renames = self.know.keras.optimizer_renames
        old_params, new_params = optimizers[named[1]], optimizers[cls]
        out: Changes = []
        given: dict[str, ast.expr] = {}
        for i, a in enumerate(call.args):
            if isinstance(a, ast.Starred) or i >= len(old_params):
                return None
            given[old_params[i]] = a
        for kw in call.keywords:
            if kw.arg is None:
                return None
            given[renames.get(kw.arg, kw.arg)] = kw.value
        if cls != named[1]:
            if any(i >= len(new_params) or new_params[i] != old_params[i] for i in range(len(call.args))):
                return None
            if not all(self.know.keras_optimizer_accepts(cls, k) for k in given):
                return None
            renamed = self.rename_attribute(call.func, cls) if isinstance(call.func, ast.Attribute) else None
            if renamed is None:
                return None
            out.append(renamed)
        for key, value in params.items():
            if not self.know.keras_optimizer_accepts(cls, key):
                return None
            changed = self.set_argument(call, given.get(key), key, value)
            if changed is None:
                return None
            out += changed
        return out
