"""Fixes as edits of a Python source (PyTorch, Keras, tf.keras, Keras 1/2 scripts).

A rule's fix is a JSON Patch on the config the reader made of the source. The writer of the
file's framework (:mod:`.pytorch`, :mod:`.keras`, on the shared :mod:`.writer` and the AST helpers
of :mod:`.text`) finds the expression each changed config key was read from (by its location in
the reader's :class:`~nnadvisor.source.Document`) and edits it, in the spelling the file uses; the
framework spellings come from the rule base (:mod:`.knowledge`). Then :mod:`.verify` reads the
edited source again: the fix is offered only when the rules would see exactly the patched config
for that model and nothing changed for the file's other models. Anything else is ``None``: a
value from a variable, a loss chosen at run time, an activation whose value is used elsewhere
too, a layer built in a loop, a shape of code no writer knows.

Importing this package imports ``ast``: it is imported only when a finding has a fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nnadvisor.fixes import Edit, Patch
    from nnadvisor.fixes.python.text import Change
    from nnadvisor.readers import ReadResult
    from nnadvisor.rulebase import RuleBase
    from nnadvisor.source import Document


def edits(text: str, doc: Document, patch: Patch, framework: str, rulebase: RuleBase, before: list[ReadResult] | None = None) -> list[Edit] | None:
    """The edits of ``text`` that make it compute what ``doc.data`` patched by ``patch`` says,
    or ``None`` when that cannot be done faithfully."""
    return FileFixer(text, framework, rulebase, before).edits([(doc, patch)])[0]


REREAD_BYTES = 1024 * 1024
"""How much source a file's fixes may read again to verify them: all of them together first, then
one by one when that fails (a 10 kB file: a hundred times; a file over 1 MiB: not at all, and
its findings are described but carry no edits). Each re-read costs what reading the file cost:
without a bound, a file with hundreds of findings was read hundreds of times (a generated 5 MB
module with 288 findings: over 5 minutes instead of 4 s)."""


class FileFixer:
    """The fixes of one source file: each fix is written by the file's framework writer, then all of
    them are verified together, by reading the file with every edit applied once (the rules must
    see, for each model, its config with all its patches, and nothing else changed); when that
    fails, each is verified on its own, as far as :data:`REREAD_BYTES` allows (beyond: no edits)."""

    def __init__(self, text: str, framework: str, rulebase: RuleBase, before: list[ReadResult] | None = None) -> None:
        from nnadvisor.fixes.python.keras import KerasWriter
        from nnadvisor.fixes.python.knowledge import knowledge
        from nnadvisor.fixes.python.pytorch import TorchWriter
        from nnadvisor.fixes.python.text import Source

        self.text = text
        self.framework = framework
        self.before = before
        self.know = knowledge(rulebase)
        self.writer_class = next((w for w in (TorchWriter, KerasWriter) if w.framework == framework), None)
        self.src = Source.parse(text, next((r.syntax for r in before or () if r.syntax is not None), None)) if self.writer_class else None

    def _changes(self, doc: Document, patch: Patch) -> list[Change] | None:
        from nnadvisor.fixes.python.verify import apply_patch

        if self.writer_class is None or self.src is None or not patch:
            return None
        try:
            patched = apply_patch(doc.data, patch)
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        return self.writer_class(self.src, doc, self.know).changes(patched) or None

    def edits(self, fixes: Sequence[tuple[Document, Patch]]) -> list[list[Edit] | None]:
        """For each (the config a reader made, a patch of it): its edits, or ``None``."""
        from nnadvisor.fixes.python.verify import (
            apply_changes,
            verified,
            verified_together,
        )

        if len(self.text) > REREAD_BYTES:
            return [None] * len(fixes)
        proposed = [self._changes(doc, patch) for doc, patch in fixes]
        edits = [self.src.edits(c) if c and self.src is not None else None for c in proposed]
        chosen = [i for i, e in enumerate(edits) if e is not None]
        if len(chosen) > 1:
            together = [c for i in chosen for c in proposed[i] or ()]
            if self.src is not None and self.src.edits(together) is not None:  # none overlap
                targets = [fixes[i] for i in chosen]
                if verified_together(self.text, apply_changes(self.text, together), targets, self.framework, self.know, self.before):
                    return edits
        allowance = (REREAD_BYTES // max(len(self.text), 1) - (len(chosen) > 1)) if len(chosen) > 1 else 1
        out: list[list[Edit] | None] = [None] * len(fixes)
        for i in chosen:
            if allowance <= 0:
                break
            allowance -= 1
            doc, patch = fixes[i]
            if verified(self.text, apply_changes(self.text, proposed[i] or []), doc, patch, self.framework, self.know, self.before):
                out[i] = edits[i]
        return out
