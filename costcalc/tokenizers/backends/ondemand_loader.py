"""Loads on-demand tokenizers (google:gemma, cohere:command-r, qwen:qwen2, deepseek:v3) from the user cache."""

from __future__ import annotations

from costcalc.errors import TokenizerAssetError
from costcalc.tokenizers import assets, ondemand
from costcalc.tokenizers._deps import require
from costcalc.tokenizers.backends.hf import TOKENIZERS_INSTALL, HfTokenizersTokenizer


def load(name: str) -> HfTokenizersTokenizer:
    spec = ondemand.SPECS[name]
    rec = ondemand.record(name)
    path = ondemand.cache_dir() / spec.file
    if rec is None or not path.is_file():
        raise TokenizerAssetError(f"tokenizer {name!r} is not installed (looked in {str(path)!r})",
                                  f"install it: {ondemand.install_command(name)}")
    data = path.read_bytes()
    assets.verify(name, path, data, rec["sha256"])
    lib = require("tokenizers", TOKENIZERS_INSTALL, name)
    return HfTokenizersTokenizer(name, lib.Tokenizer.from_str(data.decode("utf-8")), rec["sha256"])


def gemma() -> HfTokenizersTokenizer:
    return load("google:gemma")


def command_r() -> HfTokenizersTokenizer:
    return load("cohere:command-r")


def qwen2() -> HfTokenizersTokenizer:
    return load("qwen:qwen2")


def deepseek_v3() -> HfTokenizersTokenizer:
    return load("deepseek:v3")
