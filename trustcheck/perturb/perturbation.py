"""Perturbations as values: a kind and its parameters, applied deterministically to any text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .catalog import KINDS, TYPO_PARAMS, UnknownKindError, kind_names
from .text import Edit


def _frozen(value: Any) -> Any:
    """A hashable copy of a parameter value (dicts and lists become tuples)."""
    if isinstance(value, Mapping):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _plain(value: Any) -> Any:
    """Builtins only (dicts and lists), for JSON results and xdist reports."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _check_params(kind: str, params: Mapping[str, Any]) -> None:
    allowed = KINDS[kind].params
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"perturbation {kind!r} has no parameter {unknown[0]!r} (it takes {', '.join(allowed) or 'none'})")
    for edit in params.get("edits", ()):
        extra = sorted(set(edit) - set(TYPO_PARAMS))
        if extra:
            raise ValueError(f"perturbation {kind!r}: a typo edit has no parameter {extra[0]!r}")


@dataclass(frozen=True)
class Perturbation:
    """One edit of one kind. `origin` is the text it was drawn for, used by `describe()`."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    origin: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            kind_names(self.kind)  # raises with a did-you-mean hint
            raise UnknownKindError(f"{self.kind!r} names a group, not one perturbation kind")
        _check_params(self.kind, self.params)

    def __hash__(self) -> int:
        return hash((self.kind, _frozen(self.params)))

    @property
    def steps(self) -> tuple[Perturbation, ...]:
        return (self,)

    def edit(self, text: str) -> Edit:
        return KINDS[self.kind].edit(text, **self.params)

    def apply(self, text: str) -> str:
        return self.edit(text).text

    def describe(self, text: str | None = None) -> str:
        """What this does to `text` (default: the text it was drawn for), e.g. "typo: 'bomb'→'bmob' …"."""
        source = text if text is not None else self.origin
        if source is None:
            shown = ", ".join(f"{key}={value}" for key, value in _plain(self.params).items())
            return f"{self.kind}({shown})"
        return self.edit(source).summary

    def bind(self, text: str) -> Perturbation:
        return replace(self, origin=text)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": _plain(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Perturbation:
        params = dict(data.get("params", {}))
        if "edits" in params:
            params["edits"] = tuple(dict(edit) for edit in params["edits"])
        return cls(data["kind"], params)


@dataclass(frozen=True)
class Composite:
    """Perturbations applied in order; no steps is the identity."""

    steps: tuple[Perturbation, ...] = ()
    origin: str | None = field(default=None, compare=False, repr=False)

    def __init__(self, steps: Iterable[Perturbation | Composite] = (), origin: str | None = None) -> None:
        flat = tuple(step for item in steps for step in item.steps)
        object.__setattr__(self, "steps", flat)
        object.__setattr__(self, "origin", origin)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(step.kind for step in self.steps)

    def apply(self, text: str) -> str:
        for step in self.steps:
            text = step.apply(text)
        return text

    def describe(self, text: str | None = None) -> str:
        source = text if text is not None else self.origin
        if not self.steps:
            return "no change"
        if source is None:
            return "; then ".join(step.describe() for step in self.steps)
        parts = []
        for step in self.steps:
            edit = step.edit(source)
            parts.append(edit.summary)
            source = edit.text
        return "; then ".join(parts)

    def bind(self, text: str) -> Composite:
        bound = []
        for step in self.steps:
            bound.append(step.bind(text))
            text = step.apply(text)
        return Composite(bound, origin=bound[0].origin if bound else text)

    def as_dict(self) -> dict[str, Any]:
        return {"steps": [step.as_dict() for step in self.steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Composite:
        return cls(Perturbation.from_dict(step) for step in data.get("steps", ()))


AnyPerturbation = Perturbation | Composite
IDENTITY = Composite()
