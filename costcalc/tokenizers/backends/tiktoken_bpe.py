"""tiktoken backend: OpenAI cl100k/o200k and Meta Llama 3/4, built from our shipped rank files (no network).

The encodings are built here with `tiktoken.Encoding` from the same ranks, regex and special tokens that
tiktoken's own `get_encoding` uses, so ids are identical (tests compare against tiktoken itself). Counting goes
through splintr-rs where it is installed (see backends/fastcount.py: identical counts, faster); the tiktoken
encoding is then built only when ids are asked for.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.tokenizers import assets
from costcalc.tokenizers.backends import fastcount
from costcalc.tokenizers.backends.patterns import CL100K_PATTERN, LLAMA3_PATTERN, O200K_PATTERN
from costcalc.tokenizers.base import BaseTokenizer, map_batch

if TYPE_CHECKING:
    import tiktoken

_OPENAI = {
    "cl100k_base": (CL100K_PATTERN, {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                                     "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}),
    "o200k_base": (O200K_PATTERN, {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}),
    # gpt-oss: o200k_base's ranks and regex plus the harmony chat-format tokens (tiktoken's o200k_harmony)
    "o200k_harmony": (O200K_PATTERN, {
        "<|endofprompt|>": 200018, "<|startoftext|>": 199998, "<|endoftext|>": 199999, "<|return|>": 200002,
        "<|constrain|>": 200003, "<|channel|>": 200005, "<|start|>": 200006, "<|end|>": 200007,
        "<|message|>": 200008, "<|call|>": 200012,
        **{f"<|reserved_{i}|>": i for i in (200000, 200001, 200004, 200009, 200010, 200011, *range(200013, 201088))},
    }),
}
_LLAMA = {"llama-3": LLAMA3_PATTERN, "llama-4": O200K_PATTERN}


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """A `.tiktoken` rank file: one `base64(token) rank` per line."""
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def openai_encoding(enc_name: str, ranks: dict[bytes, int]) -> tiktoken.Encoding:
    import tiktoken

    pattern, specials = _OPENAI[enc_name]
    return tiktoken.Encoding(f"costcalc-{enc_name}", pat_str=pattern, mergeable_ranks=ranks,
                             special_tokens=specials)


def llama_encoding(version: str, ranks: dict[bytes, int]) -> tiktoken.Encoding:
    import tiktoken

    # Special tokens are left out: counting never emits them, and plain text must not match them.
    return tiktoken.Encoding(f"costcalc-{version}", pat_str=_LLAMA[version], mergeable_ranks=ranks,
                             special_tokens={})


class TiktokenTokenizer(BaseTokenizer):
    def __init__(self, name: str, build: Callable[[], tiktoken.Encoding], fingerprint: str, vocab_size: int,
                 counter: Callable[[str], int] | None = None) -> None:
        self.name = name
        self.fingerprint = fingerprint
        self.vocab_size = vocab_size
        self._build = build
        self._counter = counter  # a faster exact counter (fastcount), or None: tiktoken counts

    @cached_property
    def encoding(self) -> tiktoken.Encoding:
        return self._build()

    def encode(self, text: str) -> list[int]:
        return self.encoding.encode_ordinary(text)

    def count(self, text: str) -> int:
        if self._counter is not None:
            return self._counter(text)
        return len(self.encoding.encode_ordinary(text))

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        # Like encoding.encode_ordinary_batch, but on long-lived threads (see base.batch_executor).
        return map_batch(self.count, texts, threads)


def _load(name: str, build, key: str, pattern: str, assets_dir: Path | None, asset: str = "") -> TiktokenTokenizer:
    data = assets.read_asset(asset or name, assets_dir)
    record = assets.entry(asset or name)
    tok = TiktokenTokenizer(name, lambda: build(key, parse_ranks(data)), fastcount.fingerprint(name, record.sha256),
                            record.vocab_size, fastcount.counter(name, data, pattern))
    if asset:  # the shared file's record has the other tokenizer's vocab size (special tokens differ)
        tok.vocab_size = tok.encoding.n_vocab
    return tok


def load_openai(enc_name: str, assets_dir: Path | None = None) -> TiktokenTokenizer:
    # o200k_harmony shares o200k_base's rank file (the fingerprint is that file's sha256)
    asset = "openai:o200k_base" if enc_name == "o200k_harmony" else ""
    return _load(f"openai:{enc_name}", openai_encoding, enc_name, _OPENAI[enc_name][0], assets_dir, asset)


def load_llama(version: str, assets_dir: Path | None = None) -> TiktokenTokenizer:
    return _load(f"meta:{version}", llama_encoding, version, _LLAMA[version], assets_dir)


def cl100k_base() -> TiktokenTokenizer:
    return load_openai("cl100k_base")


def o200k_base() -> TiktokenTokenizer:
    return load_openai("o200k_base")


def o200k_harmony() -> TiktokenTokenizer:
    return load_openai("o200k_harmony")


def llama_3() -> TiktokenTokenizer:
    return load_llama("llama-3")


def llama_4() -> TiktokenTokenizer:
    return load_llama("llama-4")
