"""Regression gate: compare a run with a baseline run on the same items.

Items are paired by node id, falling back to (suite, item id). Each metric present in both
runs is recomputed on the paired items only, then tested:

* a rate (the metric is the mean of 0/1 per-item outcomes) gets the exact McNemar test;
* any other metric (macro-F1, Pearson r, averages...) gets a paired bootstrap with a fixed seed.

A metric regresses when it is worse in its direction and its Holm-adjusted p-value (over all
metrics compared) is below `level`. The metric definition (`fn`, `params`, `where`, `group_by`,
`group`) comes from the results file; without it the comparison falls back to the items'
pass/miss outcomes and says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..common.terminal_text import printable
from ..metrics.base import wilson_interval
from ..metrics.registry import UnknownMetricError, metric_function
from .gates import record_value
from .paired_tests import PairedTest, holm_adjust, mcnemar_exact, paired_bootstrap

CELL_LIMIT = 120

Record = Mapping[str, Any]
Pair = tuple[Record, Record]
Statistic = Callable[[Sequence[Record]], "float | None"]


@dataclass(frozen=True)
class MetricComparison:
    suite: str
    metric: str
    direction: str
    baseline: float | None
    current: float | None
    paired_n: int
    test: str
    delta: float | None
    p_value: float | None
    p_adjusted: float | None
    lost: int
    gained: int
    regressed: bool
    basis: str
    note: str = ""

    @property
    def status(self) -> str:
        if self.regressed:
            return "REGRESSED"
        if self.p_value is None:
            return "not tested"
        return "ok"


@dataclass(frozen=True)
class Comparison:
    level: float
    metrics: tuple[MetricComparison, ...]
    newly_missed: tuple[str, ...]
    paired_items: int
    only_in_baseline: int
    only_in_current: int
    warnings: tuple[str, ...] = ()

    @property
    def regressions(self) -> tuple[MetricComparison, ...]:
        return tuple(m for m in self.metrics if m.regressed)

    @property
    def failed(self) -> bool:
        return bool(self.regressions)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = self.failed
        return data


def pair_items(baseline: Sequence[Record], current: Sequence[Record]) -> tuple[list[Pair], int, int]:
    """(pairs, baseline items left unpaired, current items left unpaired)."""
    by_nodeid = {r["nodeid"]: r for r in baseline}
    by_suite_item = {(r["suite"], r["item"]): r for r in baseline}
    used: set[int] = set()
    pairs = []
    for record in current:
        match = by_nodeid.get(record["nodeid"]) or by_suite_item.get((record["suite"], record["item"]))
        if match is not None and id(match) not in used:
            used.add(id(match))
            pairs.append((match, record))
    return pairs, len(baseline) - len(pairs), len(current) - len(pairs)


def _selected(record: Record, definition: Mapping[str, Any], group: str | None) -> bool:
    for path, wanted in (definition.get("where") or {}).items():
        value = record_value(record, path)
        if (value not in wanted) if isinstance(wanted, list) else (value != wanted):
            return False
    group_by = definition.get("group_by")
    return not (group_by and group is not None) or str(record_value(record, group_by)) == group


def _group_from_name(metric: str) -> str | None:
    return metric[metric.index("[") + 1:-1] if metric.endswith("]") and "[" in metric else None


def _statistic(definition: Mapping[str, Any], mode: str) -> Statistic | None:
    if not definition.get("fn"):
        return None
    try:
        fn = metric_function(definition["fn"])
    except UnknownMetricError:
        return None
    params = dict(definition.get("params") or {})

    def statistic(records: Sequence[Record]) -> float | None:
        try:
            value = fn(list(records), mode=mode, **params).value
        except (ArithmeticError, ValueError, TypeError, KeyError):
            return None
        return None if value is None or math.isnan(value) else float(value)

    return statistic


def _as_rate(records: Sequence[Record], statistic: Statistic) -> list[int | None] | None:
    """Per-item 0/1 outcomes when the metric is their mean over the scored items, else None."""
    outcomes = [statistic([r]) for r in records]
    if any(o not in (0.0, 1.0, None) for o in outcomes):
        return None
    scored = [int(o) for o in outcomes if o is not None]
    whole = statistic(records)
    if not scored or whole is None or abs(sum(scored) / len(scored) - whole) > 1e-9:
        return None
    return [None if o is None else int(o) for o in outcomes]


PASS_MISS = "pass/miss"


def _is_rate_entry(entry: Mapping[str, Any]) -> bool:
    """Whether a stored metric looks like a proportion with its Wilson interval."""
    value, n, low, high = entry.get("value"), entry.get("n") or 0, entry.get("low"), entry.get("high")
    if value is None or low is None or high is None or n <= 0:
        return False
    successes = round(value * n)
    expected = wilson_interval(successes, n)
    return abs(successes / n - value) < 1e-9 and all(abs(a - b) < 1e-6 for a, b in zip(expected, (low, high)))


def _test_metric(pairs: Sequence[Pair], statistic: Statistic | None,
                 entries: Sequence[Mapping[str, Any]]) -> tuple[PairedTest, str]:
    if statistic is None:
        # No definition to recompute with: a rate is compared on the items' pass/miss outcome
        # (the same discordant items, whichever way the rate counts), anything else not at all.
        if not all(_is_rate_entry(e) for e in entries):
            return PairedTest("none", None, None, len(pairs), note="needs the metric definition"), PASS_MISS
        outcomes = [(int(bool(b.get("passed"))), int(bool(c.get("passed")))) for b, c in pairs]
        return mcnemar_exact(outcomes), PASS_MISS
    base = [b for b, _ in pairs]
    cur = [c for _, c in pairs]
    rates_b, rates_c = _as_rate(base, statistic), _as_rate(cur, statistic)
    if rates_b is not None and rates_c is not None:
        both = [(b, c) for b, c in zip(rates_b, rates_c) if b is not None and c is not None]
        return mcnemar_exact(both), "metric"
    return paired_bootstrap(base, cur, statistic), "metric"


def _pairs_for_metric(suite_pairs: Sequence[Pair], name: str, definition: Mapping[str, Any],
                      statistic: Statistic | None) -> list[Pair]:
    """The pairs a metric is computed over, selected on the current run's record."""
    if statistic is None:
        # Without a definition the only grouping known is the item category in "metric[group]".
        group = _group_from_name(name)
        return [p for p in suite_pairs if group is None or p[1].get("category") == group]
    group = (definition.get("group") or _group_from_name(name)) if definition.get("group_by") else None
    return [p for p in suite_pairs if _selected(p[1], definition, group)]


def _suite_key(suite: Mapping[str, Any]) -> str:
    return str(suite.get("suite") or suite.get("name"))


def _compare_suite(b_suite: Mapping[str, Any], c_suite: Mapping[str, Any], pairs: Sequence[Pair],
                   mode: str) -> list[dict[str, Any]]:
    rows = []
    suite_pairs = [p for p in pairs if p[1]["suite"] == c_suite["suite"]]
    for name, current in c_suite.get("metrics", {}).items():
        base = b_suite.get("metrics", {}).get(name)
        if base is None:
            continue
        definition = {**base, **current}
        statistic = _statistic(definition, mode)
        chosen = _pairs_for_metric(suite_pairs, name, definition, statistic)
        result, basis = _test_metric(chosen, statistic, (base, current))
        direction = current.get("direction", "higher")
        rows.append({"suite": c_suite["name"], "metric": name, "direction": direction,
                     # on pass/miss, fewer passes is worse whatever the metric's own direction
                     "worse_when": "higher" if basis == PASS_MISS else direction,
                     "baseline": base.get("value"), "current": current.get("value"), "result": result,
                     "basis": basis})
    return rows


def _is_worse(delta: float | None, direction: str) -> bool:
    return delta is not None and (delta < 0 if direction == "higher" else delta > 0)


def newly_missed(pairs: Sequence[Pair]) -> list[str]:
    return sorted(c["nodeid"] for b, c in pairs
                  if b.get("passed") and not c.get("passed") and c.get("outcome") in ("missed", "failed"))


def compare(baseline: Mapping[str, Any], current: Mapping[str, Any], level: float = 0.05) -> Comparison:
    """Compare `current` with `baseline` (both results dicts) on the items they share."""
    if not 0 < level < 1:
        raise ValueError(f"level: expected a number between 0 and 1, found {level!r}")
    pairs, only_b, only_c = pair_items(baseline.get("items", []), current.get("items", []))
    mode = str((current.get("settings") or {}).get("scoring", "toolkit"))
    b_suites = {_suite_key(s): s for s in baseline.get("suites", [])}
    rows = []
    for suite in current.get("suites", []):
        if _suite_key(suite) in b_suites:
            rows += _compare_suite(b_suites[_suite_key(suite)], suite, pairs, mode)
    adjusted = holm_adjust([r["result"].p_value for r in rows])
    metrics = []
    for row, p_adj in zip(rows, adjusted):
        result: PairedTest = row["result"]
        regressed = p_adj is not None and p_adj < level and _is_worse(result.delta, row["worse_when"])
        metrics.append(MetricComparison(
            suite=row["suite"], metric=row["metric"], direction=row["direction"], baseline=row["baseline"],
            current=row["current"], paired_n=result.n, test=result.test, delta=result.delta,
            p_value=result.p_value, p_adjusted=p_adj, lost=result.lost, gained=result.gained,
            regressed=regressed, basis=row["basis"], note=result.note))
    return Comparison(level, tuple(metrics), tuple(newly_missed(pairs)), len(pairs), only_b, only_c,
                      tuple(comparability_warnings(baseline, current)))


def comparability_warnings(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Settings that differ between the runs and make a difference in metrics ambiguous."""
    warnings = []
    defaults = {"system_prompt": "empty"}  # the condition of files written before it was recorded
    for section, key, what in (("settings", "scoring", "scoring mode"), ("dataset", "sha256", "dataset"),
                               ("settings", "profile", "gate profile"), ("settings", "system_prompt", "system prompt")):
        old, new = ((run.get(section) or {}).get(key, defaults.get(key)) for run in (baseline, current))
        if old != new:
            warnings.append(f"{what} differs: baseline {old!r}, current {new!r}")
    return warnings


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"


def comparison_rows(comparison: Comparison) -> list[list[str]]:
    """Table cells (header first): suite, metric, baseline, current, delta, n, test, p, verdict."""
    rows = [["suite", "metric", "baseline", "current", "delta", "paired n", "test", "p (Holm)", "verdict"]]
    for m in comparison.metrics:
        delta = "-" if m.delta is None else f"{m.delta:+.3f}"
        test = m.test + (f" {m.lost}->{m.gained}" if m.test == "mcnemar" else "")
        rows.append([m.suite, m.metric, _value(m.baseline), _value(m.current), delta, str(m.paired_n), test,
                     _p(m.p_adjusted), m.status + ("" if m.basis == "metric" else " (pass/miss)")])
    return rows


def _verdict_sentence(comparison: Comparison) -> str:
    regressions = comparison.regressions
    verdict = (f"REGRESSION: {len(regressions)} metric(s) significantly worse" if regressions
               else "no significant regression") + f" at level {comparison.level:g} (Holm-adjusted)"
    counts = (f"{comparison.paired_items} paired items, {comparison.only_in_baseline} only in baseline, "
              f"{comparison.only_in_current} only in current")
    return f"{verdict}; {counts}."


def format_comparison_markdown(comparison: Comparison, max_items: int = 20) -> str:
    """The comparison for a pull-request comment: a verdict line, a Markdown table, the newly missed."""
    from ..report.results_text import markdown_table

    icon = ":x:" if comparison.failed else ":white_check_mark:"
    rows = [[printable(cell, CELL_LIMIT) for cell in row] for row in comparison_rows(comparison)]
    lines = [f"{icon} **{_verdict_sentence(comparison)}**", "", *markdown_table(rows)]
    lines += [f"> warning: {printable(w)}" for w in comparison.warnings]
    missed = comparison.newly_missed
    if missed:
        lines += ["", f"<details><summary>Newly missed items ({len(missed)})</summary>", ""]
        lines += [f"- `{printable(nodeid, CELL_LIMIT)}`" for nodeid in missed[:max_items]]
        lines += [f"- ... and {len(missed) - max_items} more"] if len(missed) > max_items else []
        lines += ["", "</details>"]
    return "\n".join(lines)


def format_comparison_table(comparison: Comparison, max_items: int = 50) -> str:
    """The comparison as a plain-text table, a verdict line and the newly missed items.

    Suite names, metric names and node ids come from results files: they are printed with
    control characters escaped, so no file can move the cursor or recolour the terminal.
    """
    rows = [[printable(cell, CELL_LIMIT) for cell in row] for row in comparison_rows(comparison)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", _verdict_sentence(comparison)]
    lines += [f"warning: {printable(w)}" for w in comparison.warnings]
    if any(m.basis == PASS_MISS for m in comparison.metrics):
        lines.append("(pass/miss): the results carry no metric definition; rates are compared on the items'"
                     " pass/miss (delta = change in pass rate), other metrics are not tested.")
    missed = comparison.newly_missed
    lines.append(f"Newly missed items ({len(missed)}):" if missed else "Newly missed items: none")
    lines += [f"  {printable(nodeid)}" for nodeid in missed[:max_items]]
    if len(missed) > max_items:
        lines.append(f"  ... and {len(missed) - max_items} more")
    return "\n".join(lines)
