"""Fix patches written as edits of nnadvisor YAML/JSON configs (:mod:`nnadvisor.fixes.config_text`).

Each result is checked against two independent oracles: the edited text parses (PyYAML's safe
loader or ``json``) to the patch applied to the data by the small RFC 6902 reference below, and
the line diff is exactly the lines the fix is about (comments and every other line survive).
"""

from __future__ import annotations

import copy
import difflib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnadvisor.fixes import Edit
from nnadvisor.fixes.config_text import edits
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import RuleBase, rule_models

Op = dict[str, Any]


# -- helpers -----------------------------------------------------------------------------------


def apply(text: str, changes: Sequence[Edit]) -> str:
    """Apply edits (1-based lines split at ``\\n``, columns in characters) from last to first."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    spans = [(offset(e.start_line, e.start_column), offset(e.end_line, e.end_column), e.content) for e in changes]
    assert spans == sorted(spans), "edits are sorted"
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        assert end <= start, "edits do not overlap"
    for start, end, content in reversed(spans):
        assert 0 <= start <= end <= len(text)
        text = text[:start] + content + text[end:]
    return text


_FORMS = ("loss", "optimizer")


def _is_name_form(tokens: list[str]) -> bool:
    """``loss``, ``optimizer`` and layer activations are a name or a mapping with ``name``."""
    if len(tokens) == 1:
        return tokens[0] in _FORMS
    return len(tokens) == 3 and tokens[0] == "layers" and tokens[1].isdigit() and tokens[2] in ("activation", "recurrent_activation")


def apply_patch(doc: Any, patch: Sequence[Mapping[str, Any]]) -> Any:
    """RFC 6902 add/remove/replace, plus the config format's string form of a named value."""
    doc = copy.deepcopy(doc)
    for op in patch:
        op = {**op, "value": copy.deepcopy(op.get("value"))}
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in op["path"].split("/")[1:]]
        *parents, last = tokens
        holder, parent = None, doc
        for token in parents:
            holder = parent
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        if isinstance(parent, str) and _is_name_form(parents):
            assert holder is not None
            slot: Any = int(parents[-1]) if isinstance(holder, list) else parents[-1]
            holder[slot] = op["value"] if last == "name" else {"name": parent, last: op["value"]}
        elif isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if op["op"] == "add":
                parent.insert(index, op["value"])
            elif op["op"] == "remove":
                del parent[index]
            else:
                parent[index] = op["value"]
        elif op["op"] == "remove":
            del parent[last]
        else:
            parent[last] = op["value"]
    return doc


def load(text: str) -> Any:
    return json.loads(text) if text.lstrip()[:1] in "{[" else yaml.safe_load(text)


def typed(data: Any) -> str:
    """Equality with types: ``1`` and ``1.0`` and ``true`` differ (Python's ``==`` says they do not)."""
    return json.dumps(data, sort_keys=True)


def changed_lines(before: str, after: str) -> list[str]:
    """The line diff as ``-old`` / ``+new`` lines (line ends dropped)."""
    a = [line.rstrip("\r") for line in before.split("\n")]
    b = [line.rstrip("\r") for line in after.split("\n")]
    return [line for line in difflib.unified_diff(a, b, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def add(path: str, value: Any) -> Op:
    return {"op": "add", "path": path, "value": value}


def remove(path: str) -> Op:
    return {"op": "remove", "path": path}


def fixed(text: str, patch: list[Op]) -> str:
    """The text with the patch's edits applied, checked against the reference patch."""
    result = edits(text, patch)
    assert result is not None, "the patch is writable"
    after = apply(text, result)
    assert typed(load(after)) == typed(apply_patch(load(text), patch))
    return after


# -- realistic configs -------------------------------------------------------------------------

BLOCK = """\
# Classifier for the digits data set
framework: keras
task: multiclass
layers:
  - type: dense          # hidden
    units: 128
    activation: relu
  - {type: dropout, rate: 0.2}
  - {type: dense, units: 10}
loss: mse                # TODO: crossentropy?
optimizer:
  name: sgd
  learning_rate: 0.01    # tuned on the validation split

# evaluation settings live in eval.yaml
"""

NESTED_LAST = """\
layers:
  - type: dense
    units: 1
    activation:
      name: leaky_relu
      alpha: 0.1
    # hidden size chosen by sweep

# the loss, after the layers
loss: {name: binary_crossentropy,
       from_logits: true}
"""

JSON2 = """\
{
  "framework": "pytorch",
  "layers": [
    {"type": "dense", "units": 64, "activation": "relu"},
    {
      "type": "dense",
      "units": 3
    }
  ],
  "loss": "CrossEntropyLoss",
  "optimizer": {"name": "adam", "lr": 0.001}
}
"""

JSON4 = """\
{
    "layers": [
        {
            "type": "dense",
            "units": 1,
            "activation": "sigmoid"
        }
    ],
    "loss": {
        "name": "mse"
    },
    "optimizer": "sgd"
}"""

QUOTED = """\
layers:
  - type: "dense"
    units: 2
    activation: 'softmax'
loss: "categorical_crossentropy"
optimizer: 'adam'
"""


@dataclass
class Case:
    name: str
    text: str
    patch: list[Op]
    diff: list[str]


CASES = [
    Case(
        "flow layer gets an activation before its closing brace",
        BLOCK,
        [add("/layers/2/activation", "linear")],
        ["-  - {type: dense, units: 10}", "+  - {type: dense, units: 10, activation: linear}"],
    ),
    Case(
        "scalar replaced, its comment kept",
        BLOCK,
        [add("/loss", "categorical_crossentropy")],
        ["-loss: mse                # TODO: crossentropy?", "+loss: categorical_crossentropy                # TODO: crossentropy?"],
    ),
    Case(
        "block mapping gets a key after its last entry, before the trailing comment lines",
        BLOCK,
        [add("/optimizer/momentum", 0.9)],
        ["+  momentum: 0.9"],
    ),
    Case(
        "two keys added to one mapping in patch order",
        BLOCK,
        [add("/optimizer/momentum", 0.9), add("/optimizer/nesterov", True)],
        ["+  momentum: 0.9", "+  nesterov: true"],
    ),
    Case(
        "string loss becomes a mapping when a member is added",
        BLOCK,
        [add("/loss/from_logits", True)],
        ["-loss: mse                # TODO: crossentropy?", "+loss: {name: mse, from_logits: true}                # TODO: crossentropy?"],
    ),
    Case(
        "/loss/name on a string loss edits the string",
        BLOCK,
        [add("/loss/name", "huber")],
        ["-loss: mse                # TODO: crossentropy?", "+loss: huber                # TODO: crossentropy?"],
    ),
    Case(
        "scalar replaced by a flow mapping, and a layer edited, in one patch",
        BLOCK,
        [add("/layers/2/activation", "linear"), add("/loss", {"name": "categorical_crossentropy", "from_logits": True})],
        [
            "-  - {type: dense, units: 10}",
            "-loss: mse                # TODO: crossentropy?",
            "+  - {type: dense, units: 10, activation: linear}",
            "+loss: {name: categorical_crossentropy, from_logits: true}                # TODO: crossentropy?",
        ],
    ),
    Case(
        "a block mapping replaced by a name collapses onto its key's line",
        BLOCK,
        [add("/optimizer", "adam")],
        ["-optimizer:", "-  name: sgd", "-  learning_rate: 0.01    # tuned on the validation split", "+optimizer: adam"],
    ),
    Case(
        "a mapping replaced by a mapping keeps the members it keeps",
        BLOCK,
        [add("/optimizer", {"name": "adamw", "learning_rate": 0.01, "weight_decay": 0.01})],
        ["-  name: sgd", "+  name: adamw", "+  weight_decay: 0.01"],
    ),
    Case(
        "removing a block member deletes its lines only",
        BLOCK,
        [remove("/optimizer/learning_rate")],
        ["-  learning_rate: 0.01    # tuned on the validation split"],
    ),
    Case(
        "removing the first key of a list item moves the next one up",
        BLOCK,
        [remove("/layers/0/type")],
        ["-  - type: dense          # hidden", "-    units: 128", "+  - units: 128"],
    ),
    Case(
        "removing a flow member takes its comma",
        BLOCK,
        [remove("/layers/1/rate")],
        ["-  - {type: dropout, rate: 0.2}", "+  - {type: dropout}"],
    ),
    Case(
        "removing a list item deletes its line",
        BLOCK,
        [remove("/layers/1")],
        ["-  - {type: dropout, rate: 0.2}"],
    ),
    Case(
        "appending a layer to a block list",
        BLOCK,
        [add("/layers/-", {"type": "softmax"})],
        ["+  - {type: softmax}"],
    ),
    Case(
        "a float that YAML 1.1 and JSON both read as a float",
        BLOCK,
        [add("/optimizer/epsilon", 1e-8)],
        ["+  epsilon: 1.0e-08"],
    ),
    Case(
        "a key added after a nested block value lands at the mapping's indentation",
        NESTED_LAST,
        [add("/layers/0/use_bias", False)],
        ["+    use_bias: false"],
    ),
    Case(
        "a nested block activation replaced by a name",
        NESTED_LAST,
        [add("/layers/0/activation", "linear")],
        ["-    activation:", "-      name: leaky_relu", "-      alpha: 0.1", "+    activation: linear"],
    ),
    Case(
        "a multi-line flow mapping gets a member after its last one",
        NESTED_LAST,
        [add("/loss/label_smoothing", 0.1)],
        ["-       from_logits: true}", "+       from_logits: true,", "+       label_smoothing: 0.1}"],
    ),
    Case(
        "a root key added after a multi-line flow value",
        NESTED_LAST,
        [add("/optimizer", "adam")],
        ["+optimizer: adam"],
    ),
    Case(
        "a root key and a key of the last layer added at one point: the layer's first",
        "layers:\n  - type: dense\n    units: 1\n",
        [add("/loss", "mse"), add("/layers/0/activation", "sigmoid")],
        ["+    activation: sigmoid", "+loss: mse"],
    ),
    Case(
        "a removed member's lines and a new root key after them",
        "layers:\n- type: dense\n  units: 1\n  activation: relu\n",
        [remove("/layers/0/activation"), add("/loss", "mse")],
        ["-  activation: relu", "+loss: mse"],
    ),
    Case(
        "JSON (2 spaces): a member on its own line with a comma, an object on one line",
        JSON2,
        [add("/layers/1/activation", "linear"), add("/loss", {"name": "binary_crossentropy", "from_logits": True})],
        [
            '-      "units": 3',
            '+      "units": 3,',
            '+      "activation": "linear"',
            '-  "loss": "CrossEntropyLoss",',
            '+  "loss": {"name": "binary_crossentropy", "from_logits": true},',
        ],
    ),
    Case(
        "JSON: a member into a one-line object",
        JSON2,
        [add("/optimizer/epsilon", 1e-8)],
        ['-  "optimizer": {"name": "adam", "lr": 0.001}', '+  "optimizer": {"name": "adam", "lr": 0.001, "epsilon": 1.0e-08}'],
    ),
    Case(
        "JSON: removing the last member takes the comma before it",
        JSON2,
        [remove("/optimizer")],
        ['-  "loss": "CrossEntropyLoss",', '-  "optimizer": {"name": "adam", "lr": 0.001}', '+  "loss": "CrossEntropyLoss"'],
    ),
    Case(
        "JSON (4 spaces, no final newline): a string optimizer becomes an object",
        JSON4,
        [add("/optimizer/momentum", 0.9)],
        ['-    "optimizer": "sgd"', '+    "optimizer": {"name": "sgd", "momentum": 0.9}'],
    ),
    Case(
        "JSON (4 spaces): a member at the file's indentation",
        JSON4,
        [add("/loss/delta", 1.0), add("/layers/0/activation", "linear")],
        [
            '-            "activation": "sigmoid"',
            '+            "activation": "linear"',
            '-        "name": "mse"',
            '+        "name": "mse",',
            '+        "delta": 1.0',
        ],
    ),
    Case(
        "quote styles kept",
        QUOTED,
        [add("/layers/0/activation", "linear"), add("/loss", "binary_crossentropy"), add("/optimizer", "adamw")],
        [
            "-    activation: 'softmax'",
            '-loss: "categorical_crossentropy"',
            "-optimizer: 'adam'",
            "+    activation: 'linear'",
            '+loss: "binary_crossentropy"',
            "+optimizer: 'adamw'",
        ],
    ),
    Case(
        "a new key in a mapping of double-quoted keys is double-quoted",
        "layers:\n  - {\"type\": \"dense\", \"units\": 2}\n",
        [add("/layers/0/activation", "softmax")],
        ['-  - {"type": "dense", "units": 2}', '+  - {"type": "dense", "units": 2, "activation": "softmax"}'],
    ),
    Case(
        "plain words YAML would read as another type are quoted",
        "layers:\n  - type: dense\n    units: 2\n    activation: relu\n",
        [add("/layers/0/activation", "on"), add("/layers/0/name", "null"), add("/layers/0/kernel_initializer", "1e3")],
        ["-    activation: relu", "+    activation: 'on'", "+    name: 'null'", "+    kernel_initializer: '1e3'"],
    ),
    Case(
        "an empty value (null) gets one",
        "layers:\n  - type: dense\n    units: 1\n    activation:   # none yet\n",
        [add("/layers/0/activation", "sigmoid")],
        ["-    activation:   # none yet", "+    activation: sigmoid  # none yet"],
    ),
    Case(
        "an int replaced by the float the patch says",
        "optimizer: {name: sgd, clipnorm: 1}\n",
        [add("/optimizer/clipnorm", 1.0)],
        ["-optimizer: {name: sgd, clipnorm: 1}", "+optimizer: {name: sgd, clipnorm: 1.0}"],
    ),
    Case(
        "pointer escapes (~1 is /, ~0 is ~)",
        "layers: []\nloss: {name: mse}\n",
        [add("/loss/a~1b~0c", 1)],
        ["-loss: {name: mse}", "+loss: {name: mse, 'a/b~c': 1}"],
    ),
    Case(
        "a layer inserted into a flow list",
        "layers: [{type: dense, units: 4}, {type: dense, units: 1}]\n",
        [add("/layers/1", {"type": "dropout", "rate": 0.5})],
        ["-layers: [{type: dense, units: 4}, {type: dense, units: 1}]", "+layers: [{type: dense, units: 4}, {type: dropout, rate: 0.5}, {type: dense, units: 1}]"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_edits_change_only_the_lines_of_the_fix(case: Case) -> None:
    after = fixed(case.text, case.patch)
    assert changed_lines(case.text, after) == case.diff


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_crlf_line_ends_are_kept(case: Case) -> None:
    text = case.text.replace("\n", "\r\n")
    after = fixed(text, case.patch)
    assert after.count("\n") == after.count("\r\n")
    assert changed_lines(text, after) == case.diff


def _sets(patch: list[Op]) -> bool:
    """Whether applying ``patch`` twice is applying it once: it sets members (removing or
    inserting a list item again is another change)."""
    return all(op["op"] != "remove" and not op["path"].endswith("/-") and not op["path"].rsplit("/", 1)[1].isdigit() for op in patch)


@pytest.mark.parametrize("case", [c for c in CASES if _sets(c.patch)], ids=[c.name for c in CASES if _sets(c.patch)])
def test_a_patch_that_holds_gives_no_edits(case: Case) -> None:
    after = fixed(case.text, case.patch)
    assert edits(after, case.patch) == []


def test_columns_count_characters() -> None:
    line = "  - {name: 'ünïcødé 😀', type: dense, units: 3}  # λ ✓"
    text = f"# модель\nlayers:\n{line}\n"
    result = edits(text, [add("/layers/0/units", 4), add("/layers/0/activation", "linear")])
    at = line.index("3") + 1
    assert result == [Edit(3, at, 3, at + 1, "4"), Edit(3, at + 1, 3, at + 1, ", activation: linear")]
    assert apply(text, result) == text.replace("3}", "4, activation: linear}")


def test_a_file_without_final_newline_keeps_it() -> None:
    text = "layers:\n  - {type: dense, units: 1}\nloss: mse\noptimizer: {name: sgd}"
    assert fixed(text, [add("/optimizer/momentum", 0.9)]).endswith("{name: sgd, momentum: 0.9}")
    assert fixed(text, [remove("/optimizer")]) == "layers:\n  - {type: dense, units: 1}\nloss: mse"
    block = "loss: mse\noptimizer:\n  name: sgd"
    assert fixed(block, [add("/optimizer/momentum", 0.9)]) == block + "\n  momentum: 0.9"


# -- what is not written -----------------------------------------------------------------------

ALIASED = """\
layers:
  - &hidden {type: dense, units: 64, activation: relu}
  - *hidden
  - {type: dense, units: 1}
optimizer: &opt {name: sgd}
loss: mse
defaults: *opt
"""


@pytest.mark.parametrize(
    ("text", "patch"),
    [
        pytest.param(ALIASED, [add("/layers/1/activation", "gelu")], id="the value is an alias"),
        pytest.param(ALIASED, [add("/layers/0/activation", "gelu")], id="the value has aliases elsewhere"),
        pytest.param(ALIASED, [add("/optimizer/momentum", 0.9)], id="the path goes through an anchored value"),
        pytest.param(ALIASED, [add("/defaults/momentum", 0.9)], id="the path goes through an alias"),
        pytest.param("base: &b {type: dense, units: 4}\nlayers:\n  - <<: *b\n    units: 1\n", [add("/layers/0/activation", "linear")], id="merge key"),
        pytest.param("loss: !!str mse\n", [add("/loss", "huber")], id="tagged value"),
        pytest.param("loss: mse\n---\nloss: mae\n", [add("/loss", "huber")], id="several documents"),
        pytest.param("loss: mse\n", [add("/optimizer/momentum", 0.9)], id="the parent does not exist"),
        pytest.param("loss: mse\n", [{"op": "replace", "path": "/optimizer", "value": "sgd"}], id="replace of a missing member"),
        pytest.param("loss: mse\n", [remove("/loss/name")], id="removing a name's name"),
        pytest.param("loss: mse\n", [remove("/optimizer")], id="removing a missing member"),
        pytest.param("loss: mse\n", [add("", {})], id="the whole document"),
        pytest.param("loss: mse\n", [{"op": "move", "from": "/loss", "path": "/x"}], id="an operation other than add, remove, replace, test"),
        pytest.param("layers: [{type: dense}]\n", [add("/layers/5", {"type": "dense"})], id="index out of range"),
        pytest.param('{"loss": "mse"}', [add("/optimizer", {"name": "sgd", "lr": float("nan")})], id="NaN in JSON"),
        pytest.param("loss: mse\n", [add("/loss", "huber"), add("/loss/from_logits", True)], id="two operations on one value"),
        pytest.param("loss: mse\n", [add("/optimizer", {"name": "sgd"}), add("/optimizer/momentum", 0.9)], id="an operation on what an earlier one added"),
        pytest.param("loss: mse\u2028\n", [add("/loss", "mae")], id="a line break YAML counts and editors may not"),
        pytest.param("loss: [unclosed\n", [add("/loss", "mae")], id="unparseable"),
        pytest.param("loss: mse\nloss: mae\n", [add("/loss", "huber")], id="duplicate keys"),
        pytest.param("layers:\n  - - a\n    - b\n", [remove("/layers/0/0")], id="a list item sharing its line"),
    ],
)
def test_returns_none_when_not_faithful(text: str, patch: list[Op]) -> None:
    assert edits(text, patch) is None


def test_an_anchor_elsewhere_does_not_block_an_unrelated_edit() -> None:
    after = fixed(ALIASED, [add("/layers/2/activation", "sigmoid"), add("/loss", "binary_crossentropy")])
    assert changed_lines(ALIASED, after) == [
        "-  - {type: dense, units: 1}",
        "+  - {type: dense, units: 1, activation: sigmoid}",
        "-loss: mse",
        "+loss: binary_crossentropy",
    ]


# -- every rule's fix clears its own finding ---------------------------------------------------


def _bad_examples() -> list[Any]:
    params = []
    for rule in rule_models():
        fixes = [rule.fix, *(case.fix for case in rule.cases)]
        if not any(fix is not None and fix.patch for fix in fixes):
            continue
        for index, example in enumerate(rule.examples.bad):
            if example.config is None:
                continue
            for style in ("yaml", "json"):
                params.append(pytest.param(rule.id, example.config, style, id=f"{rule.id}-bad-{index}-{style}"))
    return params


def _dump(config: dict[str, Any], style: str) -> str:
    return json.dumps(config, indent=2) + "\n" if style == "json" else yaml.safe_dump(config, sort_keys=False)


@pytest.mark.parametrize(("rule_id", "config", "style"), _bad_examples())
def test_every_rule_fix_clears_its_finding(rule_id: str, config: dict[str, Any], style: str, rulebase: RuleBase) -> None:
    name = f"x.{style}"
    text = _dump(config, style)
    found = [f for f in check_bytes(text.encode(), name, rulebase, "nnadvisor") if f.rule_id == rule_id]
    fixable = [f for f in found if f.fix is not None and f.fix.patch]
    if not fixable:
        pytest.skip(f"{rule_id} has no fix here (that its bad examples fire is test_rule_examples' to say)")
    for finding in fixable:
        assert finding.fix is not None
        after = fixed(text, finding.fix.patch)
        again = [f for f in check_bytes(after.encode(), name, rulebase, "nnadvisor") if f.rule_id == rule_id]
        assert finding.pointer not in {f.pointer for f in again}, f"{rule_id} still fires at {finding.pointer} after its fix"
        assert len(again) < len(found)
        assert edits(after, finding.fix.patch) == []


# -- property: generated configs ---------------------------------------------------------------

NAMES = st.sampled_from(["relu", "linear", "sigmoid", "softmax", "tanh"])
ACTIVATION = st.one_of(NAMES, st.fixed_dictionaries({"name": st.just("leaky_relu"), "alpha": st.sampled_from([0.1, 0.2])}))
LAYER = st.fixed_dictionaries(
    {"type": st.sampled_from(["dense", "conv"]), "units": st.integers(1, 512)},
    optional={"activation": ACTIVATION},
)
LOSS = st.one_of(
    st.sampled_from(["mse", "binary_crossentropy", "categorical_crossentropy"]),
    st.fixed_dictionaries({"name": st.sampled_from(["huber", "binary_crossentropy"])}, optional={"from_logits": st.booleans(), "delta": st.just(1.5)}),
)
OPTIMIZER = st.one_of(
    st.sampled_from(["sgd", "adam"]),
    st.fixed_dictionaries({"name": st.sampled_from(["sgd", "adam"])}, optional={"learning_rate": st.sampled_from([0.001, 0.01]), "momentum": st.just(0.5)}),
)
CONFIG = st.fixed_dictionaries(
    {"layers": st.lists(LAYER, min_size=1, max_size=4)},
    optional={"framework": st.sampled_from(["keras", "pytorch"]), "loss": LOSS, "optimizer": OPTIMIZER},
)


def _render(config: dict[str, Any], style: str, comments: list[bool]) -> str:
    """``config`` as block YAML, YAML with flow leaves, or JSON; a comment line before every
    top-level key where ``comments`` says, and end-of-line comments on YAML lines."""
    if style.startswith("json"):
        return json.dumps(config, indent=2 if style == "json2" else 4) + "\n"
    text = yaml.safe_dump(config, sort_keys=False, default_flow_style=None if style == "flow" else False, width=1000)
    lines = []
    for i, line in enumerate(text.splitlines()):
        if line[:1] not in (" ", "-") and comments[i % len(comments)]:
            lines.append(f"# about {line.split(':')[0]}")
        lines.append(line + ("   # note" if comments[(i + 1) % len(comments)] else ""))
    return "\n".join(lines) + "\n"


@st.composite
def _patches(draw: st.DrawFn, config: dict[str, Any]) -> list[Op]:
    layers = config["layers"]
    index = draw(st.integers(0, len(layers) - 1))
    choices: list[Op] = [
        add(f"/layers/{index}/activation", draw(NAMES)),
        add(f"/layers/{index}/activation", {"name": "leaky_relu", "alpha": 0.3}),
        add(f"/layers/{index}/units", draw(st.integers(1, 9))),
    ]
    if "activation" in layers[index]:
        choices.append(remove(f"/layers/{index}/activation"))
    if "loss" in config:
        choices += [add("/loss/name", "mae"), add("/loss/from_logits", True), add("/loss/delta", 1.0)]
    choices.append(add("/loss", draw(LOSS)))
    if "optimizer" in config:
        choices += [add("/optimizer/momentum", 0.9), add("/optimizer/epsilon", 1e-8), add("/optimizer/name", "adamw")]
    choices.append(add("/optimizer", draw(OPTIMIZER)))
    # At most one operation per top-level key: operations on one value are refused (tested above).
    ops: list[Op] = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique_by=lambda op: op["path"].split("/")[1]))
    return ops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=CONFIG, style=st.sampled_from(["block", "flow", "json2", "json4"]), comments=st.lists(st.booleans(), min_size=1, max_size=5), data=st.data())
def test_property_edits_apply_the_patch(config: dict[str, Any], style: str, comments: list[bool], data: st.DataObject) -> None:
    text = _render(config, style, comments)
    patch = data.draw(_patches(config))
    result = edits(text, patch)
    assert result is not None, (text, patch)
    after = apply(text, result)
    assert typed(load(after)) == typed(apply_patch(config, patch))
    for line in text.split("\n"):
        if line.startswith("# about"):
            assert line in after.split("\n"), "comment lines between keys survive"
    if _sets(patch):
        assert edits(after, patch) == []
