"""Fast exact counting for tiktoken-format BPE (cl100k, o200k(+harmony), Llama 3/4, tekken) with splintr-rs.

Counts only: `encode()` and everything that needs ids stay with tiktoken, the reference. splintr-rs was chosen
on evidence (benchmarks/README.md): identical counts on our whole differential battery
(tests/test_fastcount.py), about 2-5x tiktoken on one core, MIT, abi3 wheels for Linux/macOS/Windows. Where the
package is missing, or COSTCALC_FAST_COUNT=0, counting falls back to tiktoken; `costcalc tokenizers list` shows
which library counts each tokenizer, and the fingerprint names the counting library and its version, so that
the count cache never mixes counts of two backends.
"""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
import os
from functools import lru_cache

PACKAGE = "splintr-rs"
MODULE = "splintr"
# Tokenizers whose splintr counts were checked identical to the reference on the whole battery.
SERVED = frozenset({"openai:cl100k_base", "openai:o200k_base", "openai:o200k_harmony", "meta:llama-3", "meta:llama-4",
                    "mistral:tekken"})
DISABLE_ENV = "COSTCALC_FAST_COUNT"  # "0": count with the reference library


@lru_cache(maxsize=1)
def version() -> str | None:
    """splintr-rs's version, or None when it is not installed (no import: `tokenizers list` stays fast)."""
    if importlib.util.find_spec(MODULE) is None:
        return None
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def serves(name: str) -> bool:
    return name in SERVED and os.environ.get(DISABLE_ENV, "1") != "0" and version() is not None


def label(name: str) -> str | None:
    """'splintr-rs <version>' when it counts `name` here, else None (the reference library counts)."""
    return f"{PACKAGE} {version()}" if serves(name) else None


def fingerprint(name: str, vocab_sha256: str) -> str:
    """The vocab's sha256, plus the counting library and version when that is not the reference."""
    counter = label(name)
    return vocab_sha256 if counter is None else f"{vocab_sha256}+{counter.replace(' ', '-')}"


def rank_file(ranks: dict[bytes, int]) -> bytes:
    """A `.tiktoken` rank file (`base64(token) rank` per line) from tiktoken's mergeable ranks."""
    return b"\n".join(base64.b64encode(token) + b" %d" % rank for token, rank in ranks.items())


def _splintr_pattern(splintr, pattern: str) -> str:
    """splintr's regex engine has no possessive quantifiers; tiktoken's cl100k regex uses them. splintr ships the
    same regexes without them (equivalent here: the code-point sweep in tests/test_fastcount.py checks it)."""
    from costcalc.tokenizers.backends import patterns as p

    own = {p.CL100K_PATTERN: splintr.CL100K_BASE_PATTERN, p.O200K_PATTERN: splintr.O200K_BASE_PATTERN,
           p.LLAMA3_PATTERN: splintr.LLAMA3_PATTERN}
    return own.get(pattern, pattern)


class FastCounter:
    """Token count of a text under a tiktoken-format BPE (ranks + regex), without special tokens."""

    def __init__(self, ranks_file: bytes, pattern: str) -> None:
        import splintr

        self._tok = splintr.Tokenizer.from_bytes(ranks_file, _splintr_pattern(splintr, pattern), {})

    def __call__(self, text: str) -> int:
        try:
            return len(self._tok.encode_flat(text)) // 4  # 4 bytes per id; no Python list of ints
        except UnicodeEncodeError:
            # Lone surrogates: tiktoken's encode_ordinary replaces them exactly like this, then encodes.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            return len(self._tok.encode_flat(text)) // 4


def counter(name: str, ranks_file: bytes, pattern: str) -> FastCounter | None:
    """A FastCounter for `name` where splintr-rs serves it here, else None."""
    return FastCounter(ranks_file, pattern) if serves(name) else None
