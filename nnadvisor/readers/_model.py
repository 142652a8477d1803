"""What the Keras and PyTorch readers share: layers, loss and optimizer found in a user's file, each
with the place it came from, assembled into a validated :class:`~nnadvisor.config.ModelConfig`
whose locations (keyed by the config pointers the facts use: ``/loss``, ``/layers/2/activation``,
``/optimizer/learning_rate``) are lines of the user's file.

What a reader cannot see into is never guessed: a layer it does not know (a custom class, a merge
of branches, a ``Lambda``) is *opaque*. Inside the network it is a layer of type ``other``; after
the output layer it makes the output activation unknown (an activation name no vocabulary entry
matches, so every rule that needs the output activation stays silent) and adds a NOTE saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nnadvisor.readers import ReadResult
from nnadvisor.source import Document, Location, Problem
from nnadvisor.validation import validate_config
from nnadvisor.vocabulary import Kind, Vocabulary

class _Unknown:
    """A value the reader could not resolve statically (never a name: nothing can match it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""What a reader puts where a value is unknown (``layer["activation"] = UNKNOWN``); the assembly
turns it into a pointer of :attr:`ReadResult.unknowns`, so it never reaches the config."""
START = Location(1, 1)
INTERNAL_ERROR = "nnadvisor could not analyse this file (a reader error; please report it)"
_WEIGHTED = frozenset({"dense", "conv", "rnn", "lstm", "gru", "embedding", "attention", "other"})
_PASS_THROUGH = frozenset({"dropout", "flatten", "pooling", "batchnorm", "layernorm"})


@dataclass
class Entry:
    """One layer (or standalone activation) on the path to the output, with its locations.

    ``at`` maps a key of the layer (``""`` for the layer itself, ``type``, ``units``,
    ``activation``, ``activation/name``, ``recurrent_activation``, ...) to its place in the file.
    """

    layer: dict[str, Any]
    at: dict[str, Location] = field(default_factory=dict)
    opaque: str | None = None
    """What the layer computes is unknown (custom class, Lambda): the name to report."""
    merge: bool = False
    """A merge of branches (Add, Concatenate, ``x + y``): dropped inside the network, opaque at its end."""
    returns_tuple: bool = False
    """The module returns a tuple whose first element is its output (``nn.LSTM``)."""

    def copy(self) -> Entry:
        return Entry(dict(self.layer), dict(self.at), self.opaque, self.merge, self.returns_tuple)

    @property
    def where(self) -> Location:
        return self.at.get("") or self.at.get("type") or START


@dataclass
class Part:
    """The loss or the optimizer: a name or a mapping, and where its keys are."""

    value: str | dict[str, Any]
    at: dict[str, Location] = field(default_factory=dict)


class Assembly:
    """Collects notes and builds one :class:`ReadResult` per linted output."""

    def __init__(self, framework: str, vocab: Vocabulary) -> None:
        self.framework = framework
        self.vocab = vocab
        self.notes: list[Problem] = []
        self._seen: set[tuple[int, int, str]] = set()

    def note(self, where: Location, message: str, pointer: str = "") -> None:
        key = (where.line, where.column, message)
        if key not in self._seen:
            self._seen.add(key)
            self.notes.append(Problem(pointer, where, message))

    def _check_name(self, kind: Kind, name: Any, pointer: str, where: Location, unknowns: set[str]) -> None:
        if isinstance(name, str) and self.vocab.resolve(kind, name) is None:
            unknowns.add(pointer)
            self.note(where, f"{kind} '{name}' (line {where.line}) is not in nnadvisor's vocabulary: it is treated as unknown", pointer)

    def _finish_layers(self, entries: list[Entry], head: str | None) -> list[Entry]:
        """Say what hides the output, and drop unit counts that cannot be trusted.

        An opaque layer (a custom class, a merge of branches, a ``Lambda``) stays in the model as a
        layer of type ``other`` whose activation is unknown: after the last known layer it hides
        the output activation (said in a note; a known activation applied after it still counts),
        inside the network it keeps the layers around it from being read as one straight stack.
        When the output layer's width is not a literal, every unit count is dropped, so that no
        unit check reasons about the wrong layer."""
        known = [i for i, e in enumerate(entries) if e.layer.get("type") in _WEIGHTED and e.opaque is None and not e.merge]
        if known:
            last = known[-1]
        else:
            last = max((i for i, e in enumerate(entries) if e.layer.get("units") is not None and not e.merge), default=-1)
        strip = (
            last >= 0 and entries[last].layer.get("units") is None and entries[last].layer.get("type") in ("dense", "conv", "rnn", "lstm", "gru")
        )
        whose = f"output '{head}'" if head else "the output"
        out: list[Entry] = []
        for i, e in enumerate(entries):
            if e.opaque is not None or e.merge:
                what = e.opaque or "a merge of branches"
                if i > last and any(later.layer.get("type") == "activation" for later in entries[i + 1 :]):
                    self.note(e.where, f"{what} (line {e.where.line}) is not resolved statically: only the activation applied after it is known of {whose}")
                elif i > last:
                    self.note(e.where, f"{whose} passes through {what} (line {e.where.line}), which is not resolved statically: the output activation is unknown")
                elif i == last and e.layer.get("activation") is None:
                    self.note(e.where, f"{whose} is computed by {what} (line {e.where.line}), whose activation is not resolved statically: the output activation is unknown")
                if e.layer.get("activation") is None:
                    e = Entry({**e.layer, "type": "other", "activation": UNKNOWN}, {**e.at, "activation": e.at.get("activation", e.where)}, e.opaque, e.merge)
            if strip:
                if i > last and e.layer.get("type") in _PASS_THROUGH:
                    continue
                if "units" in e.layer:
                    e = Entry({k: v for k, v in e.layer.items() if k != "units"}, {k: v for k, v in e.at.items() if k != "units"}, e.opaque, e.merge)
            out.append(e)
        if strip:
            where = entries[last].at.get("units", entries[last].where)
            self.note(where, f"the width of {whose} layer (line {where.line}) is not resolved statically: checks of output units are skipped")
        return out

    def result(
        self,
        entries: list[Entry],
        loss: Part | None,
        optimizer: Part | None,
        *,
        head: str | None = None,
        label: str | None = None,
        framework_at: Location = START,
        context: dict[str, tuple[Any, Location]] | None = None,
    ) -> ReadResult:
        """The located config of one output; ``context`` adds task facts the file shows (``labels``,
        ``num_classes``), each with the place that shows it."""
        data: dict[str, Any] = {"framework": self.framework}
        locations: dict[str, Location] = {"": START, "/framework": framework_at}
        unknowns: set[str] = set()
        layers: list[dict[str, Any]] = []
        for index, e in enumerate(self._finish_layers(entries, head)):
            base = f"/layers/{index}"
            layer = e.layer
            if any(v is UNKNOWN for v in layer.values()):
                unknowns.update(f"{base}/{k}" for k, v in layer.items() if v is UNKNOWN)
                layer = {k: v for k, v in layer.items() if v is not UNKNOWN}
            layers.append(layer)
            where = e.where
            locations[base] = where
            for key, loc in e.at.items():
                locations[f"{base}/{key}" if key else base] = loc
            locations.setdefault(f"{base}/type", where)
            for key in ("activation", "recurrent_activation"):
                value = layer.get(key)
                if value is None:
                    continue
                name = value.get("name") if isinstance(value, dict) else value
                pointer = f"{base}/{key}/name" if isinstance(value, dict) else f"{base}/{key}"
                loc = locations.get(pointer) or locations.get(f"{base}/{key}") or where
                locations.setdefault(f"{base}/{key}", loc)
                self._check_name("activation", name, pointer, loc, unknowns)
        data["layers"] = layers
        if layers:
            locations["/layers"] = locations["/layers/0"]
        for key, part, kind in (("loss", loss, "loss"), ("optimizer", optimizer, "optimizer")):
            if part is None:
                continue
            data[key] = part.value
            base = f"/{key}"
            where = part.at.get("", START)
            locations[base] = where
            for sub, loc in part.at.items():
                if sub:
                    locations[f"{base}/{sub}"] = loc
            if isinstance(part.value, dict):
                locations.setdefault(f"{base}/name", where)
                self._check_name(kind, part.value.get("name"), f"{base}/name", locations[f"{base}/name"], unknowns)  # type: ignore[arg-type]
            else:
                self._check_name(kind, part.value, base, where, unknowns)  # type: ignore[arg-type]
        for key, (value, where) in (context or {}).items():
            data[key] = value
            locations[f"/{key}"] = where
        doc = Document(data, locations)
        config, problems = validate_config(doc, self.vocab)
        if config is None:
            return ReadResult(doc=doc, problems=problems, head=head, label=label)
        return ReadResult(config=config, doc=doc, notes=list(self.notes), head=head, label=label, unknowns=frozenset(unknowns))


def number(value: Any) -> float | None:
    """A JSON/Python number that is not a bool."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def integer(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value
