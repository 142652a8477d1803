"""The schema of ``rules/frameworks/pytorch.yaml``, checked when the rule base is validated.

Imported only to validate (``check`` runs on the cached plain data, :mod:`.catalogue`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nnadvisor.terms import LayerType

Place = tuple[int, str]
"""Where an argument is: its position (-1: keyword only) and its keyword."""


class _Strict(BaseModel):
    # Table names such as ``model_bases`` are data, not pydantic's: no "protected namespace"
    # warning (pydantic before 2.10 printed one on every start that validated the tables).
    model_config = ConfigDict(extra="forbid", protected_namespaces=())


class LayerEntry(_Strict):
    type: LayerType
    units: Place | None = None
    cell_activation: Place | None = None
    default_cell_activation: str | None = None
    bidirectional: Place | None = None
    params: dict[str, Place] = Field(default_factory=dict)
    returns_tuple: bool = False


class ActivationEntry(_Strict):
    name: str
    alpha: Place | None = None


Activation = str | ActivationEntry


class Activations(_Strict):
    modules: dict[str, Activation]
    functional: dict[str, Activation]
    torch: dict[str, Activation]
    methods: dict[str, Activation]
    log_of: dict[str, str]


class Passthrough(_Strict):
    methods: list[str]
    functions: list[str]
    merges: list[str]
    reductions: list[str]


class LossEntry(_Strict):
    functional: str
    input: Place = (0, "input")


class LossFunction(_Strict):
    name: str
    input: Place = (0, "input")


class Clipping(_Strict):
    key: Literal["clipnorm", "clipvalue"]
    threshold: Place


class TrainerClipping(_Strict):
    threshold: str
    algorithm: str


class Fixes(_Strict):
    """What fixes need to write into a source (nnadvisor/fixes/python/): signatures."""

    loss_params: dict[str, list[str]]
    activation_params: dict[str, list[str]]
    axis_params: list[str]
    cell_activations: list[str]


class FrameworkFile(_Strict):
    framework: Literal["pytorch"]
    default_aliases: dict[str, str]
    model_bases: list[str]
    wrappers: list[str]
    module_methods: list[str]
    layers: dict[str, LayerEntry]
    containers: list[str]
    keyed_containers: list[str]
    activations: Activations
    passthrough: Passthrough
    losses: dict[str, LossEntry]
    loss_functions: dict[str, LossFunction]
    loss_params: dict[str, str]
    optimizers: dict[str, list[str]]
    optimizer_params: dict[str, str]
    clipping: dict[str, Clipping]
    trainer_clipping: TrainerClipping
    loss_words: list[str]
    eval_words: list[str]
    fixes: Fixes


def load_framework_file(path: Path) -> dict[str, Any]:
    """The validated table as plain data (a RuleLoadError names the file and line of a problem)."""
    from nnadvisor.engine.loader import read_validated

    return read_validated(path, FrameworkFile)[0].model_dump(mode="json")
