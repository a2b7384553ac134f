"""The overview picture: six panels, verdict colours, robust to missing data."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread
from results_factory import mixed_results

from trustcheck.report.chart import DIMENSIONS, VERDICT_COLOURS, gate_bars, render_chart


def _pixels(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(io.BytesIO(png), format="png")[..., :3]


def _share_near(image: np.ndarray, hex_colour: str, alpha: float = 0.85, tolerance: float = 0.06) -> float:
    rgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    blended = alpha * rgb + (1 - alpha)  # bars are drawn with alpha over white
    return float(np.mean(np.all(np.abs(image - blended) < tolerance, axis=-1)))


def test_gates_are_grouped_by_dimension_in_fixed_order():
    bars = gate_bars(mixed_results()["suites"])
    assert list(bars)[:6] == list(DIMENSIONS)
    assert [b.label for b in bars["safety"]] == ["jailbreak\nrta", "misuse\nrta"]
    assert [b.verdict for b in bars["safety"]] == ["fail", "pass"]
    assert bars["truthfulness"] == []


def test_failing_gate_is_drawn_red_and_passing_green():
    image = _pixels(render_chart(mixed_results()["suites"]))
    assert _share_near(image, VERDICT_COLOURS["fail"]) > 0.002
    assert _share_near(image, VERDICT_COLOURS["pass"]) > 0.002


def test_all_passing_run_has_no_red():
    results = mixed_results()
    results["suites"] = results["suites"][1:]
    image = _pixels(render_chart(results["suites"]))
    assert _share_near(image, VERDICT_COLOURS["fail"]) == 0.0


def test_no_suites_and_missing_values_still_render():
    assert _pixels(render_chart([])).shape[2] == 3
    results = mixed_results()
    gate = results["suites"][0]["gates"][0]
    gate.update(value=None, low=None, high=None, verdict="no-data")
    results["suites"][1]["gates"][0].update(low=None, high=None)
    results["suites"].append({**results["suites"][2], "dimension": "ethics", "gates": [
        {"metric": "pearson", "op": ">=", "threshold": 0.3, "value": -0.4, "low": -0.7, "high": -0.1,
         "n": 30, "verdict": "fail", "partial": True}]})
    image = _pixels(render_chart(results["suites"]))
    assert _share_near(image, VERDICT_COLOURS["fail"]) > 0.0005


def test_picture_grows_with_the_number_of_gates():
    results = mixed_results()
    small = _pixels(render_chart(results["suites"])).shape[0]
    many = dict(results["suites"][0], gates=results["suites"][0]["gates"] * 12)
    large = _pixels(render_chart([many])).shape[0]
    assert large > small


def test_failing_gate_at_zero_is_still_marked_red():
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from trustcheck.report.chart import _draw_panel

    results = mixed_results()
    suite = results["suites"][0]
    suite["gates"] = [dict(suite["gates"][0], value=0.0, low=0.0, high=0.08, verdict="fail")]
    ax = Figure().add_subplot()
    _draw_panel(ax, "safety", gate_bars([suite])["safety"])
    markers = [line for line in ax.lines if line.get_marker() == "D"]
    assert [(list(m.get_xdata()), to_hex(m.get_color())) for m in markers] == [([0.0], VERDICT_COLOURS["fail"])]
    assert ax.get_xlim()[0] < 0  # the marker at zero is not cut in half by the axis
    assert to_hex(ax.get_yticklabels()[0].get_color()) == "#b71c1c"
