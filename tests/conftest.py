"""Shared test options: slow real-model tests run with --run-slow (CI does)."""

import importlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support.requirements import missing

pytest_plugins = ["pytester"]

# An in-process pytester run unloads the modules it imported, and numpy refuses to load twice in
# one process: load it (and scipy, its biggest user here) before any run, whatever the test order.
importlib.import_module("numpy")
importlib.import_module("scipy.stats")

# Property tests must not fail because a busy machine ran an example slowly: no per-example
# deadline and no speed health checks, whatever a test's own settings leave unset.
settings.register_profile("trustcheck-tests", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("trustcheck-tests")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (real models, servers)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or config.getoption("-m"):
        return
    skip = pytest.mark.skip(reason="slow: runs a real model; use --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's headless chromium, for the report tests that render pages."""
    path = Path("/usr/bin/chromium")
    if not path.exists():
        missing("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    return path
