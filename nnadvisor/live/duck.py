"""Recognising framework objects without importing a framework: by class names and modules.

Nothing here imports torch, keras or tensorflow. A class is PyTorch's when its module is under
``torch.``, Keras' when under ``keras.``, ``tf_keras.`` or ``tensorflow.``; an object is a PyTorch
module when ``torch.nn.Module`` is in its class's MRO (by module and name), and so on. A function
object is named by its ``__module__`` and ``__name__``, or, for the C builtins whose module says
little (``torch.special.expit`` is ``torch._C._special.special_expit``), by identity with the
object a qualified name reaches through modules already imported (:func:`resolve`).
"""

from __future__ import annotations

import sys
from typing import Any

KERAS_ROOTS = ("keras", "tf_keras", "tensorflow")
"""Top-level packages whose classes are Keras' (``tensorflow.keras``, ``tensorflow.python.keras``,
``keras.src``, standalone ``tf_keras``)."""


def mro(obj: object) -> tuple[type, ...]:
    return type(obj).__mro__


def module_of(cls: type) -> str:
    module = getattr(cls, "__module__", None)
    return module if isinstance(module, str) else ""


def under(module: str, *roots: str) -> bool:
    """Whether ``module`` is one of ``roots`` or inside one of them."""
    return any(module == root or module.startswith(root + ".") for root in roots)


def describe(obj: object) -> str:
    """``module.QualName`` of an object's class (of a function, the function), for notes."""
    if _is_function(obj):
        module = getattr(obj, "__module__", None)
        name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "?")
        return f"{module}.{name}" if isinstance(module, str) else str(name)
    cls = type(obj)
    module = module_of(cls)
    return f"{module}.{cls.__qualname__}" if module and module != "builtins" else cls.__qualname__


def _is_function(obj: object) -> bool:
    return type(obj).__name__ in ("function", "builtin_function_or_method", "method", "method-wrapper")


def is_function(obj: object) -> bool:
    """A plain or built-in function (not a class, not a callable object such as a module)."""
    return _is_function(obj)


def has_class(obj: object, module_prefix: str, name: str) -> bool:
    """Whether a class named ``name`` from a module under ``module_prefix`` is in ``obj``'s MRO."""
    return any(c.__name__ == name and under(module_of(c), module_prefix) for c in mro(obj))


def is_torch_module(obj: object) -> bool:
    """A ``torch.nn.Module`` (by the MRO: ``torch.nn.modules.module.Module``)."""
    return any(c.__name__ == "Module" and module_of(c) == "torch.nn.modules.module" for c in mro(obj))


def from_torch(obj: object) -> bool:
    """Whether ``obj``'s ``torch.nn.Module`` base is the one of the torch that is imported (not a
    class that only bears the name): then torch.fx may be reached."""
    imported = getattr(sys.modules.get("torch.nn.modules.module"), "Module", None)
    return imported is not None and any(c is imported for c in mro(obj))


def is_torch_optimizer(obj: object) -> bool:
    return any(c.__name__ == "Optimizer" and under(module_of(c), "torch.optim") for c in mro(obj))


def is_keras_model(obj: object, model_classes: frozenset[str]) -> bool:
    """A Keras model: a class named ``Model`` (``Sequential``, ``Functional``) of a Keras package in
    its MRO. Keras 3 models on the torch backend are ``torch.nn.Module`` too: ask this first."""
    return any(c.__name__ in model_classes and under(module_of(c), *KERAS_ROOTS) for c in mro(obj))


def is_keras_object(obj: object) -> bool:
    """An object whose class comes from a Keras package (a loss, an optimizer, a layer)."""
    return under(module_of(type(obj)), *KERAS_ROOTS)


def is_keras_layer(obj: object) -> bool:
    return any(c.__name__ == "Layer" and under(module_of(c), *KERAS_ROOTS) for c in mro(obj))


def framework_class(obj: object, root: str, skip: frozenset[str] = frozenset()) -> type | None:
    """The first class of ``obj``'s MRO defined under ``root`` (``torch.nn``), not named in ``skip``."""
    for cls in mro(obj):
        if under(module_of(cls), root) and cls.__name__ not in skip:
            return cls
    return None


def overrides(obj: object, base: type, method: str) -> bool:
    """Whether ``obj``'s class defines ``method`` differently from ``base`` (a user subclass with
    its own ``forward`` computes something else than the framework class it extends)."""
    return getattr(type(obj), method, None) is not getattr(base, method, None)


def function_name(fn: object) -> str | None:
    """``module.name`` of a function object, from its own attributes."""
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__name__", None)
    if isinstance(module, str) and isinstance(name, str):
        return f"{module}.{name}"
    return None


def resolve(qual: str) -> object | None:
    """The object ``qual`` names, reached from a module that is already imported (never imports)."""
    parts = qual.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        obj: object = module
        try:
            for part in parts[cut:]:
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj
    return None


class Names:
    """Qualified names of function objects: by identity with what the catalogue's names reach
    (``torch.softmax`` is a C builtin whose ``__module__`` is ``torch``, ``torch.special.expit``
    one whose module is ``torch._C._special``), else by the function's own module and name."""

    def __init__(self, quals: list[str]) -> None:
        self._by_id: dict[int, tuple[object, str]] = {}
        for qual in quals:
            obj = resolve(qual)
            if obj is not None and id(obj) not in self._by_id:
                self._by_id[id(obj)] = (obj, qual)

    def qual(self, fn: object) -> str | None:
        found = self._by_id.get(id(fn))
        if found is not None and found[0] is fn:
            return found[1]
        return function_name(fn)


def plain(value: Any) -> Any:
    """A framework number or tensor as a Python value (``tensor([3.])`` -> ``[3.0]``, a 0-d tensor or
    a numpy scalar -> a float); other values as they are."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        try:
            return tolist()
        except Exception:  # noqa: BLE001 - any framework error: the value is unknown
            return None
    return value
