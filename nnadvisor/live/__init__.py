"""Live models: a Keras model or a PyTorch module, with its loss and optimizer objects, read into
nnadvisor's model config (what :func:`nnadvisor.check_model` checks in a notebook).

Duck typing only: nothing here imports torch, keras, tensorflow or numpy. Objects are recognised
by their classes' names and modules (``torch.nn.modules.module.Module`` in the MRO, a Keras
``Model``) and read through their attributes (``named_children``, ``out_features``,
``param_groups``, ``to_json``, ``get_config``). The results are built by the shared assembly
(:mod:`nnadvisor.readers._model`; for Keras by the Keras file reader, from the document a
``.keras`` archive's ``config.json`` holds), so a live model and the same model in a file get the
same findings. What cannot be resolved stays unknown, said in a note naming the object, and
fires no rule.

There is no file: every location is ``Location(1, 1)``, and :attr:`ReadResult.objects` maps each
config pointer to the object it was read from (``head.1``, ``dense_2``, ``loss``, ``optimizer``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nnadvisor.live import duck
from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import INTERNAL_ERROR, START
from nnadvisor.source import Problem

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase

__all__ = ["read_live"]


def _keras_models(rulebase: RuleBase) -> frozenset[str]:
    """Class names that make an object a Keras model (``Sequential``, ``Model``, ``Functional``),
    from the Keras table (``rules/frameworks/keras.yaml``)."""
    keras = rulebase.frameworks["keras"]
    return frozenset([*keras["sequential"], *keras["functional"], *keras["model_bases"]])


def _framework(model: object, loss: object | None, optimizer: object | None, rulebase: RuleBase) -> str | None:
    if model is not None:
        if duck.is_keras_model(model, _keras_models(rulebase)):  # before torch: Keras 3 on torch is an nn.Module
            return "keras"
        return "pytorch" if duck.is_torch_module(model) else None
    for obj in (loss, optimizer):
        if obj is None or isinstance(obj, str):
            continue
        if duck.is_keras_object(obj) or (duck.is_function(obj) and duck.under(str(getattr(obj, "__module__", "") or ""), *duck.KERAS_ROOTS)):
            return "keras"
        if duck.is_torch_module(obj) or duck.is_torch_optimizer(obj) or duck.is_function(obj) or type(obj).__name__ == "partial":
            return "pytorch"
    return "pytorch" if loss is not None or optimizer is not None else None


def read_live(model: object, loss: object | None, optimizer: object | None, rulebase: RuleBase, context: Mapping[str, Any]) -> list[ReadResult]:
    """The results of a live model (one per Keras output head; one for a PyTorch module).

    ``model`` is a ``keras.Model`` (Sequential, functional, subclassed; compiled or not) or a
    ``torch.nn.Module`` (``None``: only the loss and the optimizer are read); ``loss`` and
    ``optimizer`` are the objects training uses (a Keras model's compiled ones when not given),
    or their names. ``context`` adds problem keys (``task``, ``labels``, ``num_classes``,
    ``target_range``, ``outliers``; ``None`` values are left out) to each config. An object that
    is not a model is a problem of the result (finding NNA000), never an exception."""
    try:
        framework = _framework(model, loss, optimizer, rulebase)
        if framework == "keras":
            from nnadvisor.live import keras_model

            return keras_model.read(model, loss, optimizer, rulebase, context)
        if framework == "pytorch":
            from nnadvisor.live import torch_module

            return torch_module.read(model, loss, optimizer, rulebase, context)
        what = duck.describe(model) if model is not None else "nothing"
        return [ReadResult(problems=[Problem("", START, f"not a PyTorch nn.Module or a Keras model: {what} was given")])]
    except RecursionError:
        return [ReadResult(problems=[Problem("", START, "the model is nested too deeply to analyse")])]
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the notebook: report it
        return [ReadResult(problems=[Problem("", START, f"{INTERNAL_ERROR.replace('this file', 'this model')} ({type(exc).__name__}: {exc})")])]
