"""Keras calls in source, turned into the serialised form Keras itself writes (``class_name`` +
``config``), with the source location of every key recorded under its JSON pointer: the Keras
file reader (:mod:`nnadvisor.readers.keras`) then reads them as it reads ``model.to_json()``,
so a layer written in a script and the same layer in a saved model give the same findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from nnadvisor.readers.python.evaluate import NO, Evaluator, arg
from nnadvisor.readers.python.index import SourceIndex
from nnadvisor.readers.python.span import location
from nnadvisor.readers.keras_source.catalogue import Catalogue
from nnadvisor.source import Location

Env = dict[str, Any]
UNREADABLE: dict[str, Any] = {}
"""A serialised value with no ``class_name``: the Keras file reader says it cannot read it."""


@dataclass
class Serializer:
    index: SourceIndex
    ev: Evaluator
    cat: Catalogue
    layer_classes: set[str]
    """Custom layer classes of the file (subclasses of keras.layers.Layer): opaque layers."""
    locations: dict[str, Location] = field(default_factory=dict)
    _next: int = 0

    quals: dict[int, str | None] = field(default_factory=dict)

    def qual(self, node: ast.AST) -> str | None:
        key = id(node)
        if key not in self.quals:
            self.quals[key] = self.cat.canonical(self.index.qual(node, self.cat.default_aliases))
        return self.quals[key]

    def keras(self, node: ast.AST) -> tuple[str, str] | None:
        return self.cat.keras(self.qual(node))

    def pointer(self, prefix: str) -> str:
        self._next += 1
        return f"/{prefix}{self._next}"

    def at(self, pointer: str, node: ast.AST) -> None:
        self.locations[pointer] = location(node)

    # --- layers --------------------------------------------------------------------------------

    def layer_name(self, call: ast.Call) -> str | None:
        """The Keras layer class a call builds (``Dense``), or a custom layer class of the file."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.layer_classes:
            return func.id
        named = self.keras(func)
        if named is None or not named[1][:1].isupper():
            return None
        module, name = named
        if module in ("layers", "") and name not in self.cat.sequential | self.cat.functional | self.cat.inputs:
            return name
        return None

    def layer(self, call: ast.Call, env: Env, ptr: str) -> dict[str, Any]:
        """``Dense(10, activation="softmax")`` as ``{"class_name": "Dense", "config": {...}}``."""
        written = self.layer_name(call) or (call.func.id if isinstance(call.func, ast.Name) else "Layer")
        name = self.cat.layer_class(written)
        self.at(f"{ptr}/class_name", call)
        config: dict[str, Any] = {}
        params = self.cat.layer_params(written) if written not in self.layer_classes else []
        given: list[tuple[str, ast.expr]] = []
        for key, node in zip(params, call.args):
            if isinstance(node, ast.Starred):
                break
            given.append((key, node))
        given += [(self.cat.keyword(name, kw.arg), kw.value) for kw in call.keywords if kw.arg is not None]
        for key, node in given:
            where = f"{ptr}/config/{key}"
            if key in ("activation", "recurrent_activation"):
                config[key] = self.activation(node, env, where)
            elif key in ("layer", "cell") and isinstance(node, ast.Call) and self.layer_name(node):
                config[key] = self.layer(node, env, where)
            elif key == "function" and name == "Lambda":
                act = self._lambda_activation(node)
                if act is not None:
                    self.at(where, node)
                    return {"class_name": "Activation", "config": {"activation": act}}
                continue
            else:
                value = self.ev.literal(node, env)
                if value is NO:
                    continue
                config[key] = value
            self.at(where, node)
        return {"class_name": name, "config": config}

    def _lambda_activation(self, node: ast.expr) -> str | None:
        """``Lambda(lambda x: tf.nn.softmax(x))`` is an activation; any other Lambda is opaque."""
        if isinstance(node, ast.Lambda) and isinstance(node.body, ast.Call) and len(node.args.args) == 1:
            body = node.body
            param = node.args.args[0].arg
            if body.args and isinstance(body.args[0], ast.Name) and body.args[0].id == param:
                return self.cat.activation(self.qual(body.func))
        return self.cat.activation(self.qual(node)) if isinstance(node, (ast.Name, ast.Attribute)) else None

    def activation(self, node: ast.expr, env: Env, ptr: str) -> Any:
        """An activation argument: a name, an activation function, or an activation layer object."""
        value = self.ev.literal(node, env)
        if isinstance(value, str) or value is None:
            return value
        if isinstance(node, (ast.Name, ast.Attribute)):
            found = self.cat.activation(self.qual(node))
            if found is not None:
                return found
        if isinstance(node, ast.Call) and self.layer_name(node):
            return self.layer(node, env, ptr)
        return UNREADABLE

    # --- compile arguments ---------------------------------------------------------------------

    def loss(self, node: ast.expr, env: Env, ptr: str) -> Any:
        """A loss argument: a name, a loss function, a loss object, or a list/dict of them."""
        self.at(ptr, node)
        value = self.ev.literal(node, env)
        if isinstance(value, str):
            return value
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.loss(e, env, f"{ptr}/{i}") for i, e in enumerate(node.elts)]
        if isinstance(node, ast.Dict):
            out: dict[str, Any] = {}
            for k, v in zip(node.keys, node.values):
                key = self.ev.literal(k, env) if k is not None else NO
                if isinstance(key, str) and v is not None:
                    out[key] = self.loss(v, env, f"{ptr}/{key}")
            return out
        named = self.keras(node.func if isinstance(node, ast.Call) else node)
        if named is not None and named[0] in ("losses", ""):
            name = named[1]
            if isinstance(node, ast.Call) and name[:1].isupper():
                self.at(f"{ptr}/class_name", node)
                return {"class_name": name, "config": self._arguments(node, self.cat.losses.get(name, []), {}, env, ptr)}
            if not isinstance(node, ast.Call) and name[:1].islower():
                return name
        return UNREADABLE

    def optimizer(self, node: ast.expr, env: Env, ptr: str) -> Any:
        self.at(ptr, node)
        value = self.ev.literal(node, env)
        if isinstance(value, str):
            return value
        if not isinstance(node, ast.Call):
            return UNREADABLE
        q = self.qual(node.func)
        tf1 = self.cat.tf1_optimizers.get(q or "")
        if tf1 is not None:
            self.at(f"{ptr}/class_name", node)
            return {"class_name": tf1["name"], "config": self._arguments(node, tf1["params"], tf1.get("renames") or {}, env, ptr)}
        named = self.cat.keras(q)
        if named is not None and named[0] == "optimizers" and named[1][:1].isupper():
            self.at(f"{ptr}/class_name", node)
            return {"class_name": named[1], "config": self._arguments(node, self.cat.optimizers.get(named[1], ["learning_rate"]), self.cat.optimizer_renames, env, ptr)}
        return UNREADABLE

    def _bound_call(self, name: ast.Name) -> ast.Call | None:
        """The call a name is bound to, when the file binds that name once (in any scope)."""
        bound = [b for (_, n), found in self.index.bindings.items() if n == name.id for b in found]
        if len(bound) == 1 and isinstance(bound[0].value, ast.Call) and not bound[0].path:
            return bound[0].value
        return None

    def _arguments(self, call: ast.Call, params: list[str], renames: dict[str, str], env: Env, ptr: str) -> dict[str, Any]:
        """Static arguments of a call by parameter name (a learning-rate schedule as its config)."""
        given: list[tuple[str, ast.expr]] = [(p, a) for p, a in zip(params, call.args) if not isinstance(a, ast.Starred)]
        given += [(renames.get(kw.arg, kw.arg), kw.value) for kw in call.keywords if kw.arg is not None]
        config: dict[str, Any] = {}
        for key, node in given:
            where = f"{ptr}/config/{key}"
            value = self.ev.literal(node, env)
            if value is NO and isinstance(node, ast.Name):
                node = self._bound_call(node) or node  # lr_schedule = ExponentialDecay(...)
            if value is NO and isinstance(node, ast.Call):
                named = self.keras(node.func)
                if named is not None and named[0] == "optimizers" and named[1][:1].isupper():  # schedules
                    initial = self.ev.literal(arg(node, (0, "initial_learning_rate")), env)
                    value = {"class_name": named[1], "config": {"initial_learning_rate": initial} if initial is not NO else {}}
                    self.at(f"{where}/class_name", node)
                    if initial is not NO:
                        self.at(f"{where}/config/initial_learning_rate", arg(node, (0, "initial_learning_rate")) or node)
            if value is NO:
                value = UNREADABLE if key == "learning_rate" else None
                if value is None:
                    continue
            config[key] = value
            self.at(where, node)
        return config
