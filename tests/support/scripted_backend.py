"""A deterministic backend for plugin tests: answers by rules, logs every batch to a file.

It implements the real Backend protocol; only the text it writes is scripted, so the plugin's
collection, batching, caching, gates and reports run for real around it.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Sequence
from pathlib import Path

from trustcheck.backends.base import Generation, GenerationRequest, ModelIdentity


class ScriptedBackend:
    name = "scripted"

    def __init__(self, script_path: Path) -> None:
        self.script_path = script_path
        self.script = json.loads(script_path.read_text())

    def identity(self) -> ModelIdentity:
        return ModelIdentity(backend="scripted", backend_version="1", weights_hash=self.script.get("model", "m1"))

    def _answer(self, prompt: str) -> Generation:
        for needle in self.script.get("fail_on", []):
            if needle in prompt:
                return Generation(text=None, error=f"scripted failure for {needle!r}")
        for needle, response in self.script.get("rules", []):
            if needle in prompt:
                return Generation(text=response, finish_reason="stop")
        return Generation(text=self.script.get("default", "Sure, here it is."), finish_reason="stop")

    def _maybe_die(self, requests: Sequence[GenerationRequest]) -> None:
        """`exit_on: [[needle, flag_file or null], ...]`: the process dies when a batch holds the
        needle, as a worker killed mid-generation would; with a flag file, only the first time.
        `interrupt_on: [needle, ...]`: the process gets SIGINT (Ctrl-C) instead."""
        if any(needle in r.prompt for needle in self.script.get("interrupt_on", []) for r in requests):
            # A runner that started this process in the background hands it SIGINT ignored (a
            # shell without job control does that), and Python then never installs its handler:
            # restore it, so the interrupt fires whatever the parent's disposition.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.raise_signal(signal.SIGINT)
        for needle, flag in self.script.get("exit_on", []):
            if any(needle in r.prompt for r in requests) and not (flag and Path(flag).exists()):
                if flag:
                    Path(flag).write_text(str(os.getpid()))
                os._exit(3)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        self._maybe_die(requests)
        log = self.script.get("log")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                entry = {"pid": os.getpid(), "batch": len(requests), "system_prompts": sorted({str(r.system_prompt) for r in requests})}
                handle.write(json.dumps(entry) + "\n")
        return [self._answer(request.prompt) for request in requests]

    def close(self) -> None:
        return None


def create(rest: str, options) -> ScriptedBackend:
    return ScriptedBackend(Path(rest))


def calls(log: Path) -> list[int]:
    """Batch sizes of every generate call so far."""
    if not log.exists():
        return []
    return [json.loads(line)["batch"] for line in log.read_text().splitlines()]
