"""Readers: every input format becomes a :class:`~nnadvisor.config.ModelConfig` plus locations.

A reader returns one :class:`ReadResult` per model output it lints (Keras multi-output models give
one per output head; every other input gives one). Problems (the file cannot be read as a model)
become NNA000 findings at their line; notes (what a reader could not resolve statically) become
NNA002 info findings. Readers never import or execute user code.

This module stays light: ``check`` on an nnadvisor-format YAML file must not pay for ``ast``,
``zipfile`` or the Keras and PyTorch readers, so those are imported inside the functions that
need them.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from nnadvisor.source import Document, Problem

if TYPE_CHECKING:
    from nnadvisor.config import ModelConfig
    from nnadvisor.rulebase import RuleBase


@dataclass
class ReadResult:
    config: ModelConfig | None = None
    doc: Document | None = None
    problems: list[Problem] = field(default_factory=list)
    """The file cannot be read as a model (finding NNA000 each; nothing else is checked)."""
    notes: list[Problem] = field(default_factory=list)
    """What the reader could not resolve and left unknown (finding NNA002 each, severity info)."""
    head: str | None = None
    """The output head this result lints (Keras multi-output models), ``None`` for single-output."""
    label: str | None = None
    """What findings of this result are prefixed with when a file gives several results and a
    finding does not hold for all of them (default: ``head NAME``)."""
    unknowns: frozenset[str] = frozenset()
    """Config pointers whose values the reader could not resolve (each said in a note): a fact
    read from one is unknown, so no rule fires on it (an activation name outside the vocabulary
    is not a typo to report as NNA001, an opaque layer's activation is not "linear")."""
    syntax: Any = None
    """For a Python source: the tree and index it was read from (``(ast.Module, SourceIndex)``),
    so that a fix writer edits what the reader saw without parsing the file again."""
    objects: dict[str, str] = field(default_factory=dict)
    """For a live model (:func:`nnadvisor.check_model`): config pointer -> the path of the object
    it was read from (``head.1`` for a submodule, ``loss``, ``optimizer``), which locates a
    finding when there is no file. Empty for files."""


FORMATS = ("nnadvisor", "keras", "pytorch", "python", "notebook")
"""Input formats ``--input-format`` accepts. ``python`` is a Python source read by the reader of
the framework it imports; ``pytorch`` forces the PyTorch reader; ``notebook`` is a Jupyter
notebook, whose code cells are read as one ``python`` source (:mod:`nnadvisor.readers.notebook`)."""
COMMENTED = frozenset({"nnadvisor", "pytorch", "python"})
"""Formats with ``#`` comments, where ``# nnadvisor: ignore[...]`` suppressions are read (a
notebook's are read by the notebook reader, in the program of its cells)."""
EXTENSIONS = {".yaml": "nnadvisor", ".yml": "nnadvisor", ".json": "nnadvisor", ".keras": "keras", ".py": "python", ".ipynb": "notebook"}
"""Extensions searched for when a directory is given. ``.json`` and ``.yaml`` are ambiguous:
:func:`detect` looks at their content (Keras JSON has a top-level ``class_name`` and ``config``)."""

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
PACK_MAGIC = b"\x00nnadvisor-archive-members v1\n"
"""How :func:`read_archive` hands archive members to a reader (see :mod:`nnadvisor.readers.archive`)."""
_KERAS_TOP = frozenset({b"model_config", b"training_config", b"modelTopology"})
_NATIVE_TOP = frozenset({b"layers", b"loss", b"optimizer", b"framework", b"task", b"labels", b"num_classes", b"version"})
# Patterns, compiled on first use (by the re module's cache): start-up pays for none of them.
_YAML_TOP = rb"(?m)^[\"']?(class_name|config|model_config|training_config|modelTopology)[\"']?\s*:"
_JSON_TOKEN = rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:]'
_PYTHON = rb"(?m)^\s*(?:import\s+(?:torch|keras|tensorflow)|from\s+(?:torch|keras|tensorflow)[\s.])"
_NOTEBOOK = rb'^\{\s*"(?:cells|metadata|nbformat|nbformat_minor|worksheets)"\s*:'
_NOTEBOOK_FRAMEWORK = rb"\b(?:import|from)\s+(?:torch|keras|tensorflow|(?:pytorch_)?lightning)\b"
NOTEBOOK_MAX_BYTES = 32 * 1024 * 1024
"""Notebooks carry their outputs (plots as base64 images): they are read up to this size (their
code is capped like other Python sources)."""
_YAML_KEY = rb"(?m)^(?:[A-Za-z_][\w.-]*|\"[^\"\n]*\"|'[^'\n]*')[ \t]*:(?:[ \t]|$)"
_KERAS = rb"(?m)^\s*(?:import\s+(?:keras|tensorflow)|from\s+(?:keras|tensorflow)[\s.])"
_TORCH = rb"(?m)^\s*(?:import\s+torch|from\s+torch[\s.])|\bimport\s+(?:pytorch_)?lightning|\bfrom\s+(?:pytorch_)?lightning[\s.]"


def _json_top_keys(raw: bytes, until: frozenset[bytes] | None = None) -> set[bytes]:
    """Keys of the top-level JSON object, scanned without parsing; stops once the format is clear
    (or, given ``until``, at the first of those keys)."""
    keys: set[bytes] = set()
    depth = 0
    pending: bytes | None = None
    for match in re.finditer(_JSON_TOKEN, raw):
        token = match.group()
        if token in (b"{", b"["):
            depth += 1
        elif token in (b"}", b"]"):
            depth -= 1
            if depth <= 0:
                break
        elif token == b":":
            if depth == 1 and pending is not None:
                keys.add(pending)
                if until is not None:
                    if pending in until:
                        break
                elif pending in _KERAS_TOP or pending in _NATIVE_TOP or {b"class_name", b"config"} <= keys:
                    break
        pending = token[1:-1] if depth == 1 and token.startswith(b'"') else None
    return keys


def keras_content(raw: bytes) -> bool:
    """A JSON/YAML document whose top level has ``class_name`` + ``config``, or ``model_config``,
    ``training_config`` (Keras 2 HDF5 attributes) or ``modelTopology`` (TensorFlow.js)."""
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        keys = _json_top_keys(head)
    else:
        keys = {m.group(1) for m in re.finditer(_YAML_TOP, raw)}
    return bool(keys & _KERAS_TOP) or {b"class_name", b"config"} <= keys


def _sniff(raw: bytes) -> str:
    """The format of content without a telling file name (stdin, unknown extensions)."""
    if raw[:4] in ZIP_MAGIC or raw.startswith(PACK_MAGIC):
        return "keras"
    if re.search(_PYTHON, raw[:65536]) is not None:
        return "python"
    if re.match(_NOTEBOOK, raw.lstrip(b"\xef\xbb\xbf \t\r\n")) is not None and b'"nbformat"' in raw:
        return "notebook"
    return "keras" if keras_content(raw) else "nnadvisor"


def detect(name: str, raw: bytes | None = None) -> str:
    """The reader for a file: by extension (``.keras``, ``.py``), then by content (``.json`` and
    ``.yaml`` holding Keras JSON; stdin and unknown extensions are sniffed)."""
    known = EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if known in ("keras", "python", "notebook") or raw is None:
        return known or "nnadvisor"
    if known == "nnadvisor":
        return "keras" if keras_content(raw) else "nnadvisor"
    return _sniff(raw)


def max_bytes(name: str, fmt: str | None) -> int:
    """How much of a file is read: notebooks (by ``--input-format`` or name) up to
    :data:`NOTEBOOK_MAX_BYTES`, anything else up to the readers' cap."""
    if fmt == "notebook" or (fmt is None and name.lower().endswith(".ipynb")):
        return NOTEBOOK_MAX_BYTES
    from nnadvisor.source import MAX_BYTES

    return MAX_BYTES


def archive_format(path: str | os.PathLike[str], fmt: str | None) -> str | None:
    """``keras`` when ``path`` is a zip archive to read member by member (a ``.keras`` file, or any
    file under ``--input-format keras``); ``None`` for files read whole."""
    if fmt not in (None, "keras") or (fmt is None and not os.fspath(path).lower().endswith(".keras")):
        return None
    with open(path, "rb") as f:
        magic = f.read(4)
    return "keras" if magic in ZIP_MAGIC else None


def read_archive(path: str | os.PathLike[str]) -> bytes:
    """The members a reader needs (``config.json``, ``metadata.json``), capped, packed as bytes."""
    from nnadvisor.readers import archive

    return archive.read_path(path)


_MODULES = {"nnadvisor": "native", "keras": "keras", "pytorch": "pytorch", "keras-source": "keras_source"}
_NAMES = {"pytorch": "PyTorch", "keras-source": "Keras"}


def python_frameworks(raw: bytes) -> list[str]:
    """The source readers a Python file needs, by what it imports: PyTorch, Keras/TensorFlow, or
    both (PyTorch when it shows neither: its reader says that nothing was found)."""
    head = raw[:262144]
    found = []
    if re.search(_TORCH, head) is not None:
        found.append("pytorch")
    if re.search(_KERAS, head) is not None:
        found.append("keras-source")
    return found or ["pytorch"]
_loaded: dict[str, ModuleType] = {}


def _reader(fmt: str) -> ModuleType:
    """The reader module of a format, imported on first use (``from ... import`` inside a
    function called per file costs a package lookup every time)."""
    module = _loaded.get(fmt)
    if module is None:
        name = f"nnadvisor.readers.{_MODULES[fmt]}"
        __import__(name)  # the interpreter's import statement machinery (seen by -X importtime)
        module = _loaded[fmt] = sys.modules[name]
    return module


def read(raw: bytes, fmt: str, rulebase: RuleBase, name: str = "-") -> list[ReadResult]:
    """The results of one input (one per output head or model/loss pair it lints)."""
    if fmt == "nnadvisor":
        return [_reader(fmt).read(raw, rulebase.vocabulary, name)]
    results: list[ReadResult] = []
    sources = python_frameworks(raw) if fmt == "python" else ["pytorch"] if fmt == "pytorch" else None
    if fmt == "keras" and raw[:4] not in ZIP_MAGIC and not raw.startswith(PACK_MAGIC) and re.search(_KERAS, raw[:65536]) is not None:
        sources = ["keras-source"]  # --input-format keras on a script
    if sources is not None:
        # Parsing builds millions of small objects and no reference cycles; the cyclic collector
        # would traverse the growing heap again and again (ast.parse of a 5 MB file: 4.9 s with
        # it, 1.5 s without). Off while a source is read, as it was before afterwards.
        enabled = gc.isenabled()
        gc.disable()
        try:
            for framework in sources:
                found = _reader(framework).read(raw, rulebase, name)
                if len(sources) > 1:  # a file read by two readers: say which model is which
                    for result in found:
                        if result.label is None:
                            result.label = f"{_NAMES[framework]}{f' head {result.head}' if result.head else ''}"
                results += found
        finally:
            if enabled:
                gc.enable()
    else:
        results = _reader(fmt).read(raw, rulebase.vocabulary, name)
    return results


_MODEL_TOP = rb"(?m)^[\"']?(?:layers|loss|optimizer)[\"']?\s*:"
_MODEL_KEYS = frozenset({b"layers", b"loss", b"optimizer"})


def config_shape(raw: bytes) -> bool:
    """The model-config shape (docs/decisions.md, "Which files are model definitions"): a
    top-level ``layers``, ``loss`` or ``optimizer`` key, found without parsing. In a JSON document
    (content starting with ``{``) a key of the top-level object; in YAML a key at the start of a
    line (optionally quoted). A workflow, ``mkdocs.yml`` or ``package.json`` has none of them,
    even when ``"loss"`` appears deeper in it."""
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return not _MODEL_KEYS.isdisjoint(_json_top_keys(head, _MODEL_KEYS))
    return re.search(_MODEL_TOP, raw) is not None


def looks_like_config(raw: bytes, fmt: str, named: bool = False) -> bool:
    """Whether a file is a model definition (others are skipped, and counted). A file found by a
    directory walk: as below. A file given by name (what pre-commit passes) is held to the same
    test, except that a Python source needs only to import a framework (torch, keras,
    tensorflow, lightning): the walk's stricter guess would skip a model script it misreads."""
    if named and fmt == "python":
        return re.search(_TORCH, raw[:262144]) is not None or re.search(_KERAS, raw[:262144]) is not None
    if fmt == "keras":
        return raw[:4] in ZIP_MAGIC or raw.startswith(PACK_MAGIC) or keras_content(raw)
    if fmt in ("pytorch", "python"):
        if b"torch" in raw and (b"Module" in raw or b"Sequential" in raw or b"optim" in raw):
            return True
        return fmt == "python" and (b"keras" in raw or b"tensorflow" in raw) and (b"compile" in raw or b"Sequential" in raw or b"Model" in raw or b"_with_logits" in raw)
    if fmt == "notebook":  # one that imports no framework is data work, not a model
        return re.search(_NOTEBOOK_FRAMEWORK, raw) is not None
    if named and not mapping_shape(raw):
        return True  # not another tool's settings either (a list, a scalar, junk): say what is wrong (NNA000)
    return config_shape(raw)


def mapping_shape(raw: bytes) -> bool:
    """Whether a YAML/JSON document reads as a mapping (a JSON object, or YAML with a key at the
    start of a line): the shape of another tool's settings (a workflow, ``package.json``), which a
    named file without model keys is taken for. A list, a scalar or junk is not."""
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return True
    return re.search(_YAML_KEY, raw[:65536]) is not None
