"""What a test needs from the machine: the TrustLLM data, a model package, a browser.

Where it is missing a test skips, naming what to install; with TRUSTCHECK_TESTS_REQUIRE=1 (CI sets
it) the same test fails instead, so a run that lacks an input can never pass by skipping.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

REQUIRE_ENV = "TRUSTCHECK_TESTS_REQUIRE"


def missing(reason: str) -> NoReturn:
    """Skip for `reason`, or fail when this run requires every input."""
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"required input missing ({REQUIRE_ENV} is set): {reason}", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, install: str) -> ModuleType:
    """Import `name`, or skip/fail naming what installs it."""
    if importlib.util.find_spec(name) is None:
        missing(f"needs the {name} module ({install})")
    return importlib.import_module(name)


def trustllm_data() -> Path:
    """The TrustLLM data, found the way trustcheck finds it: $TRUSTCHECK_DATA, else the user cache."""
    from trustcheck.dataset.data import resolve_location

    location = resolve_location(None, Path.cwd())
    if location is None or not location.exists():
        missing("no TrustLLM data: run `trustcheck data fetch` (scripts/install.sh does) or set TRUSTCHECK_DATA")
    return location
