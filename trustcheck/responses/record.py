"""`--trust-record DIR`: every response written with its keys, for `replay:DIR` to serve back.

Layout: `DIR/manifest.json` maps a short fingerprint of each model identity to that identity, and
`DIR/responses.jsonl` holds one JSON object per response. Several pytest-xdist workers may write
the same directory at once: each response line goes out in a single `write` on a file opened with
O_APPEND, which the OS does not interleave, and the manifest is updated under a file lock.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..backends.base import Generation, GenerationRequest, ModelIdentity
from ..common.errors import TrustcheckError
from ..common.filelock import exclusive
from ..common.json_files import (
    JsonFileError,
    describe,
    dumps_strict,
    expect_type,
    read_json_file,
)
from .keys import request_key

RESPONSES_FILE = "responses.jsonl"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1


def identity_fingerprint(identity: ModelIdentity) -> str:
    """A short name for an identity: the same for the same model at any path."""
    text = json.dumps(identity.cache_fields(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_IDENTITY_FIELDS = {"backend": True, "backend_version": True, "weights_hash": True,
                    "chat_template_hash": False, "display_name": False}


def _check_identity(source: str, fingerprint: str, recorded: Any) -> None:
    where = f"$.models.{fingerprint}"
    recorded = expect_type(recorded, dict, source, where)
    for name in recorded:
        if name not in (*_IDENTITY_FIELDS, "extra"):
            raise JsonFileError(source, f"{where}.{name}: expected one of the keys {', '.join([*_IDENTITY_FIELDS, 'extra'])}, found unknown key")
    for name, required in _IDENTITY_FIELDS.items():
        if name in recorded or required:
            expect_type(recorded.get(name), str, source, f"{where}.{name}")
    extra = expect_type(recorded.get("extra", {}), dict, source, f"{where}.extra")
    for key, value in extra.items():
        expect_type(value, str, source, f"{where}.extra.{key}")


def read_manifest(directory: Path) -> dict[str, object]:
    """The recording's manifest, checked field by field; problems are one JsonFileError line."""
    path = directory / MANIFEST_FILE
    source = str(path)
    manifest = expect_type(read_json_file(path, what="recording manifest"), dict, source, "$")
    if manifest.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        raise JsonFileError(source, f"$.format: expected {FORMAT_VERSION}, found {describe(manifest['format'])}")
    models = expect_type(manifest.get("models"), dict, source, "$.models")
    for fingerprint, recorded in models.items():
        _check_identity(source, fingerprint, recorded)
    return manifest


class RecordingError(TrustcheckError):
    """The recording directory cannot be written: one line naming it and the reason."""


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


class Recorder:
    """Appends responses to a recording directory; call `write` once per generated response."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RecordingError(f"--trust-record {self.directory}: cannot create the directory ({_reason(error)})") from None
        self._in_manifest: set[str] = set()

    def write(
        self,
        identity: ModelIdentity,
        request: GenerationRequest,
        generation: Generation,
        cache_key: str,
    ) -> None:
        """Record one response. Errors are not responses: they are skipped, so a replay misses them."""
        if not generation.ok:
            return
        try:
            self._write(identity, request, generation, cache_key)
        except OSError as error:
            raise RecordingError(f"--trust-record {self.directory}: could not record a response ({_reason(error)})") from None

    def _write(self, identity: ModelIdentity, request: GenerationRequest, generation: Generation, cache_key: str) -> None:
        fingerprint = identity_fingerprint(identity)
        if fingerprint not in self._in_manifest:
            self._add_to_manifest(fingerprint, identity)
        line = {
            "format": FORMAT_VERSION,
            "request_key": request_key(request),
            "cache_key": cache_key,
            "model": fingerprint,
            "prompt": request.prompt,
            "settings": request.settings(),
            "text": generation.text,
            "finish_reason": generation.finish_reason,
        }
        self._append((dumps_strict(line, ensure_ascii=False) + "\n").encode("utf-8"))

    def _append(self, data: bytes) -> None:
        descriptor = os.open(self.directory / RESPONSES_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(descriptor, data)
            if written != len(data):
                raise OSError(f"short write to {self.directory / RESPONSES_FILE} ({written} of {len(data)} bytes)")
        finally:
            os.close(descriptor)

    def _add_to_manifest(self, fingerprint: str, identity: ModelIdentity) -> None:
        path = self.directory / MANIFEST_FILE
        with exclusive(self.directory / ".manifest.lock"):
            manifest = read_manifest(self.directory) if path.exists() else {"format": FORMAT_VERSION, "models": {}}
            models = manifest["models"]
            assert isinstance(models, dict)
            if fingerprint not in models:
                models[fingerprint] = identity.as_dict()
                temporary = path.with_name(f".{MANIFEST_FILE}.{os.getpid()}.tmp")
                temporary.write_text(dumps_strict(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
                os.replace(temporary, path)
        self._in_manifest.add(fingerprint)
