"""The shared Python static-analysis core: one-pass index, bindings a use sees, static values,
argument binding, spans, and refusals of what is not Python source."""

from __future__ import annotations

import ast
import textwrap

import pytest

from nnadvisor.readers.python.evaluate import NO, Evaluator, arg, bind
from nnadvisor.readers.python.index import build
from nnadvisor.readers.python.source import parse
from nnadvisor.readers.python.span import Span, span

SOURCE = textwrap.dedent(
    """
    import torch.nn as nn
    from torch.optim import Adam as A
    import numpy

    WIDTH = 64
    HALF = WIDTH // 2
    CHANGES = 1
    CHANGES = 2

    def build(n, hidden=WIDTH, *, act="relu"):
        x = nn.Linear(n, hidden)
        x = nn.Sequential(x, nn.ReLU())
        return x

    class Net(nn.Module):
        def forward(self, x):
            a, (b, c) = self.f(x)
            return (lambda y: y)(a)

    model = build(10, act="tanh")
    g, d = build(1), build(2)
    """
)


@pytest.fixture
def index():  # type: ignore[no-untyped-def]
    return build(ast.parse(SOURCE))


def test_imports_and_aliases(index) -> None:  # type: ignore[no-untyped-def]
    assert index.aliases["nn"] == "torch.nn"
    assert index.aliases["A"] == "torch.optim.Adam"
    assert index.aliases["numpy"] == "numpy"
    call = next(site.call for site in index.calls if isinstance(site.call.func, ast.Attribute) and site.call.func.attr == "Linear")
    assert index.qual(call.func) == "torch.nn.Linear"
    assert index.qual(ast.parse("F.relu").body[0].value, {"F": "torch.nn.functional"}) == "torch.nn.functional.relu"  # type: ignore[attr-defined]


def test_definitions_and_returns(index) -> None:  # type: ignore[no-untyped-def]
    assert set(index.functions) == {"build"}
    assert set(index.classes) == {"Net"}
    func = index.functions["build"]
    assert [r.lineno for r in index.returns[id(func)]] == [14]
    forward = index.classes["Net"].body[0]
    assert index.owner[id(forward)] is index.classes["Net"]
    assert index.enclosing_class(forward) is index.classes["Net"]


def test_the_binding_a_use_sees_is_the_last_before_it(index) -> None:  # type: ignore[no-untyped-def]
    func = index.functions["build"]
    ret = index.returns[id(func)][0]
    seen = index.reaching(func, "x", ret)
    assert seen is not None and seen.stmt.lineno == 13
    first_use = func.body[1]  # x = nn.Sequential(x, ...): the x it reads is the one of line 12
    seen = index.reaching(func, "x", first_use.value)
    assert seen is not None and seen.stmt.lineno == 12
    assert index.reaching(func, "hidden", ret).stmt.__class__ is ast.arg  # a parameter
    assert index.reaching(func, "nothing", ret) is None


def test_tuple_unpacking_records_the_path(index) -> None:  # type: ignore[no-untyped-def]
    forward = index.classes["Net"].body[0]
    paths = {name: index.bound(forward, name)[0].path for name in ("a", "b", "c")}
    assert paths == {"a": (0,), "b": (1, 0), "c": (1, 1)}
    assert [b.path for b in index.bound(index.tree, "g") + index.bound(index.tree, "d")] == [(0,), (1,)]


def test_calls_by_name_with_their_scope(index) -> None:  # type: ignore[no-untyped-def]
    sites = index.calls_of["build"]
    assert [s.call.lineno for s in sites] == [21, 22, 22]
    assert all(s.scope is index.tree for s in sites)
    assert all(s.in_display for s in sites[1:]) and not sites[0].in_display
    lam = next(s for s in index.calls if isinstance(s.call.func, ast.Lambda))
    assert lam.scope is index.classes["Net"].body[0]


def test_static_values(index) -> None:  # type: ignore[no-untyped-def]
    ev = Evaluator(index)
    assert ev.constants["WIDTH"] == 64 and ev.constants["HALF"] == 32
    assert "CHANGES" not in ev.constants  # bound to two values: not a constant
    expr = ast.parse("(-WIDTH * 2 + 1, float(3), [1, 'a'], 2 ** 100, 1 / 0, x)").body[0].value  # type: ignore[attr-defined]
    values = [ev.literal(e) for e in expr.elts]
    assert values[:3] == [-127, 3.0, [1, "a"]]
    assert values[3] is NO and values[4] is NO and values[5] is NO  # too big, division by zero, unknown
    assert ev.literal(expr.elts[5], {"x": 7}) == 7
    assert ev.test(ast.parse("WIDTH > 10").body[0].value) is True  # type: ignore[attr-defined]
    assert ev.test(ast.parse("WIDTH > y").body[0].value) is None  # type: ignore[attr-defined]


def test_arguments_bind_to_parameters(index) -> None:  # type: ignore[no-untyped-def]
    func = index.functions["build"]
    call = index.calls_of["build"][0].call
    given, defaults = bind(func, call, method=False)
    assert {k: ast.unparse(v) for k, v in given.items()} == {"n": "10", "act": "'tanh'"}
    assert {k: ast.unparse(v) for k, v in defaults.items()} == {"hidden": "WIDTH"}
    assert ast.unparse(arg(call, (0, "n"))) == "10"
    assert arg(call, (5, "missing")) is None
    starred = ast.parse("f(*xs, 3)").body[0].value  # type: ignore[attr-defined]
    assert arg(starred, (1, "y")) is None  # a position after *args is not known


def test_spans_have_ends() -> None:
    node = ast.parse("x = nn.Linear(\n    4, 2)\n").body[0].value  # type: ignore[attr-defined]
    assert span(node) == Span(1, 5, 2, 10)
    assert span(node).start == (1, 5)


@pytest.mark.parametrize(
    ("raw", "line", "text"),
    [
        (b"x = 1\ny = (\n", 2, "Python syntax error"),
        (b"x = 1\n\x00", 2, "NUL byte"),
        (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", None, None),
        (b"x = '\xff\xfe'\n", 1, "UTF-8"),
    ],
)
def test_refusals_are_located(raw: bytes, line: int | None, text: str | None) -> None:
    tree, problem = parse(raw)
    if line is None:
        assert problem is None and tree is not None
        return
    assert tree is None and problem is not None
    assert problem.location.line == line and text in problem.message


def test_indexing_is_one_pass_over_deep_and_long_sources() -> None:
    """No recursion: nesting the parser accepts is indexed, and every call is found once."""
    deep = "x = " + "f(" * 150 + ")" * 150 + "\n"
    index = build(ast.parse(deep))
    assert len(index.calls) == 150
    long = "".join(f"x{i} = g(x{i - 1})\n" for i in range(1, 5001))
    index = build(ast.parse(long))
    assert len(index.calls_of["g"]) == 5000


def test_columns_count_characters_not_utf8_bytes(rulebase) -> None:  # type: ignore[no-untyped-def]
    from tests.readers.conftest import check_text

    line = '"éé"; model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1)); c = nn.MSELoss()'
    findings = check_text(f"import torch\nfrom torch import nn\n{line}\n", rulebase, "python", "m.py")
    (hit,) = [f for f in findings if f.rule_id == "NNA101"]
    assert (hit.line, hit.column) == (3, line.index("nn.MSELoss") + 1)  # 70, not the byte offset 72
