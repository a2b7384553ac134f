"""Gate profiles: thresholds per suite metric from a named profile or a user's YAML file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import pytest
import yaml

from .errors import ConfigError
from .suite import GateSpec, Suite

GateOverride = Callable[[Suite], Sequence[GateSpec] | None]


def builtin_profiles() -> list[str]:
    folder = resources.files("trustcheck.gate_profiles")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _profile_text(name_or_path: str, base: Path) -> tuple[str, str]:
    path = Path(name_or_path)
    if not path.is_absolute():
        path = base / path
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path.read_text(encoding="utf-8"), str(path)
    if name_or_path in builtin_profiles():
        resource = resources.files("trustcheck.gate_profiles").joinpath(f"{name_or_path}.yaml")
        return resource.read_text(encoding="utf-8"), f"profile {name_or_path}"
    raise ConfigError(f"--trust-profile {name_or_path!r}: not a YAML file or one of {', '.join(builtin_profiles())}")


def _gate(raw: object, where: str) -> GateSpec:
    if not isinstance(raw, dict) or not {"metric", "op", "threshold"} <= set(raw):
        raise ConfigError(f"{where}: expected a mapping with metric, op and threshold")
    if raw["op"] not in (">=", ">", "<=", "<") or not isinstance(raw["threshold"], (int, float)):
        raise ConfigError(f"{where}: expected op in >=, >, <=, < and a numeric threshold, found {raw['op']!r} {raw['threshold']!r}")
    return GateSpec(str(raw["metric"]), raw["op"], float(raw["threshold"]), tuple(raw.get("modes", ("toolkit", "paper"))))


def load_profile(name_or_path: str, base: Path) -> dict[str, list[GateSpec]]:
    """suite name -> its gates under this profile."""
    text, display = _profile_text(name_or_path, base)
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{display}: not valid YAML ({str(error).splitlines()[0]})") from None
    suites = document.get("suites") if isinstance(document, dict) else None
    if not isinstance(suites, dict):
        raise ConfigError(f"{display}: $.suites: expected a mapping of suite names to gate lists")
    return {
        str(name): [_gate(g, f"{display}: $.suites.{name}[{i}]") for i, g in enumerate(gates or [])]
        for name, gates in suites.items()
    }


def gate_overrides(config: pytest.Config) -> GateOverride | None:
    """None without --trust-profile; else a function giving each suite's gates (its own if unlisted)."""
    name = config.getoption("trust_profile")
    if not name:
        return None
    profile = load_profile(name, Path(config.invocation_params.dir))
    return lambda suite: profile.get(suite.name)
