"""Where a live model's findings are: object paths, not lines.

The shared assembly (:mod:`nnadvisor.readers._model`) and the Keras reader locate everything by
:class:`~nnadvisor.source.Location`. A live model has no file, so each object path (``head.1``,
``loss``, ``optimizer``, a Keras layer name) is given a line of its own in a virtual document;
:func:`finish` turns those lines back into paths (:attr:`ReadResult.objects`, and the notes'
``line N``, which name the object instead), and every location into ``Location(1, 1)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import START
from nnadvisor.source import Document, Location, Problem
from nnadvisor.validation import validate_config
from nnadvisor.vocabulary import Vocabulary

ROOT = "model"
"""The path of the model object itself (the argument it was given as)."""
CONTEXT_KEYS = ("task", "labels", "num_classes", "target_range", "outliers")
"""Problem keys of the config format that a caller gives as context."""
PART_POINTERS = frozenset({"/loss", "/optimizer"})
_ANCHORLESS = frozenset({"", "/framework", "/layers"})
"""Pointers located where something else is (the document, the first layer): never a note's."""
_READ_KEYS = frozenset({"framework", "layers", "loss", "optimizer", "version"})
_LINE = re.compile(r"\((?:at )?line (\d+)\)|\b(?:at )?line (\d+)\b")


def pointer_of(path: str) -> str:
    """The config pointer a note about an object path names when it has no layer: ``/loss``,
    ``/optimizer``; ``""`` otherwise (:func:`finish` finds a layer's pointer from its line)."""
    pointer = "/" + path.split("[", 1)[0]
    return pointer if pointer in PART_POINTERS else ""


class Places:
    """Object paths and the virtual lines that stand for them (line 1 is the model itself)."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {ROOT: 1}
        self.paths: dict[int, str] = {1: ROOT}

    def at(self, path: str) -> Location:
        """The location standing for ``path`` (``""`` is the model)."""
        path = path or ROOT
        line = self.lines.get(path)
        if line is None:
            line = self.lines[path] = len(self.lines) + 1
            self.paths[line] = path
        return Location(line, 1)


def rewrite(message: str, paths: Mapping[int, str]) -> str:
    """A note of the assembly or the Keras reader, with its ``(line N)`` / ``at line N`` naming
    the object that line stands for (``(at head.3)``, ``at loss``)."""

    def name(match: re.Match[str]) -> str:
        bracketed = match.group(1) is not None
        path = paths.get(int(match.group(1) if bracketed else match.group(2)))
        if path is None:
            return match.group(0)
        return f"(at {path})" if bracketed else f"at {path}"

    text = _LINE.sub(name, message)
    return text.replace(" is not resolved statically", " is not resolved").replace("not in the file", "not in its config")


def finish(result: ReadResult, paths: Mapping[int, str], vocab: Vocabulary, context: Mapping[str, Any], extra_notes: list[Problem]) -> ReadResult:
    """The result of a live model: objects from the virtual lines, locations all ``(1, 1)``, notes
    naming objects, and the caller's context keys added to the config (validated again)."""
    doc = result.doc
    at_line: dict[int, str] = {}
    if doc is not None:
        for pointer, loc in doc.locations.items():
            if pointer not in _ANCHORLESS and (loc.line not in at_line or len(pointer) < len(at_line[loc.line])):
                at_line[loc.line] = pointer
    unique: dict[str, Problem] = {}
    for n in [*extra_notes, *result.notes]:
        # A note names its object in its text, and by its pointer: the config key read from that
        # object (the loss and the optimizer even when they stayed unknown and are not in the config).
        pointer = n.pointer or at_line.get(n.location.line, "")
        unique.setdefault(n.message, Problem(pointer, START, rewrite(n.message, paths)))
    notes = list(unique.values())
    if doc is None:
        return ReadResult(problems=[Problem(p.pointer, START, rewrite(p.message, paths)) for p in result.problems], notes=notes)
    objects = {pointer: paths.get(loc.line, ROOT) for pointer, loc in doc.locations.items()}
    for n in notes:
        if n.pointer in PART_POINTERS:
            objects.setdefault(n.pointer, n.pointer[1:])
    locations = dict.fromkeys(doc.locations, START)
    data = doc.data
    problems: list[Problem] = [Problem(p.pointer, START, rewrite(p.message, paths)) for p in result.problems]
    given = {k: v for k, v in context.items() if v is not None}
    if given and isinstance(data, dict):
        data = dict(data)
        for key, value in given.items():
            if key in _READ_KEYS:
                problems.append(Problem(f"/{key}", START, f"'{key}' is read from the model, it cannot be given as context"))
                continue
            data[key] = value
            locations[f"/{key}"] = START
            objects[f"/{key}"] = key
    doc = Document(data, locations)
    if problems:
        return ReadResult(doc=doc, problems=problems, notes=notes, head=result.head, label=result.label, objects=objects)
    config = result.config
    if given:
        config, problems = validate_config(doc, vocab)
        if config is None:
            return ReadResult(doc=doc, problems=problems, notes=notes, head=result.head, label=result.label, objects=objects)
    return ReadResult(config=config, doc=doc, notes=notes, head=result.head, label=result.label, unknowns=result.unknowns, objects=objects)
