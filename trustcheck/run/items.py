"""The pytest nodes: a suite file, its categories, and one item per benchmark item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..backends.base import BackendError
from ..common.errors import DataError, SuiteError, TrustcheckError
from ..common.terminal_text import printable
from ..dataset.data_checks import configuration_problems, data_error_line
from ..dataset.selection import SelectedItem, all_items, sample_items, slug
from ..evaluators.base import UNSCORED, Verdict
from ..gates.profiles import run_profile
from ..suite.suite import Suite, suite_file_problems
from .runtime import get_runtime
from .units import Unit


class SuiteCollectError(Exception):
    """A suite or its data could not be loaded; shown as one collection-error line per problem."""

    def __init__(self, *lines: object) -> None:
        self.lines = [str(line) for line in lines]
        super().__init__("\n".join(self.lines))


class ItemMissed(AssertionError):
    """A critical item missed its assertion: a real failure."""


class SuiteFile(pytest.File):
    """A YAML suite: validated, its data read and sampled, items grouped by category."""

    suite: Suite

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        runtime = get_runtime(self.config)
        display = self.path.relative_to(self.config.rootpath).as_posix() if self.path.is_relative_to(self.config.rootpath) else str(self.path)
        spec, problems = self.inspect(display)
        if problems or spec is None:
            raise SuiteCollectError(*problems)
        self.suite = spec
        try:
            raw = list(spec.data.items) if spec.data.items is not None else runtime.data().load(spec.data.file)
            self._check_against(raw)
            selected = self._select(runtime, raw)
        except DataError as error:
            raise SuiteCollectError(data_error_line(self.suite, error)) from None
        except TrustcheckError as error:
            raise SuiteCollectError(str(error)) from None
        yield from self._nodes(selected)

    def inspect(self, display: str) -> tuple[Suite | None, list[SuiteError]]:
        """The suite this file declares and all its problems; property files override it
        (trustcheck.perturb.items)."""
        return suite_file_problems(self.path, display)

    def _check_against(self, raw: list[dict[str, Any]]) -> None:
        """Configuration that these items, or the run's gate profile, can never give data for."""
        problems = configuration_problems(self.suite, raw, run_profile(self.config))
        if problems:
            raise SuiteCollectError(*problems)

    def make_item(self, parent: pytest.Collector, selected: SelectedItem) -> pytest.Item:
        return TrustItem.from_parent(parent, name=selected.item_id, suite=self.suite, selected=selected)

    def _select(self, runtime, raw: list[dict[str, Any]]) -> list[SelectedItem]:
        suite = self.suite
        per_stratum = suite.sample.per_stratum if runtime.options.sample is not None and suite.sample.per_stratum else runtime.options.sample
        return sample_items(suite, all_items(suite, raw), per_stratum, runtime.options.seed)

    def _nodes(self, selected: list[SelectedItem]) -> Iterator[pytest.Item | pytest.Collector]:
        by_category: dict[str | None, list[SelectedItem]] = {}
        for item in selected:
            by_category.setdefault(item.category, []).append(item)
        for category, items in by_category.items():
            if category is None:
                yield from (self.make_item(self, i) for i in items)
            else:
                yield CategoryNode.from_parent(self, name=slug(category), suite=self.suite, items=items)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, SuiteCollectError):
            return "\n".join(printable(line) for line in excinfo.value.lines)
        return super().repr_failure(excinfo)


class CategoryNode(pytest.Collector):
    """A sub-category (attack, source, label): the middle part of `file::leetspeak::item-0042`."""

    def __init__(self, *, suite: Suite, items: list[SelectedItem], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self._items = items

    def collect(self) -> Iterator[pytest.Item]:
        for item in self._items:
            yield self.parent.make_item(self, item)


class RecordingItem(pytest.Item):
    """An item whose call report carries a trustcheck record and whose own errors read as one line."""

    record: dict[str, Any] | None = None

    @staticmethod
    def is_user_facing(excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
        raise NotImplementedError


class TrustItem(RecordingItem):
    """One benchmark item: its response is generated with its unit, then judged and recorded."""

    def __init__(self, *, suite: Suite, selected: SelectedItem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.selected = selected
        self.unit: Unit | None = None
        self.record = None
        self.add_marker(
            pytest.mark.trustcheck(dimension=suite.dimension, task=suite.task, category=selected.category, suite=suite.name)
        )
        if suite.critical:
            self.add_marker(pytest.mark.critical)

    def setup(self) -> None:
        runtime = get_runtime(self.config)
        if self.unit is None:
            self.unit = Unit([self])
        self.unit.ensure(runtime, self.nodeid)
        self._outcome = self.unit.result(self)

    def runtest(self) -> None:
        generation, verdict = self._outcome
        self.record = self._record(generation.text, verdict, generation.cached)
        self.user_properties.extend(
            [("trustcheck.verdict", verdict.label), ("trustcheck.score", verdict.score), ("trustcheck.reason", verdict.reason)]
        )
        if verdict.label == UNSCORED:
            pytest.skip(f"unscored: {printable(verdict.reason)}")
        if not self.record["passed"] and self.suite.critical:
            raise ItemMissed(self._miss_line(verdict))

    def _record(self, response: str | None, verdict: Verdict, cached: bool) -> dict[str, Any]:
        fields = {name: _builtin(self.selected.data.get(name)) for name in self.suite.data.keep}
        return {
            "nodeid": self.nodeid,
            "suite": self.suite.path,
            "suite_name": self.suite.name,
            "dimension": self.suite.dimension,
            "task": self.suite.task,
            "item": self.selected.item_id,
            "category": self.selected.category,
            "verdict": verdict.label,
            "passed": verdict.label in self.suite.expect,
            "critical": self.suite.critical,
            "score": None if verdict.score is None else float(verdict.score),
            "reason": verdict.reason,
            "extracted": verdict.extracted,
            "prompt": self.selected.prompt,
            "response": response,
            "fields": fields,
            "cached": cached,
        }

    def _miss_line(self, verdict: Verdict) -> str:
        expected = " or ".join(self.suite.expect)
        return f"expected verdict {expected}, got {verdict.label}: {verdict.reason}"  # made printable in repr_failure

    @staticmethod
    def is_user_facing(excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
        """Errors that read as one line: misses, backend failures, bad input. Bugs keep their traceback."""
        return isinstance(excinfo.value, (ItemMissed, BackendError, TrustcheckError))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:  # type: ignore[override]
        if self.is_user_facing(excinfo):
            return f"{type(excinfo.value).__name__}: {printable(str(excinfo.value))}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        # Line 0 of the suite file: the item comes from a dataset, and pytest requires a line
        # wherever it places a report at the item (a skip marker, for one).
        parts = (self.suite.name, self.selected.category, self.selected.item_id)
        return self.path, 0, "::".join(part for part in parts if part)


def _builtin(value: Any) -> Any:
    """Keep only what execnet can carry: JSON-like builtins."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_builtin(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _builtin(v) for k, v in value.items()}
    return str(value)
