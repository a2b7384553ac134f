"""What the terminal says about a run beyond the gate table: the run's label and why items missed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..common.terminal_text import printable
from ..responses.models import short_name

REASON_WIDTH = 160


def run_label(given: str | None, model_spec: str) -> str:
    """`--trust-label`, else the model's short name; one printable line either way."""
    label = given.strip() if given and given.strip() else short_name(model_spec)
    return printable(" ".join(label.split()), 80)


def missed_summary_lines(records: Iterable[Mapping[str, Any]], limit: int) -> list[str]:
    """Up to `limit` missed items, each `nodeid: verdict: reason` on one line, then how many more."""
    missed = [record for record in records if record.get("outcome") == "missed"]
    if limit <= 0 or not missed:
        return []
    lines = [_line(record) for record in missed[:limit]]
    if len(missed) > limit:
        lines.append(f"... and {len(missed) - limit} more (--trust-missed-summary N lists more)")
    return lines


def _line(record: Mapping[str, Any]) -> str:
    reason = " ".join(str(record.get("reason") or "no reason given").split())
    return printable(f"{record.get('nodeid')}: {record.get('verdict')}: {reason}", REASON_WIDTH)
