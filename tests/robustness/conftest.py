"""Robustness tests reuse the plugin tests' project builder (inline suites, scripted model)."""

import sys
from pathlib import Path

import pytest

from trustcheck.metrics.registry import load_builtin_metrics

# Import numpy and scipy (through the metrics) once here: pytester's in-process runs drop the
# modules they import, and numpy's C extensions cannot be imported twice in one process.
load_builtin_metrics()

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from plugin_project import Project  # noqa: E402


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)
