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
    from nnadvisor.fixes import Edit, Patch
    from nnadvisor.readers import ReadResult
    from nnadvisor.rulebase import RuleBase
    from nnadvisor.source import Document


def edits(text: str, doc: Document, patch: Patch, framework: str, rulebase: RuleBase, before: list[ReadResult] | None = None) -> list[Edit] | None:
    """The edits of ``text`` that make it compute what ``doc.data`` patched by ``patch`` says,
    or ``None`` when that cannot be done faithfully."""
    from nnadvisor.fixes.python.keras import KerasWriter
    from nnadvisor.fixes.python.knowledge import knowledge
    from nnadvisor.fixes.python.pytorch import TorchWriter
    from nnadvisor.fixes.python.text import Source
    from nnadvisor.fixes.python.verify import apply_changes, apply_patch, verified

    writer_class = next((w for w in (TorchWriter, KerasWriter) if w.framework == framework), None)
    if writer_class is None or not patch:
        return None
    try:
        patched = apply_patch(doc.data, patch)
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    src = Source.parse(text, next((r.syntax for r in before or () if r.syntax is not None), None))
    if src is None:
        return None
    know = knowledge(rulebase)
    changes = writer_class(src, doc, know).changes(patched)
    if not changes:
        return None
    found = src.edits(changes)
    if found is None or not verified(text, apply_changes(text, changes), doc, patch, framework, know, before):
        return None
    return found
