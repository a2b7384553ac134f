"""The `project` fixture: a temporary project with inline suites and a scripted model."""

import pytest
from plugin_project import Project


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)
