"""`trustcheck init DIR`: copy the packaged suites into a project, to edit thresholds and run them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..common.errors import ConfigError

PYTEST_INI = """\
[pytest]
# trustcheck's options can be set here (each --trust-* option has an ini key of the same name).
testpaths = suites
trust_model = default
trust_cache_dir = .trustcheck
"""


def packaged_suites() -> list[tuple[str, str]]:
    """(dimension/file.yaml, text) for every suite shipped in the package."""
    root = resources.files("trustcheck.suites")
    found = []
    for dimension in sorted(root.iterdir(), key=lambda entry: entry.name):
        if dimension.is_dir() and not dimension.name.startswith(("_", ".")):
            for entry in sorted(dimension.iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".yaml"):
                    found.append((f"{dimension.name}/{entry.name}", entry.read_text(encoding="utf-8")))
    return found


def init_project(target: Path, dimensions: list[str] | None = None, force: bool = False) -> list[Path]:
    """Write DIR/suites/<dimension>/*.yaml (and DIR/pytest.ini if absent); returns the files written."""
    suites = [(name, text) for name, text in packaged_suites() if not dimensions or name.split("/")[0] in dimensions]
    if dimensions and not suites:
        known = sorted({name.split("/")[0] for name, _ in packaged_suites()})
        raise ConfigError(f"--dimension {', '.join(dimensions)}: no such dimension (known: {', '.join(known)})")
    planned = [(target / "suites" / name, text) for name, text in suites]
    clashes = [path for path, _ in planned if path.exists()]
    if clashes and not force:
        raise ConfigError(f"{clashes[0]}: already exists ({len(clashes)} suite files would be overwritten; use --force)")
    written = []
    try:
        for path, text in planned:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        ini = target / "pytest.ini"
        if not ini.exists():
            ini.write_text(PYTEST_INI, encoding="utf-8")
            written.append(ini)
    except OSError as error:
        raise ConfigError(f"{target}: cannot write ({error.strerror or error})") from None
    return written
