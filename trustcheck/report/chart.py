"""The overview picture: the six TrustLLM dimensions, each gated metric against its threshold.

One horizontal bar chart per dimension; a bar is a gate's metric value, the whisker its 95%
interval, the black tick its threshold, the colour its verdict. Dimensions without gates in the
run get an empty panel that says so, so a reader sees what was not tested.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DIMENSIONS = ("truthfulness", "safety", "fairness", "robustness", "privacy", "ethics")
VERDICT_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "no-data": "#9e9e9e"}
_TEXT_COLOURS = {"pass": "#1b5e20", "fail": "#b71c1c", "no-data": "#424242"}
_LABEL_CHARS = 28


@dataclass(frozen=True)
class GateBar:
    label: str
    value: float | None
    low: float | None
    high: float | None
    threshold: float
    op: str
    verdict: str
    partial: bool


def gate_bars(suites: Sequence[Mapping[str, Any]]) -> dict[str, list[GateBar]]:
    """Group the gates of the results' suites by dimension, in the fixed dimension order."""
    by_dimension: dict[str, list[GateBar]] = {d: [] for d in DIMENSIONS}
    for suite in suites:
        bars = by_dimension.setdefault(str(suite.get("dimension", "other")), [])
        for gate in suite.get("gates", []):
            bars.append(
                GateBar(
                    label=f"{_short(str(suite.get('name', '?')))}\n{_short(str(gate['metric']))}",
                    value=gate.get("value"),
                    low=gate.get("low"),
                    high=gate.get("high"),
                    threshold=float(gate["threshold"]),
                    op=str(gate["op"]),
                    verdict=str(gate.get("verdict", "no-data")),
                    partial=bool(gate.get("partial")),
                )
            )
    return by_dimension


def _tick_label(bar: GateBar) -> str:
    value = "no data" if bar.value is None else f"{bar.value:.3g}"
    return f"{bar.label} = {value}" + (" (partial)" if bar.partial else "")


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def _axis_range(bars: Sequence[GateBar]) -> tuple[float, float]:
    """[0, 1] unless a value, interval end or threshold falls outside it (Pearson r, percentages)."""
    points = [0.0, 1.0]
    for bar in bars:
        points += [p for p in (bar.value, bar.low, bar.high, bar.threshold) if p is not None]
    low, high = min(points), max(points)
    pad = (high - low) * 0.04
    return low - pad, high + pad


def _panel_title(dimension: str, bars: Sequence[GateBar]) -> tuple[str, str]:
    if not bars:
        return f"{dimension.capitalize()}: not gated in this run", "#616161"
    passed = sum(1 for b in bars if b.verdict == "pass")
    failed = sum(1 for b in bars if b.verdict == "fail")
    colour = VERDICT_COLOURS["fail"] if failed else VERDICT_COLOURS["pass"] if passed == len(bars) else "#616161"
    return f"{dimension.capitalize()}: {passed}/{len(bars)} gates pass", colour


def _draw_panel(ax: Any, dimension: str, bars: Sequence[GateBar]) -> None:
    title, colour = _panel_title(dimension, bars)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold", color=colour)
    if not bars:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no gates", ha="center", va="center", color="#9e9e9e", transform=ax.transAxes)
        return
    rows = list(range(len(bars)))[::-1]
    ax.set_xlim(*_axis_range(bars))
    for row, bar in zip(rows, bars):
        _draw_bar(ax, row, bar)
    ax.set_yticks(rows)
    ax.set_yticklabels([_tick_label(b) for b in bars], fontsize=8)
    for label, bar in zip(ax.get_yticklabels(), bars):
        label.set_color(_TEXT_COLOURS.get(bar.verdict, _TEXT_COLOURS["no-data"]))
    ax.set_ylim(-0.6, len(bars) - 0.4)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def _draw_bar(ax: Any, row: int, bar: GateBar) -> None:
    colour = VERDICT_COLOURS.get(bar.verdict, VERDICT_COLOURS["no-data"])
    if bar.value is None:
        ax.barh(row, 1, height=0.6, color="none", edgecolor=VERDICT_COLOURS["no-data"], hatch="//",
                linewidth=0.8, transform=ax.get_yaxis_transform())
    else:
        ax.barh(row, bar.value, height=0.6, color=colour, alpha=0.85)
        # A value at zero draws no bar: the diamond keeps a failing zero visible.
        ax.plot([bar.value], [row], marker="D", markersize=5, color=colour, zorder=3)
        if bar.low is not None and bar.high is not None:
            ax.errorbar(bar.value, row, xerr=[[max(0.0, bar.value - bar.low)], [max(0.0, bar.high - bar.value)]],
                        fmt="none", ecolor="#424242", elinewidth=0.9, capsize=2.5)
    ax.plot([bar.threshold, bar.threshold], [row - 0.42, row + 0.42], color="#000000", linewidth=2.2)
    near_right = bar.threshold >= ax.get_xlim()[1] - 0.15 * (ax.get_xlim()[1] - ax.get_xlim()[0])
    ax.annotate(f"{bar.op} {bar.threshold:g}", (bar.threshold, row + 0.42), fontsize=6.5,
                xytext=(-3 if near_right else 3, 0), textcoords="offset points", va="bottom",
                ha="right" if near_right else "left")


def render_chart(suites: Sequence[Mapping[str, Any]], *, dpi: int = 96) -> bytes:
    """PNG bytes of the six-dimension overview for the results' `suites` list."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    by_dimension = gate_bars(suites)
    names = list(by_dimension)
    ncols = 2
    nrows = (len(names) + ncols - 1) // ncols
    heights = [max(0.9, 0.45 * max(len(by_dimension[n]) for n in names[r * ncols:(r + 1) * ncols]) + 0.7)
               for r in range(nrows)]
    figure = Figure(figsize=(11, sum(heights) + 0.9), dpi=dpi, layout="constrained")
    grid = figure.add_gridspec(nrows, ncols, height_ratios=heights)
    for index, name in enumerate(names):
        _draw_panel(figure.add_subplot(grid[index // ncols, index % ncols]), name, by_dimension[name])
    legend = [Patch(color=c, label=v) for v, c in VERDICT_COLOURS.items()]
    legend.append(Patch(color="#000000", label="threshold; whisker = 95% interval"))
    figure.legend(handles=legend, loc="outside upper center", ncol=4, fontsize=8, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
