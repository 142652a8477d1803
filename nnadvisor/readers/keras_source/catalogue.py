"""The Keras and TensorFlow APIs as the Keras source reader needs them, built from
``rules/frameworks/keras.yaml`` (validated with the rule base, see
:mod:`nnadvisor.knowledge.keras_file`)."""

from __future__ import annotations

from typing import Any

Place = tuple[int, str]


class Catalogue:
    def __init__(self, data: dict[str, Any]) -> None:
        self.default_aliases: dict[str, str] = dict(data["default_aliases"])
        self.module_aliases: tuple[tuple[str, str], ...] = tuple(sorted(data["module_aliases"].items(), key=lambda kv: -len(kv[0])))
        self.roots: tuple[str, ...] = tuple(sorted(data["roots"], key=len, reverse=True))
        self.sequential = frozenset(data["sequential"])
        self.functional = frozenset(data["functional"])
        self.inputs = frozenset(data["inputs"])
        self.model_bases = frozenset(data["model_bases"])
        self.layer_bases = frozenset(data["layer_bases"])
        self.model_methods = frozenset(data["model_methods"])
        self.layers: dict[str, list[str]] = data["layers"]
        self.layer_renames: dict[str, str] = data["layer_renames"]
        self.legacy_layers: dict[str, list[str]] = data["legacy_layers"]
        self.keyword_renames: dict[str, dict[str, str]] = data["keyword_renames"]
        self.activation_functions: dict[str, str] = data["activation_functions"]
        self.keras_activation_modules = frozenset(data["keras_activation_modules"])
        self.activation_renames: dict[str, str] = data["activation_renames"]
        self.passthrough = frozenset(data["passthrough"])
        self.merges = frozenset(data["merges"])
        self.optimizers: dict[str, list[str]] = data["optimizers"]
        self.optimizer_renames: dict[str, str] = data["optimizer_renames"]
        self.tf1_optimizers: dict[str, dict[str, Any]] = data["tf1_optimizers"]
        self.losses: dict[str, list[str]] = data["losses"]
        self.tf_losses: dict[str, dict[str, Any]] = {
            q: {**e, "prediction": (int(e["prediction"][0]), str(e["prediction"][1]))} for q, e in data["tf_losses"].items()
        }
        self.tf1_inputs = frozenset(data["tf1_inputs"])
        self.tf1_dense = frozenset(data["tf1_dense"])
        self.tf1_matmul = frozenset(data["tf1_matmul"])
        self.tf1_variables = frozenset(data["tf1_variables"])
        self.tf1_initialisers = frozenset(data["tf1_initialisers"])
        self.tf1_log = frozenset(data["tf1_log"])
        self.tf1_reductions = frozenset(data["tf1_reductions"])
        self.one_hot = frozenset(data["one_hot"])
        self.datasets: dict[str, dict[str, Any]] = data["datasets"]
        self.label_modes: dict[str, dict[str, Any]] = data["label_modes"]
        self.compile: list[str] = data["compile"]

    def canonical(self, qual: str | None) -> str | None:
        """A dotted name with module aliases rewritten (``tensorflow.compat.v1.nn.x`` is ``tensorflow.nn.x``)."""
        if qual is not None:
            for alias, target in self.module_aliases:
                if qual == alias or qual.startswith(alias + "."):
                    return target + qual[len(alias) :]
        return qual

    def keras(self, qual: str | None) -> tuple[str, str] | None:
        """(module, name) of a Keras name: ``keras.layers.core.Dense`` is ``("layers", "Dense")``,
        ``tf.keras.Sequential`` is ``("", "Sequential")``; ``None`` for anything else."""
        if qual is None:
            return None
        for root in self.roots:
            if qual.startswith(root + "."):
                parts = qual[len(root) + 1 :].split(".")
                return ("" if len(parts) == 1 else parts[0]), parts[-1]
        return None

    def layer_class(self, name: str) -> str:
        return self.layer_renames.get(name, name)

    def layer_params(self, written: str) -> list[str]:
        """Positional parameters of a layer class as written (Keras 1 spellings have their own)."""
        return self.legacy_layers.get(written) or self.layers.get(self.layer_class(written), [])

    def keyword(self, layer: str, key: str) -> str:
        return self.keyword_renames.get(layer, {}).get(key) or self.keyword_renames.get("*", {}).get(key) or key

    def activation(self, qual: str | None) -> str | None:
        """The activation a function name applies (``tf.nn.softmax``, ``keras.activations.relu``)."""
        if qual is None:
            return None
        found = self.activation_functions.get(qual)
        if found is not None:
            return found
        named = self.keras(qual)
        if named is not None and named[0] in self.keras_activation_modules and named[1][:1].islower():
            return self.activation_renames.get(named[1], named[1])
        return None


_built: dict[int, tuple[dict[str, Any], Catalogue]] = {}


def catalogue(data: dict[str, Any]) -> Catalogue:
    """The catalogue of a rule base's table, built once per table."""
    found = _built.get(id(data))
    if found is None or found[0] is not data:
        found = _built[id(data)] = (data, Catalogue(data))
    return found[1]
