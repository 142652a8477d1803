"""Plain-text rendering of demonstration results: tables, verdict lines, sparkline loss curves.

Pure functions of the result models (no NumPy, no rich): ``render_demo(result, color=...)`` and
``render_list(infos)``. Sparklines show each configuration's loss curve averaged over seeds;
when the curves are on one scale (the same loss in every configuration) they share a vertical
scale, unless that would flatten one of them (:func:`shared_scale`); otherwise each is scaled to
its own range. The first and last values are printed next to each. A logarithmic scale is used
when the values span more than two orders of magnitude.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection, Sequence

from nnadvisor.demos.models import (
    ConfigResult,
    DemoResult,
    MetricInfo,
    ScenarioInfo,
    fmt,
    mean,
    seed_winners,
)

from .style import Styler

SPARK = "▁▂▃▄▅▆▇█"
WIDTH = 88
MAX_POINTS = 30


def mean_curve(curves: Sequence[Sequence[float]]) -> list[float]:
    """Per-epoch mean over the seeds that reached that epoch (runs may stop early)."""
    length = max((len(c) for c in curves), default=0)
    out: list[float] = []
    for e in range(length):
        vals = [c[e] for c in curves if len(c) > e]
        out.append(math.fsum(vals) / len(vals))
    return out


def downsample(values: Sequence[float], points: int = MAX_POINTS) -> list[float]:
    """Bucket means, so long curves fit a line (first and last buckets keep the ends)."""
    n = len(values)
    if n <= points:
        return list(values)
    out = []
    for i in range(points):
        a, b = i * n // points, (i + 1) * n // points
        out.append(math.fsum(values[a:b]) / (b - a))
    return out


def _use_log(lo: float, hi: float) -> bool:
    return lo > 0.0 and hi / lo > 100.0


def sparkline(values: Sequence[float], lo: float | None = None, hi: float | None = None) -> str:
    """Unicode sparkline of ``values`` on the scale ``[lo, hi]`` (default: their own range)."""
    if not values:
        return ""
    lo = min(values) if lo is None else lo
    hi = max(values) if hi is None else hi
    if hi <= lo:
        return SPARK[0] * len(values)
    log = _use_log(lo, hi)
    a, b = (math.log(lo), math.log(hi)) if log else (lo, hi)
    top = len(SPARK) - 1
    chars = []
    for v in values:
        x = math.log(max(v, lo)) if log else v
        frac = (x - a) / (b - a)
        chars.append(SPARK[min(top, max(0, round(frac * top)))])
    return "".join(chars)


def _table(
    configs: Sequence[ConfigResult],
    metric: MetricInfo,
    s: Styler,
    indent: str = "  ",
    counts: Collection[str] = (),
) -> list[str]:
    n = len(configs[0].values)
    winners = seed_winners(configs, metric.higher_is_better)
    detail_keys: list[str] = []
    for c in configs:
        for k in c.details:
            if k not in detail_keys:
                detail_keys.append(k)
    head = ["config", "mean", "min", "max", "won"] + detail_keys
    rows: list[list[str]] = []
    for i, c in enumerate(configs):
        won = sum(1 for w in winners if w == i)
        row = [
            c.label,
            fmt(mean(c.values)),
            fmt(min(c.values)),
            fmt(max(c.values)),
            f"{won}/{n}",
        ]
        row += [_detail(c.details[k], k in counts) if k in c.details else "-" for k in detail_keys]
        rows.append(row)
    widths = [max(len(r[j]) for r in [head, *rows]) for j in range(len(head))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(widths[j + 1]) for j, cell in enumerate(cells[1:])]
        return "  ".join([first, *rest]).rstrip()

    out = [indent + "  " + s(line(head), "dim")]
    for c, row in zip(configs, rows):
        text = line(row)
        if c.recommended:
            out.append(indent + s("* " + text, "green"))
        else:
            out.append(indent + "  " + text)
    return out


def _detail(values: Sequence[float], count: bool) -> str:
    """A details cell: the mean over seeds, or for a yes/no flag how many seeds (2/5)."""
    return f"{round(sum(values))}/{len(values)}" if count else fmt(mean(values))


SQUEEZE = 0.25
"""A moving curve drawn on a shared scale must span at least this share of it."""


def shared_scale(curves: Sequence[Sequence[float]]) -> tuple[float, float] | None:
    """The range the curves share, or ``None`` when sharing it would flatten one of them: a
    curve that moves by itself (by more than 1% of its size) must span at least a quarter of the
    shared range (on the logarithmic scale, when that is used). One diverging run reaching 3e+17
    then no longer draws every other curve as a flat line."""
    values = [v for c in curves for v in c]
    if not values:
        return None
    lo, hi = min(values), max(values)
    if hi <= lo:
        return lo, hi
    log = _use_log(lo, hi)

    def at(v: float) -> float:
        return math.log(v) if log else v

    span = at(hi) - at(lo)
    for c in curves:
        if not c:
            continue
        a, b = min(c), max(c)
        if b - a <= 0.01 * max(abs(a), abs(b)):
            continue  # flat by itself: its level against the others is what the line shows
        if at(b) - at(a) < SQUEEZE * span:
            return None
    return lo, hi


def _curves(configs: Sequence[ConfigResult], comparable: bool, indent: str = "  ") -> list[str]:
    curves = {c.label: mean_curve(c.curve) for c in configs}
    scale = shared_scale(list(curves.values())) if comparable else None
    lo, hi = scale if scale is not None else (None, None)
    width = max(len(label) for label in curves)
    out = []
    for c in configs:
        cur = curves[c.label]
        if not cur:
            out.append(f"{indent}{c.label.ljust(width)}  (no completed epoch)")
            continue
        spark = sparkline(downsample(cur), lo, hi)
        line = f"{indent}{c.label.ljust(width)}  {spark}  {fmt(cur[0])} -> {fmt(cur[-1])}"
        short = sum(1 for run in c.curve if len(run) < len(cur))
        if short:
            line += f"  ({short} seed(s) stopped early: non-finite loss)"
        out.append(line)
    return out


def _scale_words(configs: Sequence[ConfigResult], comparable: bool) -> str:
    if not comparable:
        return "each on its own scale"
    if shared_scale([mean_curve(c.curve) for c in configs]) is None:
        return "each on its own scale: one curve's range would flatten the others"
    return "shared scale"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def render_demo(result: DemoResult, *, color: bool) -> str:
    """The full text report of one demonstration."""
    s = Styler(color)
    m = result.metric
    direction = "higher is better" if m.higher_is_better else "lower is better"
    seeds = ", ".join(str(x) for x in result.seeds)
    claim = _wrap(f"{result.scenario}: {result.claim}", "")
    lines = [s(result.scenario, "bold") + claim[0][len(result.scenario) :], *claim[1:]]
    lines += _wrap(
        f"rules: {', '.join(result.rules) or '-'} | metric: {m.name} ({direction}) | "
        f"seeds: {seeds}",
        "",
    )
    lines.append("")
    lines += _table(result.configs, m, s, counts=result.seed_counts)
    lines.append("")
    v = result.verdict
    style = ("green",) if v.supported else ("red", "bold")
    lines += [s(x, *style) for x in _wrap("verdict: " + v.summary, "")]
    lines.append("")
    lines.append(s(f"{result.curve_label}, mean over seeds ({_scale_words(result.configs, result.curves_comparable)}):", "dim"))
    lines += _curves(result.configs, result.curves_comparable)
    for comp in result.comparisons:
        lines.append("")
        lines.append(s(comp.title, "bold"))
        lines += _table(comp.configs, comp.metric, s, counts=result.seed_counts)
        lines += _wrap("-> " + comp.summary, "  ")
        if result.curves_comparable and _scale_words(comp.configs, True) != "shared scale":
            lines.append(s(f"  ({_scale_words(comp.configs, True)}):", "dim"))
        lines += _curves(comp.configs, result.curves_comparable)
    if result.notes:
        lines.append("")
        lines.append(s("notes:", "bold"))
        for note in result.notes:
            lines += _wrap("- " + note, "  ")
    lines.append("")
    lines.append(s(f"measured in {result.seconds:.2f} s", "dim"))
    return "\n".join(lines) + "\n"


def render_list(infos: Sequence[ScenarioInfo], *, color: bool = False) -> str:
    """One entry per scenario: the name, the rules it backs, the claim (wrapped)."""
    s = Styler(color)
    lines: list[str] = []
    for info in infos:
        lines.append(f"{s(info.name, 'bold')}  [{', '.join(info.rules)}]")
        lines += _wrap(info.claim, "    ")
    return "\n".join(lines) + "\n"
