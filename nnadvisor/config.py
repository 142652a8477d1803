"""The nnadvisor model-config format, v1 (``../shared/spec/config-format.md``).

Every reader (the nnadvisor YAML/JSON format, Keras, PyTorch source) produces a
:class:`ModelConfig`; rules never see a format-specific shape. Unknown keys are rejected so that a
typo (``activaton: softmax``) is an error, not a silently linted default. The frameworks' own
spellings of optimizer parameters (``lr``, ``eps``, ``betas``, RMSprop's ``alpha``) are accepted
and stored under one canonical name.

These declarations are the one definition of the format. They are :class:`~nnadvisor.records.Record`
classes, not pydantic models, so that importing them costs no pydantic: the pydantic models (and
the JSON Schema) are derived from them by :mod:`nnadvisor.config_schema`, and validation runs
pydantic-core's validator on a cached schema derived from those models (``ModelConfig.model_validate``).

Annotations here are evaluated (no ``from __future__ import annotations``): they are the field types.
"""

from typing import Any, ClassVar

from nnadvisor.records import Field, Record, before
from nnadvisor.terms import Framework, LabelFormat, LayerType, Outliers, Task, TargetRange, values


class _Strict(Record):
    # strict: "64" is not a number and "yes" not a boolean (the JSON Schema says so too).
    record_config = {"extra": "forbid", "strict": True}


class ActivationSpec(_Strict):
    """An activation written as a mapping: ``{name: leaky_relu, alpha: 0.1}``."""

    name: str | None
    alpha: float | None = Field(None, aliases=("alpha", "negative_slope"))
    approximate: bool | str | None = None
    axis: int | None = Field(None, aliases=("axis", "dim"))


class LossSpec(_Strict):
    """A loss written as a mapping: ``{name: categorical_crossentropy, from_logits: true}``."""

    name: str
    from_logits: bool | None = None
    delta: float | None = Field(None, aliases=("delta", "beta"))
    label_smoothing: float | None = None
    reduction: str | None = None
    alpha: float | None = None
    gamma: float | None = None
    pos_weight: float | list[float] | None = None
    weight: list[float] | None = None
    ignore_index: int | None = None
    axis: int | None = None


class OptimizerSpec(_Strict):
    """An optimizer with its hyper-parameters, under Keras names (PyTorch spellings accepted)."""

    name: str
    learning_rate: float | None = Field(None, aliases=("learning_rate", "lr"))
    momentum: float | None = None
    nesterov: bool | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    epsilon: float | None = Field(None, aliases=("epsilon", "eps"))
    rho: float | None = None
    weight_decay: float | None = None
    decoupled_weight_decay: bool | None = None
    clipnorm: float | None = None
    clipvalue: float | None = None
    global_clipnorm: float | None = None
    amsgrad: bool | None = None
    dampening: float | None = None
    centered: bool | None = None
    initial_accumulator_value: float | None = None

    _extra_schema_properties: ClassVar[dict[str, Any]] = {
        "betas": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "description": "PyTorch spelling of [beta_1, beta_2]"},
        "alpha": {"type": "number", "description": "PyTorch RMSprop's name for rho"},
    }

    @before
    def _framework_spellings(cls, data: Any) -> Any:
        """``betas: [b1, b2]`` (PyTorch) and RMSprop's ``alpha`` (PyTorch's name for rho)."""
        if not isinstance(data, dict) or ("betas" not in data and "alpha" not in data):
            return data
        data = dict(data)
        betas = data.pop("betas", None)
        if betas is not None:
            if not isinstance(betas, (list, tuple)) or len(betas) != 2:
                raise ValueError("betas must be a list of two numbers, e.g. [0.9, 0.999]")
            data.setdefault("beta_1", betas[0])
            data.setdefault("beta_2", betas[1])
        if "alpha" in data:
            data.setdefault("rho", data.pop("alpha"))
        return data


Activation = str | ActivationSpec | None
"""``None`` (YAML ``null``) means no activation: linear."""


class Layer(_Strict):
    _extra_schema_properties: ClassVar[dict[str, Any]] = {
        "type": {
            "anyOf": [
                {"enum": list(values(LayerType))},
                {"type": "string", "description": "an activation name: a standalone activation layer, e.g. softmax"},
            ]
        }
    }

    type: LayerType
    name: str | None = None
    units: int | None = Field(None, ge=0, aliases=("units", "filters", "out_features", "hidden_size", "out_channels"))
    activation: Activation = None
    recurrent_activation: Activation = None
    rate: float | None = None
    kernel_size: int | list[int] | None = None
    strides: int | list[int] | None = None
    padding: str | int | None = None
    return_sequences: bool | None = None
    bidirectional: bool | None = None
    num_heads: int | None = None
    input_dim: int | None = None
    output_dim: int | None = None
    use_bias: bool | None = None
    kernel_initializer: str | None = None
    axis: int | None = Field(None, aliases=("axis", "dim"))


class ModelConfig(_Strict):
    """A model to lint: optional task context, the layers in order, the loss and the optimizer."""

    framework: Framework = "generic"
    task: Task | None = None
    labels: LabelFormat | None = None
    num_classes: int | None = Field(None, ge=1)
    target_range: TargetRange | None = None
    outliers: Outliers | None = None
    layers: list[Layer] = Field(default_factory=list)
    loss: str | LossSpec | None = None
    optimizer: str | OptimizerSpec | None = None
    version: int | None = Field(None, ge=1, le=1)

    @before
    def _layer_shorthands(cls, data: Any, info: Any) -> Any:
        """``{type: softmax}`` is ``{type: activation, activation: softmax}``.

        Which words are activations is the vocabulary's to say; it comes in the validation
        context (``{"vocabulary": ...}``). Without one, only the layer types are accepted.
        """
        vocab = (info.context or {}).get("vocabulary")
        if vocab is None or not isinstance(data, dict) or not isinstance(data.get("layers"), list):
            return data
        layers = data["layers"]
        for index, layer in enumerate(layers):
            if isinstance(layer, dict) and isinstance(layer.get("type"), str):
                kind = layer["type"]
                if kind not in _LAYER_TYPES and vocab.resolve("activation", kind):
                    if layers is data["layers"]:  # copy on the first change only
                        layers = list(layers)
                    layers[index] = {**layer, "type": "activation", "activation": layer.get("activation", kind)}
        return data if layers is data["layers"] else {**data, "layers": layers}


_LAYER_TYPES = frozenset(values(LayerType))
