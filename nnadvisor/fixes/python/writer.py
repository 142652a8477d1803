"""What the PyTorch and Keras writers share: the patch as a difference between the config read
from the source and the patched one (an output activation, the loss, the optimizer), and the
edits that do not depend on the framework: an activation call replaced by its input where the
value it computes goes nowhere else, a module attribute (``self.act = ...``) edited where it is
used, an argument given, changed or removed.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from nnadvisor.fixes.python.text import (
    Change,
    Source,
    literal,
    quote_style,
    string_literal,
)

if TYPE_CHECKING:
    from nnadvisor.fixes.python.knowledge import Knowledge
    from nnadvisor.source import Document, Location

Changes = list[Change]


class Writer:
    """Edits of one source for one patch; subclasses know a framework's spellings."""

    framework = ""

    def __init__(self, src: Source, doc: Document, know: Knowledge) -> None:
        self.src = src
        self.doc = doc
        self.know = know
        self._quote: str | None = None

    # --- the patch as differences ----------------------------------------------------------------

    def changes(self, patched: Any) -> Changes | None:
        """The changes that make the source's config ``patched``."""
        data = self.doc.data
        if not isinstance(data, dict) or not isinstance(patched, dict) or set(patched) != set(data):
            return None
        out: Changes = []
        for key in data:
            if patched[key] == data[key]:
                continue
            if key == "layers":
                got = self._layers(data[key], patched[key])
            elif key == "loss":
                got = self.loss(data[key], patched[key])
            elif key == "optimizer":
                got = self.optimizer(_named(data[key]), _named(patched[key]))
            else:
                got = None
            if got is None:
                return None
            out += got
        return out

    def _layers(self, old: Any, new: Any) -> Changes | None:
        if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
            return None
        out: Changes = []
        for i, (a, b) in enumerate(zip(old, new)):
            if a == b:
                continue
            if not isinstance(a, dict) or not isinstance(b, dict) or {k for k in set(a) | set(b) if a.get(k) != b.get(k)} != {"activation"}:
                return None
            canonical = self.know.canonical("activation", b["activation"])
            if canonical is None:
                return None
            if canonical == "linear" and a.get("activation") is None and a.get("type") != "activation" and f"/layers/{i}/activation" not in self.doc.locations:
                continue  # a layer without an activation is linear already
            got = self.activation(i, a, canonical)
            if got is None:
                return None
            out += got
        return out

    def activation(self, index: int, layer: dict[str, Any], new: str) -> Changes | None:
        return None

    def loss(self, old: Any, new: Any) -> Changes | None:
        return None

    def optimizer(self, old: dict[str, Any], new: dict[str, Any]) -> Changes | None:
        return None

    # --- locations --------------------------------------------------------------------------------

    def location(self, pointer: str) -> Location | None:
        return self.doc.locations.get(pointer)

    def nodes(self, pointer: str) -> list[ast.AST]:
        return self.src.at(self.location(pointer))

    def shared(self, pointer: str) -> bool:
        """Whether another layer of the config was read from the same place (a layer built in a
        loop, a module called twice): editing it would change both."""
        loc = self.location(pointer)
        index = pointer.split("/")[2] if pointer.startswith("/layers/") else None
        return any(p != pointer and p.startswith("/layers/") and p.count("/") == 2 and p.split("/")[2] != index and v == loc for p, v in self.doc.locations.items())

    @property
    def quote(self) -> str:
        if self._quote is None:
            self._quote = quote_style(self.src)
        return self._quote

    def string(self, value: str, like: ast.AST | None = None) -> str:
        return string_literal(value, self.src.segment(like) if isinstance(like, ast.Constant) and isinstance(like.value, str) else self.quote)

    # --- activations computed by a call -------------------------------------------------------

    def drop_call(self, call: ast.Call, arg: ast.expr, consumer: ast.Name | None = None) -> Changes | None:
        """Replace an activation call by its input, when what it computes goes only where the
        patch is about: it is returned (``return F.softmax(self.fc(x), dim=1)``), or bound to a
        name whose one later use is ``consumer`` (or the only one, when not given)."""
        if not self._only_output(call, consumer):
            return None
        return self.src.replace_by_argument(call, arg)

    def wrap_call(self, call: ast.Call, function: str) -> Changes | None:
        """``self.out(h)`` -> ``torch.sigmoid(self.out(h))``, under the same condition."""
        if not self._only_output(call, None):
            return None
        return [Change(self.src.start(call), self.src.start(call), f"{function}("), Change(self.src.end(call), self.src.end(call), ")")]

    def _only_output(self, call: ast.Call, consumer: ast.Name | None) -> bool:
        stmt = self.src.statement(call)
        if stmt is None or not self._value_of(call, stmt):
            return False
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                return False
            seen = self.src.only_consumer(stmt, stmt.targets[0].id)
            return seen is not None and (consumer is None or seen is consumer)
        return isinstance(stmt, ast.Return)

    def _value_of(self, call: ast.Call, stmt: ast.stmt) -> bool:
        """Whether the call's value is (a method chain on) the statement's value, or an element
        of a returned tuple: nothing else uses it on the way."""
        node: ast.AST = call
        for parent in self.src.ancestors(call):
            if parent is stmt:
                return getattr(stmt, "value", None) is node
            if isinstance(parent, ast.Attribute) and parent.value is node or isinstance(parent, ast.Call) and parent.func is node or isinstance(parent, ast.Tuple) and isinstance(stmt, ast.Return) and node in parent.elts:
                node = parent
            else:
                return False
        return False

    def attribute_use(self, construct: ast.Call) -> ast.Call | None:
        """For ``self.act = Module(...)`` in a method, the one call ``self.act(x)`` in the class
        (reads of its attributes, ``self.out.weight``, aside; ``None`` when it is called more than
        once or used in any other way)."""
        assign = self.src.parent(construct)
        if not isinstance(assign, ast.Assign) or assign.value is not construct or len(assign.targets) != 1:
            return None
        target = assign.targets[0]
        method = self.src.function(assign)
        cls = self.src.enclosing_class(assign)
        if not isinstance(target, ast.Attribute) or not isinstance(target.value, ast.Name) or method is None or cls is None:
            return None
        params = method.args.args
        if not params or params[0].arg != target.value.id:
            return None
        calls: list[ast.Call] = []
        for node in ast.walk(cls):
            if not isinstance(node, ast.Attribute) or node is target or node.attr != target.attr or not isinstance(node.value, ast.Name):
                continue
            owner = self.src.function(node)
            if owner is None or not owner.args.args or node.value.id != owner.args.args[0].arg or not isinstance(node.ctx, ast.Load):
                return None
            parent = self.src.parent(node)
            if isinstance(parent, ast.Call) and parent.func is node:
                calls.append(parent)
            elif not isinstance(parent, ast.Attribute) or _called(self.src.parent(parent), parent):
                return None  # handed on, or a method of it called: not only a layer of the path
        if len(calls) != 1:
            return None
        call = calls[0]
        if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
            return None
        return call

    def drop_module_use(self, construct: ast.Call) -> Changes | None:
        """``self.act = nn.Softmax(dim=1)`` used once as ``self.act(x)``: that use becomes ``x``."""
        use = self.attribute_use(construct)
        return None if use is None else self.drop_call(use, use.args[0])

    def bound_activation(self, name: ast.Name) -> tuple[ast.Assign, ast.expr] | None:
        """The assignment whose value a name's use sees, and that value (``probs = ...``)."""
        scope = self.src.scope(name)
        if not isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        binding = self.src.index.reaching(scope, name.id, name)
        if binding is None or binding.path or not isinstance(binding.stmt, ast.Assign) or binding.value is None:
            return None
        stmt = binding.stmt
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            return None
        return stmt, binding.value

    def unchanged_between(self, name: str, scope_of: ast.AST, start: int, end: int) -> bool:
        """Whether ``name`` is not assigned between two offsets of its scope."""
        scope = self.src.scope(scope_of)
        if scope is None:
            return False
        return not any(not isinstance(n.ctx, ast.Load) and start <= self.src.start(n) < end for n in self.src.names(scope, name))

    def indexed(self, node: ast.AST) -> bool:
        """Whether the layer list or container a layer is removed from or inserted into is indexed
        somewhere in the file (``model[:-1]``, ``self.net[-1]``, ``model.layers[-1]``,
        ``layers[-1]``, also through a factory's callers): the index would silently name another
        layer."""
        names: set[str] = set()
        attrs: set[str] = set()
        stmt = self.src.statement(node)
        if isinstance(stmt, ast.Assign):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            attrs |= {t.attr for t in stmt.targets if isinstance(t, ast.Attribute)}
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
            receiver = stmt.value.func.value
            if isinstance(receiver, ast.Name):
                names.add(receiver.id)  # model.add(...), layers.append(...)
        func = self.src.function(node)
        if func is not None:  # a factory: what its callers bind the model to
            for site in self.src.index.calls_of.get(func.name, []):
                if isinstance(site.stmt, ast.Assign):
                    names |= {t.id for t in site.stmt.targets if isinstance(t, ast.Name)}
                    attrs |= {t.attr for t in site.stmt.targets if isinstance(t, ast.Attribute)}
        for sub in ast.walk(self.src.tree):
            if not isinstance(sub, ast.Subscript):
                continue
            value = sub.value
            if isinstance(value, ast.Name) and value.id in names:
                return True
            if isinstance(value, ast.Attribute) and (value.attr in attrs or (isinstance(value.value, ast.Name) and value.value.id in names)):
                return True
        return False

    # --- arguments ----------------------------------------------------------------------------

    def set_argument(self, call: ast.Call, node: ast.AST | None, keyword: str, value: Any) -> Changes | None:
        """Give ``keyword=value`` to a call: ``node`` is the argument it has now (a literal, which
        is replaced), or ``None`` (the keyword is added)."""
        text = literal(value)
        if text is None:
            return None
        if node is None:
            if any(kw.arg is None or kw.arg == keyword for kw in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
                return None
            return self.src.insert_keyword(call, f"{keyword}={text}")
        if not isinstance(node, ast.Constant) and not (isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)):
            return None  # a value from a variable or an expression: not this fix's to change
        if node not in call.args and not any(kw.value is node for kw in call.keywords):
            return None
        return [self.src.replace(node, text)]

    def rename(self, func: ast.expr, qual_old: str | None, qual_new: str) -> Change | None:
        """The callee of a call renamed (``nn.MSELoss`` -> ``nn.CrossEntropyLoss``), in the spelling
        the file uses: the last name replaced when both live in the same module, else the name
        spelt through the file's imports."""
        if qual_old is not None and isinstance(func, ast.Attribute) and qual_old.rpartition(".")[0] == qual_new.rpartition(".")[0]:
            return self.rename_attribute(func, qual_new.rpartition(".")[2])
        spelt = self.spell(qual_new)
        return None if spelt is None else self.src.replace(func, spelt)

    def rename_attribute(self, func: ast.Attribute, name: str) -> Change | None:
        """``x.softmax`` -> ``x.sigmoid``: the attribute's name replaced, nothing else."""
        end = self.src.end(func)
        start = end - len(func.attr)
        if self.src.text[start:end] != func.attr:
            return None
        return Change(start, end, name)

    def spell(self, qual: str) -> str | None:
        """The shortest way to write a dotted name with what the file imports (``torch.nn.Sigmoid``
        is ``nn.Sigmoid`` after ``from torch import nn``), never through a name the file rebinds."""
        found: list[str] = []
        for local, target in self.src.index.aliases.items():
            if not self._import_only(local):
                continue
            for module in self.modules(target):
                if qual == module:
                    found.append(local)
                elif qual.startswith(module + "."):
                    found.append(local + qual[len(module) :])
        return min(found, key=lambda s: (len(s), s)) if found else None

    def modules(self, target: str) -> list[str]:
        """The module paths an imported name stands for (a framework may add its aliases)."""
        return [target]

    def _import_only(self, local: str) -> bool:
        return self.src.import_only(local)


def _named(value: Any) -> dict[str, Any]:
    return {"name": value} if isinstance(value, str) else dict(value) if isinstance(value, dict) else {}


def _called(node: ast.AST | None, func: ast.AST) -> bool:
    return isinstance(node, ast.Call) and node.func is func
