"""The `project` fixture: a temporary project with inline suites and a scripted model."""

import pytest
from plugin_project import Project

from trustcheck.metrics.registry import load_builtin_metrics

# pytester runs reload modules imported during a run; numpy-backed metric modules must be
# imported once, before the first run, or numpy refuses to load a second time.
load_builtin_metrics()


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)
