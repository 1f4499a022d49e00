"""mistral-common backend: Mistral's SentencePiece (v1..v7) and tekken tokenizers from mistral-common's own data.

Nothing is copied: mistral-common is a dependency. The fingerprint is the sha256 of its data file. `encode`
goes through mistral-common's own tokenizer classes (`bos=False, eos=False`); counting uses the same loaded
model's library call directly (no id offsetting), which gives the same number of tokens.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from costcalc.errors import TokenizerAssetError
from costcalc.tokenizers import assets
from costcalc.tokenizers._deps import require
from costcalc.tokenizers.backends import fastcount
from costcalc.tokenizers.base import BaseTokenizer, map_batch, thread_count

INSTALL = "pip install 'mistral-common[sentencepiece]>=1.5.3'"
DATA_FILES = {"mistral:spm": "tokenizer.model.v1", "mistral:tekken": "tekken_240718.json"}


def data_dir() -> Path | None:
    """mistral_common/data without importing mistral_common (None when it is not installed)."""
    spec = importlib.util.find_spec("mistral_common")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


class MistralTokenizer(BaseTokenizer):
    def __init__(self, name: str, tokenizer: Any, fingerprint: str) -> None:
        self.name = name
        self.fingerprint = fingerprint
        self.tokenizer = tokenizer  # mistral_common's SentencePieceTokenizer or Tekkenizer
        self.vocab_size = tokenizer.n_words
        self._model = getattr(tokenizer, "_model", None)  # the sentencepiece / tiktoken model inside

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, bos=False, eos=False)


class MistralSpm(MistralTokenizer):
    # SentencePiece adds its dummy '▁' at the start of every call; see BaseTokenizer.count_chunks.
    continuation_prefix = "\n"

    def count(self, text: str) -> int:
        return len(self._model.encode(text)) if self._model is not None else len(self.encode(text))

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        if self._model is None:
            return [len(self.encode(t)) for t in texts]
        return [len(ids) for ids in self._model.encode(list(texts), num_threads=thread_count(threads))]


class MistralTekken(MistralTokenizer):
    def __init__(self, name: str, tokenizer: Any, fingerprint: str) -> None:
        super().__init__(name, tokenizer, fastcount.fingerprint(name, fingerprint))
        # tekken is tiktoken inside: splintr-rs counts it from the same ranks and regex where it serves it
        model = self._model
        self._counter = None if model is None else fastcount.counter(
            name, fastcount.rank_file(model._mergeable_ranks), model._pat_str)

    def count(self, text: str) -> int:
        if self._counter is not None:
            return self._counter(text)
        return len(self._model.encode_ordinary(text)) if self._model is not None else len(self.encode(text))

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        if self._model is None:
            return [len(self.encode(t)) for t in texts]
        return map_batch(self.count, texts, threads)  # tiktoken inside; see base.batch_executor


def load_mistral(kind: str, path: Path, name: str | None = None) -> MistralTokenizer:
    """A mistral-common tokenizer of `kind` ('sentencepiece' | 'tekken') from the data file at `path`."""
    if kind == "sentencepiece":
        require("sentencepiece", INSTALL, "mistral:spm")
        module = require("mistral_common.tokens.tokenizers.sentencepiece", INSTALL, "mistral:spm")
        tok = module.SentencePieceTokenizer(str(path))  # mistral-common 1.5 takes a str, not a Path
        return MistralSpm(name or "mistral:spm", tok, assets.sha256_hex(path.read_bytes()))
    module = require("mistral_common.tokens.tokenizers.tekken", INSTALL, "mistral:tekken")
    tok = module.Tekkenizer.from_file(str(path))
    return MistralTekken(name or "mistral:tekken", tok, assets.sha256_hex(path.read_bytes()))


def _load(name: str, kind: str) -> MistralTokenizer:
    root = data_dir()
    if root is None:
        require("mistral_common", INSTALL, name)  # raises MissingDependencyError with the command
    path = root / DATA_FILES[name]
    if not path.is_file():
        raise TokenizerAssetError(f"mistral-common has no data file {str(path)!r} for {name!r}",
                                  f"reinstall it: {INSTALL}")
    return load_mistral(kind, path, name)


def spm() -> MistralTokenizer:
    return _load("mistral:spm", "sentencepiece")


def tekken() -> MistralTokenizer:
    return _load("mistral:tekken", "tekken")
