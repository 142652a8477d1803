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
    return token.replace("~", "~0").replace("/", "~1")


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


class _Builder:
    """Turns a libyaml event stream into Python data without recursion."""

    def __init__(self, text: str) -> None:
        # Imported here: a results-cache hit never parses YAML, and yaml costs start-up time.
        import yaml

        self.loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        self.constructor = yaml.constructor.SafeConstructor()
        self.locations: dict[str, Location] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def _count(self, n: int, where: Location) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise SourceError(
                f"document expands to more than {MAX_NODES:,} values (alias bomb?); refused",
                where.line,
                where.column,
            )

    def _scalar(self, event: Any) -> Any:
        import yaml

        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag == _STR and not event.style and _YAML12_FLOAT.match(event.value):
                # YAML 1.1 reads `1e-3` (no dot) as a string; YAML 1.2, JSON and every user read
                # it as a number.
                return float(event.value)
        if tag not in _STANDARD_TAGS:
            loc = _mark(event)
            raise SourceError(f"tag {tag!r} is not allowed: only plain YAML data is read", loc.line, loc.column)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        value: Any = self.constructor.construct_object(node)
        return value

    def build(self) -> Any:
        import yaml

        loader = self.loader
        # Each frame: [container, pointer, pending_key, anchor, start_nodes, key_location]
        stack: list[list[Any]] = []
        root: Any = None
        have_root = False
        try:
            while True:
                event = loader.get_event()
                if event is None or isinstance(event, yaml.StreamEndEvent):
                    break
                if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
                    continue
                if isinstance(event, yaml.DocumentStartEvent):
                    if have_root:
                        loc = _mark(event)
                        raise SourceError("more than one YAML document in the file", loc.line, loc.column)
                    continue
                if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                    frame = stack.pop()
                    value, anchor = frame[0], frame[3]
                    if anchor is not None:
                        self.anchors[anchor] = (value, self.nodes - frame[4] + 1)
                    root, have_root = self._attach(stack, value, root, have_root, None)
                    continue
                where = _mark(event)
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor not in self.anchors:
                        raise SourceError(f"unknown alias *{event.anchor}", where.line, where.column)
                    value, size = self.anchors[event.anchor]
                    self._count(size, where)
                    root, have_root = self._attach(stack, value, root, have_root, where)
                    continue
                self._count(1, where)
                if isinstance(event, yaml.ScalarEvent):
                    value = self._scalar(event)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = (value, 1)
                    root, have_root = self._attach(stack, value, root, have_root, where)
                    continue
                # Collection start: validate the tag, then open a frame.
                tag = event.tag
                if tag not in (None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
                    raise SourceError(
                        f"tag {tag!r} is not allowed: only plain YAML data is read", where.line, where.column
                    )
                if len(stack) >= MAX_DEPTH:
                    raise SourceError(f"nesting deeper than {MAX_DEPTH} levels", where.line, where.column)
                pointer = self._child_pointer(stack, where)
                container: Any = [] if isinstance(event, yaml.SequenceStartEvent) else {}
                stack.append([container, pointer, _NO_KEY, event.anchor, self.nodes, None])
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            column = mark.column + 1 if mark else 1
            raise SourceError(_yaml_problem(exc), line, column) from None
        except yaml.YAMLError as exc:
            raise SourceError(str(exc).strip().splitlines()[0]) from None
        finally:
            loader.dispose()
        return root

    def _child_pointer(self, stack: list[list[Any]], where: Location) -> str:
        """Pointer of the value about to be attached, recording its location."""
        if not stack:
            self.locations.setdefault("", where)
            return ""
        frame = stack[-1]
        container: Any = frame[0]
        pointer: str = frame[1]
        if isinstance(container, list):
            child = f"{pointer}/{len(container)}"
            self.locations[child] = where
            return child
        if frame[2] is _NO_KEY:
            return pointer  # this value is a key: it has no pointer of its own
        child = f"{pointer}/{escape_pointer_token(str(frame[2]))}"
        return child

    def _attach(
        self, stack: list[list[Any]], value: Any, root: Any, have_root: bool, where: Location | None
    ) -> tuple[Any, bool]:
        if not stack:
            return value, True
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, list):
            if where is not None:
                self.locations[f"{frame[1]}/{len(container)}"] = where
            container.append(value)
            return root, have_root
        if frame[2] is _NO_KEY:
            if isinstance(value, (dict, list)):
                loc = where or self.locations.get(frame[1], Location(1, 1))
                raise SourceError("a mapping key must be a plain value, not a list or mapping", loc.line, loc.column)
            key_loc = where or Location(1, 1)
            if value in container:
                # Equal keys can be spelt differently (1 and 1.0, 1 and true): find the first one.
                first = next(k for k in container if k == value)
                first_loc = self.locations.get(f"{frame[1]}/{escape_pointer_token(str(first))}", key_loc)
                raise SourceError(
                    f"duplicate key {value!r} (equal to {first!r} on line {first_loc.line})"
                    if str(first) != str(value)
                    else f"duplicate key {value!r} (the first is on line {first_loc.line})",
                    key_loc.line,
                    key_loc.column,
                )
            frame[2] = value
            self.locations[f"{frame[1]}/{escape_pointer_token(str(value))}"] = key_loc
            return root, have_root
        container[frame[2]] = value
        frame[2] = _NO_KEY
        return root, have_root


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


def _yaml_problem(exc: "yaml.MarkedYAMLError") -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + ("; ".join(parts) if parts else "cannot parse")


def parse(text: str) -> Document:
    """Parse one YAML (or JSON) document; raises :class:`SourceError`."""
    builder = _Builder(text)
    data = builder.build()
    return Document(data, builder.locations)
