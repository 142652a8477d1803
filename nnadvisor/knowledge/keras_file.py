"""The schema of ``rules/frameworks/keras.yaml``, checked when the rule base is validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from nnadvisor.terms import LabelFormat

Place = tuple[int, str]
"""Where an argument is: its position (-1: keyword only) and its keyword."""


class _Strict(BaseModel):
    # Table names such as ``model_bases`` are data, not pydantic's: no "protected namespace"
    # warning (pydantic before 2.10 printed one on every start that validated the tables).
    model_config = ConfigDict(extra="forbid", protected_namespaces=())


class TfOptimizer(_Strict):
    name: str
    params: list[str]
    renames: dict[str, str] = {}


class TfLoss(_Strict):
    loss: str
    from_logits: bool | None = None
    prediction: Place


class Dataset(_Strict):
    labels: LabelFormat
    num_classes: int | None = None


class LabelMode(_Strict):
    keyword: str
    default: str
    values: dict[str, LabelFormat]


class Fixes(_Strict):
    """What fixes need to write into a source (nnadvisor/fixes/python/): module and class names,
    names Keras knows, and the keywords every loss and optimizer takes."""

    modules: dict[Literal["loss", "optimizer", "layer"], str]
    activation_layer: str
    loss_functions: list[str]
    activations: list[str]
    loss_keywords: list[str]
    optimizer_keywords: list[str]


class KerasFile(_Strict):
    framework: str
    default_aliases: dict[str, str]
    module_aliases: dict[str, str]
    roots: list[str]
    sequential: list[str]
    functional: list[str]
    inputs: list[str]
    model_bases: list[str]
    layer_bases: list[str]
    model_methods: list[str]
    layers: dict[str, list[str]]
    layer_renames: dict[str, str]
    legacy_layers: dict[str, list[str]]
    keyword_renames: dict[str, dict[str, str]]
    activation_functions: dict[str, str]
    keras_activation_modules: list[str]
    activation_renames: dict[str, str]
    passthrough: list[str]
    merges: list[str]
    optimizers: dict[str, list[str]]
    optimizer_renames: dict[str, str]
    tf1_optimizers: dict[str, TfOptimizer]
    losses: dict[str, list[str]]
    tf_losses: dict[str, TfLoss]
    tf1_inputs: list[str]
    tf1_dense: list[str]
    tf1_matmul: list[str]
    tf1_variables: list[str]
    tf1_initialisers: list[str]
    tf1_log: list[str]
    tf1_reductions: list[str]
    one_hot: list[str]
    datasets: dict[str, Dataset]
    label_modes: dict[str, LabelMode]
    compile: list[str]
    fixes: Fixes


def load_framework_file(path: Path) -> dict[str, Any]:
    """The validated table as plain data (a RuleLoadError names the file and line of a problem)."""
    from nnadvisor.engine.loader import read_validated

    return read_validated(path, KerasFile)[0].model_dump(mode="json")
