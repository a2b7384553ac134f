"""User-facing errors: each renders as one line naming the file and what went wrong."""

from __future__ import annotations


class TrustcheckError(Exception):
    """Base of errors caused by user input; shown as one line, never a traceback."""


class SuiteError(TrustcheckError):
    """A suite file is malformed: names the file, the JSON path, what was expected and found."""

    def __init__(self, path: str, json_path: str, expected: str, found: str = "") -> None:
        self.path = path
        self.json_path = json_path
        self.expected = expected
        self.found = found
        found_part = f", found {found}" if found else ""
        super().__init__(f"{path}: {json_path}: expected {expected}{found_part}")


class DataError(TrustcheckError):
    """A dataset file is missing or malformed: names the file and, where known, the item index."""

    def __init__(self, source: str, message: str, index: int | None = None) -> None:
        self.source = source
        self.index = index
        where = f"[{index}]" if index is not None else ""
        super().__init__(f"{source}{where}: {message}")


class ConfigError(TrustcheckError):
    """A command-line option or ini value is invalid."""
