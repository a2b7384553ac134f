"""Property suites as pytest nodes: a `kind: property` file and one item per prompt searched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..backends.base import BackendError
from ..common.errors import SuiteError, TrustcheckError
from ..dataset.selection import SelectedItem
from ..evaluators.base import UNSCORED
from ..run.items import RecordingItem, SuiteFile
from ..run.runtime import get_runtime
from .probe import SearchError
from .result import FlipResult
from .run import property_record, search, warm_originals
from .spec import PropertySpec, property_file_problems


class PropertyViolation(AssertionError):
    """A perturbation changed the verdict of a critical property; carries the shrunk evidence."""


class PreconditionFailed(AssertionError):
    """The original prompt's verdict was not the expected one, and the property says `fail`."""


class PropertyFile(SuiteFile):
    """A property suite file; its prompts are selected exactly as a suite's items are."""

    suite: PropertySpec  # type: ignore[assignment]

    def inspect(self, display: str) -> tuple[PropertySpec | None, list[SuiteError]]:  # type: ignore[override]
        return property_file_problems(self.path, display)

    def make_item(self, parent: pytest.Collector, selected: SelectedItem) -> pytest.Item:
        return PropertyItem.from_parent(parent, name=selected.item_id, suite=self.suite, selected=selected)


class PropertyItem(RecordingItem):
    """One prompt: search for the smallest perturbation that moves its verdict, then judge."""

    def __init__(self, *, suite: PropertySpec, selected: SelectedItem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.selected = selected
        self.record = None
        self.add_marker(
            pytest.mark.trustcheck(
                dimension=suite.dimension, task=suite.task, category=selected.category, suite=suite.name, kind="property"
            )
        )
        if suite.critical:
            self.add_marker(pytest.mark.critical)

    def setup(self) -> None:
        # The first item of a group (its parent node, one xdist scope) generates the original
        # prompts of every selected item of the group in one batch; searches then start cached.
        if getattr(self.parent, "_trustcheck_warmed", False):
            return
        self.parent._trustcheck_warmed = True  # type: ignore[union-attr]
        group = [item.selected for item in self.session.items if isinstance(item, PropertyItem) and item.parent is self.parent]
        warm_originals(get_runtime(self.config), self.suite, group or [self.selected])

    def runtest(self) -> None:
        result = search(get_runtime(self.config), self.suite, self.selected)
        self.record = property_record(self.nodeid, self.suite, self.selected, result)
        self.user_properties.append(("trustcheck.property", result.status))
        self._judge(result)

    def _judge(self, result: FlipResult) -> None:
        if result.status == "precondition_unmet":
            if result.original.verdict == UNSCORED or self.suite.precondition == "skip":
                pytest.skip(result.headline())
            raise PreconditionFailed(result.headline())
        if result.status == "flipped" and self.suite.critical:
            raise PropertyViolation(result.summary())

    @staticmethod
    def is_user_facing(excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
        """Errors shown without a traceback: violations, backend failures, bad input."""
        return isinstance(excinfo.value, (PropertyViolation, PreconditionFailed, BackendError, TrustcheckError, SearchError))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, (PropertyViolation, PreconditionFailed)):
            return str(excinfo.value)
        if self.is_user_facing(excinfo):
            return f"{type(excinfo.value).__name__}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        # Line 0 of the property file, as for benchmark items (see TrustItem.reportinfo).
        parts = [self.suite.name, self.selected.category, self.selected.item_id]
        return self.path, 0, "::".join(part for part in parts if part)
