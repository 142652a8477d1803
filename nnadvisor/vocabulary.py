"""The vocabulary at run time: canonical names, aliases, and the facts rules reason with.

Built from the validated ``rules/vocabulary.yaml`` (:class:`~nnadvisor.engine.files.VocabularyFile`,
dumped to plain data). Names are matched after folding (case, ``-``/``_``/spaces and a trailing
``loss`` ignored) so that ``CrossEntropyLoss``, ``cross_entropy`` and ``Cross-Entropy`` meet the
same entry. A name written under a module path the vocabulary lists for its kind
(``qualifiers``: ``torch.nn.CrossEntropyLoss``, ``keras.losses.Huber``, ``tf.keras.optimizers.Adam``)
is looked up without that path, and takes the framework the path names unless its alias names
one; a dotted name under any other path is not a known name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["activation", "loss", "optimizer"]
KINDS: tuple[Kind, ...] = ("activation", "loss", "optimizer")
_SECTIONS = {"activation": "activations", "loss": "losses", "optimizer": "optimizers"}
_FOLD = re.compile(r"[\s_\-]+")


def fold(name: str) -> str:
    key = _FOLD.sub("", name.lower())
    if key.endswith("loss") and len(key) > 4:
        key = key[:-4]
    return key


@dataclass(frozen=True)
class Resolved:
    """A name as the user wrote it, resolved to its canonical entry."""

    canonical: str
    params: dict[str, Any] = field(default_factory=dict)
    framework: str | None = None


class Vocabulary:
    """Lookups over the vocabulary data (``VocabularyFile.model_dump()``)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.activations: dict[str, dict[str, Any]] = data["activations"]
        self.losses: dict[str, dict[str, Any]] = data["losses"]
        self.optimizers: dict[str, dict[str, Any]] = data["optimizers"]
        self._index: dict[str, dict[str, Resolved]] = {}
        for kind in KINDS:
            table: dict[str, Resolved] = {}
            for canonical, entry in data[_SECTIONS[kind]].items():
                table[fold(canonical)] = Resolved(canonical)
                for alias in entry.get("aliases", []):
                    if isinstance(alias, str):
                        table[fold(alias)] = Resolved(canonical)
                    else:
                        table[fold(alias["name"])] = Resolved(canonical, dict(alias.get("params") or {}), alias.get("framework"))
            self._index[kind] = table
        qualifiers: dict[str, dict[str, str | None]] = data.get("qualifiers") or {}
        self._qualifiers: dict[str, tuple[tuple[str, str | None], ...]] = {
            kind: tuple(sorted(((f"{p}.", fw) for p, fw in qualifiers.get(kind, {}).items()), key=lambda q: -len(q[0])))
            for kind in KINDS
        }
        """Per kind, ``("torch.nn.", "pytorch")``: longest first, so the most specific path matches."""
        self._memo: dict[tuple[str, str], Resolved | None] = {}
        """Names as written, resolved: a directory of configs repeats the same few spellings."""

    def names(self, kind: Kind) -> tuple[str, ...]:
        return tuple(self.data[_SECTIONS[kind]])

    def unqualified(self, kind: Kind, name: str) -> tuple[str, str | None] | None:
        """``name`` without the module path it is written under, and the framework that path
        names; ``None`` when ``name`` is not under a path listed for ``kind``."""
        for prefix, framework in self._qualifiers[kind]:
            if name.startswith(prefix) and "." not in name[len(prefix) :]:
                return name[len(prefix) :], framework
        return None

    def resolve(self, kind: Kind, name: str) -> Resolved | None:
        key = (kind, name)
        if key in self._memo:
            return self._memo[key]
        index = self._index[kind]
        resolved = index.get(fold(name))
        if resolved is None and "." in name:
            bare = self.unqualified(kind, name)
            if bare is not None:
                resolved = index.get(fold(bare[0]))
                if resolved is not None and resolved.framework is None and bare[1] is not None:
                    resolved = Resolved(resolved.canonical, resolved.params, bare[1])
        if len(self._memo) < 4096:
            self._memo[key] = resolved
        return resolved

    def suggest(self, kind: Kind, name: str, n: int = 3) -> list[str]:
        """Closest canonical names, for "did you mean" messages."""
        import difflib

        table = self._index[kind]
        if "." in name:  # torch.nn.CrossEntropyLos, mypackage.Adamw: the name after the path
            name = name.rsplit(".", 1)[1]
        keys = difflib.get_close_matches(fold(name), list(table), n=n * 3, cutoff=0.6)
        seen: list[str] = []
        for key in keys:
            canonical = table[key].canonical
            if canonical not in seen:
                seen.append(canonical)
        return seen[:n]
