"""Rebuild Hugging Face tokenizer.json files from llama.cpp vocab GGUFs (for `costcalc tokenizers install`).

Recipes follow llama.cpp's own tokenizer settings for each model family; every rebuild is checked against
llama.cpp's reference vectors (.inp/.out, made with the original HF tokenizers) before it is installed.
"""

from __future__ import annotations

from typing import Any

from costcalc.tokenizers._deps import require

_CONTROL, _USER_DEFINED = 3, 4  # GGUF token types (SentencePiece numbering)


def _added_tokens(tokens: list[str], types: list[int], lib: Any) -> list[Any]:
    return [lib.AddedToken(tok, special=(kind == _CONTROL), normalized=False)
            for tok, kind in zip(tokens, types, strict=True) if kind in (_CONTROL, _USER_DEFINED)]


def gemma(kv: dict[str, Any]) -> str:
    """Gemma 3/4: SentencePiece-style BPE with byte fallback, spaces as '▁', newline runs kept apart."""
    lib = require("tokenizers", "pip install 'tokenizers>=0.20'", "google:gemma")
    tokens, types = kv["tokenizer.ggml.tokens"], kv["tokenizer.ggml.token_type"]
    merges = [tuple(m.split(" ", 1)) for m in kv["tokenizer.ggml.merges"]]
    unk = tokens[kv["tokenizer.ggml.unknown_token_id"]]
    tok = lib.Tokenizer(lib.models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges,
                                       byte_fallback=True, unk_token=unk, fuse_unk=True))
    tok.normalizer = lib.normalizers.Replace(" ", "\u2581")
    tok.pre_tokenizer = lib.pre_tokenizers.Split(lib.Regex("\n+"), behavior="isolated")
    tok.decoder = lib.decoders.Sequence([lib.decoders.Replace("\u2581", " "), lib.decoders.ByteFallback(),
                                         lib.decoders.Fuse()])
    tok.add_tokens(_added_tokens(tokens, types, lib))
    return tok.to_str()


def command_r(kv: dict[str, Any]) -> str:
    """Cohere Command-R: byte-level BPE after NFC, with every digit split off."""
    lib = require("tokenizers", "pip install 'tokenizers>=0.20'", "cohere:command-r")
    tokens, types = kv["tokenizer.ggml.tokens"], kv["tokenizer.ggml.token_type"]
    merges = [tuple(m.split(" ", 1)) for m in kv["tokenizer.ggml.merges"]]
    tok = lib.Tokenizer(lib.models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tok.normalizer = lib.normalizers.NFC()
    tok.pre_tokenizer = lib.pre_tokenizers.Sequence([
        lib.pre_tokenizers.Digits(individual_digits=True),
        lib.pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = lib.decoders.ByteLevel()
    tok.add_tokens(_added_tokens(tokens, types, lib))
    return tok.to_str()


RECIPES = {"gguf-gemma": gemma, "gguf-command-r": command_r}
