"""A live Keras model (Keras 3 or tf.keras) read by the Keras file reader.

The model is serialised the way Keras saves it: ``model.to_json()`` (else ``{"class_name",
"config": model.get_config()}``), with the ``compile_config`` a ``.keras`` archive's
``config.json`` holds: Keras 3 writes it into ``to_json()`` once the model is compiled, else
``model.get_compile_config()``, else (tf.keras) ``model.loss`` and ``model.optimizer``. A loss or an
optimizer given replaces the compiled one (serialised through its ``get_config()`` and class name,
:mod:`nnadvisor.live.objects`). That document is read by :mod:`nnadvisor.readers.keras`, so a live
model and its saved JSON get the same findings.

The document is written with one key per line; each line stands for the object it describes (the
layer whose config holds it, by name: ``dense_2``, ``inner.dense`` in a nested model; ``loss``;
``optimizer``), which is how the results' objects and notes name them.

A subclassed model has no layers in its config: the reader says so, and only its loss and
optimizer are checked (``model.layers`` is in the order attributes were set, not necessarily the
order ``call`` uses them, so it is not read).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nnadvisor.live import duck
from nnadvisor.live.objects import keras_loss, keras_optimizer
from nnadvisor.live.places import ROOT, finish, pointer_of
from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import START
from nnadvisor.source import Problem, SourceError, read_bytes

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase

_READER_NOTES = (
    "the model is not compiled (no compile_config)",
    "the model is compiled without a loss",
    "the model is compiled without an optimizer",
)
"""Notes of the Keras file reader about a missing loss or optimizer: for a live model, the notes
below say it (a loss or optimizer could have been given)."""
_SUBCLASSED = (
    "{name} is a subclassed model: its config has no layers, and model.layers is in the order they were "
    "set, not necessarily the order call() uses them, so its layers are unknown; only its loss and optimizer are checked"
)


def _jsonable(value: Any) -> Any:
    """``json.dumps`` default: framework numbers as numbers, anything else unknown (null)."""
    plain = duck.plain(value)
    return plain if plain is not value else None


def _document(model: Any, notes: list[Problem]) -> dict[str, Any]:
    """The model as Keras serialises it (``to_json()``, else ``get_config()``)."""
    errors: list[str] = []
    to_json = getattr(model, "to_json", None)
    if callable(to_json):
        try:
            data = json.loads(to_json())
            if isinstance(data, dict):
                return data
        except Exception as exc:  # noqa: BLE001 - a custom layer Keras cannot serialise, and the like
            errors.append(f"to_json() raised {type(exc).__name__}")
    get_config = getattr(model, "get_config", None)
    if callable(get_config):
        try:
            config = get_config()
            if isinstance(config, dict):
                return {"class_name": type(model).__name__, "config": json.loads(json.dumps(config, default=_jsonable))}
        except Exception as exc:  # noqa: BLE001
            errors.append(f"get_config() raised {type(exc).__name__}")
    notes.append(Problem("", START, f"the model's configuration cannot be read ({'; '.join(errors) or 'no to_json() or get_config()'}): its layers are unknown"))
    return {"class_name": type(model).__name__, "config": {}}


def _compile_config(model: Any, document: dict[str, Any]) -> dict[str, Any]:
    """What the model is compiled with: ``compile_config`` (Keras 3), else ``model.loss`` /
    ``model.optimizer`` (tf.keras); ``{}`` for a model that is not compiled."""
    found = document.pop("compile_config", None) or document.pop("training_config", None)
    if not found:
        getter = getattr(model, "get_compile_config", None)
        if callable(getter):
            try:
                found = getter()
            except Exception:  # noqa: BLE001 - not compiled, or not serialisable: read the attributes
                found = None
    if isinstance(found, dict) and found:
        return json.loads(json.dumps(found, default=_jsonable))  # type: ignore[no-any-return]
    out: dict[str, Any] = {}
    silent: Any = lambda _path, _message: None  # what the model holds is read as is, unsaid
    for key in ("loss", "optimizer"):
        try:
            value = getattr(model, key, None)
        except Exception:  # noqa: BLE001 - a property that raises before compile
            value = None
        if value is not None:
            serialised = keras_loss(value, "loss", silent) if key == "loss" else keras_optimizer(value, silent)
            if serialised is not None:
                out[key] = serialised
    return out


def _layer_name(layer: Any) -> str | None:
    if not isinstance(layer, dict):
        return None
    config = layer.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    if not isinstance(name, str):
        name = layer.get("name")
    return name if isinstance(name, str) else None


def _object_path(data: Any, pointer: str) -> str:
    """The object a pointer of the document is in: a layer by name (``outer.inner`` for a nested
    model's layer), ``loss`` (``loss['out']`` for one output's), ``optimizer``, else the model."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    if tokens[:1] == ["compile_config"]:
        if tokens[1:2] == ["loss"]:
            loss = data.get("compile_config", {}).get("loss") if isinstance(data, dict) else None
            if len(tokens) > 2 and (isinstance(loss, list) or (isinstance(loss, dict) and "class_name" not in loss)):
                key = tokens[2]
                return f"loss[{key}]" if isinstance(loss, list) else f"loss[{key!r}]"
            return "loss"
        if tokens[1:2] == ["optimizer"]:
            return "optimizer"
        return ROOT
    names: list[str] = []
    node = data
    parent_key: str | None = None
    for token in tokens:
        if isinstance(node, dict):
            node, parent_key = node.get(token), token
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            if parent_key in ("layers", "config"):
                name = _layer_name(node)
                if name is not None:
                    names.append(name)
            parent_key = None
        else:
            break
    return ".".join(names) or ROOT


def _paths(text: bytes) -> dict[int, str]:
    """Line of the document -> the object it describes."""
    try:
        doc = read_bytes(text)
    except SourceError:
        return {}
    out: dict[int, str] = {}
    for pointer, loc in doc.locations.items():
        if loc.line not in out:
            out[loc.line] = _object_path(doc.data, pointer) if pointer else ROOT
    return out


def read(model: Any, loss: Any, optimizer: Any, rulebase: RuleBase, context: Mapping[str, Any]) -> list[ReadResult]:
    """One result per output head of the model."""
    from nnadvisor.readers import keras as keras_reader

    notes: list[Problem] = []

    def note(path: str, message: str) -> None:
        notes.append(Problem(pointer_of(path), START, message))

    if model is None:
        document: dict[str, Any] = {"class_name": "Sequential", "config": {"name": ROOT, "layers": []}}
        note(ROOT, "no model was given: its layers are unknown")
        compiled: dict[str, Any] = {}
    else:
        document = _document(model, notes)
        compiled = _compile_config(model, document)
    if loss is not None:
        value = keras_loss(loss, "loss", note)
        if value is None:
            compiled.pop("loss", None)
        else:
            compiled["loss"] = value
    if optimizer is not None:
        value = keras_optimizer(optimizer, note)
        if value is None:
            compiled.pop("optimizer", None)
        else:
            compiled["optimizer"] = value
    has_loss, has_optimizer = compiled.get("loss") is not None, compiled.get("optimizer") is not None
    how = " and the model is not compiled with one" if model is not None else ""
    if not has_loss and not has_optimizer and loss is None and optimizer is None:
        how = ", and the model is not compiled" if model is not None else ""
        note(ROOT, f"no loss and no optimizer were given{how}: the loss and the optimizer are unknown")
    elif not has_loss and loss is None:
        note("loss", f"no loss was given{how}: the loss is unknown")
    elif not has_optimizer and optimizer is None:
        note("optimizer", f"no optimizer was given{how}: the optimizer is unknown")
    if compiled:
        document["compile_config"] = compiled
    text = json.dumps(document, indent=2, default=_jsonable).encode()
    results = keras_reader.read(text, rulebase.vocabulary, "<live model>")
    paths = _paths(text)
    out: list[ReadResult] = []
    for result in results:
        kept = []
        for n in result.notes:
            if n.message.startswith(_READER_NOTES):
                continue
            if n.message.startswith("model class ") and "is not a Sequential or functional model" in n.message:
                n = Problem(n.pointer, n.location, _SUBCLASSED.format(name=type(model).__name__))
            kept.append(n)
        result.notes = kept
        out.append(finish(result, paths, rulebase.vocabulary, context, notes))
    return out
