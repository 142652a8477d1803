"""The vocabulary (``rules/vocabulary.yaml``): canonical names, their aliases and their facts.

Names are matched after folding (case, ``-``/``_``/spaces and a trailing ``loss`` ignored) so that
``CrossEntropyLoss``, ``cross_entropy`` and ``Cross-Entropy`` meet the same entry.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nnadvisor.terms import Expects, Framework, LabelFormat, LossFamily, OutputRange

Kind = Literal["activation", "loss", "optimizer"]
_FOLD = re.compile(r"[\s_\-]+")


def fold(name: str) -> str:
    key = _FOLD.sub("", name.lower())
    if key.endswith("loss") and len(key) > 4:
        key = key[:-4]
    return key


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Alias(_Strict):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    framework: Framework | None = None


class ActivationEntry(_Strict):
    aliases: list[str | Alias] = Field(default_factory=list)
    range: OutputRange
    nonlinear: bool = True
    probability: bool = False
    saturating: bool = False


class FrameworkOverride(_Strict):
    from_logits: bool | None = None
    labels: list[LabelFormat] | None = None
    expects: Expects | None = None


class LossEntry(_Strict):
    aliases: list[str | Alias] = Field(default_factory=list)
    family: LossFamily
    expects: Expects
    from_logits_expects: Expects | None = None
    labels: list[LabelFormat]
    frameworks: dict[Framework, FrameworkOverride] = Field(default_factory=dict)


class OptimizerEntry(_Strict):
    aliases: list[str | Alias] = Field(default_factory=list)
    family: str


@dataclass(frozen=True)
class Resolved:
    """A name as the user wrote it, resolved to its canonical entry."""

    canonical: str
    params: dict[str, Any]
    framework: Framework | None


class Vocabulary(_Strict):
    activations: dict[str, ActivationEntry]
    losses: dict[str, LossEntry]
    optimizers: dict[str, OptimizerEntry]

    def entries(self, kind: Kind) -> dict[str, Any]:
        return {"activation": self.activations, "loss": self.losses, "optimizer": self.optimizers}[kind]

    @cached_property
    def _index(self) -> dict[str, dict[str, Resolved]]:
        index: dict[str, dict[str, Resolved]] = {}
        for kind in ("activation", "loss", "optimizer"):
            table: dict[str, Resolved] = {}
            for canonical, entry in self.entries(kind).items():  # type: ignore[arg-type]
                table[fold(canonical)] = Resolved(canonical, {}, None)
                for alias in entry.aliases:
                    if isinstance(alias, str):
                        table[fold(alias)] = Resolved(canonical, {}, None)
                    else:
                        table[fold(alias.name)] = Resolved(canonical, dict(alias.params), alias.framework)
            index[kind] = table
        return index

    def resolve(self, kind: Kind, name: str) -> Resolved | None:
        return self._index[kind].get(fold(name))

    def suggest(self, kind: Kind, name: str, n: int = 3) -> list[str]:
        """Closest canonical names, for "did you mean" messages."""
        table = self._index[kind]
        keys = difflib.get_close_matches(fold(name), list(table), n=n * 3, cutoff=0.6)
        seen: list[str] = []
        for key in keys:
            canonical = table[key].canonical
            if canonical not in seen:
                seen.append(canonical)
        return seen[:n]
