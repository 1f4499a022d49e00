"""Read the key/value header of a GGUF file: llama.cpp's vocab-only GGUFs keep the whole tokenizer there.

Why not llama.cpp's own `gguf` package (0.19): its GGUFReader gives the same key/values on these files, but it
reads a path through a numpy memory map (the header arrives here as bytes from a pinned archive, so it would need
a temporary file) and brings tqdm and requests with it, for the ~40 lines below."""

from __future__ import annotations

import io
import struct
from typing import Any

from costcalc.errors import TokenizerAssetError

_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


def read_kv(data: bytes, source: str = "<gguf>") -> dict[str, Any]:
    """The header key/values of a GGUF file (tensors are not read, so a truncated file is fine)."""
    buf = io.BytesIO(data)

    def unpack(fmt: str) -> tuple:
        size = struct.calcsize("<" + fmt)
        raw = buf.read(size)
        if len(raw) != size:
            raise TokenizerAssetError(f"GGUF file {source!r} is truncated at byte {buf.tell()}")
        return struct.unpack("<" + fmt, raw)

    def string() -> str:
        (n,) = unpack("Q")
        return buf.read(n).decode("utf-8")

    def value(kind: int) -> Any:
        if kind == _STRING:
            return string()
        if kind == _ARRAY:
            item_kind, n = unpack("IQ")
            if item_kind == _STRING:
                return [string() for _ in range(n)]
            return list(unpack(f"{n}{_SCALARS[item_kind]}"))
        return unpack(_SCALARS[kind])[0]

    if buf.read(4) != b"GGUF":
        raise TokenizerAssetError(f"{source!r} is not a GGUF file")
    unpack("I")  # format version
    _n_tensors, n_kv = unpack("QQ")
    kv: dict[str, Any] = {}
    for _ in range(n_kv):
        key = string()
        (kind,) = unpack("I")
        kv[key] = value(kind)
    return kv
