"""Fixes as text edits: a rule's fix is a JSON Patch on the normalised config; here it becomes
edits of the user's own text, so that ``check --fix`` changes only what the fix is about and
keeps comments, key order and formatting.

Each input format has its own writer (:func:`file_edits` dispatches, all of a file's fixes at once):

- ``nnadvisor`` (YAML/JSON): :mod:`nnadvisor.fixes.config_text` edits the scalar, mapping or
  sequence item a patch path names;
- Python sources (PyTorch, Keras, tf.keras): :mod:`nnadvisor.fixes.python` edits the expression a
  config pointer was read from (its location in the reader's :class:`~nnadvisor.source.Document`);
- a notebook's edits are those of the program of its code cells, moved into their cells by the
  notebook reader.

A writer returns ``None`` when a patch cannot be written as edits of this text (a value computed
at run time, a shape of code it does not know): the finding keeps its description and has no
edits, so it is not counted as fixable. Never a partial fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from nnadvisor.readers import ReadResult
    from nnadvisor.rulebase import RuleBase
    from nnadvisor.source import Document

TEXT_FORMATS = frozenset({"nnadvisor", "pytorch", "python"})
"""Reader formats whose fixes are written as text edits (a notebook's are its program's, in
``python``); a Keras JSON or ``.keras`` file is written by Keras, not by hand, so its findings
say what to change but carry no edits."""

Patch = Sequence[Mapping[str, Any]]
"""JSON Patch operations (RFC 6902: ``op``, ``path``, ``value``) on the normalised config."""


class Edit(NamedTuple):
    """Replace the text from ``start`` up to (not including) ``end`` by ``content``.

    Positions are 1-based ``(line, column)`` with columns counted in characters (as every location
    nnadvisor reports); an insertion has ``start == end``, a deletion empty ``content``.
    """

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    content: str


def file_edits(
    fmt: str, text: str, fixes: Sequence[tuple[Document | None, Patch, str | None]], rulebase: RuleBase, results: Sequence[ReadResult] = ()
) -> list[list[Edit] | None]:
    """The edits of each fix of one file: (the config a reader made, the patch, its framework).

    A source's edited text is read again to verify the edits, against ``results`` (what the
    readers made of ``text``): the fixes of one framework are verified together, with one
    reading (:class:`nnadvisor.fixes.python.FileFixer`)."""
    out: list[list[Edit] | None] = [None] * len(fixes)
    if fmt == "nnadvisor":
        from nnadvisor.fixes.config_text import edits as config_edits

        return [config_edits(text, patch, doc.data) if patch and doc is not None else None for doc, patch, _ in fixes]
    if fmt not in TEXT_FORMATS:
        return out
    from nnadvisor.fixes.python import FileFixer

    for framework in sorted({fw for _, _, fw in fixes if fw is not None}):
        mine = [(i, doc, patch) for i, (doc, patch, fw) in enumerate(fixes) if fw == framework and doc is not None and patch]
        before = [r for r in results if r.config is not None and r.config.framework == framework]
        fixer = FileFixer(text, framework, rulebase, before or None)
        for (i, _, _), found in zip(mine, fixer.edits([(doc, patch) for _, doc, patch in mine])):
            out[i] = found
    return out
