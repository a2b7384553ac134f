"""A suite's configuration checked against its items: every field it names exists, every filter
selects something, every gate's group occurs.

Such a suite would otherwise run and silently yield no data (a gate without a value, a suite
missing from the results). Collection and `trustcheck validate` run the same checks.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from ..common.errors import DataError, SuiteError
from ..common.terminal_text import bounded_repr
from ..gates.gates import record_value
from ..suite.suite import DataSpec, GateSpec, MetricSpec, SampleSpec
from .selection import PAIR_GROUP, all_items, field_value, item_source, matches_where

# Names a metric's `where` can use that only exist once items are judged: not checkable here.
JUDGED_NAMES = ("verdict", "passed")
_SHOWN = 8  # values listed in a message before "..."
_SCANNED_FOR_NAMES = 500  # items whose field names feed "did you mean"


class CheckedSpec(Protocol):
    """What the checks read: plain suites and property suites both have it."""

    path: str
    name: str
    data: DataSpec
    sample: SampleSpec
    metrics: tuple[MetricSpec, ...]
    gates: tuple[GateSpec, ...]

    def metric(self, name: str) -> MetricSpec | None: ...


class GateSource(Protocol):
    """A gate profile: where it was read from, and the gates it sets for a suite (None: its own)."""

    source: str

    def __call__(self, suite: Any) -> Sequence[GateSpec] | None: ...


def _hint(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _listing(values: Iterable[str]) -> str:
    ordered = sorted(values)
    shown = ", ".join(ordered[:_SHOWN])
    return shown + (f", ... ({len(ordered) - _SHOWN} more)" if len(ordered) > _SHOWN else "")


def field_names(items: Sequence[Mapping[str, Any]]) -> set[str]:
    """The field paths items have: top-level keys, keys one level down, and `key.0` for lists."""
    names: set[str] = set()
    for item in items[:_SCANNED_FOR_NAMES]:
        for key, value in item.items():
            names.add(str(key))
            if isinstance(value, Mapping):
                names.update(f"{key}.{inner}" for inner in value)
            elif isinstance(value, list) and value:
                names.add(f"{key}.0")
    return names


def _has_field(items: Sequence[Mapping[str, Any]], path: str) -> bool:
    return any(field_value(item, path) is not None for item in items)


def _missing_field(spec: CheckedSpec, where: str, path: str, items: Sequence[Mapping[str, Any]]) -> SuiteError:
    names = field_names(items)
    return SuiteError(
        spec.path, where,
        f"a field the items of {item_source(spec)} have ({_listing(names) or 'none'}{_hint(path, names)})",
        bounded_repr(path),
    )


def _named_fields(spec: CheckedSpec) -> Iterator[tuple[str, str]]:
    """(JSON path, field path) of each dataset field the suite names."""
    data = spec.data
    yield "$.data.prompt", data.prompt
    if data.id:
        yield "$.data.id", data.id
    if data.category:
        yield "$.data.category", data.category
    for index, name in enumerate(data.keep):
        yield f"$.data.keep[{index}]", name
    for index, name in enumerate(spec.sample.strata or ()):
        if name != "category":
            yield f"$.sample.strata[{index}]", name
    if spec.sample.group_by and spec.sample.group_by != PAIR_GROUP:
        yield "$.sample.group_by", spec.sample.group_by


def _field_problems(spec: CheckedSpec, items: Sequence[Mapping[str, Any]]) -> Iterator[SuiteError]:
    for where, path in _named_fields(spec):
        # `keep` copies top-level fields only: `label.0` there is a field named "label.0".
        present = any(path in item for item in items) if where.startswith("$.data.keep") else _has_field(items, path)
        if not present:
            yield _missing_field(spec, where, path, items)


def _where_problems(spec: CheckedSpec, items: Sequence[Mapping[str, Any]]) -> Iterator[SuiteError]:
    where = spec.data.where
    if not where or not items:
        return
    selecting = True
    for path, wanted in where.items():
        values = [value for item in items if (value := field_value(item, path)) is not None]
        if not values:
            yield _missing_field(spec, f"$.data.where.{path}", path, items)
            selecting = False
        elif not any(matches_where(item, {path: wanted}) for item in items):
            yield _unmatched_value(spec, path, wanted, values)
            selecting = False
    if selecting and not any(matches_where(item, where) for item in items):
        yield SuiteError(spec.path, "$.data.where", f"conditions some item of {item_source(spec)} meets together", "no item meeting them all")


def _unmatched_value(spec: CheckedSpec, path: str, wanted: Any, values: Sequence[Any]) -> SuiteError:
    shown = {str(v) for v in values if isinstance(v, (str, int, float, bool))}
    if shown:
        hint = "" if isinstance(wanted, list) else _hint(str(wanted), shown)
        expected = f"a value some item of {item_source(spec)} has ({_listing(shown)}{hint})"
    else:
        expected = f"a value some item of {item_source(spec)} has (its values are lists or mappings: name a part, e.g. '{path}.0')"
    found = json.dumps(wanted, ensure_ascii=False, default=str)
    return SuiteError(spec.path, f"$.data.where.{path}", expected, found if len(found) <= 60 else found[:57] + "...")


def _as_record(spec: CheckedSpec, item: Mapping[str, Any]) -> dict[str, Any]:
    """What an item's record will carry that a metric can filter or group on before it is judged."""
    category = field_value(item, spec.data.category) if spec.data.category else None
    return {"category": None if category is None else str(category), "fields": {name: item.get(name) for name in spec.data.keep}}


def _knowable(where: Mapping[str, Any]) -> dict[str, Any]:
    return {path: wanted for path, wanted in where.items() if path.split(".", 1)[0] not in JUDGED_NAMES}


def _metric_records(spec: CheckedSpec, metric: MetricSpec, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The would-be records of the selected items that the metric's `where` keeps, as far as
    it can be known before judging."""
    conditions = _knowable(metric.where)
    records = [_as_record(spec, item) for item in items if matches_where(item, spec.data.where)]
    return [r for r in records if all(_record_matches(r, path, wanted) for path, wanted in conditions.items())]


def _metric_where_problems(spec: CheckedSpec, items: Sequence[Mapping[str, Any]]) -> Iterator[SuiteError]:
    for index, metric in enumerate(spec.metrics):
        if _knowable(metric.where) and not _metric_records(spec, metric, items):
            yield SuiteError(
                spec.path, f"$.metrics[{index}].where",
                f"conditions some selected item of {item_source(spec)} meets", "no item meeting them",
            )


def metric_groups(spec: CheckedSpec, metric: MetricSpec, items: Sequence[Mapping[str, Any]]) -> set[str] | None:
    """The groups `metric` can have over these items; None when only judging decides them."""
    if metric.group_by is None or metric.group_by.split(".", 1)[0] in JUDGED_NAMES:
        return None
    return {str(record_value(r, metric.group_by)) for r in _metric_records(spec, metric, items)}


def _record_matches(record: Mapping[str, Any], path: str, wanted: Any) -> bool:
    value = record_value(record, path)
    return value in wanted if isinstance(wanted, list) else value == wanted


def gate_group_problems(
    spec: CheckedSpec, gates: Sequence[GateSpec], items: Sequence[Mapping[str, Any]], file: str, where: str
) -> Iterator[SuiteError]:
    """A gate on `metric[group]` whose group no item can have: it could never get a value.

    `file` and `where` (a JSON path prefix) locate the gates: the suite's own or a profile's.
    """
    groups_of: dict[str, set[str] | None] = {}
    for index, gate in enumerate(gates):
        base, bracket, rest = gate.metric.partition("[")
        metric = spec.metric(gate.metric)
        if not bracket or metric is None or metric.group_by is None:
            continue
        if metric.name not in groups_of:
            groups_of[metric.name] = metric_groups(spec, metric, items)
        groups = groups_of[metric.name]
        group = rest.removesuffix("]")
        if groups is not None and group not in groups:
            yield SuiteError(
                file, f"{where}[{index}].metric",
                f"a group of {base!r} that occurs in {item_source(spec)} ({_listing(groups) or 'none'}{_hint(group, groups)})",
                bounded_repr(gate.metric),
            )


def data_problems(spec: CheckedSpec, items: Sequence[Mapping[str, Any]]) -> list[SuiteError]:
    """Every way the suite's configuration cannot yield data from these items."""
    if not items:
        return [SuiteError(spec.path, "$.data", f"items to test in {item_source(spec)}", "an empty list")]
    return [
        *_field_problems(spec, items),
        *_where_problems(spec, items),
        *_metric_where_problems(spec, items),
        *gate_group_problems(spec, spec.gates, items, spec.path, "$.gates"),
    ]


def profile_problems(spec: CheckedSpec, gates: Sequence[GateSpec] | None, source: str, items: Sequence[Mapping[str, Any]]) -> list[SuiteError]:
    """A gate profile's gates for this suite, checked against its items as the suite's own are."""
    if not gates:
        return []
    return list(gate_group_problems(spec, gates, items, source, f"$.suites.{spec.name}"))


def configuration_problems(spec: CheckedSpec, items: Sequence[Mapping[str, Any]], profile: GateSource | None = None) -> list[SuiteError]:
    """The suite's configuration, and the gate profile's gates for it, against these items."""
    problems = data_problems(spec, items)
    if profile is not None:
        problems += profile_problems(spec, profile(spec), profile.source, items)
    return problems


def problems_with_items(spec: CheckedSpec, items: Sequence[Mapping[str, Any]], profile: GateSource | None = None) -> list[str]:
    """What collection would report for these items: configuration problems, else bad items."""
    problems = configuration_problems(spec, items, profile)
    if problems:
        return [str(p) for p in problems]
    try:
        all_items(spec, items)  # type: ignore[arg-type]
    except DataError as error:
        return [data_error_line(spec, error)]
    return []


def data_error_line(spec: CheckedSpec, error: DataError) -> str:
    """Data errors name the suite and its `$.data` path too, not only the dataset file."""
    if spec.data.items is not None:
        return str(error)  # already "suite: $.data.items[i]: ..."
    if error.index is None:
        return f"{spec.path}: $.data.file: expected a readable dataset file, found {error}"
    return f"{spec.path}: $.data.file: {error}"
