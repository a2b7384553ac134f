"""Benchmark items' reports cross from xdist workers as one JSON string and come back the same.

The same under real workers, with hostile responses: tests/robustness/test_hostile_output.py.
"""

from __future__ import annotations

import json
import math

import pytest

from trustcheck.run.report_transport import PACKED_TYPE, pack, unpack

RECORD = {"suite": "suites/a.yaml", "verdict": "refused", "score": 1.0, "response": "lone \ud800 surrogate, NUL \x00, ünïcode"}


def _report(**overrides) -> pytest.TestReport:
    fields = {
        "nodeid": "suites/a.yaml::cot::item-0001",
        "location": ("suites/a.yaml", None, "a::cot::item-0001"),
        "keywords": {"item-0001": 1, "trustcheck": 1},
        "outcome": "passed",
        "longrepr": None,
        "when": "call",
        "user_properties": [("trustcheck.verdict", "refused"), ("trustcheck", RECORD)],
        "sections": [("Captured stdout call", "printed\n")],
        "duration": 0.25,
        "start": 1.0,
        "stop": 1.25,
    }
    return pytest.TestReport(**{**fields, **overrides})


def _round_trip(config: pytest.Config, report: pytest.TestReport) -> pytest.TestReport:
    # pytest's own serialized form (this test may itself run on an xdist worker, which packs).
    packed = pack({**report._to_json(), "$report_type": "TestReport"})
    assert packed is not None and packed["$report_type"] == PACKED_TYPE
    packed["worker_id"] = "gw0"  # what xdist adds beside the packed report
    return config.hook.pytest_report_from_serializable(config=config, data=packed)


def test_a_call_report_comes_back_with_the_same_fields(pytestconfig):
    original = _report()
    back = _round_trip(pytestconfig, original)
    assert isinstance(back, pytest.TestReport)
    for name in ("nodeid", "location", "keywords", "outcome", "when", "user_properties", "sections", "duration", "longrepr"):
        assert getattr(back, name) == getattr(original, name), name
    assert back.user_properties[1][1]["response"] == RECORD["response"]
    assert back.worker_id == "gw0"


def test_a_skip_report_keeps_its_location_tuple(pytestconfig):
    skipped = _report(outcome="skipped", longrepr=("suites/a.yaml", 3, "Skipped: no data"), when="setup", user_properties=[])
    back = _round_trip(pytestconfig, skipped)
    assert back.longrepr == ("suites/a.yaml", 3, "Skipped: no data")
    assert back.skipped


def test_what_json_cannot_carry_exactly_is_left_to_xdist():
    assert pack({"score": math.nan}) is None
    assert pack({"value": object()}) is None
    assert pack({"score": 1.5}) == {"$report_type": PACKED_TYPE, "json": json.dumps({"score": 1.5}, separators=(",", ":"))}


def test_unpack_restores_what_xdist_added_beside_the_string():
    data = unpack({"$report_type": PACKED_TYPE, "json": '{"location": ["a", null, "b"]}', "item_index": 7})
    assert data == {"location": ("a", None, "b"), "item_index": 7, "user_properties": [], "sections": []}
