"""Shipped vocab files: MANIFEST.yaml lookups and sha256-verified reads. Imports no tokenizer library."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from costcalc.errors import TokenizerAssetError

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
MANIFEST = ASSETS_DIR / "MANIFEST.yaml"
REBUILD = "python scripts/build_tokenizer_assets.py"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    import yaml

    try:
        return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TokenizerAssetError(f"tokenizer manifest {str(MANIFEST)!r} is missing",
                                  f"rebuild it: {REBUILD}") from None


def entry(name: str) -> dict[str, Any]:
    """The MANIFEST record of a shipped or recorded tokenizer (e.g. 'openai:cl100k_base')."""
    try:
        return manifest()["tokenizers"][name]
    except KeyError:
        raise TokenizerAssetError(f"tokenizer {name!r} has no entry in {str(MANIFEST)!r}",
                                  f"rebuild it: {REBUILD}") from None


def read_asset(name: str, assets_dir: Path | None = None) -> bytes:
    """The vocab file of `name` as used (decompressed), after checking its sha256 against the MANIFEST."""
    record = entry(name)
    path = (assets_dir or ASSETS_DIR) / record["file"]
    try:
        stored = path.read_bytes()
    except FileNotFoundError:
        raise TokenizerAssetError(f"tokenizer asset {str(path)!r} for {name!r} is missing",
                                  f"rebuild it: {REBUILD}") from None
    try:
        data = gzip.decompress(stored) if record.get("compression") == "gzip" else stored
    except (OSError, EOFError, zlib.error) as e:
        raise TokenizerAssetError(f"tokenizer asset {str(path)!r} for {name!r} is corrupt: {e}",
                                  f"rebuild it: {REBUILD}") from None
    verify(name, path, data, record["sha256"])
    return data


def verify(name: str, path: Path, data: bytes, expected: str) -> None:
    got = sha256_hex(data)
    if got != expected:
        raise TokenizerAssetError(
            f"tokenizer asset {str(path)!r} for {name!r} has sha256 {got}, MANIFEST.yaml expects {expected}",
            f"rebuild it: {REBUILD}")


def notice_paths(name: str) -> list[Path]:
    return [ASSETS_DIR / n for n in entry(name).get("notices", [])]
