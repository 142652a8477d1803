"""Read YAML/JSON text into plain data plus the line of every value, refusing what is unsafe.

PyYAML's loaders silently keep the last of two duplicate keys, expand alias bombs and recurse
once per nesting level, and they do not tell us where a value came from. So the document is built
here from the parser's event stream (libyaml when available), iteratively, with:

- a location (1-based line and column) for every JSON pointer: keys point at the key itself,
  sequence items at the item;
- duplicate keys, unknown tags (``!!python/object`` and friends), too deep nesting and alias
  expansion beyond a budget reported as :class:`SourceError` with the line, before any cost is paid.

Nothing here knows what a config means; :mod:`nnadvisor.config` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 5 * 1024 * 1024
"""Configs are a few hundred bytes; a 5 MiB cap keeps a stray data file from costing seconds."""
MAX_DEPTH = 64
MAX_NODES = 100_000
"""Upper bound on values after alias expansion: the "billion laughs" guard."""

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary")
)


_STR = "tag:yaml.org,2002:str"
_YAML12_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$")


class SourceError(Exception):
    """The text is not a readable document; carries the 1-based line and column of the cause."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Location:
    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """Why a document is not a valid config, and where (becomes finding NNA000)."""

    pointer: str
    location: Location
    message: str


@dataclass
class Document:
    """Parsed data and where each part of it came from (JSON pointer -> location)."""

    data: Any
    locations: dict[str, Location] = field(default_factory=dict)

    def locate(self, pointer: str) -> Location:
        """The location of ``pointer``, or of its nearest located ancestor."""
        while True:
            loc = self.locations.get(pointer)
            if loc is not None:
                return loc
            if not pointer:
                return Location(1, 1)
            pointer = pointer.rsplit("/", 1)[0]


def escape_pointer_token(token: str) -> str:
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); the error names the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            line,
            column,
        ) from None


def read_bytes(raw: bytes) -> Document:
    if len(raw) > MAX_BYTES:
        raise SourceError(f"file is larger than {MAX_BYTES:,} bytes; model configs are refused beyond that")
    if b"\x00" in raw[:8192]:
        raise SourceError("binary content (NUL bytes): not a YAML or JSON document")
    return parse(decode(raw))


def _mark(event: Any) -> Location:
    mark = event.start_mark
    return Location(mark.line + 1, mark.column + 1)


class _Yaml:
    """PyYAML's pieces, imported on first use: a results-cache hit never parses YAML."""

    def __init__(self) -> None:
        import yaml
        import yaml.events as ev

        self.yaml = yaml
        self.loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        self.constructor = yaml.constructor.SafeConstructor()
        self.resolver = yaml.resolver.Resolver()  # the implicit resolvers of SafeLoader
        self.scalar, self.alias = ev.ScalarEvent, ev.AliasEvent
        self.seq_start, self.map_start = ev.SequenceStartEvent, ev.MappingStartEvent
        self.ends = (ev.SequenceEndEvent, ev.MappingEndEvent)
        self.doc_start, self.stream_end = ev.DocumentStartEvent, ev.StreamEndEvent
        self.values: dict[tuple[Any, str, Any], tuple[Any]] = {}
        """Built scalars by (tag, text, implicit): configs repeat the same few tokens."""


_YAML: _Yaml | None = None


def _scalar(y: _Yaml, event: Any) -> Any:
    key = (event.tag, event.value, event.implicit)
    hit = y.values.get(key)
    if hit is not None and not event.style:
        return hit[0]
    tag = event.tag
    if tag is None or tag == "!":
        tag = y.resolver.resolve(y.yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag == _STR and not event.style and _YAML12_FLOAT.match(event.value):
            # YAML 1.1 reads `1e-3` (no dot) as a string; YAML 1.2, JSON and every user read it
            # as a number.
            return float(event.value)
    if tag not in _STANDARD_TAGS:
        loc = _mark(event)
        raise SourceError(f"tag {tag!r} is not allowed: only plain YAML data is read", loc.line, loc.column)
    node = y.yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    value = y.constructor.construct_object(node)
    if not event.style and len(event.value) <= 64 and len(y.values) < 4096:
        y.values[key] = (value,)
    return value


def _too_many(event: Any) -> SourceError:
    loc = _mark(event)
    return SourceError(f"document expands to more than {MAX_NODES:,} values (alias bomb?); refused", loc.line, loc.column)


def _build(text: str) -> Document:
    """The document from the event stream, iteratively (no recursion, whatever the nesting).

    Each open collection is a frame ``[container, pointer, pending key, anchor, nodes at start]``.
    """
    global _YAML
    y = _YAML = _YAML or _Yaml()
    loader = y.loader(text)
    locations: dict[str, Location] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[list[Any]] = []
    nodes = 0
    root: Any = None
    have_root = False
    get_event = loader.get_event
    try:
        while True:
            event = get_event()
            cls = event.__class__
            where: Any = event
            if cls is y.scalar:
                nodes += 1
                if nodes > MAX_NODES:
                    raise _too_many(event)
                value = _scalar(y, event)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif cls in y.ends:
                frame = stack.pop()
                value = frame[0]
                if frame[3] is not None:
                    anchors[frame[3]] = (value, nodes - frame[4] + 1)
                where = None
            elif cls is y.map_start or cls is y.seq_start:
                nodes += 1
                if nodes > MAX_NODES:
                    raise _too_many(event)
                if event.tag not in (None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
                    loc = _mark(event)
                    raise SourceError(f"tag {event.tag!r} is not allowed: only plain YAML data is read", loc.line, loc.column)
                if len(stack) >= MAX_DEPTH:
                    loc = _mark(event)
                    raise SourceError(f"nesting deeper than {MAX_DEPTH} levels", loc.line, loc.column)
                if not stack:
                    pointer = ""
                    locations.setdefault("", _mark(event))
                else:
                    top = stack[-1]
                    if top[0].__class__ is list:
                        pointer = f"{top[1]}/{len(top[0])}"
                        locations[pointer] = _mark(event)
                    elif top[2] is _NO_KEY:
                        pointer = top[1]  # a collection as a key: refused when it is attached
                    else:
                        pointer = f"{top[1]}/{escape_pointer_token(str(top[2]))}"
                stack.append([[] if cls is y.seq_start else {}, pointer, _NO_KEY, event.anchor, nodes])
                continue
            elif cls is y.alias:
                if event.anchor not in anchors:
                    loc = _mark(event)
                    raise SourceError(f"unknown alias *{event.anchor}", loc.line, loc.column)
                value, size = anchors[event.anchor]
                nodes += size
                if nodes > MAX_NODES:
                    raise _too_many(event)
            elif cls is y.doc_start:
                if have_root:
                    loc = _mark(event)
                    raise SourceError("more than one YAML document in the file", loc.line, loc.column)
                continue
            elif cls is y.stream_end:
                break
            else:  # stream start, document end
                continue
            if not stack:
                root, have_root = value, True
                continue
            frame = stack[-1]
            container = frame[0]
            if container.__class__ is list:
                if where is not None:
                    locations[f"{frame[1]}/{len(container)}"] = _mark(where)
                container.append(value)
            elif frame[2] is _NO_KEY:
                key_loc = _mark(where) if where is not None else locations.get(frame[1], Location(1, 1))
                if isinstance(value, (dict, list)):
                    raise SourceError("a mapping key must be a plain value, not a list or mapping", key_loc.line, key_loc.column)
                if value in container:
                    # Equal keys can be spelt differently (1 and 1.0, 1 and true): name the first.
                    first = next(k for k in container if k == value)
                    first_loc = locations.get(f"{frame[1]}/{escape_pointer_token(str(first))}", key_loc)
                    same = str(first) == str(value)
                    raise SourceError(
                        f"duplicate key {value!r} ({'the first is' if same else f'equal to {first!r}'} on line {first_loc.line})",
                        key_loc.line,
                        key_loc.column,
                    )
                frame[2] = value
                locations[f"{frame[1]}/{escape_pointer_token(str(value))}"] = key_loc
            else:
                container[frame[2]] = value
                frame[2] = _NO_KEY
    except y.yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SourceError(_yaml_problem(exc), mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    except y.yaml.YAMLError as exc:
        raise SourceError(str(exc).strip().splitlines()[0]) from None
    finally:
        loader.dispose()
    return Document(root, locations)


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


def _yaml_problem(exc: "yaml.MarkedYAMLError") -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + ("; ".join(parts) if parts else "cannot parse")


def parse(text: str) -> Document:
    """Parse one YAML (or JSON) document; raises :class:`SourceError`."""
    return _build(text)
