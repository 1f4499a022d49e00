"""Shipped vocab files: MANIFEST.yaml lookups and sha256-verified reads. Imports no tokenizer library."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from costcalc.errors import TokenizerAssetError

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
MANIFEST = ASSETS_DIR / "MANIFEST.yaml"
REBUILD = "python scripts/build_tokenizer_assets.py"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Package(_Record):
    """A pinned archive the assets were taken from."""

    version: str
    archive: str
    sha256: Sha256
    licence: str


class AssetSource(_Record):
    package: str
    version: str
    archive: str
    archive_sha256: Sha256
    path: str  # inside the archive
    rebuilt: str | None = None  # how the file was converted, when it is not a byte-for-byte copy


class Asset(_Record):
    """One tokenizer's vocab: a shipped `file`, or a `data_file` inside a dependency (mistral-common)."""

    backend: str
    file: str | None = None
    data_file: str | None = None
    compression: Literal["gzip"] | None = None
    sha256: Sha256  # of the vocab as used (decompressed)
    size: int
    stored_size: int | None = None
    vocab_size: int
    source: AssetSource
    licence: str
    notices: list[str] = []
    reference_check: str


class Manifest(_Record):
    """costcalc/tokenizers/assets/MANIFEST.yaml, written by scripts/build_tokenizer_assets.py."""

    generated_by: str
    packages: dict[str, Package]
    fixtures: dict[str, str]
    reference_vectors: str
    tokenizers: dict[str, Asset]


@lru_cache(maxsize=1)
def manifest() -> Manifest:
    from costcalc.errors import PriceTableError
    from costcalc.prices.yamlio import read_validated

    try:
        data, _, problems = read_validated(MANIFEST, Manifest)
    except PriceTableError as e:  # unreadable or malformed YAML
        problems, data = [str(e)], None
    if data is None:
        raise TokenizerAssetError(problems[0] if MANIFEST.is_file() else f"tokenizer manifest {str(MANIFEST)!r} "
                                  "is missing", f"rebuild it: {REBUILD}")
    return data


def entry(name: str) -> Asset:
    """The MANIFEST record of a shipped or recorded tokenizer (e.g. 'openai:cl100k_base')."""
    try:
        return manifest().tokenizers[name]
    except KeyError:
        raise TokenizerAssetError(f"tokenizer {name!r} has no entry in {str(MANIFEST)!r}",
                                  f"rebuild it: {REBUILD}") from None


def read_asset(name: str, assets_dir: Path | None = None) -> bytes:
    """The vocab file of `name` as used (decompressed), after checking its sha256 against the MANIFEST."""
    record = entry(name)
    if record.file is None:
        raise TokenizerAssetError(f"tokenizer {name!r} ships no file: its data is in {record.source.package}")
    path = (assets_dir or ASSETS_DIR) / record.file
    try:
        stored = path.read_bytes()
    except FileNotFoundError:
        raise TokenizerAssetError(f"tokenizer asset {str(path)!r} for {name!r} is missing",
                                  f"rebuild it: {REBUILD}") from None
    try:
        data = gzip.decompress(stored) if record.compression == "gzip" else stored
    except (OSError, EOFError, zlib.error) as e:
        raise TokenizerAssetError(f"tokenizer asset {str(path)!r} for {name!r} is corrupt: {e}",
                                  f"rebuild it: {REBUILD}") from None
    verify(name, path, data, record.sha256)
    return data


def verify(name: str, path: Path, data: bytes, expected: str) -> None:
    got = sha256_hex(data)
    if got != expected:
        raise TokenizerAssetError(
            f"tokenizer asset {str(path)!r} for {name!r} has sha256 {got}, MANIFEST.yaml expects {expected}",
            f"rebuild it: {REBUILD}")


def notice_paths(name: str) -> list[Path]:
    return [ASSETS_DIR / n for n in entry(name).notices]
