"""The one protocol every model backend implements: batch-first generation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

PromptMode = Literal["chat", "raw"]

# How a chat prompt's system turn is set: blank (TrustLLM's condition), the chat template's own
# default, or a text. `--trust-system-prompt` names them; requests carry "", None or the text.
SYSTEM_PROMPT_EMPTY = "empty"
SYSTEM_PROMPT_MODEL_DEFAULT = "model-default"


def parse_system_prompt(option: str) -> str | None:
    """`--trust-system-prompt`: empty -> "", model-default -> None, anything else is the text."""
    if option == SYSTEM_PROMPT_EMPTY:
        return ""
    return None if option == SYSTEM_PROMPT_MODEL_DEFAULT else option


def describe_system_prompt(system_prompt: str | None) -> str:
    """The condition as the option names it, for results, headers and reports."""
    if system_prompt == "":
        return SYSTEM_PROMPT_EMPTY
    return SYSTEM_PROMPT_MODEL_DEFAULT if system_prompt is None else system_prompt


def system_prompt_label(condition: str, limit: int = 60) -> str:
    """A described condition for one line of a header or report: a text quoted and cut short."""
    if condition in (SYSTEM_PROMPT_EMPTY, SYSTEM_PROMPT_MODEL_DEFAULT):
        return condition
    return repr(condition[:limit]) + (f"... ({len(condition)} characters)" if len(condition) > limit else "")


class BackendError(Exception):
    """A backend could not produce a response (load failure, server down, bad output)."""


class MissingExtraError(BackendError):
    """A heavy optional package is not installed; the message names the extra to install."""


@dataclass(frozen=True)
class GenerationRequest:
    """One prompt and the settings to generate its response with."""

    prompt: str
    mode: PromptMode = "chat"
    temperature: float = 0.0
    max_new_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int = 0
    min_new_tokens: int = 0
    system_prompt: str | None = ""  # "" blank (TrustLLM), None the template's default, else the text

    def settings(self) -> dict[str, object]:
        """Everything but the prompt, as builtins, for cache keys and results."""
        settings: dict[str, object] = {
            "mode": self.mode,
            "temperature": self.temperature,
            "max_new_tokens": self.max_new_tokens,
            "stop": list(self.stop),
            # Greedy decoding ignores the seed, so it must not split the cache.
            "seed": self.seed if self.temperature > 0 else 0,
            "min_new_tokens": self.min_new_tokens,
        }
        if self.mode == "chat" and self.system_prompt != "":
            # Only a chat turn has a system prompt; the blank default adds nothing, so responses
            # cached or recorded before the option existed keep their keys.
            settings["system_prompt"] = describe_system_prompt(self.system_prompt)
        return settings


@dataclass(frozen=True)
class Generation:
    """A response, or the error that replaced it for this one request."""

    text: str | None
    error: str | None = None
    finish_reason: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.text is not None


@dataclass(frozen=True)
class ModelIdentity:
    """What makes two models the same for caching: weights, template, backend."""

    backend: str
    backend_version: str
    weights_hash: str
    chat_template_hash: str = ""
    display_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "backend_version": self.backend_version,
            "weights_hash": self.weights_hash,
            "chat_template_hash": self.chat_template_hash,
            "display_name": self.display_name,
            "extra": dict(sorted(self.extra.items())),
        }

    def cache_fields(self) -> dict[str, object]:
        """The identity without the display name: the same model at another path shares entries."""
        fields = self.as_dict()
        del fields["display_name"]
        return fields


class GenerationProgress(Protocol):
    """Where a backend tells how far one `generate` call has got; it may call from any thread.

    `advance` as tokens come (after each decoding step of a batch, say), `finish` as each request
    ends. A backend that cannot count tokens as they come calls `finish` alone.
    """

    def advance(self, tokens: int) -> None:
        """`tokens` more new tokens exist, over all the requests of the call."""

    def finish(self, index: int, tokens: int, generation: Generation | None = None) -> None:
        """Request `index` of the call is done; its response has `tokens` new tokens.

        `generation`, where the backend gives it, is that request's entry of `generate`'s result:
        the run stores it at once, so an interrupt later in the call does not lose it.
        """


@runtime_checkable
class Backend(Protocol):
    """A loaded model. `generate` keeps the order of `requests` in its result.

    `generate` may take a keyword argument `progress` (a `GenerationProgress`, or None) and report
    to it; backends whose `generate` has no such parameter are called without one.
    """

    name: str

    def identity(self) -> ModelIdentity: ...

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]: ...

    def close(self) -> None: ...


def reports_progress(backend: object) -> bool:
    """Whether the backend's `generate` accepts a `progress` keyword argument."""
    import inspect

    try:
        parameters = inspect.signature(backend.generate).parameters  # type: ignore[attr-defined]
    except (TypeError, ValueError, AttributeError):
        return False
    return "progress" in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
