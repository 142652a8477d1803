"""The nnadvisor config format (YAML or JSON)."""

from __future__ import annotations


from nnadvisor.readers import ReadResult
from nnadvisor.source import Location, Problem, SourceError, read_bytes
from nnadvisor.validation import validate_config
from nnadvisor.vocabulary import Vocabulary


def read(raw: bytes, vocab: Vocabulary, name: str = "-") -> ReadResult:
    """``name`` ending in ``.json`` makes the file strict JSON (YAML would accept a trailing comma)."""
    if name.lower().endswith(".json"):
        problem = _json_problem(raw)
        if problem is not None:
            return ReadResult(problems=[problem])
    try:
        doc = read_bytes(raw)
    except SourceError as exc:
        return ReadResult(problems=[Problem("", Location(exc.line, exc.column), exc.message)])
    if not isinstance(doc.data, dict):
        kind = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        return ReadResult(
            doc=doc,
            problems=[Problem("", doc.locate(""), f"expected a mapping with layers, loss and optimizer; the document is {kind}")],
        )
    # A config whose only problems are unknown keys is also read without them: the typo is
    # reported (NNA000) beside the file's other findings, instead of hiding them.
    config, problems = validate_config(doc, vocab, partial=True)
    return ReadResult(config=config, doc=doc, problems=problems)


def _json_problem(raw: bytes) -> Problem | None:
    import json

    try:
        json.loads(raw)
    except UnicodeDecodeError:
        return None  # the YAML reader reports the encoding with its line
    except json.JSONDecodeError as exc:
        return Problem("", Location(exc.lineno, exc.colno), f"invalid JSON: {exc.msg}")
    except RecursionError:
        return None  # the YAML reader reports the nesting depth with its line
    return None


def looks_like_config(raw: bytes) -> bool:
    """The model-config shape (:func:`nnadvisor.readers.config_shape`)."""
    from nnadvisor.readers import config_shape

    return config_shape(raw)
