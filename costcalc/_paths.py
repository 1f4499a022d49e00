"""Where the bundled data lives: inside the wheel (costcalc/_data) or, in a source checkout, at the repo root."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def optional_tokenizers_dir() -> Path:
    """Where `costcalc tokenizers install` puts tokenizers: $COSTCALC_TOKENIZERS_DIR, else the user cache."""
    env = os.environ.get("COSTCALC_TOKENIZERS_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("costcalc")) / "tokenizers"


def data_dir(name: str) -> Path:
    """The bundled `pricing` or `corpora` directory."""
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def inside_installed_package(path: Path) -> bool:
    """True for a directory inside an installed costcalc (the wheel's _data, or any site-packages): tables
    written there vanish at the next upgrade and differ from what the project publishes."""
    resolved = path.resolve()
    if resolved.is_relative_to(_PACKAGE / "_data"):
        return True
    return any(part in ("site-packages", "dist-packages") for part in resolved.parts)
