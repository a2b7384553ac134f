"""Which YAML files are suites, decided from the file's name and first bytes, cheaply."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..common.errors import SuiteError
    from ..perturb.spec import PropertySpec
    from .suite import Suite

_HEAD_BYTES = 8192
_KIND_LINE = re.compile(rb"^kind:\s*['\"]?property['\"]?\s*(#.*)?$", re.MULTILINE)


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEAD_BYTES)
    except OSError:
        return b""


def looks_like_suite(path: Path) -> bool:
    """A YAML file under a `suites` folder, or one whose top level starts a trustcheck document."""
    if path.suffix not in (".yaml", ".yml") or path.name.startswith("_"):
        return False
    if "suites" in path.parts:
        return True
    head = _head(path)
    return head.startswith(b"trustcheck:") or b"\ntrustcheck:" in head


def looks_like_property_file(path: Path) -> bool:
    """A suite with a top-level `kind: property` line: a metamorphic property, not a task."""
    return bool(_KIND_LINE.search(_head(path)))


def load_any_suite(path: Path, display: str | None = None) -> Suite | PropertySpec:
    """A plain suite or, when the file says `kind: property`, a property suite."""
    if looks_like_property_file(path):
        # Imported on demand: property suites need hypothesis, plain suites do not.
        from ..perturb.spec import load_property

        return load_property(path, display)
    from .suite import load_suite

    return load_suite(path, display)


def any_suite_problems(path: Path, display: str) -> tuple[Suite | PropertySpec | None, list[SuiteError]]:
    """`load_any_suite` without raising: the suite (None when its problems leave none) and every problem."""
    if looks_like_property_file(path):
        from ..perturb.spec import property_file_problems

        return property_file_problems(path, display)
    from .suite import suite_file_problems

    return suite_file_problems(path, display)
