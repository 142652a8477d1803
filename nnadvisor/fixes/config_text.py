"""A fix's JSON Patch as edits of an nnadvisor YAML/JSON config, so that ``check --fix`` changes
the values the fix is about and nothing else: comments, key order, quoting, indentation and
flow or block style of every other line stay byte for byte.

The document is composed once (node marks give each value's span); each operation becomes edits
of the original text, and the edited text is read back with nnadvisor's own reader and compared
(strictly: ``1`` is not ``1.0``, ``true`` is not ``1``) with the patch applied to the data. Any
difference, overlap or shape this module does not write (aliases, tags, several operations on the
same value) gives ``None``: no fix rather than a wrong one.

Patch semantics are RFC 6902 with one extension, the config format's two shapes of a named
thing: ``loss``, ``optimizer`` and a layer's ``activation``/``recurrent_activation`` may be a
string or a mapping with ``name`` (:mod:`nnadvisor.config`), and the rules' fact pointers follow
that (``@loss.name`` is ``/loss`` for ``loss: mse``). So under such a string, ``/loss/name``
names the string itself and adding any other member turns it into ``{name: mse, member: ...}``.

Positions are 1-based, columns in characters, lines separated by ``\\n`` (a ``\\r`` before it is
part of the line's end). A text with other line breaks YAML would count (a lone ``\\r``, NEL,
U+2028, U+2029) gets ``None``: editors and YAML would disagree on line numbers.
"""

from __future__ import annotations

import bisect
import copy
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from nnadvisor.fixes import Edit, Patch

if TYPE_CHECKING:
    from yaml.nodes import CollectionNode, Node

_FORMS = re.compile(r"/(?:loss|optimizer|layers/(?:0|[1-9][0-9]*)/(?:activation|recurrent_activation))")
"""Pointers whose value may be a name or a mapping with ``name`` (the config format's two shapes)."""
_ODD_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.+/-]*(?: [A-Za-z0-9_.+/-]+)*")
"""Strings written unquoted: starting with a letter, they are never read as numbers or dates,
and without ``:#,[]{}`` they are safe in block and flow context (bool/null words are checked
against the resolver too)."""
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Unwritable(Exception):
    """The patch cannot be written faithfully as edits of this text."""


class _Span(NamedTuple):
    start: int
    end: int
    content: str
    depth: int
    order: int
    """Insertions at one point are written innermost first (a nested mapping's new member
    before its parent's), then in the order their operations come."""


_UNREAD: Any = object()
"""No ``data`` given: the text is read."""


def edits(text: str, patch: Patch, data: Any = _UNREAD) -> list[Edit] | None:
    """The edits (sorted, not overlapping) that make ``text`` read as ``patch`` applied to it,
    ``[]`` when the patch already holds, ``None`` when it cannot be written faithfully.
    ``data``: the document as nnadvisor's reader read ``text``, when the caller has it."""
    try:
        return _Writer(text, data).write(patch)
    except Exception:  # noqa: BLE001 - a fix that cannot be written is no fix; check goes on
        return None


_COMPOSED: list[tuple[str, Node, set[int], dict[int, int]]] = []
"""The last text composed, its node tree and what :func:`_walk` found in it: a file with several
findings is composed once."""


def _compose(text: str) -> tuple[Node, set[int], dict[int, int]] | None:
    import yaml

    if _COMPOSED and _COMPOSED[0][0] is text:
        return _COMPOSED[0][1:]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is None:
        _COMPOSED.clear()
        return None
    shared, depth = _walk(root)
    _COMPOSED[:] = [(text, root, shared, depth)]
    return root, shared, depth


class _Writer:
    """One text, composed once: its node tree (for spans) and its data as nnadvisor reads it
    (for what each operation changes, and to check the result); edits collect in ``spans``."""

    def __init__(self, text: str, data: Any = _UNREAD) -> None:
        import yaml

        from nnadvisor.source import parse

        if _ODD_BREAKS.search(text):
            raise _Unwritable("line breaks other than \\n and \\r\\n")
        self.yaml = yaml
        self.parse = parse
        self.text = text
        self.json = text.lstrip(" \t\r\n")[:1] in ("{", "[")
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        composed = _compose(text)
        if composed is None:
            raise _Unwritable("empty document")
        self.root: Node = composed[0]
        self.shared, self.depth = composed[1], composed[2]
        self.resolver = yaml.resolver.Resolver()
        self.data = parse(text).data if data is _UNREAD else data
        self.spans: list[_Span] = []

    # -- the patch ---------------------------------------------------------------------------

    def write(self, patch: Patch) -> list[Edit]:
        expected = self.data
        for op in patch:
            expected = _apply(_copy_path(expected, _tokens(op["path"])), op)
            self.operation(op)
        spans = self.merged()
        new_text = self.text
        for span in reversed(spans):
            new_text = new_text[: span.start] + span.content + new_text[span.end :]
        if not _same(self.parse(new_text).data, expected):
            raise _Unwritable("the edited text does not read as the patched data")
        return [Edit(*self.position(s.start), *self.position(s.end), s.content) for s in spans]

    def operation(self, op: Mapping[str, Any]) -> None:
        kind, tokens = op["op"], _tokens(op["path"])
        if kind == "test":
            return  # checked on the data by _apply; nothing to write
        if not tokens or kind not in ("add", "replace", "remove"):
            raise _Unwritable(f"{kind} {op['path']!r}")
        if kind != "remove" and "value" not in op:
            raise _Unwritable("no value")
        value = op.get("value")
        node, data, key = self.find(tokens[:-1])
        last = tokens[-1]
        if isinstance(data, str) and _FORMS.fullmatch(_pointer(tokens[:-1])):
            # A name written as a string: its ``name`` is the string, other members make it a mapping.
            if last == "name" and kind != "remove":
                self.replace(node, data, value, key)
            elif kind == "add":
                self.replace(node, data, {"name": data, last: value}, key)
            else:
                raise _Unwritable(f"no member {last!r} in a name")
            return
        if isinstance(data, dict):
            index = self.entry_index(node, last)
            if kind == "remove":
                self.remove(node, [_need(index)])
            elif index is None:
                if kind == "replace":
                    raise _Unwritable(f"no member {last!r}")
                self.add_entry(node, last, value)
            else:
                key_node, child = node.value[index]
                self.replace(child, data[last], value, key_node)
        elif isinstance(data, list):
            position = len(data) if last == "-" else _index(last)
            if kind == "add":
                if position > len(data):
                    raise _Unwritable("index out of range")
                self.insert_item(node, position, value)
            elif position >= len(data):
                raise _Unwritable("index out of range")
            elif kind == "remove":
                self.remove(node, [position])
            else:
                self.replace(node.value[position], data[position], value, None)
        else:
            raise _Unwritable("the parent is not a mapping or a list")

    def find(self, tokens: Sequence[str]) -> tuple[Any, Any, Any]:
        """The node, its data and (in a mapping) its key node at ``tokens``; every node on the way
        must be its own (no alias, anchor or tag) so that editing it edits only this value."""
        node: Any = self.root
        data: Any = self.data
        key: Any = None
        for token in tokens:
            self.check(node)
            if isinstance(data, dict):
                index = _need(self.entry_index(node, token))
                key, node = node.value[index]
                data = data[token]
            elif isinstance(data, list):
                position = _index(token)
                if position >= len(data):
                    raise _Unwritable("index out of range")
                key, node, data = None, node.value[position], data[position]
            else:
                raise _Unwritable("the path goes through a scalar")
        self.check(node)
        return node, data, key

    def check(self, node: Node) -> None:
        if id(node) in self.shared:
            raise _Unwritable("an aliased value")
        if self.text[node.start_mark.index : node.start_mark.index + 1] in ("&", "!"):
            raise _Unwritable("a value with an anchor or a tag")

    def entry_index(self, node: Node, token: str) -> int | None:
        if not isinstance(node, self.yaml.MappingNode):
            raise _Unwritable("not a mapping")
        found = None
        for i, (key, _) in enumerate(node.value):
            if not isinstance(key, self.yaml.ScalarNode) or key.tag == _MERGE_TAG:
                raise _Unwritable("a merge key or a complex key")
            if key.tag == _STR_TAG and key.value == token:
                found = i
        return found

    # -- values --------------------------------------------------------------------------------

    def replace(self, node: Node, data: Any, value: Any, key: Node | None) -> None:
        """Write ``value`` where ``node`` is: nothing when it is already there; member by member
        into a mapping that keeps some of its keys (their comments and order stay); whole otherwise."""
        self.check(node)
        if _same(data, value):
            return
        yaml = self.yaml
        if isinstance(value, dict) and isinstance(data, dict) and isinstance(node, yaml.MappingNode):
            kept = [k for k in data if k in value]
            if kept:
                indices = {k: _need(self.entry_index(node, k)) for k in data}
                for k in kept:
                    key_node, child = node.value[indices[k]]
                    self.replace(child, data[k], value[k], key_node)
                gone = sorted(indices[k] for k in data if k not in value)
                if gone:
                    self.remove(node, gone)
                after = max(indices[k] for k in kept)
                for k in value:
                    if k not in data:
                        self.add_entry(node, k, value[k], after)
                return
        if (
            isinstance(value, list)
            and isinstance(data, list)
            and isinstance(node, yaml.SequenceNode)
            and len(value) == len(data)
            and value
        ):
            for item, old, new in zip(node.value, data, value, strict=True):
                self.replace(item, old, new, None)
            return
        self.replace_whole(node, value, key)

    def replace_whole(self, node: Node, value: Any, key: Node | None) -> None:
        yaml = self.yaml
        quote = _quote(node) if isinstance(node, yaml.ScalarNode) else "plain"
        rendered = self.render(value, quote)
        start, end = node.start_mark.index, self.end(node)
        if isinstance(node, yaml.ScalarNode) and _empty(node):
            # ``activation:`` (null): write after the colon, or after the dash of ``-``.
            if key is not None:
                start = self.colon(key) + 1
                if self.text[start : start + 1] == " ":
                    start += 1
                else:
                    rendered = " " + rendered
            else:
                rendered = " " + rendered
            self.add(start, start, rendered)
            return
        if isinstance(node, yaml.nodes.CollectionNode) and not node.flow_style:
            # A block collection's lines go, the comment ending its last line with them; the value
            # is written after its key's colon (unless a comment sits between them: then the
            # value takes the collection's place and indentation).
            end = self.line_end(end)
            if key is not None and not self.text[self.colon(key) + 1 : start].strip():
                start, rendered = self.colon(key) + 1, " " + rendered
        self.add(start, end, rendered)

    # -- mapping members and list items ------------------------------------------------------

    def add_entry(self, node: CollectionNode, name: str, value: Any, after: int | None = None) -> None:
        """A new member after the member ``after`` (default: the last one), written as its
        neighbours are: a line at their indentation in a block mapping, ``, key: value`` in a flow
        one (on a line of its own where the members are one a line, as in indented JSON)."""
        entries = node.value
        if not entries:
            if not node.flow_style:
                raise _Unwritable("an empty block mapping")
            self.add(node.start_mark.index + 1, node.start_mark.index + 1, self.member(name, value, "plain"))
            return
        after = len(entries) - 1 if after is None else after
        ref_key, ref_value = entries[after]
        quote = _quote(ref_key)
        end = self.entry_end(ref_key, ref_value)
        member = self.member(name, value, quote)
        if not node.flow_style:
            first = entries[0][0].start_mark.index
            self.add_line(node, end, " " * (first - self.line_start(first)) + member)
            return
        self.add(end, end, self.separator(ref_key.start_mark.index) + member)

    def insert_item(self, node: CollectionNode, position: int, value: Any) -> None:
        items = node.value
        rendered = self.render(value, "plain")
        if not node.flow_style:
            if not items:
                raise _Unwritable("an empty block list")
            ref = items[min(position, len(items) - 1)]
            prefix = self.text[self.line_start(ref.start_mark.index) : ref.start_mark.index]
            if not re.fullmatch(r" *- *", prefix):
                raise _Unwritable("a list item not on a line of its own")
            line = prefix[: prefix.index("-")] + "- " + rendered
            if position < len(items):
                at = self.line_start(ref.start_mark.index)
                self.add(at, at, line + self.newline, self.depth[id(node)])
            else:
                self.add_line(node, self.end(ref), line)
            return
        if not items:
            self.add(node.start_mark.index + 1, node.start_mark.index + 1, rendered)
        elif position < len(items):
            start = items[position].start_mark.index
            self.add(start, start, rendered + self.separator(start))
        else:
            end = self.end(items[-1])
            self.add(end, end, self.separator(items[-1].start_mark.index) + rendered)

    def remove(self, node: CollectionNode, indices: list[int]) -> None:
        """Remove members (or items) of ``node``: a block member's whole lines (its value and
        trailing comment with it), a flow member with the comma that separates it."""
        yaml = self.yaml
        mapping = isinstance(node, yaml.MappingNode)
        entries = node.value
        count = len(entries)
        if len(indices) == count:
            self.replace_whole_empty(node)
            return
        starts = [(e[0] if mapping else e).start_mark.index for e in entries]
        ends = [self.entry_end(*e) if mapping else self.end(e) for e in entries]
        for first, last in _runs(indices):
            if node.flow_style:
                if last < count - 1:
                    self.add(starts[first], starts[last + 1], "")
                else:
                    self.add(ends[first - 1], ends[last], "")
                continue
            prefix = self.text[self.line_start(starts[first]) : starts[first]]
            dash = re.fullmatch(r" *- *", prefix) is not None
            if mapping and not prefix.strip():
                self.delete_lines(starts[first], ends[last])
            elif mapping and dash and last < count - 1:
                self.add(starts[first], starts[last + 1], "")  # ``- type: x`` -> ``- units: 3``
            elif not mapping and dash:
                self.delete_lines(starts[first], ends[last])
            else:
                raise _Unwritable("a member that shares its line")

    def replace_whole_empty(self, node: CollectionNode) -> None:
        yaml = self.yaml
        empty: Any = {} if isinstance(node, yaml.MappingNode) else []
        if node is self.root:
            raise _Unwritable("emptying the document")
        parent_key = self.key_of(node)
        self.replace_whole(node, empty, parent_key)

    def key_of(self, target: Node) -> Node | None:
        """The key node whose value is ``target`` (None for a list item)."""
        stack: list[Any] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, self.yaml.MappingNode):
                for key, value in node.value:
                    if value is target:
                        return key  # type: ignore[no-any-return]
                    stack.append(value)
            elif isinstance(node, self.yaml.SequenceNode):
                stack.extend(node.value)
        return None

    def delete_lines(self, start: int, end: int) -> None:
        """Delete the lines from the one holding ``start`` to the one holding ``end``, their line
        break included (the one before them when they end the file without one)."""
        begin = self.line_start(start)
        stop = self.text.find("\n", end)
        if stop >= 0:
            self.add(begin, stop + 1, "")
        elif begin > 0:
            self.add(begin - (2 if self.text[begin - 2 : begin] == "\r\n" else 1), len(self.text), "")
        else:
            raise _Unwritable("deleting the whole document")

    # -- positions -----------------------------------------------------------------------------

    def end(self, node: Node) -> int:
        """Where ``node``'s own text ends. A block collection's end mark is the next token (after
        blank and comment lines), so its end is its last value's; a block scalar's drops the
        trailing line breaks it keeps."""
        if id(node) in self.shared:
            raise _Unwritable("an aliased value")
        yaml = self.yaml
        end: int = node.end_mark.index
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                start: int = node.start_mark.index
                return start + len(self.text[start:end].rstrip())
            return end
        if not isinstance(node, yaml.nodes.CollectionNode) or node.flow_style or not node.value:
            return end
        if isinstance(node, yaml.MappingNode):
            return self.entry_end(*node.value[-1])
        return self.end(node.value[-1])

    def entry_end(self, key: Node, value: Node) -> int:
        if isinstance(value, self.yaml.ScalarNode) and _empty(value):
            try:
                return self.colon(key) + 1
            except _Unwritable:
                return self.end(key)
        return max(self.end(key), self.end(value))

    def colon(self, key: Node) -> int:
        """The offset of the ``:`` after ``key``."""
        at = self.end(key)
        while self.text[at : at + 1] in (" ", "\t"):
            at += 1
        if self.text[at : at + 1] != ":":
            raise _Unwritable("no colon after the key")
        return at

    def separator(self, item_start: int) -> str:
        """``, `` between flow members on one line; a comma, line break and the line's
        indentation where the member at ``item_start`` begins its line (indented JSON)."""
        line_start = self.line_start(item_start)
        prefix = self.text[line_start:item_start]
        if prefix.strip():
            return ", "
        return "," + self.newline + prefix

    def line_start(self, offset: int) -> int:
        return self.line_starts[bisect.bisect_right(self.line_starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """The end of the line holding ``offset``, before its line break."""
        stop = self.text.find("\n", offset)
        if stop < 0:
            return len(self.text)
        return stop - 1 if self.text[stop - 1 : stop] == "\r" else stop

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def add(self, start: int, end: int, content: str, depth: int = 0) -> None:
        self.spans.append(_Span(start, end, content, depth, len(self.spans)))

    def add_line(self, container: Node, offset: int, line: str) -> None:
        """A new line of ``container`` after the line holding ``offset``: inserted at the start of
        the next line, so that it never falls inside a deletion of the line before."""
        stop = self.text.find("\n", offset)
        depth = self.depth[id(container)]
        if stop < 0:
            self.add(len(self.text), len(self.text), self.newline + line, depth)
        else:
            self.add(stop + 1, stop + 1, line + self.newline, depth)

    def merged(self) -> list[_Span]:
        """The spans sorted, insertions at one point joined (with a replacement starting there);
        overlapping spans mean two operations wrote the same text."""
        out: list[_Span] = []
        for span in sorted(self.spans, key=lambda s: (s.start, s.end != s.start, -s.depth, s.order)):
            if out and span.start < out[-1].end:
                raise _Unwritable("two operations edit the same text")
            if out and span.start == out[-1].start == out[-1].end:
                prev = out.pop()
                span = _Span(prev.start, span.end, prev.content + span.content, prev.depth, prev.order)
            out.append(span)
        return [s for s in out if self.text[s.start : s.end] != s.content]

    # -- rendering -----------------------------------------------------------------------------

    def member(self, name: str, value: Any, quote: str) -> str:
        return f"{self.render(name, quote)}: {self.render(value, quote)}"

    def render(self, value: Any, quote: str) -> str:
        """``value`` as YAML flow (or JSON in a JSON document); strings in the ``quote`` style of
        the text they replace or join, quoted wherever plain would read as something else."""
        if self.json:
            return _json(value)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if math.isnan(value):
                return ".nan"
            if math.isinf(value):
                return ".inf" if value > 0 else "-.inf"
            return _float(value)
        if isinstance(value, str):
            return self.string(value, quote)
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.string(_key(k), quote)}: {self.render(v, quote)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.render(v, quote) for v in value) + "]"
        raise _Unwritable(f"cannot write a {type(value).__name__}")

    def resolves_to_str(self, value: str) -> bool:
        """Whether plain ``value`` reads as a string (not ``on``, ``null``, ``no``)."""
        tag: str = self.resolver.resolve(self.yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        return tag == _STR_TAG

    def string(self, value: str, quote: str) -> str:
        if quote == "plain" and _PLAIN.fullmatch(value) and self.resolves_to_str(value):
            return value
        if quote != '"' and not re.search("[\n\r\t]", value) and not _UNPRINTABLE.search(value):
            return "'" + value.replace("'", "''") + "'"
        return _double(value)


def _apply(doc: Any, op: Mapping[str, Any]) -> Any:
    """RFC 6902 ``add``, ``remove``, ``replace`` and ``test`` on plain data, with the config's
    name-or-mapping shapes (see the module docstring); returns the new document."""
    kind, tokens = op["op"], _tokens(op["path"])
    if not tokens:
        raise _Unwritable("the whole document")
    value = copy.deepcopy(op.get("value"))
    parent_tokens, last = tokens[:-1], tokens[-1]
    parent = _get(doc, parent_tokens)
    if isinstance(parent, str) and _FORMS.fullmatch(_pointer(parent_tokens)):
        holder, slot = _get(doc, parent_tokens[:-1]), parent_tokens[-1]
        if last == "name" and kind in ("add", "replace"):
            holder[slot] = value
        elif last == "name" and kind == "test":
            if not _same(parent, value):
                raise _Unwritable("test failed")
        elif kind == "add":
            holder[slot] = {"name": parent, last: value}
        else:
            raise _Unwritable(f"no member {last!r} in a name")
        return doc
    if isinstance(parent, dict):
        if kind == "add":
            parent[last] = value
        elif last not in parent:
            raise _Unwritable(f"no member {last!r}")
        elif kind == "replace":
            parent[last] = value
        elif kind == "remove":
            del parent[last]
        elif kind == "test":
            if not _same(parent[last], value):
                raise _Unwritable("test failed")
        else:
            raise _Unwritable(kind)
    elif isinstance(parent, list):
        position = len(parent) if last == "-" and kind == "add" else _index(last)
        if kind == "add" and position <= len(parent):
            parent.insert(position, value)
        elif position >= len(parent):
            raise _Unwritable("index out of range")
        elif kind == "replace":
            parent[position] = value
        elif kind == "remove":
            del parent[position]
        elif kind == "test":
            if not _same(parent[position], value):
                raise _Unwritable("test failed")
        else:
            raise _Unwritable(kind)
    else:
        raise _Unwritable("the parent is not a mapping or a list")
    return doc


def _copy_path(doc: Any, tokens: Sequence[str]) -> Any:
    """``doc`` with the containers on the path to ``tokens``' parent copied (one level each), so
    that applying an operation there changes nothing the caller holds; the rest is shared (a deep
    copy of the document per fix cost more than the fix)."""
    root = _shallow(doc)
    node = root
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            child = node[token] = _shallow(node[token])
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            child = node[int(token)] = _shallow(node[int(token)])
        else:
            break
        node = child
    return root


def _shallow(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value


def _get(doc: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        if isinstance(doc, dict) and token in doc:
            doc = doc[token]
        elif isinstance(doc, list) and _index(token) < len(doc):
            doc = doc[_index(token)]
        else:
            raise _Unwritable("the path does not exist")
    return doc


def _tokens(pointer: Any) -> list[str]:
    """RFC 6901: ``/a~1b/c~0`` is ``["a/b", "c~"]``."""
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise _Unwritable(f"not a JSON pointer: {pointer!r}")
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _pointer(tokens: Sequence[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def _index(token: str) -> int:
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise _Unwritable(f"not a list index: {token!r}")
    return int(token)


def _need(index: int | None) -> int:
    if index is None:
        raise _Unwritable("the path does not exist")
    return index


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive indices as (first, last) runs: removing a run is one span, so the commas or
    lines of neighbouring removals never overlap."""
    runs: list[tuple[int, int]] = []
    for i in sorted(set(indices)):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _walk(root: Node) -> tuple[set[int], dict[int, int]]:
    """The nodes that occur more than once (an anchor and its aliases are one node object:
    editing one occurrence would edit the others, and an alias's marks are its anchor's), and
    every node's nesting depth."""
    import yaml

    depth: dict[int, int] = {}
    shared: set[int] = set()
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, level = stack.pop()
        if id(node) in depth:
            shared.add(id(node))
            continue
        depth[id(node)] = level
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, level + 1), (value, level + 1)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, level + 1) for item in node.value)
    return shared, depth


def _empty(node: Node) -> bool:
    """A null written as nothing (``activation:``): it has no text to replace."""
    return node.tag == _NULL_TAG and node.value == "" and not getattr(node, "style", None)


def _quote(node: Node) -> str:
    style = getattr(node, "style", None)
    return style if style in ("'", '"') else "plain"


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise _Unwritable("a mapping key that is not a string")
    return key


def _float(value: float) -> str:
    """``1.0e-08``, not ``1e-08``: YAML 1.1 (PyYAML) reads an exponent without a dot as a string,
    and JSON takes both."""
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        mantissa += ".0"
    if e and exponent[:1] not in "+-":
        exponent = "+" + exponent
    return mantissa + e + exponent


def _double(value: str) -> str:
    """A double-quoted string valid in JSON and YAML alike (characters YAML would not print, or
    would count as a line break, escaped)."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def _json(value: Any) -> str:
    if value is None or isinstance(value, (bool, int)):
        return json.dumps(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _Unwritable("JSON has no NaN or infinity")
        return _float(value)
    if isinstance(value, str):
        return _double(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_double(_key(k))}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    raise _Unwritable(f"cannot write a {type(value).__name__}")


def _same(a: Any, b: Any) -> bool:
    """Equal as data, with types: ``1`` is not ``1.0`` nor ``true`` (Python's ``==`` says both are)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)
