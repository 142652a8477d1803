"""Fixes as edits of Python sources (nnadvisor.fixes.python): the shared AST helpers, the
verification, the helpers the PyTorch and Keras tests use, and the corpora.

A fix is checked the way ``check --fix`` uses it: the finding's edits (``fix.edits``, which
``check_bytes`` computes through :func:`nnadvisor.fixes.file_edits`) applied to the source give the
expected text, which parses, re-checks without the rule's code and without a new error or warning,
and offers nothing for that rule again (idempotence). Cases that must not be fixed call
:func:`nnadvisor.fixes.python.edits` with the rule's own patch (computed as ``check_bytes`` does)
and expect ``None``.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nnadvisor import readers
from nnadvisor.engine.compiled import evaluate
from nnadvisor.facts import derive
from nnadvisor.findings import Finding
from nnadvisor.fixes import Edit
from nnadvisor.fixes.apply import apply_edits
from nnadvisor.fixes.python import edits
from nnadvisor.fixes.python.text import Source, quote_style, string_literal
from nnadvisor.lint import check_bytes
from nnadvisor.rulebase import RuleBase

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


# --- helpers (also used by test_pytorch_edits.py and test_keras_edits.py) -----------------------


def check(text: str, rulebase: RuleBase, name: str = "model.py") -> list[Finding]:
    return check_bytes(text.encode("utf-8"), name, rulebase, "python")


def the_finding(text: str, rulebase: RuleBase, rule: str, line: int | None = None) -> Finding:
    found = [f for f in check(text, rulebase) if f.rule_id == rule and (line is None or f.line == line)]
    assert len(found) == 1, f"{rule} at {line}: {[(f.rule_id, f.line, f.message) for f in check(text, rulebase)]}"
    return found[0]


def applied(text: str, finding: Finding) -> str:
    assert finding.fix is not None
    return apply_edits(text, [e.edit() for e in finding.fix.edits])


def _serious(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings if f.severity in ("error", "warning")}


def assert_fix(text: str, rulebase: RuleBase, rule: str, expected: str, line: int | None = None) -> list[Edit]:
    """The finding's fix gives ``expected``; the result parses, no longer has the rule's code, has
    no new error or warning, and offers nothing for the rule again."""
    before = check(text, rulebase)
    finding = the_finding(text, rulebase, rule, line)
    assert finding.fix is not None and finding.fix.edits, f"no edits for {rule}: {finding.message}"
    out = applied(text, finding)
    assert out == expected, "".join(difflib.unified_diff(expected.splitlines(True), out.splitlines(True), "expected", "got"))
    ast.parse(out)
    after = check(out, rulebase)
    assert rule not in {f.rule_id for f in after}, [(f.rule_id, f.line, f.message) for f in after]
    assert not _serious(after) - _serious(before), [(f.rule_id, f.line, f.message) for f in after]
    assert not any(f.rule_id == rule and f.fix is not None and f.fix.edits for f in after)
    return [e.edit() for e in finding.fix.edits]


@dataclass
class Patched:
    """A finding with the JSON Patch its rule gives (what ``check_bytes`` hands to the writer)."""

    finding: Finding
    result: readers.ReadResult
    patch: list[dict[str, Any]]
    rulebase: RuleBase

    def edits(self, text: str) -> list[Edit] | None:
        assert self.result.doc is not None and self.result.config is not None
        return edits(text, self.result.doc, self.patch, self.result.config.framework, self.rulebase)


def patched(text: str, rulebase: RuleBase, rule: str) -> list[Patched]:
    out: list[Patched] = []
    for result in readers.read(text.encode("utf-8"), "python", rulebase, "model.py"):
        if result.config is None:
            continue
        facts = derive(result.config, result.doc, rulebase.vocabulary, result.unknowns)
        rulebase.inference.apply(facts)
        for f in evaluate(rulebase.compiled, facts, "model.py", result.doc):
            if f.rule_id == rule and f.fix is not None and f.fix.patch:
                out.append(Patched(f, result, [dict(op) for op in f.fix.patch], rulebase))
    return out


def assert_no_fix(text: str, rulebase: RuleBase, rule: str) -> None:
    """The rule fires with a patch, and the writer declines it (``None``), as check does."""
    found = patched(text, rulebase, rule)
    assert found, f"{rule} does not fire with a patch: {[(f.rule_id, f.line) for f in check(text, rulebase)]}"
    for p in found:
        assert p.edits(text) is None, p.edits(text)
    assert all(not (f.fix and f.fix.edits) for f in check(text, rulebase) if f.rule_id == rule)


def synthetic(text: str, rulebase: RuleBase, patch: list[dict[str, Any]]) -> list[Edit] | None:
    """The writer on a patch written by hand, for the model the file's first result reads."""
    result = readers.read(text.encode("utf-8"), "python", rulebase, "model.py")[0]
    assert result.doc is not None and result.config is not None
    return edits(text, result.doc, patch, result.config.framework, rulebase)


# --- the AST helpers ----------------------------------------------------------------------------


def _src(text: str) -> Source:
    src = Source.parse(text)
    assert src is not None
    return src


def _call(src: Source, name: str) -> ast.Call:
    return next(n for n in ast.walk(src.tree) if isinstance(n, ast.Call) and isinstance(n.func, (ast.Name, ast.Attribute)) and src.segment(n.func).endswith(name))


def _apply(src: Source, changes: list[Any] | None) -> str:
    assert changes is not None
    found = src.edits(changes)
    assert found is not None
    return apply_edits(src.text, found)


@pytest.mark.parametrize(
    ("text", "which", "expected"),
    [
        ("f(a, b, c)\n", 1, "f(a, c)\n"),
        ("f(a, b, c)\n", 0, "f(b, c)\n"),
        ("f(a, b, c)\n", 2, "f(a, b)\n"),
        ("f(a)\n", 0, "f()\n"),
        ("f(a, b,)\n", 1, "f(a,)\n"),
        ("f(\n    a,\n    b,  # the last one\n)\n", 1, "f(\n    a,\n)\n"),
        ("f(\n    a,\n    b\n)\n", 1, "f(\n    a,\n)\n"),
        ("f(\n    a,  # keep me\n    b)\n", 1, None),
        ("f(a, (b))\n", 1, None),
        ("f(a, k=1)\n", 1, "f(a)\n"),
    ],
)
def test_remove_an_argument_with_its_comma_and_its_line(text: str, which: int, expected: str | None) -> None:
    src = _src(text)
    call = _call(src, "f")
    item = src.call_items(call)[which]
    changes = src.remove_argument(call, item)
    if expected is None:
        assert changes is None
    else:
        assert _apply(src, changes) == expected


def test_remove_a_list_element() -> None:
    src = _src("layers = [\n    Dense(10),\n    Softmax(),\n]\n")
    display = next(n for n in ast.walk(src.tree) if isinstance(n, ast.List))
    assert _apply(src, src.remove_element(display, display.elts[1])) == "layers = [\n    Dense(10),\n]\n"
    src = _src("layers = [Dense(10), Softmax()]\n")
    display = next(n for n in ast.walk(src.tree) if isinstance(n, ast.List))
    assert _apply(src, src.remove_element(display, display.elts[1])) == "layers = [Dense(10)]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dense(1)\n", 'Dense(1, activation="sigmoid")\n'),
        ("Dense()\n", 'Dense(activation="sigmoid")\n'),
        ("Dense(\n    1,\n    name='out',\n)\n", "Dense(\n    1,\n    name='out',\n    activation=\"sigmoid\",\n)\n"),
        ("Dense(\n    1,\n    name='out'\n)\n", "Dense(\n    1,\n    name='out',\n    activation=\"sigmoid\"\n)\n"),
        ("Dense(1,  # units\n      name='out')\n", "Dense(1,  # units\n      name='out',\n      activation=\"sigmoid\")\n"),
        ("Dense(1, name='out')\n", "Dense(1, name='out', activation=\"sigmoid\")\n"),
    ],
)
def test_insert_a_keyword(text: str, expected: str) -> None:
    src = _src(text)
    assert _apply(src, src.insert_keyword(_call(src, "Dense"), 'activation="sigmoid"')) == expected


def test_delete_a_statement_only_when_alone_on_its_lines() -> None:
    src = _src("def f(x):\n    x = g(x)\n    x = h(x)  # probabilities\n    return x\n")
    stmt = next(n for n in ast.walk(src.tree) if isinstance(n, ast.Assign) and src.segment(n).startswith("x = h"))
    assert _apply(src, src.delete_statement(stmt)) == "def f(x):\n    x = g(x)\n    return x\n"
    src = _src("def f(x):\n    x = g(x); x = h(x)\n    return x\n")
    stmt = next(n for n in ast.walk(src.tree) if isinstance(n, ast.Assign) and src.segment(n).startswith("x = h"))
    assert src.delete_statement(stmt) is None
    src = _src("if c:\n    x = h(x)\n")
    stmt = next(n for n in ast.walk(src.tree) if isinstance(n, ast.Assign))
    assert src.delete_statement(stmt) is None  # the block would be empty


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y = f(a + b).view(-1)\n", "y = (a + b).view(-1)\n"),
        ("y = f(a + b)\n", "y = a + b\n"),
        ("return_ = [f(a if c else b), 1]\n", "return_ = [a if c else b, 1]\n"),
        ("y = -f(a * b)\n", "y = -(a * b)\n"),
    ],
)
def test_replacing_a_call_by_its_argument_keeps_precedence(text: str, expected: str) -> None:
    src = _src(text)
    call = _call(src, "f")
    assert _apply(src, src.replace_by_argument(call, call.args[0])) == expected


@pytest.mark.parametrize(
    ("body", "consumer"),
    [
        ("    p = g(x)\n    return p\n", True),
        ("    p = g(x)\n    keep = p\n    return p\n", False),
        ("    p = g(x)\n    p = h(p)\n    return p\n", True),  # the next binding reads it once
        ("    for i in range(3):\n        q = p\n        p = g(x)\n    return p\n", False),  # a later iteration sees it
        ("    p = g(x)\n    return [p for _ in range(2)]\n", False),
        ("    p = g(x)\n    if x:\n        p = 0\n    return p\n", False),
    ],
)
def test_only_consumer(body: str, consumer: bool) -> None:
    src = _src("def f(x, p=None):\n" + body)
    stmt = next(n for n in ast.walk(src.tree) if isinstance(n, ast.Assign) and src.segment(n).startswith("p = g"))
    assert (src.only_consumer(stmt, "p") is not None) is consumer


def test_positions_are_characters_on_lines_with_non_ascii_text() -> None:
    text = "s = 'héllo'; f(a, b)\n"
    src = _src(text)
    call = _call(src, "f")
    assert src.position(src.start(call)) == (1, 14)
    assert _apply(src, src.remove_argument(call, call.args[1])) == "s = 'héllo'; f(a)\n"


def test_quotes_follow_the_file() -> None:
    assert quote_style(_src("a = 'x'\nb = 'y'\nc = \"z\"\n")) == "'"
    assert quote_style(_src("a = 1\n")) == '"'
    assert string_literal("sigmoid", "'softmax'") == "'sigmoid'"
    assert string_literal("sigmoid", '"softmax"') == '"sigmoid"'


def test_overlapping_changes_are_refused() -> None:
    from nnadvisor.fixes.python.text import Change

    src = _src("f(a, b)\n")
    assert src.edits([Change(0, 3, "x"), Change(2, 4, "y")]) is None
    assert src.edits([Change(1, 1, "x"), Change(1, 1, "y")]) is None


# --- the writer as a whole ----------------------------------------------------------------------


SOFTMAX_INTO_CE = """import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Linear(20, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
    nn.Softmax(dim=1),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def train_step(x, y):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""


def test_a_source_that_does_not_parse_or_an_unknown_framework_gets_no_edits(rulebase: RuleBase) -> None:
    [p] = patched(SOFTMAX_INTO_CE, rulebase, "NNA103")
    assert p.result.doc is not None
    assert edits(SOFTMAX_INTO_CE + "def (:\n", p.result.doc, p.patch, "pytorch", rulebase) is None
    assert edits(SOFTMAX_INTO_CE, p.result.doc, p.patch, "jax", rulebase) is None
    assert edits(SOFTMAX_INTO_CE, p.result.doc, [], "pytorch", rulebase) is None
    assert edits(SOFTMAX_INTO_CE, p.result.doc, [{"op": "remove", "path": "/loss"}], "pytorch", rulebase) is None
    assert edits(SOFTMAX_INTO_CE, p.result.doc, [{"op": "add", "path": "/layers/2/units", "value": 3}], "pytorch", rulebase) is None


def test_the_edits_are_those_check_reports(rulebase: RuleBase) -> None:
    [p] = patched(SOFTMAX_INTO_CE, rulebase, "NNA103")
    direct = p.edits(SOFTMAX_INTO_CE)
    assert direct == [Edit(8, 1, 9, 1, "")]
    finding = the_finding(SOFTMAX_INTO_CE, rulebase, "NNA103")
    assert finding.fix is not None and [e.edit() for e in finding.fix.edits] == direct


def test_the_patched_config_must_be_what_the_edited_source_reads(rulebase: RuleBase) -> None:
    """A patch the source cannot be made to say (a softmax spelt where the model has none to
    edit, a loss no spelling resolves to) is declined, never approximated."""
    assert synthetic(SOFTMAX_INTO_CE, rulebase, [{"op": "add", "path": "/loss", "value": "sparse_categorical_crossentropy"}]) is None
    assert synthetic(SOFTMAX_INTO_CE, rulebase, [{"op": "add", "path": "/layers/3/activation", "value": "no_such_activation"}]) is None
    assert synthetic(SOFTMAX_INTO_CE, rulebase, [{"op": "add", "path": "/optimizer/clipnorm", "value": 1.0}]) is None


# --- the corpora --------------------------------------------------------------------------------

_MARK = re.compile(r"#\s*expect(?:-alt)?:\s*([A-Z0-9, ]+)")
CORPORA = sorted((FIXTURES / "pytorch" / "corpus").glob("*.py")) + sorted((FIXTURES / "keras_source").glob("*.py"))
SEEDED = [p for p in CORPORA if not p.read_text(encoding="utf-8").startswith("# expect: clean")]


def _marks(text: str) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        for match in _MARK.finditer(line):
            out |= {(number, code.strip()) for code in match.group(1).split(",") if code.strip()}
    return out


def moved(line: int, found: list[Edit]) -> int | None:
    """Where a line of the text is after the edits (``None``: deleted)."""
    delta = 0
    for e in sorted(found):
        start, end = (e.start_line, e.start_column), (e.end_line, e.end_column)
        if start <= (line, 1) and end >= (line + 1, 1):
            return None
        if end <= (line, 1):
            delta += e.content.count("\n") - (e.end_line - e.start_line)
    return line + delta


@pytest.mark.parametrize("path", SEEDED, ids=lambda p: p.name)
def test_every_fix_in_the_corpora_parses_and_removes_its_finding(path: Path, rulebase: RuleBase) -> None:
    text = path.read_text(encoding="utf-8")
    for f in check(text, rulebase, path.name):
        if f.fix is None or not f.fix.edits:
            continue
        found = [e.edit() for e in f.fix.edits]
        out = apply_edits(text, found)
        ast.parse(out)
        where = moved(f.line, found)
        again = [g for g in check(out, rulebase, path.name) if g.rule_id == f.rule_id and g.line == where]
        assert not again, (f.rule_id, f.line, f.message, [g.message for g in again])


def coverage(rulebase: RuleBase) -> tuple[int, int, list[str]]:
    """(seeded findings with edits, seeded findings, those without) over both corpora."""
    fixed = total = 0
    missing: list[str] = []
    for path in SEEDED:
        text = path.read_text(encoding="utf-8")
        marks = _marks(text)
        for f in check(text, rulebase, path.name):
            if (f.line, f.rule_id) not in marks:
                continue
            total += 1
            if f.fix is not None and f.fix.edits:
                fixed += 1
            else:
                missing.append(f"{path.name}:{f.line} {f.rule_id}")
    return fixed, total, missing


def test_coverage_of_the_seeded_findings(rulebase: RuleBase, capsys: pytest.CaptureFixture[str]) -> None:
    fixed, total, missing = coverage(rulebase)
    with capsys.disabled():
        print(f"\nfixes.python coverage: {fixed} of {total} seeded corpus findings get edits; without: {', '.join(missing)}")
    assert total >= 50
    assert fixed >= 44, missing


def test_line_ends_are_kept(rulebase: RuleBase) -> None:
    text = SOFTMAX_INTO_CE.replace("\n", "\r\n")
    out = applied(text, the_finding(text, rulebase, "NNA103"))
    assert out == text.replace("    nn.Softmax(dim=1),\r\n", "")


def test_columns_are_characters_on_lines_with_non_ascii_text(rulebase: RuleBase) -> None:
    text = SOFTMAX_INTO_CE.replace(
        "model = nn.Sequential(\n    nn.Linear(20, 64),\n    nn.ReLU(),\n    nn.Linear(64, 10),\n    nn.Softmax(dim=1),\n)\n",
        'nom = "modèle à 10 classes"; model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))  # «probabilités»\n',
    )
    out = applied(text, the_finding(text, rulebase, "NNA103"))
    assert out == text.replace(", nn.Softmax(dim=1))", ")")
