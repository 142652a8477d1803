"""The text renderer (tables, verdict, sparklines) and the optional plot."""

from __future__ import annotations

import sys

import pytest

from nnadvisor import demos
from nnadvisor.demos.models import DemoResult
from nnadvisor.render.demo_text import (
    SPARK,
    downsample,
    mean_curve,
    render_demo,
    render_list,
    sparkline,
)

from .conftest import make_result


def test_render_hand_made_result() -> None:
    r = make_result(
        {"softmax + crossentropy": [0.9, 0.95, 0.97], "softmax + mse": [0.2, 0.25, 0.1]},
        "softmax + crossentropy",
        curves={
            "softmax + crossentropy": [[2.0, 1.0, 0.5]] * 3,
            "softmax + mse": [[0.09, 0.089, 0.088]] * 3,
        },
    )
    text = render_demo(r, color=False)
    lines = text.splitlines()
    row = next(line for line in lines if line.startswith("  * softmax + crossentropy"))
    assert row.split()[-4:] == ["0.94", "0.9", "0.97", "3/3"]
    row = next(line for line in lines if line.strip().startswith("softmax + mse "))
    assert row.split()[-4:] == ["0.183", "0.1", "0.25", "0/3"]
    assert "verdict: softmax + crossentropy wins 3/3 seeds" in text
    curve_rows = [line for line in lines if "->" in line and any(ch in line for ch in SPARK)]
    assert len(curve_rows) == 2
    assert "█▃▁" in curve_rows[0]  # each curve on its own scale: 2 -> 1 -> 0.5
    assert "\x1b[" not in text
    coloured = render_demo(r, color=True)
    assert "\x1b[" in coloured


def test_render_not_supported_result() -> None:
    r = make_result({"rec": [0.1, 0.2, 0.3], "other": [0.5, 0.6, 0.7]}, "rec")
    text = render_demo(r, color=False)
    assert "verdict: claim NOT supported: rec wins only 0/3 seeds" in text


@pytest.mark.slow
@pytest.mark.parametrize("name", ["depth", "robust-regression", "labels"])
def test_render_real_results(name: str, full_results: dict[str, DemoResult]) -> None:
    r = full_results[name]
    text = render_demo(r, color=False)
    for c in r.configs:
        assert c.label in text
    for comp in r.comparisons:
        assert comp.title in text
    assert r.verdict.summary.split(":")[0] in text
    for note in r.notes:
        assert note.split()[0] in text
    assert any(ch in text for ch in SPARK[1:])


def test_render_list() -> None:
    text = render_list(demos.list_scenarios())
    for info in demos.list_scenarios():
        assert info.name in text
        assert ", ".join(info.rules) in text


def test_sparkline_helpers() -> None:
    assert sparkline([1.0, 2.0, 3.0]) == SPARK[0] + SPARK[4] + SPARK[-1]
    assert sparkline([5.0, 5.0]) == SPARK[0] * 2
    assert sparkline([]) == ""
    assert sparkline([1.0, 2.0], lo=0.0, hi=4.0) == SPARK[2] + SPARK[4]
    # log scale over a wide range: 1, 10, 100, 1000 are evenly spaced
    assert sparkline([1.0, 10.0, 100.0, 1000.0]) == "▁▃▆█"
    assert mean_curve([[1.0, 2.0, 3.0], [3.0]]) == [2.0, 2.0, 3.0]
    assert downsample(list(range(4))) == [0, 1, 2, 3]
    assert len(downsample([float(i) for i in range(100)], 10)) == 10


def test_plot_without_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from nnadvisor.render import demo_plot

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    r = make_result({"a": [1.0], "b": [0.0]}, "a")
    with pytest.raises(demo_plot.PlotUnavailableError, match="pip install"):
        demo_plot.plot(r, "out.png")
