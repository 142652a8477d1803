"""Readers: every input format becomes a :class:`~nnadvisor.config.ModelConfig` plus locations.

A reader returns a :class:`ReadResult`; problems (the file cannot be read as a config) become
NNA000 findings at their line. Readers never import or execute user code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from nnadvisor.source import Document, Problem

if TYPE_CHECKING:
    from nnadvisor.config import ModelConfig
    from nnadvisor.vocabulary import Vocabulary


@dataclass
class ReadResult:
    config: ModelConfig | None = None
    doc: Document | None = None
    problems: list[Problem] = field(default_factory=list)
    """The file cannot be read as a model (finding NNA000 each; nothing else is checked)."""
    notes: list[Problem] = field(default_factory=list)
    """What the reader could not resolve and left unknown (finding NNA002 each, severity info)."""


FORMATS = ("nnadvisor",)
"""Input formats ``--input-format`` accepts."""
EXTENSIONS = {".yaml": "nnadvisor", ".yml": "nnadvisor", ".json": "nnadvisor"}
"""Extensions searched for when a directory is given."""


def detect(name: str) -> str:
    """The reader for a file name (stdin and unknown extensions: the nnadvisor format)."""
    return EXTENSIONS.get(PurePath(name).suffix.lower(), "nnadvisor")


def read(raw: bytes, fmt: str, vocab: Vocabulary, name: str = "-") -> ReadResult:
    from nnadvisor.readers import native

    readers = {"nnadvisor": native.read}
    return readers[fmt](raw, vocab, name)


def looks_like_config(raw: bytes, fmt: str) -> bool:
    """Whether a file found by a directory walk is a model config (others are skipped, and counted)."""
    from nnadvisor.readers import native

    return native.looks_like_config(raw)
