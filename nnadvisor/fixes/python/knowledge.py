"""What a fix writes, derived from the rule base: the vocabulary and the framework tables of
``rules/frameworks/*.yaml`` (the readers' catalogues, read the other way round, and their
``fixes`` sections). No framework name is spelt here.

A loss the patch names (``categorical_crossentropy``, ``{name: binary_crossentropy, from_logits:
true}``, ``BCEWithLogitsLoss``) is matched to a framework's spelling by the facts the rules see:
the spelling whose loss facts (canonical name, ``from_logits``) under that framework are those of
the patch's value, exactly as :mod:`nnadvisor.facts` derives them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nnadvisor.vocabulary import Kind, fold

if TYPE_CHECKING:
    from nnadvisor.readers.keras_source.catalogue import Catalogue as KerasCatalogue
    from nnadvisor.readers.pytorch.catalogue import Catalogue as TorchCatalogue
    from nnadvisor.rulebase import RuleBase
    from nnadvisor.vocabulary import Vocabulary

LossFacts = tuple[str, bool]
"""A loss as the rules see it: canonical name and ``from_logits``."""


def _best(candidates: list[str], *wanted: str) -> str | None:
    """The candidate written exactly as one of ``wanted``, else folded like one, else the only one."""
    for w in wanted:
        if w in candidates:
            return w
    for w in wanted:
        folded = [c for c in candidates if fold(c) == fold(w)]
        if len(folded) == 1:
            return folded[0]
    return candidates[0] if len(candidates) == 1 else None


@dataclass(eq=False)
class Knowledge:
    rulebase: RuleBase

    @property
    def vocab(self) -> Vocabulary:
        return self.rulebase.vocabulary

    @functools.cached_property
    def torch(self) -> TorchCatalogue:
        from nnadvisor.readers.pytorch.catalogue import catalogue

        return catalogue(self.rulebase.frameworks["pytorch"])

    @functools.cached_property
    def keras(self) -> KerasCatalogue:
        from nnadvisor.readers.keras_source.catalogue import catalogue

        return catalogue(self.rulebase.frameworks["keras"])

    @property
    def torch_fixes(self) -> dict[str, Any]:
        fixes: dict[str, Any] = self.rulebase.frameworks["pytorch"]["fixes"]
        return fixes

    @property
    def keras_fixes(self) -> dict[str, Any]:
        fixes: dict[str, Any] = self.rulebase.frameworks["keras"]["fixes"]
        return fixes

    # --- names of the vocabulary ---------------------------------------------------------------

    def canonical(self, kind: Kind, name: Any) -> str | None:
        if isinstance(name, dict):
            name = name.get("name")
        if not isinstance(name, str):
            return None
        resolved = self.vocab.resolve(kind, name)
        return resolved.canonical if resolved is not None else None

    def loss_facts(self, framework: str, value: Any) -> LossFacts | None:
        """The loss facts of a loss value (a name or a mapping) under a framework."""
        return _loss_facts(self, framework, json.dumps(value, sort_keys=True))

    # --- PyTorch -------------------------------------------------------------------------------

    def torch_loss(self, value: Any) -> str | None:
        """The torch.nn loss class that is ``value`` (``categorical_crossentropy`` -> ``CrossEntropyLoss``)."""
        wanted = self.loss_facts("pytorch", value)
        if wanted is None:
            return None
        names = [k for k in self.rulebase.frameworks["pytorch"]["losses"] if self.loss_facts("pytorch", k) == wanted]
        written = value.get("name") if isinstance(value, dict) else value
        return _best(names, *(w for w in (written, wanted[0]) if isinstance(w, str)))

    def torch_functional_loss(self, cls: str) -> str | None:
        entry = self.rulebase.frameworks["pytorch"]["losses"].get(cls)
        return entry["functional"] if entry else None

    def torch_loss_class_of_function(self, name: str) -> str | None:
        return next((k for k, e in self.rulebase.frameworks["pytorch"]["losses"].items() if e["functional"] == name), None)

    def torch_loss_params(self, cls: str) -> list[str] | None:
        params: list[str] | None = self.torch_fixes["loss_params"].get(cls)
        return params

    def torch_activation(self, family: str, canonical: str) -> str | None:
        """The spelling of an activation in a family of ``activations`` (``modules``,
        ``functional``, ``torch``, ``methods``): ``sigmoid`` -> ``Sigmoid`` among the modules."""
        table: dict[str, Any] = self.rulebase.frameworks["pytorch"]["activations"][family]
        names = [k for k, v in table.items() if (v if isinstance(v, str) else v["name"]) == canonical and "." not in k]
        return _best(names, canonical)

    def activation_params(self, canonical: str) -> list[str] | None:
        params: list[str] | None = self.torch_fixes["activation_params"].get(canonical)
        return params

    def torch_optimizer(self, canonical: str) -> str | None:
        names = [k for k in self.rulebase.frameworks["pytorch"]["optimizers"] if self.canonical("optimizer", k) == canonical]
        return _best(names, canonical)

    def torch_optimizer_keyword(self, cls: str, key: str) -> str | None:
        """The keyword of a config key (``epsilon`` -> ``eps``) that optimizer ``cls`` takes."""
        params = self.rulebase.frameworks["pytorch"]["optimizers"].get(cls)
        if params is None:
            return None
        spellings = [kw for kw, k in self.rulebase.frameworks["pytorch"]["optimizer_params"].items() if k == key and kw in params]
        return spellings[0] if len(spellings) == 1 else None

    def torch_loss_keyword(self, cls: str, key: str) -> str | None:
        params = self.torch_loss_params(cls) or []
        spellings = [kw for kw, k in self.rulebase.frameworks["pytorch"]["loss_params"].items() if k == key and kw in params]
        return spellings[0] if len(spellings) == 1 else None

    # --- Keras ---------------------------------------------------------------------------------

    def keras_loss_class(self, value: Any) -> tuple[str, bool] | None:
        """The Keras loss class of ``value`` and whether it needs ``from_logits=True``."""
        wanted = self.loss_facts("keras", value)
        if wanted is None:
            return None
        losses: dict[str, list[str]] = self.rulebase.frameworks["keras"]["losses"]
        for logits in (False, True):
            names = [k for k in losses if (not logits or "from_logits" in losses[k]) and self.loss_facts("keras", {"name": k, "from_logits": logits}) == wanted]
            found = _best(names, wanted[0])
            if found is not None:
                return found, logits
        return None

    def keras_loss_string(self, value: Any) -> str | None:
        """The name Keras knows a loss by (``loss="..."``), when it takes no argument."""
        wanted = self.loss_facts("keras", value)
        if wanted is None or wanted[1]:
            return None
        names = [s for s in self.keras_fixes["loss_functions"] if self.loss_facts("keras", s) == wanted]
        written = value.get("name") if isinstance(value, dict) else value
        for w in (written, wanted[0]):
            if w in names:
                return str(w)
        return names[0] if names else None

    def keras_loss_accepts(self, cls: str, keywords: Iterable[str]) -> bool:
        params = self.rulebase.frameworks["keras"]["losses"].get(cls)
        if params is None:
            return False
        return all(k in params or k in self.keras_fixes["loss_keywords"] for k in keywords)

    def keras_optimizer(self, canonical: str) -> str | None:
        names = [k for k in self.rulebase.frameworks["keras"]["optimizers"] if self.canonical("optimizer", k) == canonical]
        return _best(names, canonical)

    def keras_optimizer_accepts(self, cls: str, keyword: str) -> bool:
        params = self.rulebase.frameworks["keras"]["optimizers"].get(cls)
        return params is not None and (keyword in params or keyword in self.keras_fixes["optimizer_keywords"])

    def keras_activation(self, canonical: str) -> str | None:
        """The name Keras knows an activation by."""
        names: list[str] = self.keras_fixes["activations"]
        found = [n for n in names if self.canonical("activation", self.keras.activation_renames.get(n, n)) == canonical]
        return _best(found, canonical)


@functools.lru_cache(maxsize=512)
def _loss_facts(know: Knowledge, framework: str, value: str) -> LossFacts | None:
    from nnadvisor.facts import derive
    from nnadvisor.source import Document
    from nnadvisor.validation import validate_config

    config, _ = validate_config(Document({"framework": framework, "loss": json.loads(value)}), know.vocab)
    if config is None:
        return None
    facts = derive(config, None, know.vocab).values
    name, logits = facts.get("loss.name"), facts.get("loss.from_logits")
    return (name, bool(logits)) if isinstance(name, str) else None


_KNOWLEDGE: dict[int, Knowledge] = {}


def knowledge(rulebase: RuleBase) -> Knowledge:
    """The knowledge of ``rulebase`` (built once per rule base: its memos are worth keeping)."""
    found = _KNOWLEDGE.get(id(rulebase))
    if found is None or found.rulebase is not rulebase:
        found = _KNOWLEDGE[id(rulebase)] = Knowledge(rulebase)
    return found
