"""Embeddings carried in a verdict's `extracted` text, so paired metrics can compare responses.

A record must hold only builtins; a float32 vector as base64 is compact (2 KB for 384
dimensions) and exact enough (cosine error ~1e-7) for similarities reported to 3 decimals.
"""

from __future__ import annotations

import base64
import math
import struct
from collections.abc import Sequence

PREFIX = "f32:"


def encode_vector(vector: Sequence[float]) -> str:
    return PREFIX + base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def decode_vector(text: str | None) -> list[float] | None:
    """The vector in `text`, or None when it holds none."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        return None
    try:
        raw = base64.b64decode(text[len(PREFIX) :], validate=True)
    except ValueError:
        return None
    if len(raw) % 4:
        return None
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def cosine(first: Sequence[float], second: Sequence[float]) -> float | None:
    """Cosine similarity (0 for a zero vector, as scikit-learn gives); None if lengths differ."""
    if len(first) != len(second) or not first:
        return None
    dot = math.fsum(a * b for a, b in zip(first, second))
    norm = math.sqrt(math.fsum(a * a for a in first)) * math.sqrt(math.fsum(b * b for b in second))
    return dot / norm if norm else 0.0
