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


@dataclass
class Context:
    index: SourceIndex
    ev: Evaluator
    cat: Catalogue
    asm: Assembly
    model_classes: set[str] = field(default_factory=set)
    """Classes of the file that are models (subclasses of nn.Module or LightningModule, also
    through other classes of the file)."""

    def qual(self, node: ast.AST) -> str | None:
        return self.index.qual(node, self.cat.default_aliases)

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
