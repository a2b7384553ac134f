"""Profile tests reuse the plugin tests' project builder (inline suites, scripted model)."""

import sys
from pathlib import Path

import pytest

from trustcheck.metrics.registry import load_builtin_metrics

# numpy and scipy (imported by the metrics) cannot be imported twice in one process, and
# pytester's in-process runs drop the modules they import: import them once here.
load_builtin_metrics()

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugin"))

from plugin_project import Project


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)
