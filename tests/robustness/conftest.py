"""Robustness tests reuse the plugin tests' project builder (inline suites, scripted model)."""

import sys
from pathlib import Path

import pytest

from trustcheck.metrics.registry import load_builtin_metrics
from trustcheck.report.chart import render_chart

# pytester's in-process runs drop the modules imported during a run. Import numpy and scipy
# (through the metrics) and all of matplotlib (by drawing one chart, as --html does) once
# here: numpy cannot be imported twice in one process, and a half re-imported matplotlib
# no longer recognises its own GridSpec.
load_builtin_metrics()
render_chart([])

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from plugin_project import Project  # noqa: E402


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)
