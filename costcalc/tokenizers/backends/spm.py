"""sentencepiece backend: Meta Llama 2, a SentencePiece model rebuilt from llama.cpp's Llama-2-7b-hf vocab."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from costcalc.tokenizers import assets
from costcalc.tokenizers._deps import require
from costcalc.tokenizers.base import BaseTokenizer, thread_count

INSTALL = "pip install 'sentencepiece>=0.2'"


class SentencePieceTokenizer(BaseTokenizer):
    # SentencePiece adds its dummy '▁' at the start of every call; see BaseTokenizer.count_chunks.
    continuation_prefix = "\n"

    def __init__(self, name: str, processor: Any, fingerprint: str) -> None:
        self.name = name
        self.fingerprint = fingerprint
        self.processor = processor
        self.vocab_size = processor.get_piece_size()

    def encode(self, text: str) -> list[int]:
        # Control pieces (<s>, </s>) are never matched in input text, so special-looking text stays plain.
        return self.processor.encode(text, add_bos=False, add_eos=False)

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        return [len(ids) for ids in self.processor.encode(list(texts), add_bos=False, add_eos=False,
                                                          num_threads=thread_count(threads))]


def load(name: str, assets_dir: Path | None = None) -> SentencePieceTokenizer:
    spm = require("sentencepiece", INSTALL, name)
    data = assets.read_asset(name, assets_dir)
    return SentencePieceTokenizer(name, spm.SentencePieceProcessor(model_proto=data), assets.entry(name).sha256)


def llama_2() -> SentencePieceTokenizer:
    return load("meta:llama-2")
