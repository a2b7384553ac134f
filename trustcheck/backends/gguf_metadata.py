"""Reading one string from a GGUF file's metadata without loading the model (GGUF versions 2 and 3)."""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

MAGIC = b"GGUF"
_STRING, _ARRAY = 8, 9
# Sizes of the fixed-size value types, by GGUF type code.
_FIXED_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


class GGUFMetadataError(ValueError):
    """The file is not a GGUF file this reader understands."""


class _Cursor:
    def __init__(self, data: mmap.mmap) -> None:
        self.data, self.offset = data, 0

    def unpack(self, fmt: str) -> int:
        try:
            (value,) = struct.unpack_from(fmt, self.data, self.offset)
        except struct.error:
            raise GGUFMetadataError("the metadata ends early") from None
        self.offset += struct.calcsize(fmt)
        return int(value)

    def string_bytes(self) -> bytes:
        length = self.unpack("<Q")
        end = self.offset + length
        if end > len(self.data):
            raise GGUFMetadataError("a string runs past the end of the file")
        raw, self.offset = self.data[self.offset:end], end
        return raw

    def skip_value(self, kind: int) -> None:
        if kind == _STRING:
            length = self.unpack("<Q")
            self.offset += length
        elif kind == _ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            if item_kind in _FIXED_SIZES:
                self.offset += _FIXED_SIZES[item_kind] * count
                if self.offset > len(self.data):
                    raise GGUFMetadataError("an array runs past the end of the file")
            else:
                for _ in range(count):
                    self.skip_value(item_kind)
        elif kind in _FIXED_SIZES:
            self.offset += _FIXED_SIZES[kind]
        else:
            raise GGUFMetadataError(f"unknown value type {kind}")


def read_string(path: Path, key: str) -> str | None:
    """The string stored under `key` in the file's metadata, or None when the key is absent."""
    with Path(path).open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cursor = _Cursor(data)
        if data[:4] != MAGIC:
            raise GGUFMetadataError("not a GGUF file")
        cursor.offset = 4
        version = cursor.unpack("<I")
        if version not in (2, 3):
            raise GGUFMetadataError(f"GGUF version {version} is not supported here")
        cursor.unpack("<Q")  # tensor count
        wanted = key.encode("utf-8")
        for _ in range(cursor.unpack("<Q")):
            name, kind = cursor.string_bytes(), cursor.unpack("<I")
            if name == wanted and kind == _STRING:
                return cursor.string_bytes().decode("utf-8", "surrogateescape")
            cursor.skip_value(kind)
    return None
