"""Draw a demonstration's loss curves and per-seed metric values to an image (matplotlib).

matplotlib is an optional extra (``pip install 'nnadvisor[plot]'``); it is imported only inside
:func:`plot`, and its absence raises :class:`PlotUnavailableError` with that hint.
"""

from __future__ import annotations

from pathlib import Path

from nnadvisor.demos.models import DemoResult

from .demo_text import mean_curve


class PlotUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def plot(result: DemoResult, path: str | Path) -> Path:
    """Write a figure for ``result`` to ``path`` (format from the suffix, e.g. ``.png``).

    Left: each main configuration's training loss per epoch, mean over seeds (thick) and every
    seed (thin); when the configurations train different losses each curve is divided by its
    first-epoch mean. Right: the metric per seed and configuration, the recommended one larger.
    Returns the path written.
    """
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise PlotUnavailableError(
            "plotting needs matplotlib, which is not installed: pip install 'nnadvisor[plot]'"
        ) from exc

    out = Path(path)
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(12, 4.5))
    try:
        relative = not result.curves_comparable
        for i, cfg in enumerate(result.configs):
            colour = f"C{i}"
            m = mean_curve(cfg.curve)
            # Different losses have different units: show each relative to its first epoch.
            scale = abs(m[0]) if relative and m and m[0] != 0.0 else 1.0
            m = [v / scale for v in m]
            for run in cfg.curve:
                ax_loss.plot(
                    range(1, len(run) + 1),
                    [v / scale for v in run],
                    color=colour,
                    alpha=0.25,
                    linewidth=0.8,
                )
            label = cfg.label + (" (recommended)" if cfg.recommended else "")
            ax_loss.plot(range(1, len(m) + 1), m, color=colour, linewidth=2.0, label=label)
            xs = [i + (k - (len(cfg.values) - 1) / 2) * 0.05 for k in range(len(cfg.values))]
            ax_metric.scatter(xs, cfg.values, color=colour, s=30 if cfg.recommended else 15)
        values = [v for line in ax_loss.get_lines() for v in line.get_ydata()]
        if values and min(values) > 0 and max(values) / min(values) > 100:
            ax_loss.set_yscale("log")
        metric_values = [v for c in result.configs for v in c.values]
        lo_m, hi_m = min(metric_values), max(metric_values)
        if lo_m > 0 and hi_m / lo_m > 100:
            ax_metric.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel(
            result.curve_label + (" / its epoch-1 value" if relative else ""), fontsize=8
        )
        ax_loss.legend(fontsize=8)
        ax_metric.set_xticks(range(len(result.configs)))
        ax_metric.set_xticklabels(
            [c.label for c in result.configs], rotation=20, ha="right", fontsize=8
        )
        direction = "higher is better" if result.metric.higher_is_better else "lower is better"
        ax_metric.set_ylabel(f"{result.metric.name} ({direction})")
        fig.suptitle(f"{result.scenario}: {result.verdict.summary}", fontsize=9, wrap=True)
        fig.tight_layout()
        fig.savefig(out, dpi=120)
    finally:
        plt.close(fig)
    return out
