"""Draw a demonstration's loss curves and per-seed metric values to an image (matplotlib).

matplotlib is an optional extra (``plot``; ``pip install matplotlib``); it is imported only inside
:func:`plot`, and its absence raises :class:`PlotUnavailableError` with that hint. A target that
cannot be written is found by :func:`check_target` before any demonstration runs; a failure while
writing (a full disk) raises :class:`PlotWriteError` saying so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nnadvisor.demos.models import DemoResult

from .demo_text import mean_curve

FORMATS = frozenset({"png", "pdf", "svg", "svgz", "jpg", "jpeg", "tif", "tiff", "webp", "eps", "ps"})
"""Image formats matplotlib's Agg backend writes, by file suffix."""


class PlotUnavailableError(RuntimeError):
    """The plot cannot be drawn: matplotlib is not installed, or the target cannot be written."""


class PlotWriteError(PlotUnavailableError):
    """Writing the image failed (the directory went away, the disk is full, ...)."""


def check_target(path: str) -> None:
    """Raise :class:`PlotUnavailableError` when ``path`` cannot take the plot: an unknown image
    suffix, a directory that does not exist or cannot be written, a directory in its place, or
    matplotlib missing. Called before the demonstration runs, so that a typo costs no training."""
    import importlib.util

    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise PlotUnavailableError(f"cannot tell the image format of {path!r}: end the name in .png, .svg or .pdf")
    parent = target.parent
    if not parent.exists():
        raise PlotUnavailableError(f"cannot write the plot to {path}: the directory {parent} does not exist")
    if not parent.is_dir():
        raise PlotUnavailableError(f"cannot write the plot to {path}: {parent} is not a directory")
    if target.is_dir():
        raise PlotUnavailableError(f"cannot write the plot to {path}: it is a directory")
    if not os.access(parent, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise PlotUnavailableError(f"cannot write the plot to {path}: permission denied")
    if importlib.util.find_spec("matplotlib") is None:
        raise PlotUnavailableError("plotting needs matplotlib, which is not installed: pip install matplotlib (nnadvisor's plot extra)")


@dataclass(frozen=True)
class Series:
    label: str
    recommended: bool
    mean: list[float]
    runs: list[list[float]]


@dataclass(frozen=True)
class Panel:
    """One loss plot: its title and curves, on a logarithmic scale when ``log``."""

    title: str
    series: list[Series]
    log: bool


def loss_panels(result: DemoResult) -> list[Panel]:
    """The loss plots of ``result``: one with every configuration when they train the same loss
    (``curves_comparable``), else one per configuration, each in its own loss's units (dividing
    by the first epoch would turn a loss that starts negative, softmax + nll, into one that falls
    from -1 to -4). Pure data, so it is tested without matplotlib."""
    series = [Series(c.label, c.recommended, mean_curve(c.curve), [list(r) for r in c.curve]) for c in result.configs]
    groups = [series] if result.curves_comparable else [[s] for s in series]
    panels = []
    for group in groups:
        values = [v for s in group for run in s.runs for v in run]
        log = bool(values) and min(values) > 0 and max(values) / min(values) > 100
        title = result.curve_label if result.curves_comparable else group[0].label + (" (recommended)" if group[0].recommended else "")
        panels.append(Panel(title, group, log))
    return panels


def plot(result: DemoResult, path: str | Path) -> Path:
    """Write a figure for ``result`` to ``path`` (format from the suffix, e.g. ``.png``).

    Left: the training loss per epoch, mean over seeds (thick) and every seed (thin), in one
    panel when every configuration trains the same loss, else one small panel per configuration
    (:func:`loss_panels`). Right: the metric per seed and configuration, the recommended one
    larger. Returns the path written.
    """
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise PlotUnavailableError(
            "plotting needs matplotlib, which is not installed: pip install matplotlib (nnadvisor's plot extra)"
        ) from exc

    out = Path(path)
    panels = loss_panels(result)
    colours = {c.label: f"C{i}" for i, c in enumerate(result.configs)}
    rows = len(panels)
    fig = plt.figure(figsize=(12, max(4.5, 2.2 * rows)))
    grid = fig.add_gridspec(rows, 2)
    try:
        for row, panel in enumerate(panels):
            ax = fig.add_subplot(grid[row, 0])
            for s in panel.series:
                colour = colours[s.label]
                for run in s.runs:
                    ax.plot(range(1, len(run) + 1), run, color=colour, alpha=0.25, linewidth=0.8)
                label = s.label + (" (recommended)" if s.recommended else "")
                ax.plot(range(1, len(s.mean) + 1), s.mean, color=colour, linewidth=2.0, label=label)
            if panel.log:
                ax.set_yscale("log")
            ax.set_title(panel.title, fontsize=8)
            if len(panels) == 1:
                ax.legend(fontsize=8)
            if row == rows - 1:
                ax.set_xlabel("epoch")
        if len(panels) > 1:
            fig.text(0.01, 0.5, f"{result.curve_label} (each in its own units)", rotation="vertical", va="center", fontsize=8)
        ax_metric = fig.add_subplot(grid[:, 1])
        for i, cfg in enumerate(result.configs):
            xs = [i + (k - (len(cfg.values) - 1) / 2) * 0.05 for k in range(len(cfg.values))]
            ax_metric.scatter(xs, cfg.values, color=colours[cfg.label], s=30 if cfg.recommended else 15)
        metric_values = [v for c in result.configs for v in c.values]
        lo_m, hi_m = min(metric_values), max(metric_values)
        if lo_m > 0 and hi_m / lo_m > 100:
            ax_metric.set_yscale("log")
        ax_metric.set_xticks(range(len(result.configs)))
        ax_metric.set_xticklabels([c.label for c in result.configs], rotation=20, ha="right", fontsize=8)
        direction = "higher is better" if result.metric.higher_is_better else "lower is better"
        ax_metric.set_ylabel(f"{result.metric.name} ({direction})")
        fig.suptitle(f"{result.scenario}: {result.verdict.summary}", fontsize=9, wrap=True)
        fig.tight_layout()
        try:
            fig.savefig(out, dpi=120)
        except OSError as exc:
            raise PlotWriteError(f"cannot write the plot to {out}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return out
