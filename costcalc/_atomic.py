"""Atomic file writes: write a temp file in the same directory, fsync, then rename over the target."""

from __future__ import annotations

import os
from pathlib import Path

from costcalc.errors import OutputError


def _mode_for(path: Path) -> int:
    """The target's current mode, or the umask default for a new file (mkstemp would make it private)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str | Path, data: str | bytes, *, make_parents: bool = True) -> None:
    """`make_parents=False` for a file the user named: a typo in its directory must fail, not create it."""
    import tempfile

    path = Path(path)
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError(f"cannot write {str(path)!r}: {e.strerror}", "choose a writable location") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
