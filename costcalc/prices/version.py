"""The price-table version: calendar version (pricing/VERSION) + a hash of every table file. Cheap: no parsing."""

from __future__ import annotations

import hashlib
from pathlib import Path


def table_files(root: Path) -> list[Path]:
    providers = root / "providers"
    return sorted(providers.glob("*.yaml")) if providers.is_dir() else []


def table_version(root: Path) -> str:
    """`<calendar version>+<sha256 prefix of every table file>`: printed by every report. Covers the price tables,
    FX rates and the calibrations of closed tokenizers (they change counts as prices change costs), the model list
    and the self-hosting data (GPU prices and throughput price the `selfhost/` offerings)."""
    calver_file = root / "VERSION"
    calver = calver_file.read_text(encoding="utf-8").strip() if calver_file.is_file() else "unversioned"
    digest = hashlib.sha256()
    calibrations = sorted((root / "calibrations").glob("*.yaml")) if (root / "calibrations").is_dir() else []
    selfhost = sorted((root / "selfhost").glob("*.yaml")) if (root / "selfhost").is_dir() else []
    for path in [*table_files(root), root / "fx.yaml", root / "sources.yaml", root / "models.yaml", *calibrations,
                 *selfhost]:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{calver}+{digest.hexdigest()[:12]}"
