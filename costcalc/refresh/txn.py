"""Apply several files as one unit: stage, validate, commit marker, renames; roll forward after a crash.

Layout while an apply is in flight (inside the pricing directory, so renames stay on one filesystem):

    .refresh-txn/manifest.json   relative path, sha256 before and after, for every file of the change
    .refresh-txn/new/<path>      the new content, fsynced
    .refresh-txn/COMMITTED       written (atomically) only after the whole new state validated

Guarantee: before COMMITTED exists no table file has been touched, so a crash leaves the old state and the
next run deletes the staging directory (roll back). After COMMITTED, the files are renamed one by one, each
`os.replace` atomic, provider files first and VERSION last; a crash between renames leaves every file either
old or new (each one valid on its own) and the next run, or `recover()`, renames the rest (roll forward),
checking each target still has its recorded old or new hash. Readers in between may see a mix of old and
new files, never a partly written file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from costcalc._atomic import write_atomic
from costcalc.errors import ApplyError

TXN_DIR = ".refresh-txn"

def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _order(path: str) -> tuple[int, str]:
    # Citations first (a table never cites an undefined source), then tables, rates, changelog, and VERSION
    # last: a half-applied state never claims the new version.
    rank = {"sources.yaml": -1, "fx.yaml": 1, "CHANGELOG.md": 2, "VERSION": 3}.get(path, 0)
    return rank, path


def pending(root: Path) -> bool:
    return (root / TXN_DIR).exists()


def commit(root: Path, files: dict[str, bytes]) -> None:
    """Replace `files` (paths relative to root) as one unit. Validation happens before this is called."""
    txn = root / TXN_DIR
    if txn.exists():
        raise ApplyError(f"{txn} exists: an earlier refresh was interrupted", "run the refresh again to finish it")
    manifest = []
    try:
        for rel, data in sorted(files.items(), key=lambda kv: _order(kv[0])):
            target = root / rel
            old = target.read_bytes() if target.exists() else None
            write_atomic(txn / "new" / rel, data)
            manifest.append({"path": rel, "old": _sha(old), "new": _sha(data)})
        write_atomic(txn / "manifest.json", json.dumps(manifest, indent=1))
        _fsync_dir(txn)
        write_atomic(txn / "COMMITTED", "")
        _fsync_dir(txn)
    except BaseException:
        shutil.rmtree(txn, ignore_errors=True)  # nothing was renamed yet: the old state stands
        raise
    _roll_forward(root, manifest)


def _roll_forward(root: Path, manifest: list[dict]) -> int:
    txn = root / TXN_DIR
    done = 0
    for item in manifest:
        staged, target = txn / "new" / item["path"], root / item["path"]
        if staged.exists():
            current = _sha(target.read_bytes()) if target.exists() else None
            if current not in (item["old"], item["new"]):
                raise ApplyError(f"{target} changed since the interrupted refresh began; not overwriting it",
                                 f"merge {staged} by hand, then delete {txn}")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            _fsync_dir(target.parent)
            done += 1
    shutil.rmtree(txn)
    _fsync_dir(root)
    return done


def recover(root: Path) -> str | None:
    """Finish or undo an interrupted apply; a one-line description of what was done, None if nothing was pending."""
    txn = root / TXN_DIR
    if not txn.exists():
        return None
    if not (txn / "COMMITTED").exists():
        shutil.rmtree(txn)
        return f"rolled back an interrupted refresh in {root} (it had not changed any table yet)"
    try:
        manifest = json.loads((txn / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ApplyError(f"{txn}/manifest.json is unreadable ({e}); cannot finish the interrupted refresh",
                         f"inspect {txn} and delete it once the tables are as you want them") from None
    n = _roll_forward(root, manifest)
    return f"completed an interrupted refresh in {root} ({n} file(s) renamed)"
