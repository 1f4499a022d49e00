"""The Tokenizer protocol every backend implements, and a base class with the shared batch/stream logic.

Counting protocol (the same in every backend): text is encoded WITHOUT special tokens and without BOS/EOS;
text that looks like a special token (`<|endoftext|>`, `[INST]`, `<s>`) is counted as plain text.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Threads for batch counting (tiktoken on our pool, sentencepiece's own) when the caller passes none: one per
# core this process may run on (`taskset -c 0` means one), not the machine's. costcalc's multi-process counting
# passes threads=1 to each worker, so --workers N means N cores.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
BATCH_THREADS = max(1, min(8, _CORES))
_pool: tuple[int, int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def thread_count(threads: int | None) -> int:
    """The threads a batch call uses: as passed, else one per core."""
    return BATCH_THREADS if threads is None else max(1, threads)


def batch_executor(threads: int) -> ThreadPoolExecutor:
    """One long-lived pool per process. tiktoken's own *_batch() starts fresh threads on every call, and its
    core keeps one regex clone per thread id (up to 128), each with a growing match cache: counting 1 GB
    that way peaked at ~950 MB. Stable threads keep it flat. Recreated after a fork (dead threads)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[:2] != (os.getpid(), threads):
            _pool = (os.getpid(), threads, ThreadPoolExecutor(threads, thread_name_prefix="costcalc-count"))
        return _pool[2]


def map_batch(count: Callable[[str], int], texts: Sequence[str], threads: int | None = None) -> list[int]:
    """`count` over `texts` on `threads` batch threads (default: one per core); inline for one thread or text."""
    n = thread_count(threads)
    if len(texts) < 2 or n == 1:
        return [count(t) for t in texts]
    return list(batch_executor(n).map(count, texts))


@runtime_checkable
class Tokenizer(Protocol):
    name: str
    exact: bool
    fingerprint: str  # sha256 hex of the vocab file; keys count caches
    vocab_size: int

    def count(self, text: str) -> int: ...

    def encode(self, text: str) -> list[int]: ...

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]: ...

    def count_chunks(self, chunks: Sequence[str], first: bool, threads: int | None = None) -> int: ...


class BaseTokenizer(ABC):
    """Shared defaults; backends override `count_batch` with their library's batch API where it has one."""

    name: str
    exact: bool = True
    fingerprint: str
    vocab_size: int

    @abstractmethod
    def encode(self, text: str) -> list[int]: ...

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        """Tokens of each text; `threads` (default: one per core) where the library's batch call has threads."""
        return [self.count(t) for t in texts]

    # Prepended to every chunk but the first of a text, and its own count subtracted, so that chunked counts
    # equal whole-text counts. SentencePiece needs "\n": it adds a dummy '▁' at the start of every call, and
    # no piece contains a newline, so "\n" + chunk tokenizes as [▁][<0x0A>] + chunk-as-continuation.
    continuation_prefix: str = ""

    def count_chunks(self, chunks: Sequence[str], first: bool, threads: int | None = None) -> int:
        """Tokens of consecutive pieces of one text, split where `costcalc.tokenizers.stream` splits
        (after a '\\n' between two non-space characters). `first` is True when chunks[0] starts the text.
        Regex pre-tokenizers never join a newline to a following non-space, so for them the sum is exact."""
        texts = list(chunks)
        prefix = self.continuation_prefix
        if not prefix or not texts:
            return sum(self.count_batch(texts, threads))
        start = 1 if first else 0
        texts[start:] = [prefix + t for t in texts[start:]]
        return sum(self.count_batch(texts, threads)) - (len(texts) - start) * self.count(prefix)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} exact={self.exact} vocab={self.vocab_size}>"


@dataclass(frozen=True)
class TokenizerInfo:
    """What `list_tokenizers()` reports without loading the tokenizer."""

    name: str
    exact: bool
    vocab_size: int | None
    fingerprint: str | None
    source: str
    licence: str
    installed: bool
    backend: str
    aliases: tuple[str, ...] = ()
    install_hint: str | None = None
    counter: str | None = None  # the library that counts, where not `backend` (ids always come from `backend`)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "exact": self.exact, "vocab_size": self.vocab_size,
                "fingerprint": self.fingerprint, "backend": self.backend, "counts_with": self.counter or self.backend,
                "source": self.source,
                "licence": self.licence, "installed": self.installed, "aliases": list(self.aliases),
                "install_hint": self.install_hint}
