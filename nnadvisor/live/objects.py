"""Loss and optimizer objects: PyTorch's read into config parts, Keras' serialised as Keras does.

PyTorch: a loss module (``nn.CrossEntropyLoss(label_smoothing=0.1)``) with its attributes, a
functional loss (``F.cross_entropy``, also inside ``functools.partial`` with keywords), and an
optimizer (``torch.optim.Adam``) with the values of its parameter groups, all mapped through the
PyTorch table (``rules/frameworks/pytorch.yaml``: ``losses``, ``loss_params``,
``optimizer_params``), as the PyTorch source reader maps constructor keywords. Keras: a loss or an
optimizer as ``{"class_name", "config": obj.get_config()}``, a Keras loss function as
``{"class_name": "function", "config": name}``, the shapes ``keras.losses.serialize`` writes (which
needs keras imported), so the Keras file reader reads them.

What is not a framework's own object (a custom loss class, a lambda, a third-party optimizer) is
unknown, said in a note: its name is never taken for what it says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nnadvisor.live import duck
from nnadvisor.readers._model import Part
from nnadvisor.readers.pytorch.catalogue import Catalogue
from nnadvisor.readers.pytorch.losses import loss_param
from nnadvisor.source import Location

Note = Callable[[str, str], None]
"""``note(path, message)``: say what stayed unknown, at an object path."""
_FLAGS = frozenset({"nesterov", "amsgrad", "centered", "decoupled_weight_decay"})


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- PyTorch ---------------------------------------------------------------------------------


def _loss_params(cat: Catalogue, values: dict[str, Any], spec: dict[str, Any], at: dict[str, Location], where: Location) -> None:
    """Loss arguments by their config keys, checked as the source reader checks them."""
    for attr, key in cat.loss_params.items():
        if attr not in values or key in spec:
            continue
        ok, value = loss_param(key, duck.plain(values[attr]))
        if ok:
            spec[key] = float(value) if key in ("delta", "label_smoothing", "pos_weight") and _number(value) else value
            at[key] = where


def torch_loss(obj: Any, cat: Catalogue, names: duck.Names, where: Location, note: Note) -> Part | None:
    """A PyTorch loss object or function as the config's loss; ``None`` (said) when unknown."""
    if isinstance(obj, str):
        return Part(obj, {"": where})
    func, keywords = obj, {}
    if type(obj).__name__ == "partial" and duck.module_of(type(obj)) == "functools" and callable(getattr(obj, "func", None)):
        func, keywords = obj.func, dict(getattr(obj, "keywords", None) or {})
    at: dict[str, Location] = {"": where, "name": where}
    if duck.is_function(func):
        qual = names.qual(func)
        found = cat.loss_functions.get(qual or "")
        if found is None:
            note("loss", f"the loss is the function {duck.describe(func)}, not a loss nnadvisor knows: the loss is unknown")
            return None
        spec: dict[str, Any] = {"name": found[0]}
        if qual is not None and qual.startswith("torch."):
            _loss_params(cat, keywords, spec, at, where)
        return Part(spec if len(spec) > 1 else found[0], at)
    if duck.is_torch_module(obj):
        base = duck.framework_class(obj, "torch.nn")
        name = base.__name__ if base is not None else ""
        if base is not None and (name in cat.loss_classes or name.endswith("Loss")) and not duck.overrides(obj, base, "forward"):
            spec = {"name": name}
            _loss_params(cat, {k: getattr(obj, k) for k in cat.loss_params if hasattr(obj, k)}, spec, at, where)
            return Part(spec if len(spec) > 1 else name, at)
        note("loss", f"the loss is {duck.describe(obj)}, not a built-in PyTorch loss: the loss is unknown")
        return None
    what = "a Keras loss" if duck.is_keras_object(obj) or _keras_function(obj) else duck.describe(obj)
    note("loss", f"the loss is {what}, not a PyTorch loss: the loss is unknown")
    return None


def _group_value(groups: list[dict[str, Any]], defaults: dict[str, Any], key: str) -> tuple[bool, Any]:
    """(known, value) of one optimizer parameter: what every parameter group has (what training
    uses), else the constructor's default; not known when the groups differ."""
    values = [g[key] for g in groups if key in g]
    if not values:
        return (key in defaults), defaults.get(key)
    first = duck.plain(values[0])
    if any(duck.plain(v) != first for v in values[1:]) or len(values) != len(groups):
        return False, [duck.plain(v) for v in values]
    return True, first


def torch_optimizer(obj: Any, cat: Catalogue, where: Location, note: Note) -> Part | None:
    """A ``torch.optim`` optimizer as the config's optimizer, from its parameter groups."""
    if isinstance(obj, str):
        return Part(obj, {"": where})
    if not duck.is_torch_optimizer(obj):
        what = "a Keras optimizer" if duck.is_keras_object(obj) else duck.describe(obj)
        note("optimizer", f"the optimizer is {what}, not a PyTorch optimizer: the optimizer is unknown")
        return None
    base = duck.framework_class(obj, "torch.optim", frozenset({"Optimizer"}))
    if base is None or (base is not type(obj) and duck.overrides(obj, base, "step")):
        note("optimizer", f"the optimizer is {duck.describe(obj)}, not a torch.optim optimizer: the optimizer is unknown")
        return None
    name = base.__name__
    defaults = getattr(obj, "defaults", None)
    defaults = dict(defaults) if isinstance(defaults, dict) else {}
    groups_attr = getattr(obj, "param_groups", None)
    groups = [g for g in groups_attr if isinstance(g, dict)] if isinstance(groups_attr, list) else []
    spec: dict[str, Any] = {"name": name}
    at: dict[str, Location] = {"": where, "name": where}
    for key, target in cat.optimizer_params.items():
        known, value = _group_value(groups, defaults, key)
        if key == "lr" and known and groups and all("initial_lr" in g for g in groups):
            started, initial = _group_value(groups, {}, "initial_lr")
            if started and _number(initial) and initial != value:
                note("optimizer", f"a learning-rate scheduler drives optimizer {name}: its initial lr {initial:g} is checked (the current one is {value:g})")
                value = initial
        if not known:
            if isinstance(value, list):
                shown = ", ".join(str(v) for v in value)
                note("optimizer", f"the parameter groups of optimizer {name} have different {key} values ({shown}): {target} is unknown")
            continue
        if value is None:
            continue
        if key == "betas":
            if not (isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)):
                note("optimizer", f"betas of optimizer {name} are not two numbers: beta_1 and beta_2 are unknown")
                continue
            spec["beta_1"], spec["beta_2"] = float(value[0]), float(value[1])
            at["beta_1"] = at["beta_2"] = where
        elif target in _FLAGS:
            if isinstance(value, bool):
                spec[target] = value
                at[target] = where
        elif _number(value):
            spec[target] = value
            at[target] = where
        else:
            note("optimizer", f"{key} of optimizer {name} is not a number: it is unknown")
    return Part(spec, at)


# --- Keras -----------------------------------------------------------------------------------


def _keras_function(obj: object) -> bool:
    return duck.is_function(obj) and duck.under(str(getattr(obj, "__module__", "") or ""), *duck.KERAS_ROOTS)


def keras_loss(obj: Any, path: str, note: Note) -> Any:
    """A loss given to a Keras model, serialised; ``None`` where it is unknown (said)."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {str(k): keras_loss(v, f"{path}[{k!r}]", note) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [keras_loss(v, f"{path}[{i}]", note) for i, v in enumerate(obj)]
    if _keras_function(obj):
        return {"class_name": "function", "config": obj.__name__}
    if duck.is_keras_object(obj) and callable(getattr(obj, "get_config", None)):
        try:
            config = obj.get_config()
        except Exception as exc:  # noqa: BLE001 - whatever the framework raises, the loss is unknown
            note(path, f"the configuration of loss {type(obj).__name__} cannot be read ({type(exc).__name__}): the loss is unknown")
            return None
        return {"class_name": type(obj).__name__, "config": config}
    what = "a PyTorch loss" if duck.is_torch_module(obj) else duck.describe(obj)
    note(path, f"the loss is {what}, not a Keras loss: the loss is unknown")
    return None


def keras_optimizer(obj: Any, note: Note) -> Any:
    """An optimizer given to a Keras model, serialised; ``None`` when unknown (said)."""
    if isinstance(obj, str):
        return obj
    if duck.is_keras_object(obj) and callable(getattr(obj, "get_config", None)):
        try:
            config = obj.get_config()
        except Exception as exc:  # noqa: BLE001 - whatever the framework raises, the optimizer is unknown
            note("optimizer", f"the configuration of optimizer {type(obj).__name__} cannot be read ({type(exc).__name__}): the optimizer is unknown")
            return None
        return {"class_name": type(obj).__name__, "config": config}
    what = "a PyTorch optimizer" if duck.is_torch_optimizer(obj) else duck.describe(obj)
    note("optimizer", f"the optimizer is {what}, not a Keras optimizer: the optimizer is unknown")
    return None
