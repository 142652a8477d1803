"""The layers a tensor went through, read backwards from it: the functional API
(``x = Dense(64)(x)``), a subclassed model's ``call()`` (``self.head(self.hidden(x))``) and
TensorFlow 1 graphs (``tf.nn.softmax(tf.matmul(x, W) + b)``). Each step is a serialised layer
(see :mod:`.serialize`) at a JSON pointer whose locations are the user's lines."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from nnadvisor.readers.python.evaluate import NO, arg
from nnadvisor.readers.python.index import Scope
from nnadvisor.readers.keras_source.serialize import Env, Serializer

Step = tuple[dict[str, Any], str]
"""A serialised layer and the pointer its locations are recorded under."""
_MAX_DEPTH = 200


@dataclass
class Frame:
    """Where a chain is read: the scope, static values, and a subclassed model's layers."""

    scope: Scope
    env: Env
    attrs: dict[str, ast.expr] = field(default_factory=dict)
    """``self.x = <expression>`` of a subclassed model's ``__init__``."""
    inputs: frozenset[str] = frozenset()
    """Parameters that are the model's input (``call(self, inputs)``)."""


class Graph:
    def __init__(self, ser: Serializer, models: Any) -> None:
        self.ser = ser
        self.models = models
        """The reader's model lookup (nested models used as layers)."""

    def chain(self, expr: ast.expr | None, frame: Frame, depth: int = 0) -> list[Step] | None:
        """Layers from an input to ``expr`` (``None``: not computed from an input the reader sees)."""
        if expr is None or depth > _MAX_DEPTH:
            return None
        ser, cat = self.ser, self.ser.cat
        if isinstance(expr, ast.Name):
            if expr.id in frame.inputs:
                return []
            found = ser.index.reaching(frame.scope, expr.id, expr)
            if found is None:
                bound = ser.index.bound(ser.index.tree, expr.id)
                found = bound[-1] if bound and frame.scope is not ser.index.tree else None
                if found is None:
                    return None
            if isinstance(found.stmt, ast.arg):
                return []  # a parameter of the function building the model: an input
            if found.value is None:
                return None
            value = found.value
            for i in found.path:
                value = value.elts[i] if isinstance(value, (ast.Tuple, ast.List)) and i < len(value.elts) else None  # type: ignore[assignment]
                if value is None:
                    return None
            return self.chain(value, frame, depth + 1)
        if isinstance(expr, (ast.Subscript, ast.Starred)):
            return self.chain(expr.value, frame, depth + 1)
        if isinstance(expr, ast.BinOp):
            left, right = self.chain(expr.left, frame, depth + 1), self.chain(expr.right, frame, depth + 1)
            if left is not None and right is not None:
                return self._merge([left, right], expr)
            return left if left is not None else right  # a bias or a scale: the traced side
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        first = expr.args[0] if expr.args else None
        q = ser.qual(func)
        # A layer built and applied at once: Dense(10)(x), Concatenate()([a, b]).
        if isinstance(func, ast.Call):
            return self._apply(func, first, frame, depth)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            built = frame.attrs.get(func.attr)
            if isinstance(built, ast.Call):
                return self._apply(built, first, frame, depth)
            return self._opaque(self.chain(first, frame, depth + 1), f"self.{func.attr}", expr)
        named = cat.keras(q)
        if named is not None and named[1] in cat.inputs:
            return []
        if q in cat.tf1_inputs:
            return []
        act = cat.activation(q)
        if act is not None:
            inner = self.chain(first, frame, depth + 1)
            return None if inner is None else [*inner, self._activation(act, expr)]
        if q in cat.merges or (named is not None and named[1] in cat.merges):
            return self._merge(self._branches(first, frame, depth), expr)
        if q in cat.passthrough:
            return self.chain(first, frame, depth + 1)
        if q in cat.tf1_dense:
            return self._tf1_dense(expr, frame, depth)
        if q in cat.tf1_matmul:
            return self._tf1_matmul(expr, frame, depth)
        if isinstance(func, ast.Name):
            found = ser.index.reaching(frame.scope, func.id, expr) or next(iter(ser.index.bound(ser.index.tree, func.id)[-1:]), None)
            if found is not None and isinstance(found.value, ast.Call):
                if ser.layer_name(found.value):
                    return self._apply(found.value, first, frame, depth)
                nested = self.models.nested(found.value, frame)
                if nested is not None:
                    inner = self.chain(first, frame, depth + 1)
                    return None if inner is None else [*inner, *nested]
        traced = next((c for c in (self.chain(a, frame, depth + 1) for a in expr.args) if c is not None), None)
        return self._opaque(traced, f"{q or 'a call'}()", expr)

    def _apply(self, layer: ast.Call, source: ast.expr | None, frame: Frame, depth: int) -> list[Step] | None:
        ser, cat = self.ser, self.ser.cat
        name = ser.layer_name(layer)
        if name is not None and cat.layer_class(name) in cat.merges:
            return self._merge(self._branches(source, frame, depth), layer)
        inner = self.chain(source, frame, depth + 1)
        if inner is None:
            return None
        if name is None:
            nested = self.models.nested(layer, frame)
            if nested is not None:
                return [*inner, *nested]
            return self._opaque(inner, ser.qual(layer.func) or "a layer", layer)
        ptr = ser.pointer("layer")
        return [*inner, (ser.layer(layer, frame.env, ptr), ptr)]

    def _branches(self, source: ast.expr | None, frame: Frame, depth: int) -> list[list[Step]]:
        items = source.elts if isinstance(source, (ast.List, ast.Tuple)) else [source]
        return [c for c in (self.chain(e, frame, depth + 1) for e in items) if c is not None]

    def _merge(self, branches: list[list[Step]], node: ast.AST) -> list[Step] | None:
        if not branches:
            return None
        longest = max(branches, key=len)
        ptr = self.ser.pointer("merge")
        self.ser.at(f"{ptr}/class_name", node)
        return [*longest, ({"class_name": "Concatenate", "config": {}}, ptr)]

    def _opaque(self, inner: list[Step] | None, what: str, node: ast.AST) -> list[Step] | None:
        if inner is None:
            return None
        ptr = self.ser.pointer("opaque")
        self.ser.at(f"{ptr}/class_name", node)
        return [*inner, ({"class_name": what, "config": {}}, ptr)]

    def _activation(self, name: str, node: ast.AST) -> Step:
        ptr = self.ser.pointer("act")
        self.ser.at(f"{ptr}/class_name", node)
        self.ser.at(f"{ptr}/config/activation", node)
        return ({"class_name": "Activation", "config": {"activation": name}}, ptr)

    def _tf1_dense(self, call: ast.Call, frame: Frame, depth: int) -> list[Step] | None:
        """``tf.layers.dense(x, units, activation=tf.nn.relu)``."""
        inner = self.chain(arg(call, (0, "inputs")), frame, depth + 1)
        if inner is None:
            return None
        ptr = self.ser.pointer("layer")
        self.ser.at(f"{ptr}/class_name", call)
        config: dict[str, Any] = {}
        units_node = arg(call, (1, "units"))
        units = self.ser.ev.literal(units_node, frame.env)
        if units is not NO:
            config["units"] = units
            self.ser.at(f"{ptr}/config/units", units_node or call)
        act_node = arg(call, (2, "activation"))
        if act_node is not None:
            config["activation"] = self.ser.activation(act_node, frame.env, f"{ptr}/config/activation")
            self.ser.at(f"{ptr}/config/activation", act_node)
        return [*inner, ({"class_name": "Dense", "config": config}, ptr)]

    def _tf1_matmul(self, call: ast.Call, frame: Frame, depth: int) -> list[Step] | None:
        """``tf.matmul(x, W)``: a dense layer whose width is the second dimension of ``W``."""
        inner = self.chain(call.args[0] if call.args else None, frame, depth + 1)
        if inner is None:
            return None
        ptr = self.ser.pointer("layer")
        self.ser.at(f"{ptr}/class_name", call)
        config: dict[str, Any] = {}
        width = self._variable_width(call.args[1] if len(call.args) > 1 else None, frame)
        if width is not None:
            config["units"] = width[0]
            self.ser.at(f"{ptr}/config/units", width[1])
        return [*inner, ({"class_name": "Dense", "config": config}, ptr)]

    def _variable_width(self, node: ast.expr | None, frame: Frame) -> tuple[int, ast.AST] | None:
        """The second dimension of ``W = tf.Variable(tf.zeros([784, 10]))`` (or ``get_variable(shape=...)``)."""
        cat, ser = self.ser.cat, self.ser
        for _ in range(4):
            if isinstance(node, ast.Name):
                found = ser.index.reaching(frame.scope, node.id, node)
                node = found.value if found is not None else None
                continue
            break
        if not isinstance(node, ast.Call):
            return None
        q = ser.qual(node.func)
        if q in cat.tf1_variables:
            shape = arg(node, (-1, "shape"))
            init = node.args[0] if node.args else arg(node, (-1, "initial_value"))
            if shape is None and isinstance(init, ast.Call) and ser.qual(init.func) in cat.tf1_initialisers:
                shape = init.args[0] if init.args else arg(init, (-1, "shape"))
            value = ser.ev.literal(shape, frame.env)
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], int) and not isinstance(value[1], bool):
                return value[1], shape or node
        return None
