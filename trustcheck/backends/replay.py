"""`replay:DIR[#model=NAME]` backend: serves the responses a `--trust-record DIR` run wrote."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..common.json_files import JsonFileError, describe, expect_type, parse_json
from ..responses.keys import request_key
from ..responses.record import FORMAT_VERSION, MANIFEST_FILE, read_manifest
from .base import BackendError, Generation, GenerationRequest, ModelIdentity

PROMPT_PREVIEW = 60


def _select_model(directory: Path, models: dict[str, Any], wanted: str | None) -> tuple[str, dict[str, Any]]:
    def matches(fingerprint: str) -> bool:
        return wanted is None or fingerprint.startswith(wanted) or models[fingerprint].get("display_name") == wanted

    chosen = [fingerprint for fingerprint in models if matches(fingerprint)]
    if len(chosen) == 1:
        return chosen[0], models[chosen[0]]
    listing = "; ".join(f"{f} ({models[f].get('display_name', '')})" for f in sorted(models))
    problem = "no recorded model matches" if not chosen else "several models are recorded, pick one with #model=NAME"
    raise BackendError(f"replay:{directory}: {problem}: {listing or 'none recorded'}")


def _response_line(raw: bytes, source: str) -> dict[str, Any]:
    entry = expect_type(parse_json(raw, source), dict, source, "$")
    for name in ("request_key", "model", "text"):
        expect_type(entry.get(name), str, source, f"$.{name}")
    expect_type(entry.get("finish_reason"), (str, type(None)), source, "$.finish_reason")
    if entry.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        raise JsonFileError(source, f"$.format: expected {FORMAT_VERSION}, found {describe(entry['format'])}")
    return entry


def _load_responses(directory: Path, fingerprint: str) -> dict[str, dict[str, Any]]:
    """The recorded responses of one model; a line that is not a response is one error line."""
    responses: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("responses*.jsonl")):
        try:
            lines = path.read_bytes().splitlines()
        except OSError as error:
            raise BackendError(f"{path}: cannot read recording ({error.strerror or type(error).__name__})") from None
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                entry = _response_line(raw, f"{path}:{number}")
            except JsonFileError as error:
                raise BackendError(f"{error.source}: not a recorded response line ({error.problem})") from None
            if entry["model"] == fingerprint:
                responses[entry["request_key"]] = entry  # a later recording of the same request wins
    return responses


class ReplayBackend:
    """Answers from a recording; a request that was never recorded is an item error."""

    name = "replay"

    def __init__(self, directory: Path, identity: ModelIdentity, responses: dict[str, dict[str, Any]]):
        self.directory, self._identity, self._responses = directory, identity, responses

    def __repr__(self) -> str:
        return f"ReplayBackend({str(self.directory)!r}, {len(self._responses)} responses)"

    def identity(self) -> ModelIdentity:
        return self._identity

    def _answer(self, request: GenerationRequest) -> Generation:
        entry = self._responses.get(request_key(request))
        if entry is None:
            return Generation(
                text=None,
                error=f"no recorded response in {self.directory} for prompt {request.prompt[:PROMPT_PREVIEW]!r}",
            )
        return Generation(text=entry["text"], finish_reason=entry.get("finish_reason"))

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        return [self._answer(request) for request in requests]

    def close(self) -> None:
        """Nothing to release."""


def create(rest: str, options: object = None) -> ReplayBackend:
    location, _, fragment = rest.partition("#")
    wanted = fragment.removeprefix("model=") or None if fragment else None
    if fragment and not fragment.startswith("model="):
        raise BackendError(f"replay:{rest}: the only option after '#' is model=NAME")
    directory = Path(location).expanduser()
    if not (directory / MANIFEST_FILE).is_file():
        raise BackendError(f"replay:{location}: no recording there ({MANIFEST_FILE} is missing)")
    try:
        models = read_manifest(directory)["models"]
    except JsonFileError as error:
        raise BackendError(f"replay:{location}: {error}") from None
    fingerprint, recorded = _select_model(directory, models, wanted)  # type: ignore[arg-type]
    try:
        identity = ModelIdentity(**recorded)
    except TypeError as error:
        raise BackendError(f"{directory / MANIFEST_FILE}: model {fingerprint}: {error}") from None
    return ReplayBackend(directory, identity, _load_responses(directory, fingerprint))

