"""What every part of the PyTorch reader shares for one file: the index, static evaluation, the
API catalogue, and the notes being collected."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from nnadvisor.readers._model import Assembly
from nnadvisor.readers.python.evaluate import Evaluator
from nnadvisor.readers.python.index import SourceIndex
from nnadvisor.readers.python.span import location
from nnadvisor.readers.pytorch.catalogue import Catalogue


_MISSING = object()


@dataclass
class Context:
    index: SourceIndex
    ev: Evaluator
    cat: Catalogue
    asm: Assembly
    model_classes: set[str] = field(default_factory=set)
    """Classes of the file that are models (subclasses of nn.Module or LightningModule, also
    through other classes of the file)."""

    _quals: dict[int, str | None] = field(default_factory=dict)

    def qual(self, node: ast.AST) -> str | None:
        """The dotted name of a node (memoised: the calls of a file are looked at by several passes)."""
        key = id(node)
        found = self._quals.get(key, _MISSING)
        if found is _MISSING:
            found = self._quals[key] = self.index.qual(node, self.cat.default_aliases)
        return found  # type: ignore[return-value]

    def note(self, node: ast.AST, message: str) -> None:
        self.asm.note(location(node), message)

    def find_model_classes(self) -> None:
        found = self.model_classes
        classes = self.index.classes
        changed = True
        while changed:
            changed = False
            for name, cls in classes.items():
                if name in found:
                    continue
                for base in cls.bases:
                    if self.qual(base) in self.cat.model_bases or (isinstance(base, ast.Name) and base.id in found):
                        found.add(name)
                        changed = True
                        break
