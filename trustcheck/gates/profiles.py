"""Gate profiles: thresholds per suite metric from a named profile or a user's YAML file.

A profile file is `suites: {<suite name>: [{metric, op, threshold, modes?}, ...]}`. A listed
suite's gates replace the suite's own; unlisted suites keep theirs. Without `--trust-profile`
every suite uses its own gates, which for the TrustLLM suites are the `paper-median` profile.

The file is read when the run starts, so a malformed one costs no model time. Whether its
suite and metric names exist can only be known once suites are collected: a suite name that
is missing from the run but close to one in it is a typo and fails the run
(`suite_name_problems`); a gate on a metric its suite does not produce fails in the gate
table (`gate_problem`). Suites the run does not include are ignored, so one profile serves
`pytest suites` and `pytest suites/safety` alike.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..common.errors import ConfigError
from ..common.safe_yaml import load_yaml
from ..common.terminal_text import bounded_repr
from ..metrics.registry import UnknownMetricError, metric_function
from ..suite.suite import GateSpec, Suite

GateOverride = Callable[[Suite], Sequence[GateSpec] | None]

OPS = (">=", ">", "<=", "<")
MODES = ("toolkit", "paper")
TOP_LEVEL_KEYS = ("suites", "description")
GATE_KEYS = ("metric", "op", "threshold", "modes")


def builtin_profiles() -> list[str]:
    folder = resources.files("trustcheck.gates.gate_profiles")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class GateProfile:
    """The gates a profile sets, by suite name; called with a suite, gives its gates or None."""

    source: str
    gates: Mapping[str, tuple[GateSpec, ...]]

    def __call__(self, suite: Suite) -> tuple[GateSpec, ...] | None:
        return self.gates.get(suite.name)

    def suite_name_problems(self, run_suites: Iterable[str]) -> list[str]:
        """One line per listed suite that is not in the run but looks like a typo of one that is."""
        present = set(run_suites)
        unclaimed = sorted(present - set(self.gates))
        problems = []
        for name in self.gates:
            if name in present:
                continue
            hint = did_you_mean(name, unclaimed)
            if hint:
                problems.append(f"{self.source}: $.suites.{name}: no suite of that name in this run{hint}")
        return problems


def _profile_text(name_or_path: str, base: Path) -> tuple[str, str]:
    path = Path(name_or_path).expanduser()
    if not path.is_absolute():
        path = base / path
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise ConfigError(f"--trust-profile {name_or_path}: no such file")
        try:
            return path.read_text(encoding="utf-8"), f"--trust-profile {name_or_path}"
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"--trust-profile {name_or_path}: unreadable ({error})") from None
    names = builtin_profiles()
    if name_or_path in names:
        resource = resources.files("trustcheck.gates.gate_profiles").joinpath(f"{name_or_path}.yaml")
        return resource.read_text(encoding="utf-8"), f"--trust-profile {name_or_path}"
    raise ConfigError(
        f"--trust-profile {name_or_path!r}: not a .yaml file or a built-in profile "
        f"({', '.join(names)}){did_you_mean(name_or_path, names)}"
    )


def _unknown_key(keys: Iterable[Any], allowed: Sequence[str], where: str) -> None:
    for key in keys:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {bounded_repr(key)}{did_you_mean(key if isinstance(key, str) else '', allowed)}; expected {', '.join(allowed)}")


def _gate(raw: Any, where: str) -> GateSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with metric, op and threshold, found {type(raw).__name__}")
    _unknown_key(raw, GATE_KEYS, where)
    missing = [key for key in ("metric", "op", "threshold") if key not in raw]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    if not isinstance(raw["metric"], str) or not raw["metric"]:
        raise ConfigError(f"{where}.metric: expected a metric name, found {bounded_repr(raw['metric'])}")
    if raw["op"] not in OPS:
        raise ConfigError(f"{where}.op: expected one of {', '.join(OPS)}, found {bounded_repr(raw['op'])}")
    threshold = raw["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
        raise ConfigError(f"{where}.threshold: expected a number, found {bounded_repr(threshold)}")
    return GateSpec(raw["metric"], raw["op"], float(threshold), _modes(raw.get("modes", list(MODES)), where))


def _modes(raw: Any, where: str) -> tuple[str, ...]:
    modes = raw if isinstance(raw, list) else [raw]
    for mode in modes:
        if mode not in MODES:
            raise ConfigError(f"{where}.modes: expected toolkit and/or paper, found {bounded_repr(mode)}{did_you_mean(mode if isinstance(mode, str) else '', MODES)}")
    if not modes:
        raise ConfigError(f"{where}.modes: expected toolkit and/or paper, found an empty list")
    return tuple(modes)


def parse_profile(text: str, source: str) -> GateProfile:
    try:
        document = load_yaml(text)  # bounded: aliases, duplicate keys, nesting
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML ({' '.join(str(error).split())})") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: expected a mapping with a 'suites' key")
    _unknown_key(document, TOP_LEVEL_KEYS, f"{source}: $")
    suites = document.get("suites")
    if not isinstance(suites, dict):
        raise ConfigError(f"{source}: $.suites: expected a mapping of suite names to gate lists")
    gates: dict[str, tuple[GateSpec, ...]] = {}
    for name, entries in suites.items():
        where = f"{source}: $.suites.{name}"
        if not isinstance(name, str):
            raise ConfigError(f"{where}: expected a suite name, found {bounded_repr(name)}")
        if not isinstance(entries, list):
            raise ConfigError(f"{where}: expected a list of gates, found {type(entries).__name__}")
        gates[name] = tuple(_gate(entry, f"{where}[{index}]") for index, entry in enumerate(entries))
    return GateProfile(source, gates)


def load_profile(name_or_path: str, base: Path) -> GateProfile:
    """A built-in profile by name, or a YAML file (relative to `base`)."""
    text, source = _profile_text(name_or_path, base)
    return parse_profile(text, source)


def gate_problem(suite: Suite, gate: GateSpec) -> str | None:
    """Why a profile's gate cannot apply to this suite, or None when it can."""
    metric = suite.metric(gate.metric)
    if metric is None:
        names = sorted({m.name for m in suite.metrics})
        return (f"the gate profile names a metric suite {suite.name!r} does not produce{did_you_mean(gate.metric, names)}; "
                f"its metrics: {', '.join(names) or 'none'}")
    if "[" in gate.metric and metric.group_by is None:
        return f"the gate profile names a group of {metric.name!r}, which has no group_by"
    value_range = getattr(_metric_function(metric.fn), "value_range", None)
    if value_range and not value_range[0] <= gate.threshold <= value_range[1]:
        return f"the gate profile's threshold {gate.threshold:g} is outside [{value_range[0]:g}, {value_range[1]:g}], the range of {metric.fn}"
    return None


def _metric_function(name: str) -> Any:
    try:
        return metric_function(name)
    except UnknownMetricError:  # suites are checked when loaded; this one has no known range
        return None


def gate_overrides(config: pytest.Config) -> GateProfile | None:
    """None without --trust-profile; else the profile, which gives each suite's gates (None: its own)."""
    name = config.getoption("trust_profile")
    if not name:
        return None
    return load_profile(name, Path(config.invocation_params.dir))


_profile_key = pytest.StashKey[GateProfile | None]()


def run_profile(config: pytest.Config) -> GateProfile | None:
    """`gate_overrides`, read once per process (each suite file checks its gates against it)."""
    if _profile_key not in config.stash:
        config.stash[_profile_key] = gate_overrides(config)
    return config.stash[_profile_key]
