"""A deterministic backend for plugin tests: answers by rules, logs every batch to a file.

It implements the real Backend protocol; only the text it writes is scripted, so the plugin's
collection, batching, caching, gates and reports run for real around it.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

from trustcheck.backends.base import (
    Generation,
    GenerationProgress,
    GenerationRequest,
    ModelIdentity,
)


class ScriptedBackend:
    name = "scripted"

    def __init__(self, script_path: Path) -> None:
        self.script_path = script_path
        self.script = json.loads(script_path.read_text())

    def identity(self) -> ModelIdentity:
        return _identity(self.script)

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
        needle, as a worker killed mid-generation would; with a flag file, only the first time."""
        for needle, flag in self.script.get("exit_on", []):
            if any(needle in r.prompt for r in requests) and not (flag and Path(flag).exists()):
                if flag:
                    Path(flag).write_text(str(os.getpid()))
                os._exit(3)

    def _maybe_interrupt(self, request: GenerationRequest) -> None:
        """`interrupt_on: [needle, ...]`: the process gets SIGINT (Ctrl-C) when the call reaches
        the request that holds the needle, the requests before it already answered."""
        if any(needle in request.prompt for needle in self.script.get("interrupt_on", [])):
            # A runner that started this process in the background hands it SIGINT ignored (a
            # shell without job control does that), and Python then never installs its handler:
            # restore it, so the interrupt fires whatever the parent's disposition.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.raise_signal(signal.SIGINT)

    def _await_output(self, progress: GenerationProgress | None) -> None:
        """`await_output: [file, text, seconds]`: keep generating (reporting one token at a time)
        until the file holds the text or the seconds have passed, as a long generation would
        until the user has seen its progress."""
        target = self.script.get("await_output")
        if not target:
            return
        path, text, seconds = Path(target[0]), target[1], float(target[2])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if progress is not None:
                progress.advance(1)
            if path.is_file() and text in path.read_text(encoding="utf-8", errors="replace"):
                return
            time.sleep(0.05)

    def generate(self, requests: Sequence[GenerationRequest], progress: GenerationProgress | None = None) -> list[Generation]:
        self._maybe_die(requests)
        log = self.script.get("log")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(_log_entry(requests)) + "\n")
        self._await_output(progress)
        answers = []
        for index, request in enumerate(requests):
            self._maybe_interrupt(request)
            answers.append(self._answer(request.prompt))
            if progress is not None:  # handed over as it ends, as the llama.cpp backends do
                progress.finish(index, len((answers[-1].text or "").split()), answers[-1])
        return answers

    def close(self) -> None:
        return None


def _log_entry(requests: Sequence[GenerationRequest]) -> dict:
    """One generate call: its size, prompts, and the distinct settings (seeds aside) it mixed."""
    settings = {json.dumps({k: v for k, v in r.settings().items() if k != "seed"}, sort_keys=True) for r in requests}
    return {
        "pid": os.getpid(),
        "batch": len(requests),
        "prompts": [r.prompt for r in requests],
        "settings": sorted(settings),
        "system_prompts": sorted({str(r.system_prompt) for r in requests}),
    }


def _identity(script: dict) -> ModelIdentity:
    return ModelIdentity(backend="scripted", backend_version="1", weights_hash=script.get("model", "m1"))


def create(rest: str, options) -> ScriptedBackend:
    """Loads the model: `loads` in the script names a file that gets one line per load."""
    backend = ScriptedBackend(Path(rest))
    if backend.script.get("loads"):
        with open(backend.script["loads"], "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
    return backend


def identify(rest: str, options) -> ModelIdentity:
    """The model's identity from its script alone, as a real backend's from its files."""
    return _identity(json.loads(Path(rest).read_text()))


def calls(log: Path) -> list[int]:
    """Batch sizes of every generate call so far."""
    if not log.exists():
        return []
    return [json.loads(line)["batch"] for line in log.read_text().splitlines()]
