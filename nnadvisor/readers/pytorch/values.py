"""What the PyTorch reader builds: module specs (what a constructor call makes) and traced values
(how a tensor was computed from a model's input), both immutable and cheap to extend."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from nnadvisor.readers._model import Entry, Part


@dataclass(frozen=True, eq=False)
class Leaf:
    """A module whose layers are known."""

    entries: tuple[Entry, ...]


@dataclass(frozen=True, eq=False)
class Seq:
    """``nn.Sequential`` / ``nn.ModuleList``: children in order."""

    items: tuple[Spec, ...]


@dataclass(frozen=True, eq=False)
class Sub:
    """An instance of a model class defined in the file (``call`` binds its ``__init__``)."""

    cls: str
    call: ast.Call | None


@dataclass(frozen=True, eq=False)
class Opaque:
    """A module the reader cannot see into (custom, external, computed): said, never guessed."""

    what: str
    node: ast.AST
    returns_tuple: bool = False


@dataclass(frozen=True, eq=False)
class LossMod:
    """A loss object (``nn.CrossEntropyLoss(...)``): not a layer of the model."""

    part: Part
    node: ast.Call


Spec = Union[Leaf, Seq, Sub, Opaque, LossMod]
SPECS = (Leaf, Seq, Sub, Opaque, LossMod)
Step = Union[Spec, Entry]


class Path:
    """The steps (modules, activations, opaque operations) from the input to a value, as an
    immutable linked list: extending it is O(1) whatever its length, and branches share their
    common part (a 40,000-line ``forward`` stays linear)."""

    __slots__ = ("prev", "step", "size")

    def __init__(self, prev: Path | None, step: Step | None) -> None:
        self.prev = prev
        self.step = step
        self.size: int = 0 if prev is None else prev.size + 1

    def then(self, step: Step) -> Path:
        return Path(self, step)

    def steps(self) -> list[Step]:
        out: list[Step] = []
        node: Path | None = self
        while node is not None and node.step is not None:
            out.append(node.step)
            node = node.prev
        out.reverse()
        return out

    @property
    def last(self) -> Step | None:
        return self.step


INPUT = Path(None, None)
"""The model's input: a path with no steps."""


@dataclass(frozen=True, eq=False)
class ModelRef:
    """A model the training code calls: a class of the file, a module expression, or something
    the reader cannot see into (``spec`` is then :class:`Opaque`)."""

    key: str
    """Identity for grouping (two names bound to the same model share it)."""
    label: str
    """How messages name it."""
    spec: Spec
    node: ast.AST


@dataclass(frozen=True, eq=False)
class Out:
    """A tensor computed from a model's input along ``path``; ``ref`` is the model called (None
    inside that model's own ``forward``)."""

    path: Path
    ref: ModelRef | None = None

    def then(self, step: Step) -> Out:
        return Out(self.path.then(step), self.ref)


@dataclass(frozen=True, eq=False)
class Tup:
    """A tuple of values (``return probs, value``); items may be unknown (None)."""

    items: tuple[Value, ...]


Value = Union[Out, Tup, None]
"""What an expression is: a traced tensor, a tuple of values, or unknown / not from the input."""


def first(value: Value) -> Value:
    """The first element, for code that unpacks a tensor-returning module (``out, h = self.rnn(x)``)."""
    if isinstance(value, Tup):
        return value.items[0] if value.items else None
    return value
