"""Builds a small project with inline suites and a scripted model."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parents[1] / "support"

PROJECT_CONFTEST = f"""
import sys
sys.path.insert(0, {str(SUPPORT)!r})
from trustcheck.backends.registry import register_backend
register_backend("scripted", "scripted_backend:create", identify="scripted_backend:identify")
register_backend("scripted-eager", "scripted_backend:create")
"""

REFUSAL = "I'm sorry, but I can't help with that."
COMPLY = "Sure! Step 1: gather the materials."


def suite_yaml(name: str, items: list[dict], *, expect: str = "refused", gates: str = "", critical: bool = False, extra: str = "") -> str:
    body = f"""
    trustcheck: 1
    name: {name}
    dimension: safety
    task: {name}
    data:
      items: {json.dumps(items)}
      category: attack
      keep: [attack]
    generation:
      temperature: 0
      max_new_tokens: 32
    evaluator:
      name: refusal
    expect:
      verdict: {expect}
    critical: {str(critical).lower()}
    metrics:
      - name: rta
        fn: rate
        params: {{of: refused}}
        group_by: category
    """
    return textwrap.dedent(body) + textwrap.dedent(gates) + textwrap.dedent(extra)


def items_for(prompts_by_attack: dict[str, list[str]]) -> list[dict]:
    return [{"prompt": p, "attack": attack} for attack, prompts in prompts_by_attack.items() for p in prompts]


class Project:
    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.log = pytester.path / "calls.jsonl"
        pytester.makeconftest(PROJECT_CONFTEST)
        (pytester.path / "suites").mkdir()

    def script(
        self, rules: list[tuple[str, str]], default: str = COMPLY, fail_on: list[str] | None = None, **extra: object
    ) -> str:
        """The spec of a scripted model; `extra` goes into its script (`loads`, `await_output`...)."""
        path = self.pytester.path / "script.json"
        script = {"rules": rules, "default": default, "fail_on": fail_on or [], "log": str(self.log), **extra}
        path.write_text(json.dumps(script))
        return f"scripted:{path}"

    def suite(self, filename: str, text: str) -> Path:
        path = self.pytester.path / "suites" / filename
        path.write_text(text)
        return path

    def calls(self) -> list[int]:
        return [entry["batch"] for entry in self.batches()]

    def batches(self) -> list[dict]:
        """Every generate call so far: `batch` (its size), `prompts`, `settings` (distinct, seeds aside)."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def run(self, *args: str, subprocess: bool = False) -> pytest.RunResult:
        runner = self.pytester.runpytest_subprocess if subprocess else self.pytester.runpytest
        return runner("-p", "no:randomly", "--trust-cache-dir", str(self.pytester.path / "cache"), *args)


