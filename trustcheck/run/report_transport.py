"""Test reports of benchmark items cross from pytest-xdist workers to the controller as one JSON string.

xdist sends every setup, call and teardown report through execnet, whose serializer walks each
nested object in Python: about 50,000 reports at full size. The standard library's JSON codec
does that work in C, so a benchmark item's report is packed into a single string on the worker
and unpacked on the controller, through pytest's own serialization hooks: about 4% of a cached
full run with `-n 2`. Reports of other tests, and any report JSON cannot carry exactly, go
xdist's way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..gates.aggregate import is_suite_node

PACKED_TYPE = "trustcheck.PackedReport"


def pack(data: dict[str, Any]) -> dict[str, Any] | None:
    """The packed form of pytest's serialized report, or None when JSON would change it."""
    try:
        # ASCII escapes carry any text through execnet's UTF-8, lone surrogates included.
        text = json.dumps(data, separators=(",", ":"), allow_nan=False, default=_refuse)
    except (TypeError, ValueError):
        return None
    return {"$report_type": PACKED_TYPE, "json": text}


def unpack(data: dict[str, Any]) -> dict[str, Any]:
    """pytest's serialized report again, with what xdist added beside the packed string."""
    report = json.loads(data["json"])
    report.update((key, value) for key, value in data.items() if key not in ("$report_type", "json"))
    # JSON has no tuples: give back the ones pytest's serialized report holds.
    for key in ("user_properties", "sections"):
        report[key] = [tuple(entry) for entry in report.get(key, [])]
    for key in ("location", "longrepr"):
        if isinstance(report.get(key), list):
            report[key] = tuple(report[key])
    return report


def _refuse(value: object) -> Any:
    raise TypeError(f"not JSON: {type(value).__name__}")


class ReportTransport:
    """Packs benchmark items' reports on xdist workers; unpacks them on the controller."""

    def __init__(self, packs: bool) -> None:
        self._packs = packs

    @pytest.hookimpl(wrapper=True)
    def pytest_report_to_serializable(self, report: pytest.TestReport):
        data = yield
        if self._packs and isinstance(report, pytest.TestReport) and data is not None and is_suite_node(report.nodeid):
            return pack(data) or data
        return data

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_from_serializable(self, config: pytest.Config, data: dict[str, Any]) -> Any:
        if data.get("$report_type") == PACKED_TYPE:
            return config.hook.pytest_report_from_serializable(config=config, data=unpack(data))
        return None
