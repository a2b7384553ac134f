"""Model specs (`scheme:rest`) resolved to backend factories, built-in or from entry points."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from .base import Backend, BackendError, ModelIdentity

ENTRY_POINT_GROUP = "trustcheck.backends"


@dataclass(frozen=True)
class BackendOptions:
    """Settings that come from the command line rather than from the spec itself."""

    device: str = "auto"
    threads: int | None = None  # for all xdist workers together: each takes its share
    worker_index: int = 0
    worker_count: int = 1
    batch_size: int | None = None
    concurrency: int = 8
    n_ctx: int = 4096
    api_key_env: str = "OPENAI_API_KEY"
    extra: dict[str, str] = field(default_factory=dict)


BackendFactory = Callable[[str, BackendOptions], Backend]
# A factory's optional companion: the identity of the model a spec names, without loading the model
# (None when it cannot tell). With one, a run answered from the response cache loads nothing.
ModelIdentifier = Callable[[str, BackendOptions], ModelIdentity | None]

# Built-ins are named by import path so that torch or llama_cpp load only when used.
_BUILTIN: dict[str, str] = {
    "gguf": "trustcheck.backends.llamacpp:create",
    "hf": "trustcheck.backends.hf:create",
    "openai": "trustcheck.backends.openai_http:create",
    "replay": "trustcheck.backends.replay:create",
}
_BUILTIN_IDENTIFIERS: dict[str, str | ModelIdentifier] = {
    "gguf": "trustcheck.backends.llamacpp_identity:identify",
    "hf": "trustcheck.backends.hf:identify",
}

SPEC_HELP = (
    "default | gguf:PATH.gguf | gguf:hf://REPO/FILE.gguf | hf:HUB_ID_OR_DIR[#gguf=FILE] | "
    "openai:BASE_URL@MODEL | replay:DIR | NAME:... from the trustcheck.backends entry points"
)


class UnknownModelSpecError(BackendError):
    pass


def register_backend(scheme: str, factory: str | BackendFactory, identify: str | ModelIdentifier | None = None) -> None:
    """Add a backend by scheme: a factory, or "module:function" imported on first use.

    `identify` (the same forms) names the model without loading it; entry-point factories can
    carry one as their `identify` attribute instead.
    """
    _BUILTIN[scheme] = factory  # type: ignore[assignment]
    if identify is not None:
        _BUILTIN_IDENTIFIERS[scheme] = identify
    else:
        _BUILTIN_IDENTIFIERS.pop(scheme, None)


def _entry_point_factories() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def known_schemes() -> list[str]:
    return sorted(set(_BUILTIN) | set(_entry_point_factories()))


def _resolve(target: str) -> BackendFactory:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def factory_for(scheme: str) -> BackendFactory:
    if scheme in _BUILTIN:
        target = _BUILTIN[scheme]
        return _resolve(target) if isinstance(target, str) else target
    plugins = _entry_point_factories()
    if scheme in plugins:
        return plugins[scheme].load()  # type: ignore[attr-defined]
    suggestion = difflib.get_close_matches(scheme, known_schemes(), n=1)
    hint = f" (did you mean {suggestion[0]!r}?)" if suggestion else ""
    raise UnknownModelSpecError(
        f"unknown model backend {scheme!r}{hint}; valid specs: {SPEC_HELP}"
    )


def identifier_for(scheme: str) -> ModelIdentifier | None:
    target = _BUILTIN_IDENTIFIERS.get(scheme)
    if target is not None:
        return _resolve(target) if isinstance(target, str) else target  # type: ignore[return-value]
    return getattr(factory_for(scheme), "identify", None)


def split_spec(spec: str) -> tuple[str, str]:
    scheme, sep, rest = spec.partition(":")
    if not sep or not rest:
        suggestion = difflib.get_close_matches(spec, ["default", *known_schemes()], n=1)
        hint = f" (did you mean {suggestion[0]!r}?)" if suggestion else ""
        raise UnknownModelSpecError(f"invalid model spec {spec!r}{hint}; valid specs: {SPEC_HELP}")
    return scheme, rest


def create_backend(spec: str, options: BackendOptions | None = None) -> Backend:
    """Build the backend for a resolved spec (not `default`: resolve profiles first)."""
    scheme, rest = split_spec(spec)
    return factory_for(scheme)(rest, options or BackendOptions())


def identify_backend(spec: str, options: BackendOptions | None = None) -> ModelIdentity | None:
    """The identity of a resolved spec's model without loading it, or None if its backend must load to know."""
    scheme, rest = split_spec(spec)
    identify = identifier_for(scheme)
    return identify(rest, options or BackendOptions()) if identify is not None else None
