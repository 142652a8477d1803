"""``demo`` output and ``--plot`` targets (issue 14, item 9): a plot path that cannot be written
fails before any training, a full disk is said as such, sparklines of curves on one scale do not
flatten each other, yes/no flags are counted in seeds, and the loss plots of different losses are
drawn in their own units."""

from __future__ import annotations

import errno
import importlib.machinery
import sys
import types
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from nnadvisor import demos
from nnadvisor.demos.models import ConfigResult, DemoResult, MetricInfo, make_verdict
from nnadvisor.render.demo_plot import loss_panels
from nnadvisor.render.demo_text import render_demo, shared_scale
from tests.conftest import CliRunner


def _no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str, *args: Any, **kwargs: Any) -> DemoResult:
        raise AssertionError(f"the demonstration {name} ran")

    monkeypatch.setattr(demos, "run", refuse)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/nonexistent/x.png", "cannot write the plot to /nonexistent/x.png: the directory /nonexistent does not exist"),
        ("{tmp}/curves.txt", "cannot tell the image format of"),
        ("{tmp}", "end the name in .png"),
        ("{tmp}/dir.png", "it is a directory"),
    ],
)
def test_a_plot_target_that_cannot_be_written_fails_before_the_demo(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    (tmp_path / "dir.png").mkdir()
    _no_training(monkeypatch)
    result = cli("demo", "logits", "--plot", target.format(tmp=tmp_path))
    assert result.code == 2
    assert message in result.err and "internal error" not in result.err
    assert result.out == ""


def _result(curves: dict[str, list[float]], *, comparable: bool, details: dict[str, dict[str, list[float]]] | None = None, counts: tuple[str, ...] = ()) -> DemoResult:
    metric = MetricInfo(name="test_accuracy", higher_is_better=True)
    labels = list(curves)
    configs = [
        ConfigResult(label=label, recommended=i == 0, values=[0.9 - 0.1 * i, 0.8 - 0.1 * i], curve=[curves[label], curves[label]], details=(details or {}).get(label, {}))
        for i, label in enumerate(labels)
    ]
    return DemoResult(
        scenario="hand-made", claim="a claim", metric=metric, seeds=[0, 1], configs=configs,
        verdict=make_verdict(metric, configs), seconds=0.0, curves_comparable=comparable, seed_counts=list(counts),
    )  # fmt: skip


def test_full_disk_while_plotting_is_said_as_such(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in matplotlib whose savefig fails as a full disk does (ENOSPC)."""
    pyplot = mock.MagicMock()
    pyplot.figure.return_value.savefig.side_effect = OSError(errno.ENOSPC, "No space left on device")
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.__spec__ = importlib.machinery.ModuleSpec("matplotlib", None)
    matplotlib.use = lambda backend: None  # type: ignore[attr-defined]
    matplotlib.pyplot = pyplot  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "matplotlib", matplotlib)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    monkeypatch.setattr(demos, "run", lambda name: _result({"a": [2.0, 1.0], "b": [2.0, 1.5]}, comparable=True))
    result = cli("demo", "logits", "--plot", str(tmp_path / "curves.png"))
    assert result.code == 2
    assert f"cannot write the plot to {tmp_path / 'curves.png'}: No space left on device" in result.err
    assert "internal error" not in result.err


def test_one_diverging_curve_does_not_flatten_the_others() -> None:
    diverging = {"momentum 0.9": [2.23, 1.2, 0.8, 0.435], "momentum 1.2": [6.96, 1e10, 1e15, 3.01e17]}
    assert shared_scale(list(diverging.values())) is None
    text = render_demo(_result(diverging, comparable=True), color=False)
    assert "each on its own scale: one curve's range would flatten the others" in text
    line = next(line for line in text.splitlines() if line.strip().startswith("momentum 0.9") and "->" in line)
    assert "█" in line and "▁" in line  # drawn over its own range, not a flat line
    similar = {"sgd": [2.65, 2.0, 1.59], "momentum": [2.23, 1.0, 0.435], "flat": [3.05, 3.05, 3.05]}
    assert shared_scale(list(similar.values())) == (0.435, 3.05)
    assert "(shared scale)" in render_demo(_result(similar, comparable=True), color=False)


def test_flags_are_counted_in_seeds_not_averaged() -> None:
    details = {"a": {"diverged": [0.0, 0.0], "steps": [256.0, 256.0]}, "b": {"diverged": [1.0, 0.0], "steps": [256.0, 100.0]}}
    text = render_demo(_result({"a": [2.0, 1.0], "b": [2.0, 1.5]}, comparable=True, details=details, counts=("diverged",)), color=False)
    row = next(line for line in text.splitlines() if line.strip().startswith("b ") and "/2" in line)
    assert row.split()[-2:] == ["1/2", "178"]
    with pytest.raises(ValueError, match="is not 0 or 1 per seed"):
        _result({"a": [1.0]}, comparable=True, details={"a": {"diverged": [0.5, 0.0]}}, counts=("diverged",))


def test_different_losses_are_plotted_in_their_own_units() -> None:
    # softmax + nll trains -p_y, from about -0.13 to -0.49: divided by its first epoch it would
    # read as falling from -1 to -4; in its own panel it keeps its values.
    result = _result({"linear + crossentropy": [2.21, 1.5, 1.07], "softmax + nll": [-0.129, -0.3, -0.488]}, comparable=False)
    panels = loss_panels(result)
    assert [p.title for p in panels] == ["linear + crossentropy (recommended)", "softmax + nll"]
    assert panels[1].series[0].mean == pytest.approx([-0.129, -0.3, -0.488]) and not panels[1].log
    shared = loss_panels(_result({"a": [2.0, 0.01], "b": [2.0, 1.0]}, comparable=True))
    assert len(shared) == 1 and len(shared[0].series) == 2 and shared[0].log
