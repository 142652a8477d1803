"""From a :class:`ModelConfig` to the facts rules reason with.

A fact is a value under a dotted path (``output.activation``, ``loss.expects``, ``hidden.count``)
plus the JSON pointer of the config key it came from, so that a finding can name a line. Names are
resolved through the vocabulary here, once; standalone activation layers are folded into the
layer before them; the output layer is the last layer with units. Which facts exist, and their
types, is :data:`PATHS` (rules are checked against it when they load). What the facts *mean* for
a model is decided by the rules, not here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from nnadvisor.config import ActivationSpec, Layer, LossSpec, ModelConfig, OptimizerSpec
from nnadvisor.source import Document
from nnadvisor.terms import (
    Expects,
    Framework,
    LabelFormat,
    LayerType,
    LossFamily,
    Outliers,
    OutputRange,
    Task,
    TargetRange,
    values,
)
from nnadvisor.vocabulary import Kind, Vocabulary


@dataclass(frozen=True)
class PathType:
    """The type of a fact: ``kind`` is str, int, number, bool or list; ``choices`` closes a str."""

    kind: str
    choices: tuple[str, ...] | None = None
    doc: str = ""


def enum_path(literal: object, doc: str = "") -> PathType:
    return PathType("str", values(literal), doc)


# Choices of vocabulary names are filled in from the vocabulary when rules load.
ACTIVATION = PathType("str", None, "canonical activation name")
LOSS = PathType("str", None, "canonical loss name")
OPTIMIZER = PathType("str", None, "canonical optimizer name")

PATHS: dict[str, PathType] = {
    "framework": enum_path(Framework),
    "task": enum_path(Task, "given, or inferred (then task_inferred is true)"),
    "task_inferred": PathType("bool"),
    "labels": enum_path(LabelFormat),
    "num_classes": PathType("int"),
    "target_range": enum_path(TargetRange, "as given; absent means unknown"),
    "outliers": enum_path(Outliers),
    "recurrent": PathType("bool", doc="the model has an rnn, lstm or gru layer"),
    "output.activation": ACTIVATION,
    "output.range": enum_path(OutputRange),
    "output.probability": PathType("bool", doc="sigmoid, hard_sigmoid or softmax output"),
    "output.units": PathType("int"),
    "output.type": enum_path(LayerType),
    "hidden.count": PathType("int", doc="hidden dense/conv/recurrent layers before the output layer"),
    "hidden.activations": PathType("list", None, "effective activations of the hidden dense/conv layers"),
    "layers.known": PathType("bool", doc="every layer is known (none is opaque to the reader, a merge of branches, or of type other)"),
    "loss.name": LOSS,
    "loss.given": PathType("str", doc="the loss name as written"),
    "loss.family": enum_path(LossFamily),
    "loss.expects": enum_path(Expects, "what the loss takes as input, after from_logits and framework"),
    "loss.from_logits": PathType("bool"),
    "loss.labels": PathType("list", None, "label formats the loss is defined for"),
    "loss.delta": PathType("number"),
    "loss.label_smoothing": PathType("number"),
    "optimizer.name": OPTIMIZER,
    "optimizer.family": PathType("str"),
    "optimizer.learning_rate": PathType("number"),
    "optimizer.momentum": PathType("number"),
    "optimizer.nesterov": PathType("bool"),
    "optimizer.beta_1": PathType("number"),
    "optimizer.beta_2": PathType("number"),
    "optimizer.epsilon": PathType("number"),
    "optimizer.rho": PathType("number"),
    "optimizer.weight_decay": PathType("number"),
    "optimizer.decoupled_weight_decay": PathType("bool", doc="PyTorch Adam's decoupled_weight_decay flag"),
    "optimizer.clipping": PathType("bool", doc="clipnorm, clipvalue or global_clipnorm is set"),
}

ITEM_PATHS: dict[str, dict[str, PathType]] = {
    "layers": {
        "index": PathType("int"),
        "type": enum_path(LayerType),
        "role": PathType("str", ("hidden", "output", "other")),
        "activation": ACTIVATION,
        "recurrent": PathType("bool"),
        "cell_activation": ACTIVATION,
        "repeated_activation": PathType("str", None, "an activation applied twice in a row"),
        "merges_with_next": PathType("bool", doc="the next layer (past dropout, flatten, pooling and normalisation) is a known layer its output feeds straight into"),
        "bottleneck": PathType("bool", doc="narrower than the layers before and after it (a linear one is then a low-rank code, not a redundant map)"),
    },
    "names": {
        "kind": PathType("str", ("activation", "loss", "optimizer")),
        "given": PathType("str"),
        "suggestions": PathType("str", doc="closest known names, comma-separated"),
    },
}

_OPTIMIZER_PARAMS = tuple(
    (param, f"optimizer.{param}", spellings)
    for param, spellings in {
        "learning_rate": ("learning_rate", "lr"),
        "momentum": ("momentum",),
        "nesterov": ("nesterov",),
        "beta_1": ("beta_1", "betas/0"),
        "beta_2": ("beta_2", "betas/1"),
        "epsilon": ("epsilon", "eps"),
        "rho": ("rho", "alpha"),
        "weight_decay": ("weight_decay",),
        "decoupled_weight_decay": ("decoupled_weight_decay",),
    }.items()
)
"""Optimizer facts: (spec attribute, fact path, the keys it may be written under)."""

_RECURRENT = {"rnn", "lstm", "gru"}
_WEIGHTED = {"dense", "conv", "rnn", "lstm", "gru", "embedding", "attention", "other"}
_DEPTH = {"dense", "conv", "rnn", "lstm", "gru"}


@dataclass
class Facts:
    """Facts under dotted paths, their source pointers, and per-item facts for ``for_each`` rules."""

    values: dict[str, Any] = field(default_factory=dict)
    pointers: dict[str, str] = field(default_factory=dict)
    items: dict[str, list[Facts]] = field(default_factory=dict)

    def set(self, path: str, value: Any, pointer: str | None = None) -> None:
        self.values[path] = value
        if pointer is not None:
            self.pointers[path] = pointer


def _repeated(chain: list[tuple[str | None, str]]) -> str | None:
    """An activation applied twice in a row (``softmax`` then ``softmax``)."""
    return next((a for (a, _), (b, _) in zip(chain, chain[1:]) if a is not None and a == b), None)


_SKIPPED_BETWEEN = frozenset({"dropout", "flatten", "pooling", "batchnorm", "layernorm"})


def _merges_with_next(folded: list[_Folded], position: int) -> bool:
    """Whether a layer's output feeds straight into a known layer (past dropout, flatten,
    pooling and normalisation), so that a linear layer composes with it."""
    for f in folded[position + 1 :]:
        if f.layer.type in _SKIPPED_BETWEEN:
            continue
        return f.layer.type != "other"
    return False


def _bottleneck(folded: list[_Folded], position: int) -> bool | None:
    """Whether a layer is narrower than the weighted layers on both sides (unknown widths: unknown)."""
    units = folded[position].layer.units
    before = next((f.layer.units for f in reversed(folded[:position]) if f.layer.type not in _SKIPPED_BETWEEN), None)
    after = next((f.layer.units for f in folded[position + 1 :] if f.layer.type not in _SKIPPED_BETWEEN), None)
    if units is None:
        return None
    if (after is not None and units >= after) or (before is not None and units >= before):
        return False  # as wide as a neighbour: no rank limit
    if before is None or after is None:
        return None
    return True


@functools.lru_cache(maxsize=256)
def _loss_spec(name: str) -> LossSpec:
    """``loss: mse`` as a spec with defaults (shared: specs are never modified)."""
    return LossSpec.model_validate({"name": name})


@functools.lru_cache(maxsize=256)
def _optimizer_spec(name: str) -> OptimizerSpec:
    return OptimizerSpec.model_validate({"name": name})


@dataclass
class _Folded:
    """A layer with the activations that apply to its output, in order."""

    layer: Layer
    index: int
    pointer: str
    chain: list[tuple[str | None, str]]  # (canonical name or None if unknown, pointer)


class _Deriver:
    def __init__(self, config: ModelConfig, doc: Document | None, vocab: Vocabulary, unknowns: frozenset[str]) -> None:
        self.config = config
        self.doc = doc
        self.vocab = vocab
        self.unknowns = unknowns
        self.facts = Facts()
        self.names: list[Facts] = []

    def key(self, base: str, *names: str) -> str:
        """Pointer of the first of ``names`` present in the source under ``base``."""
        if self.doc is not None:
            for name in names:
                if f"{base}/{name}" in self.doc.locations:
                    return f"{base}/{name}"
        return f"{base}/{names[0]}"

    def resolve(self, kind: Kind, given: str, pointer: str) -> tuple[str | None, dict[str, Any], str | None]:
        if pointer in self.unknowns:
            return None, {}, None  # the reader said it cannot resolve this name: unknown, not a typo
        resolved = self.vocab.resolve(kind, given)
        if resolved is None:
            item = Facts()
            item.set("kind", kind, pointer)
            item.set("given", given, pointer)
            item.set("suggestions", ", ".join(self.vocab.suggest(kind, given)) or None, pointer)
            self.names.append(item)
            return None, {}, None
        return resolved.canonical, resolved.params, resolved.framework

    def activation(self, value: str | ActivationSpec | None, pointer: str) -> str | None:
        if value is None:
            return None if pointer in self.unknowns else "linear"
        name = value if isinstance(value, str) else value.name
        if name is None:
            return "linear"
        ptr = pointer if isinstance(value, str) else f"{pointer}/name"
        return self.resolve("activation", name, ptr)[0]

    def fold(self) -> list[_Folded]:
        folded: list[_Folded] = []
        for index, layer in enumerate(self.config.layers):
            pointer = f"/layers/{index}"
            if layer.type == "activation":
                act_ptr = self.key(pointer, "activation", "type")
                name = self.activation(layer.activation, act_ptr)
                host = next((f for f in reversed(folded) if f.layer.type in _WEIGHTED), None)
                if host is not None:
                    host.chain.append((name, act_ptr))
                continue
            chain: list[tuple[str | None, str]] = []
            if layer.type in _RECURRENT:
                cell = layer.activation if layer.activation is not None else "tanh"
                chain.append((self.activation(cell, self.key(pointer, "activation")), self.key(pointer, "activation")))
                if layer.recurrent_activation is not None:
                    self.activation(layer.recurrent_activation, self.key(pointer, "recurrent_activation"))
            elif layer.activation is not None or f"{pointer}/activation" in self.unknowns:
                act_ptr = self.key(pointer, "activation")
                chain.append((self.activation(layer.activation, act_ptr), act_ptr))
            folded.append(_Folded(layer, index, pointer, chain))
        return folded

    def effective(self, chain: list[tuple[str | None, str]]) -> tuple[str | None, str | None]:
        """The activation that decides the output range: the last non-linear one in the chain."""
        for name, pointer in reversed(chain):
            if name is None:
                return None, pointer
            if self.vocab.activations[name]["nonlinear"]:
                return name, pointer
        return "linear", chain[-1][1] if chain else None

    def layers(self) -> None:
        folded = self.fold()
        with_units = [f for f in folded if f.layer.units is not None]
        output = with_units[-1] if with_units else (folded[-1] if folded else None)
        # A layer the reader could not see into after that one computes the output (unknown).
        opaque_after = [f for f in folded if output is not None and f.index > output.index and f.layer.type == "other"]
        if opaque_after:
            output = opaque_after[-1]
        facts = self.facts
        facts.set("recurrent", any(f.layer.type in _RECURRENT for f in folded))
        layer_items: list[Facts] = []
        hidden_acts: list[str] = []
        hidden_count = 0
        seen_output = False
        for position, f in enumerate(folded):
            name, act_ptr = self.effective(f.chain)
            role = "output" if f is output else ("other" if seen_output or f.layer.type not in _DEPTH else "hidden")
            seen_output = seen_output or f is output
            chain = f.chain
            last_ptr = chain[-1][1] if chain else f.pointer
            recurrent = f.layer.type in _RECURRENT
            item = Facts(
                {
                    "index": f.index,
                    "type": f.layer.type,
                    "role": role,
                    "activation": name,
                    "recurrent": recurrent,
                    "repeated_activation": _repeated(chain) if len(chain) > 1 else None,
                    "merges_with_next": _merges_with_next(folded, position),
                    "bottleneck": _bottleneck(folded, position),
                },
                {
                    "index": f.pointer,
                    "type": self.key(f.pointer, "type"),
                    "role": f.pointer,
                    "activation": act_ptr or f.pointer,
                    "recurrent": f.pointer,
                    "repeated_activation": last_ptr,
                    "merges_with_next": f.pointer,
                    "bottleneck": f.pointer,
                },
            )
            if recurrent:
                item.set("cell_activation", chain[0][0], chain[0][1])
            layer_items.append(item)
            if role == "hidden":
                hidden_count += 1
                if f.layer.type in ("dense", "conv") and name is not None:
                    hidden_acts.append(name)
        facts.items["layers"] = layer_items
        facts.set("hidden.count", hidden_count, "/layers")
        facts.set("hidden.activations", hidden_acts, "/layers")
        facts.set("layers.known", all(f.layer.type != "other" for f in folded), "/layers")
        if output is None:
            return
        name, act_ptr = self.effective(output.chain)
        facts.set("output.type", output.layer.type, self.key(output.pointer, "type"))
        facts.set("output.units", output.layer.units, self.key(output.pointer, "units", "filters", "out_features", "hidden_size", "out_channels"))
        # Without an activation key, fixes "add" one at the place it would be written.
        act_ptr = act_ptr or f"{output.pointer}/activation"
        facts.set("output.activation", name, act_ptr)
        if name is not None:
            entry = self.vocab.activations[name]
            facts.set("output.range", entry["range"], act_ptr)
            facts.set("output.probability", entry["probability"], act_ptr)

    def loss(self) -> None:
        loss = self.config.loss
        if loss is None:
            return
        spec = loss if isinstance(loss, LossSpec) else _loss_spec(loss)
        pointer = "/loss"
        name_ptr = pointer if isinstance(loss, str) else self.key(pointer, "name")
        canonical, implied, alias_framework = self.resolve("loss", spec.name, name_ptr)
        facts = self.facts
        facts.set("loss.given", spec.name, name_ptr)
        if canonical is None:
            return
        entry = self.vocab.losses[canonical]
        framework = self.config.framework if self.config.framework != "generic" else (alias_framework or "generic")
        override = entry["frameworks"].get(framework) or {}
        from_logits = spec.from_logits
        if from_logits is None:
            from_logits = implied.get("from_logits")
        if from_logits is None:
            from_logits = override.get("from_logits")
        logits_expects = entry["from_logits_expects"]
        from_logits = bool(from_logits) if logits_expects else False
        expects = logits_expects if from_logits else (override.get("expects") or entry["expects"])
        labels = override.get("labels") or entry["labels"]
        fl_ptr = self.key(pointer, "from_logits") if isinstance(loss, LossSpec) and loss.from_logits is not None else name_ptr
        facts.set("loss.name", canonical, name_ptr)
        facts.set("loss.family", entry["family"], name_ptr)
        facts.set("loss.expects", expects, fl_ptr)
        facts.set("loss.from_logits", from_logits, fl_ptr)
        facts.set("loss.labels", list(labels), name_ptr)
        if spec.delta is not None:
            facts.set("loss.delta", spec.delta, self.key(pointer, "delta", "beta"))
        if spec.label_smoothing is not None:
            facts.set("loss.label_smoothing", spec.label_smoothing, self.key(pointer, "label_smoothing"))

    def optimizer(self) -> None:
        opt = self.config.optimizer
        if opt is None:
            return
        spec = opt if isinstance(opt, OptimizerSpec) else _optimizer_spec(opt)
        pointer = "/optimizer"
        name_ptr = pointer if isinstance(opt, str) else self.key(pointer, "name")
        canonical = self.resolve("optimizer", spec.name, name_ptr)[0]
        facts = self.facts
        if canonical is not None:
            facts.set("optimizer.name", canonical, name_ptr)
            facts.set("optimizer.family", self.vocab.optimizers[canonical]["family"], name_ptr)
        for param, path, spellings in _OPTIMIZER_PARAMS:
            value = getattr(spec, param)
            if value is not None:
                facts.set(path, value, self.key(pointer, *spellings))
        clip = next((k for k in ("clipnorm", "clipvalue", "global_clipnorm") if getattr(spec, k) is not None), None)
        if clip is None and f"{pointer}/clipnorm" in self.unknowns:
            return  # clipped outside the optimizer, where the reader cannot see (a live PyTorch model's loop)
        facts.set("optimizer.clipping", clip is not None, self.key(pointer, clip) if clip else pointer)

    def context(self) -> None:
        config = self.config
        self.facts.set("framework", config.framework, "/framework")
        for key in ("task", "labels", "num_classes", "target_range", "outliers"):
            value = getattr(config, key)
            if value is not None:
                self.facts.set(key, value, f"/{key}")
        self.facts.set("task_inferred", False)

    def derive(self) -> Facts:
        self.context()
        self.layers()
        self.loss()
        self.optimizer()
        self.facts.items["names"] = self.names
        return self.facts


def derive(config: ModelConfig, doc: Document | None, vocab: Vocabulary, unknowns: frozenset[str] = frozenset()) -> Facts:
    """Facts of ``config``; ``doc`` (when the config came from a file) locates the keys;
    ``unknowns`` are the pointers a reader could not resolve (their facts stay unknown)."""
    return _Deriver(config, doc, vocab, unknowns).derive()
