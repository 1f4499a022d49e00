"""Hugging Face backends: `tokenizers` for the shipped Claude 1/2 tokenizer.json, and `hf:<repo-or-path>`
through transformers' AutoTokenizer, strictly offline (local files or the local HF cache only)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from costcalc.errors import TokenizerAssetError
from costcalc.tokenizers import assets
from costcalc.tokenizers._deps import require
from costcalc.tokenizers.base import BaseTokenizer

TOKENIZERS_INSTALL = "pip install 'tokenizers>=0.20'"
HF_INSTALL = "pip install 'costcalc[hf]'"


class HfTokenizersTokenizer(BaseTokenizer):
    """A `tokenizers.Tokenizer`; special tokens in the text are split like plain text."""

    def __init__(self, name: str, tokenizer: Any, fingerprint: str) -> None:
        tokenizer.encode_special_tokens = True  # '<EOT>' in user text is text, not the control token
        self.name = name
        self.fingerprint = fingerprint
        self.tokenizer = tokenizer
        self.vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:  # own threads
        counts: list[int] = []
        for group in _groups(texts, BATCH_CHARS):
            counts += [len(e.ids) for e in self.tokenizer.encode_batch(group, add_special_tokens=False)]
        return counts


# An Encoding keeps ids, tokens, offsets and masks (~200 bytes a token), so a batch is capped by size.
BATCH_CHARS = 512 * 1024


def _groups(texts: Sequence[str], max_chars: int) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if groups[-1] and size + len(text) > max_chars:
            groups.append([])
            size = 0
        groups[-1].append(text)
        size += len(text)
    return groups if groups[-1] else []


def load_tokenizer_json(name: str, assets_dir: Path | None = None) -> HfTokenizersTokenizer:
    lib = require("tokenizers", TOKENIZERS_INSTALL, name)
    data = assets.read_asset(name, assets_dir)
    return HfTokenizersTokenizer(name, lib.Tokenizer.from_str(data.decode("utf-8")), assets.entry(name).sha256)


def claude_2() -> HfTokenizersTokenizer:
    return load_tokenizer_json("anthropic:claude-2")


class TransformersTokenizer(BaseTokenizer):
    """Any tokenizer transformers can load offline; exact for the model it belongs to."""

    def __init__(self, name: str, tokenizer: Any) -> None:
        self.name = name
        self.tokenizer = tokenizer
        self.vocab_size = len(tokenizer)
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is not None:  # fast tokenizer: its full serialization identifies it
            self.fingerprint = assets.sha256_hex(backend.to_str().encode("utf-8"))
        else:
            vocab = json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False)
            self.fingerprint = assets.sha256_hex(vocab.encode("utf-8"))

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False)

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:  # own threads
        batch = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in batch]


def load_transformers(spec: str) -> TransformersTokenizer:
    """`spec` is a local directory or a repo id already in the local Hugging Face cache."""
    transformers = require("transformers", HF_INSTALL, f"hf:{spec}")
    try:
        tok = transformers.AutoTokenizer.from_pretrained(spec, local_files_only=True, split_special_tokens=True)
    except (OSError, ValueError) as e:
        raise TokenizerAssetError(
            f"cannot load Hugging Face tokenizer {spec!r} offline: {e}",
            "pass a local directory with tokenizer files, or a repo id already in your Hugging Face cache "
            "(costcalc never downloads at run time)") from None
    return TransformersTokenizer(f"hf:{spec}", tok)
