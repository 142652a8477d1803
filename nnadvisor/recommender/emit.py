"""``recommend --emit config``: the recommendation as a model config in the nnadvisor format.

The config is what ``check`` lints, so a recommendation that ``check`` would flag is a bug in one of
the two rule sets; a property test over the whole problem space holds them to that.
"""

from __future__ import annotations

from typing import Any

from nnadvisor.recommender.model import Recommendation

HIDDEN_UNITS = 64
_CONTEXT = ("framework", "task", "labels", "num_classes", "target_range", "outliers")


class EmitError(Exception):
    """The recommendation cannot be written as a config (an undecided slot, unknown sizes)."""


def _activation(name: str, params: dict[str, Any]) -> str | dict[str, Any]:
    alpha = params.get("alpha")
    return {"name": name, "alpha": alpha} if alpha is not None else name


def _hidden_layers(facts: dict[str, Any], hidden: str | dict[str, Any] | None) -> list[dict[str, Any]]:
    depth = int(facts.get("depth") or 0)
    architecture = facts.get("architecture", "mlp")
    if depth == 0:
        return []
    if architecture == "rnn":
        # A recurrent layer carries the (cell) activation; further hidden layers are dense relu.
        return [{"type": "lstm", "units": HIDDEN_UNITS, "activation": hidden}] + [
            {"type": "dense", "units": HIDDEN_UNITS, "activation": "relu"} for _ in range(depth - 1)
        ]
    if architecture == "transformer":
        block: list[dict[str, Any]] = [
            {"type": "attention", "num_heads": 4},
            {"type": "layernorm"},
            {"type": "dense", "units": HIDDEN_UNITS, "activation": hidden},
        ]
        return block * depth
    if architecture == "cnn":
        convs = [{"type": "conv", "units": 32, "kernel_size": 3, "activation": hidden} for _ in range(depth)]
        return [*convs, {"type": "pooling"}, {"type": "flatten"}]
    return [{"type": "dense", "units": HIDDEN_UNITS, "activation": hidden} for _ in range(depth)]


def to_config(rec: Recommendation) -> dict[str, Any]:
    facts = rec.problem.facts
    undecided = [slot for slot, choice in rec.slots().items() if choice.name is None and slot != "hidden_activation"]
    if undecided:
        raise EmitError(f"cannot write a config: {', '.join(undecided)} undecided")
    out, loss, opt, hidden = rec.output_activation, rec.loss, rec.optimizer, rec.hidden_activation
    units = out.params.get("units")
    if units is None:
        raise EmitError("cannot write a config: the number of output units is unknown (give --num-classes)")
    assert out.name is not None and loss.name is not None and opt.name is not None
    config: dict[str, Any] = {key: facts[key] for key in _CONTEXT if facts.get(key) is not None}
    hidden_act = _activation(hidden.name, hidden.params) if hidden.name else None
    output_layer: dict[str, Any] = {"type": "dense", "units": units}
    if out.name != "linear":
        output_layer["activation"] = out.name
    config["layers"] = [*_hidden_layers(facts, hidden_act), output_layer]
    loss_params = {k: v for k, v in loss.params.items() if k in ("from_logits", "delta", "label_smoothing", "alpha", "gamma")}
    config["loss"] = {"name": loss.name, **loss_params} if loss_params else loss.name
    config["optimizer"] = {"name": opt.name, **{k: v for k, v in opt.params.items()}}
    return config


def to_json(rec: Recommendation) -> str:
    """The config as JSON (``--emit config --format json``): the same document, which ``check``
    reads as an nnadvisor config when the file ends in ``.json``."""
    import json

    return json.dumps(to_config(rec), indent=2) + "\n"


def to_yaml(rec: Recommendation) -> str:
    import yaml

    header = "# nnadvisor config emitted by `nnadvisor recommend --emit config`; lint it with `nnadvisor check`.\n"
    return header + yaml.safe_dump(to_config(rec), sort_keys=False, default_flow_style=None, width=100)
