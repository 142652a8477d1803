"""PyTorch's API as the reader needs it, built from ``rules/frameworks/pytorch.yaml`` (validated
when the rule base loads, see :mod:`nnadvisor.knowledge.pytorch_file`): lookups by qualified name, nothing more.

Qualified names are what :meth:`~nnadvisor.readers.python.index.SourceIndex.qual` gives after
import aliases: ``torch.nn.Linear``, ``torch.nn.functional.relu``, ``torch.optim.Adam``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NN = "torch.nn."
FUNCTIONAL = "torch.nn.functional."
TORCH = "torch."
OPTIM = "torch.optim."

Place = tuple[int, str]


@dataclass(frozen=True)
class Activation:
    """An activation as the vocabulary names it; ``alpha`` is where leaky_relu's slope is."""

    name: str
    alpha: Place | None = None


def _place(value: Any) -> Place | None:
    return None if value is None else (int(value[0]), str(value[1]))


def _activation(value: Any) -> Activation:
    if isinstance(value, str):
        return Activation(value)
    return Activation(value["name"], _place(value.get("alpha")))


class Catalogue:
    """Lookups over the PyTorch table (one per rule base; built once per process)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.default_aliases: dict[str, str] = dict(data["default_aliases"])
        self.model_bases = frozenset(data["model_bases"])
        self.wrappers = frozenset(data["wrappers"])
        self.module_methods = frozenset(data["module_methods"])
        self.layers: dict[str, dict[str, Any]] = data["layers"]
        self.containers = frozenset(data["containers"])
        self.keyed_containers = frozenset(data["keyed_containers"])
        acts = data["activations"]
        self.activation_modules = {k: _activation(v) for k, v in acts["modules"].items()}
        functional = {FUNCTIONAL + k: _activation(v) for k, v in acts["functional"].items()}
        torch_fns = {TORCH + k: _activation(v) for k, v in acts["torch"].items()}
        self.activation_functions = {**torch_fns, **functional}
        self.activation_methods = {k: _activation(v) for k, v in acts["methods"].items()}
        self.log_of: dict[str, str] = dict(acts["log_of"])
        passthrough = data["passthrough"]
        self.passthrough_methods = frozenset(passthrough["methods"])
        self.passthrough_functions = frozenset(passthrough["functions"])
        self.merge_functions = frozenset(passthrough["merges"])
        self.reductions = frozenset(passthrough["reductions"])
        self.loss_classes: dict[str, Place] = {name: _place(e["input"]) or (0, "input") for name, e in data["losses"].items()}
        self.loss_functions: dict[str, tuple[str, Place]] = {
            FUNCTIONAL + e["functional"]: (name, _place(e["input"]) or (0, "input")) for name, e in data["losses"].items()
        }
        for qual, e in data["loss_functions"].items():
            self.loss_functions[qual] = (e["name"], _place(e["input"]) or (0, "input"))
        self.loss_params: dict[str, str] = dict(data["loss_params"])
        self.optimizers: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in data["optimizers"].items()}
        self.optimizer_params: dict[str, str] = dict(data["optimizer_params"])
        self.clipping: dict[str, tuple[str, Place]] = {k: (v["key"], _place(v["threshold"]) or (1, "")) for k, v in data["clipping"].items()}
        self.trainer_clipping: dict[str, str] = dict(data["trainer_clipping"])
        self.loss_words = tuple(data["loss_words"])
        self.eval_words = tuple(data["eval_words"])

    def says_loss(self, name: str) -> bool:
        """Whether a name says it is a loss (``criterion``, ``loss_fn``, ``FocalLoss``)."""
        low = name.lower()
        return any(w in low for w in self.loss_words)

    def nn_name(self, qual: str | None) -> str | None:
        """``X`` when ``qual`` is ``torch.nn.X`` (a class of torch.nn)."""
        if qual is not None and qual.startswith(NN) and qual.count(".") == 2:
            return qual[len(NN) :]
        return None

    def loss_class(self, qual: str | None) -> str | None:
        """The loss name when ``qual`` is a loss class of torch.nn (``CrossEntropyLoss``)."""
        name = self.nn_name(qual)
        return name if name is not None and (name in self.loss_classes or name.endswith("Loss")) else None

    def optimizer(self, qual: str | None) -> str | None:
        if qual is not None and qual.startswith(OPTIM) and qual.count(".") == 2:
            name = qual[len(OPTIM) :]
            return name if name[:1].isupper() else None
        return None


_built: dict[int, tuple[dict[str, Any], Catalogue]] = {}


def catalogue(data: dict[str, Any]) -> Catalogue:
    """The catalogue of a rule base's table, built once per table (the entry keeps the table
    alive, so its id is never reused for another)."""
    found = _built.get(id(data))
    if found is None or found[0] is not data:
        found = _built[id(data)] = (data, Catalogue(data))
    return found[1]
