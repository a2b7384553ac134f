"""The standalone report in a real headless browser: summary and picture visible, hostile text inert."""

from __future__ import annotations

import numpy as np
from browser import DomSummary, dump_dom, needs_chromium, screenshot
from matplotlib.image import imread
from results_factory import HOSTILE, mixed_results

from trustcheck.report.standalone_report import write_report

pytestmark = needs_chromium


def test_standalone_report_in_chromium(tmp_path):
    page = tmp_path / "report.html"
    write_report(mixed_results(), page, evidence="all", title="release check")
    dom = DomSummary(dump_dom(page, tmp_path))
    assert dom.title == "release check"  # the hostile script would have renamed it
    assert dom.has_id("tc-gates") and dom.has_id("tc-chart") and dom.has_id("tc-verdict")
    chart = dom.elements("img", id="tc-chart")[0]
    assert chart["src"].startswith("data:image/png;base64,")
    assert "FAIL: 1 of 3 gates fail (jailbreak rta)." in dom.text
    assert HOSTILE in dom.text  # shown as text ...
    assert dom.elements("img", src="x") == [] and not any(  # ... and never became markup
        a.get("onerror") for _, a in dom.tags)
    assert [t for t, _ in dom.tags].count("script") == 0

    shot = imread(screenshot(page, tmp_path))[..., :3]
    assert shot.shape[:2] == (2000, 1280)
    # the verdict banner (light red) and the chart's red failing bar are on screen
    banner = np.all(np.abs(shot - np.array([0xFF, 0xEB, 0xEE]) / 255) < 0.02, axis=-1).mean()
    red_bar = np.all(np.abs(shot - (0.85 * np.array([0xC6, 0x28, 0x28]) / 255 + 0.15)) < 0.06, axis=-1).mean()
    assert banner > 0.005 and red_bar > 0.0005
