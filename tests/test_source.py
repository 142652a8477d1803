"""The located YAML reader agrees with PyYAML's safe loader on data, and locates every value.

The reader builds documents from the event stream itself (for locations, duplicate keys and the
alias budget), so it is checked against ``yaml.safe_load`` on generated documents in block and
flow style, and its locations are checked against the text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnadvisor.source import Document, Location, SourceError, parse
from tests.conftest import examples

KEY = st.from_regex(r"[a-z][a-z_0-9]{0,8}", fullmatch=True).filter(
    lambda k: k not in {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    KEY,
)
DATA = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEY, inner, max_size=4)),
    max_leaves=25,
)


def _value_at(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


@settings(max_examples=examples(300), deadline=None)
@given(DATA, st.sampled_from([False, True, None]))
def test_data_equals_safe_load_and_every_pointer_exists(data: Any, flow: bool | None) -> None:
    text = yaml.safe_dump({"root": data}, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    doc = parse(text)
    assert doc.data == yaml.safe_load(text)
    lines = text.splitlines()
    for pointer, loc in doc.locations.items():
        _value_at(doc.data, pointer)  # raises if the pointer names nothing
        assert 1 <= loc.line <= len(lines) and 1 <= loc.column <= len(lines[loc.line - 1]) + 1
        last = pointer.rsplit("/", 1)[-1]
        parent = _value_at(doc.data, pointer.rsplit("/", 1)[0]) if pointer else None
        if isinstance(parent, dict) and re.fullmatch(r"[a-z][a-z_0-9]*", last):
            # A key is located at the key itself.
            assert lines[loc.line - 1][loc.column - 1 :].startswith(last), (pointer, loc, text)


def test_block_document_locations() -> None:
    text = "loss: mse\nlayers:\n  - type: dense\n    units: 3\n  - {type: softmax}\noptimizer:\n  name: adam\n"
    doc = parse(text)
    assert doc.locations["/loss"] == Location(1, 1)
    assert doc.locations["/layers"] == Location(2, 1)
    assert doc.locations["/layers/0"] == Location(3, 5)
    assert doc.locations["/layers/0/units"] == Location(4, 5)
    assert doc.locations["/layers/1"] == Location(5, 5)
    assert doc.locations["/layers/1/type"] == Location(5, 6)
    assert doc.locations["/optimizer/name"] == Location(7, 3)
    assert doc.locate("/layers/1/activation") == Location(5, 5)
    assert doc.locate("/nowhere/deep") == Location(1, 1)


def test_keys_with_slash_and_tilde_are_escaped_in_pointers() -> None:
    doc = parse('{"a/b": 1, "c~d": {"e": 2}}')
    assert "/a~1b" in doc.locations and "/c~0d/e" in doc.locations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1e-3", {"a": 0.001}),  # YAML 1.2 float without a dot
        ("a: '1e-3'", {"a": "1e-3"}),  # quoted: a string
        ("a: |\n  1e-3\n", {"a": "1e-3\n"}),  # block scalar: a string
        ("a: ! 12", {"a": 12}),  # the non-specific tag: as PyYAML's safe loader reads it
        ("a: &x [1, 2]\nb: *x", {"a": [1, 2], "b": [1, 2]}),
        ("a: 0x1f", {"a": 31}),
        ("a: ~", {"a": None}),
        ("- yes\n- 'yes'", [True, "yes"]),
    ],
)
def test_scalars_resolve_like_the_safe_loader(text: str, expected: Any) -> None:
    assert parse(text).data == expected


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (the first is on line 1)"),
        ("1: x\n1.0: y\n", 2, "duplicate key 1.0 (equal to 1 on line 1)"),
        ("a: !!python/object:os.system x\n", 1, "is not allowed"),
        ("a: !custom [1]\n", 1, "is not allowed"),
        ("? [1, 2]\n: x\n", 1, "a mapping key must be a plain value"),
        ("a: *nowhere\n", 1, "unknown alias"),
        ("a: 1\n---\nb: 2\n", 2, "more than one YAML document"),
        ("a: [1, 2\n", 2, "invalid YAML"),
    ],
)
def test_refusals_name_their_line(text: str, line: int, message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse(text)
    assert message in info.value.message and info.value.line == line


def test_document_without_locations_locates_the_start() -> None:
    assert Document({"a": 1}).locate("/a") == Location(1, 1)
