"""The TrustLLM release trustcheck's suites are written against: a repository commit and the sha256
of the files fetched from it, so `trustcheck data fetch` installs exactly what was tested."""

from __future__ import annotations

import hashlib
from pathlib import Path

TRUSTLLM_COMMIT = "4b864211f32602fddb8cafc8d5154bed1e0ce01e"
_RAW = f"https://raw.githubusercontent.com/HowieHwong/TrustLLM/{TRUSTLLM_COMMIT}"
DATASET_URL = f"{_RAW}/dataset/dataset.zip"
TASK_PROMPT_URL = f"{_RAW}/trustllm_pkg/trustllm/prompt/task_prompt.json"
DATASET_SHA256 = "0433f79bc8dc8a5869af253d4a70067eda82f5651b89b7235a0220a8bf775317"
TASK_PROMPT_SHA256 = "ffbe68de4f2ed4af4a4f87ec498bc8a05b66518bd92295201cedfa135fe634bc"

PINNED = {DATASET_URL: DATASET_SHA256, TASK_PROMPT_URL: TASK_PROMPT_SHA256}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pin_mismatch(path: Path, expected: str) -> str | None:
    """None when `path` holds the pinned bytes; else a one-line description of the difference."""
    found = sha256_of(path)
    if found == expected:
        return None
    return f"sha256 {found[:12]}... differs from TrustLLM commit {TRUSTLLM_COMMIT[:7]} ({expected[:12]}...)"
