"""docs/robustness-of-the-runner.md stays true: each row names a test that exists, and each
robustness test is named by a row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parents[1] / "docs" / "robustness-of-the-runner.md"
NAMED = re.compile(r"`(test_\w+\.py)::(test_\w+)`")


def _tests_here() -> set[tuple[str, str]]:
    found = set()
    for path in HERE.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= {(path.name, node.name) for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return found


def _rows() -> list[str]:
    return [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| ") and not line.startswith("| What")]


def test_every_row_names_an_existing_test():
    existing = _tests_here()
    for row in _rows():
        named = NAMED.findall(row)
        assert named, f"a row names no test: {row[:80]}"
        for test in named:
            assert test in existing, f"{'::'.join(test)} is named in {DOC.name} but does not exist"


def test_every_robustness_test_is_in_the_table():
    named = {test for row in _rows() for test in NAMED.findall(row)}
    assert _tests_here() - named == set()
