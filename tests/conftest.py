"""Shared test options: slow real-model tests run with --run-slow (CI does)."""

import pytest

pytest_plugins = ["pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (real models, servers)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or config.getoption("-m"):
        return
    skip = pytest.mark.skip(reason="slow: runs a real model; use --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
