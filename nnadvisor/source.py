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
from typing import TYPE_CHECKING, Any, NamedTuple

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


class Location(NamedTuple):
    """1-based line and column. A named tuple, not a dataclass: the reader makes one per key and
    list item of every file it checks, and a tuple is the cheapest immutable record to build."""

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


HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def binary_hint(raw: bytes) -> str | None:
    """What a file that is not UTF-8 text is, and what to do, when that can be told from its
    first bytes: UTF-16/UTF-32 text (re-save as UTF-8), an HDF5 file (Keras ``.h5`` weights or
    legacy model: export the architecture). ``None`` otherwise."""
    head = raw[:512]
    if head.startswith(HDF5_MAGIC):
        return (
            "an HDF5 file (Keras .h5 weights or a legacy .h5 model), not a model definition nnadvisor reads: "
            "save the model as .keras (model.save('model.keras')) or its architecture as JSON (model.to_json()) and check that"
        )
    if head.startswith(_UTF32_BOMS):
        return "UTF-32 text: re-save the file as UTF-8"
    if head.startswith(_UTF16_BOMS):
        return "UTF-16 text: re-save the file as UTF-8"
    pairs = len(head) // 2
    if pairs >= 2:
        even, odd = head[0 : 2 * pairs : 2], head[1 : 2 * pairs : 2]
        # ASCII text in UTF-16 without a byte-order mark: every other byte is NUL.
        if even.count(0) == pairs and odd.count(0) == 0 or odd.count(0) == pairs and even.count(0) == 0:
            return "UTF-16 text (without a byte-order mark): re-save the file as UTF-8"
    return None


def read_bytes(raw: bytes) -> Document:
    if len(raw) > MAX_BYTES:
        raise SourceError(f"file is larger than {MAX_BYTES:,} bytes; model configs are refused beyond that")
    if b"\x00" in raw[:8192] or raw[:4] in _UTF16_BOMS or raw[:2] in _UTF16_BOMS:
        hint = binary_hint(raw)
        raise SourceError(hint or "binary content (NUL bytes): not a YAML or JSON document")
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
        self.plain: dict[str, Any] = {}
        """Built plain (unquoted, untagged) scalars by text: configs repeat the same few tokens."""


_YAML: _Yaml | None = None


def _scalar(y: _Yaml, event: Any) -> Any:
    """A scalar's value, resolved and constructed as PyYAML's safe loader does (plus YAML 1.2
    exponent floats); tags outside plain YAML data are refused."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = y.resolver.resolve(y.yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag == _STR and not event.style and _YAML12_FLOAT.match(event.value):
            # YAML 1.1 reads `1e-3` (no dot) as a string; YAML 1.2, JSON and every user read it
            # as a number.
            return float(event.value)
    if tag not in _STANDARD_TAGS:
        raise _refuse(event, f"tag {tag!r} is not allowed: only plain YAML data is read")
    if tag == _STR:
        return event.value
    node = y.yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    return y.constructor.construct_object(node)


def _refuse(event: Any, message: str) -> SourceError:
    loc = _mark(event)
    return SourceError(message, loc.line, loc.column)


_COLLECTION_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def _build(text: str) -> Document:
    """The document from the event stream, iteratively (no recursion, whatever the nesting).

    The open collection is held in locals (``container``, ``pointer``, ``key``; ``key`` is
    ``_NO_KEY`` while a mapping waits for its next key, and ``_IN_LIST`` in a sequence); enclosing
    ones are pushed on ``stack`` as ``(container, pointer, key, anchor, nodes at start)``. This
    loop runs once per YAML token of every checked file, so it is written for speed.
    """
    global _YAML
    y = _YAML = _YAML or _Yaml()
    loader = y.loader(text)
    locations: dict[str, Location] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[tuple[Any, str, Any, str | None, int]] = []
    nodes = 0
    aliased = False  # an alias was expanded: a document too big is then named an alias bomb
    root: Any = _NO_KEY
    container: Any = None  # the open collection (None: at the top level)
    pointer = ""
    key: Any = _NO_KEY
    anchor: str | None = None
    start = 0
    get_event = loader.get_event
    plain_get, plain = y.plain.get, y.plain
    scalar_cls, alias_cls, map_cls, seq_cls = y.scalar, y.alias, y.map_start, y.seq_start
    end_classes, doc_start, stream_end = y.ends, y.doc_start, y.stream_end
    try:
        while True:
            event = get_event()
            cls = event.__class__
            located = True  # whether the value's own event locates it (not so for collections)
            if cls is scalar_cls:
                nodes += 1
                if event.tag is None:
                    if not event.style:  # plain: "" from libyaml, None from pure-Python PyYAML
                        value = plain_get(event.value, _NO_KEY)
                        if value is _NO_KEY:
                            value = _scalar(y, event)
                            if len(plain) < 4096 and len(event.value) <= 64:
                                plain[event.value] = value
                    else:
                        value = event.value  # quoted or block scalars without a tag are strings
                else:
                    value = _scalar(y, event)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif cls in end_classes:
                value = container
                if anchor is not None:
                    anchors[anchor] = (value, nodes - start + 1)
                container, pointer, key, anchor, start = stack.pop()
                located = False
            elif cls is map_cls or cls is seq_cls:
                nodes += 1
                if event.tag not in _COLLECTION_TAGS:
                    raise _refuse(event, f"tag {event.tag!r} is not allowed: only plain YAML data is read")
                if len(stack) >= MAX_DEPTH:
                    raise _refuse(event, f"nesting deeper than {MAX_DEPTH} levels")
                if container is None:
                    child = ""
                    locations.setdefault("", _mark(event))
                elif key is _IN_LIST:
                    child = f"{pointer}/{len(container)}"
                    mark = event.start_mark
                    locations[child] = Location(mark.line + 1, mark.column + 1)
                elif key is _NO_KEY:
                    child = pointer  # a collection as a key: refused when it is attached
                else:
                    child = f"{pointer}/{escape_pointer_token(str(key))}"
                stack.append((container, pointer, key, anchor, start))
                if cls is seq_cls:
                    container, key = [], _IN_LIST
                else:
                    container, key = {}, _NO_KEY
                pointer, anchor, start = child, event.anchor, nodes
                continue
            elif cls is alias_cls:
                if event.anchor not in anchors:
                    raise _refuse(event, f"unknown alias *{event.anchor}")
                value, size = anchors[event.anchor]
                nodes += size
                aliased = True
            elif cls is doc_start:
                if root is not _NO_KEY:
                    raise _refuse(event, "more than one YAML document in the file")
                continue
            elif cls is stream_end:
                break
            else:  # stream start, document end
                continue
            if nodes > MAX_NODES:
                if aliased:
                    raise _refuse(event, f"document expands to more than {MAX_NODES:,} values through its aliases (an alias bomb?); refused")
                raise _refuse(event, f"document has more than {MAX_NODES:,} values; model configs are far smaller, and larger documents are refused")
            if key is _IN_LIST:
                if located:
                    mark = event.start_mark
                    locations[f"{pointer}/{len(container)}"] = Location(mark.line + 1, mark.column + 1)
                container.append(value)
            elif key is not _NO_KEY:
                container[key] = value
                key = _NO_KEY
            elif container is None:
                root = value
            elif value.__class__ is str and located and value not in container and "/" not in value and "~" not in value:
                key = value  # the common key: a new plain string, located at itself
                mark = event.start_mark
                locations[f"{pointer}/{value}"] = Location(mark.line + 1, mark.column + 1)
            else:
                key = _attach_key(container, pointer, value, event if located else None, locations)
    except y.yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SourceError(_yaml_problem(exc), mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    except y.yaml.YAMLError as exc:
        raise SourceError(str(exc).strip().splitlines()[0]) from None
    finally:
        loader.dispose()
    return Document(None if root is _NO_KEY else root, locations)


def _attach_key(container: dict[Any, Any], pointer: str, key: Any, event: Any, locations: dict[str, Location]) -> Any:
    """Records a mapping key (located at the key); refuses collection and duplicate keys."""
    if event is not None:
        mark = event.start_mark
        where = Location(mark.line + 1, mark.column + 1)
    else:
        where = locations.get(pointer, Location(1, 1))
    if key.__class__ is str:
        child = f"{pointer}/{key}" if "/" not in key and "~" not in key else f"{pointer}/{escape_pointer_token(key)}"
    elif isinstance(key, (dict, list)):
        raise SourceError("a mapping key must be a plain value, not a list or mapping", where.line, where.column)
    else:
        child = f"{pointer}/{escape_pointer_token(str(key))}"
    if key in container:
        # Equal keys can be spelt differently (1 and 1.0, 1 and true): name the first.
        first = next(k for k in container if k == key)
        first_loc = locations.get(f"{pointer}/{escape_pointer_token(str(first))}", where)
        same = str(first) == str(key)
        raise SourceError(
            f"duplicate key {key!r} ({'the first is' if same else f'equal to {first!r}'} on line {first_loc.line})",
            where.line,
            where.column,
        )
    locations[child] = where
    return key


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()
_IN_LIST = _NoKey()


def _yaml_problem(exc: "yaml.MarkedYAMLError") -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    if any("maximum nesting depth" in p for p in parts):
        # libyaml >= 0.2.5 (PyYAML 6.0.4 wheels) scans ahead and stops at its own limit (1,000
        # levels) before our builder sees the events; that limit is far past ours, so say ours.
        return f"nesting deeper than {MAX_DEPTH} levels"
    return "invalid YAML: " + ("; ".join(parts) if parts else "cannot parse")


def parse(text: str) -> Document:
    """Parse one YAML (or JSON) document; raises :class:`SourceError`."""
    return _build(text)
