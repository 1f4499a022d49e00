"""On-disk cache of token counts, keyed by (tokenizer fingerprint, sha256 of the text).

SQLite in WAL mode: several processes can read and write one cache at once without corrupting it, and a
crash mid-write loses at most that transaction. `COSTCALC_CACHE_DIR` sets the directory (default: the user
cache dir); an empty value disables caching.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

# Bump when a computation, the CostMatrix layout or a report renderer changes, so that results cached by older
# code are not reused (the package version is part of every key too).
RESULT_FORMAT = 4

_SCHEMA = "CREATE TABLE IF NOT EXISTS counts (fingerprint TEXT, text_sha256 TEXT, tokens INTEGER, " \
          "PRIMARY KEY (fingerprint, text_sha256)) WITHOUT ROWID"


def cache_dir() -> Path | None:
    value = os.environ.get("COSTCALC_CACHE_DIR")
    if value is None:
        import platformdirs

        return Path(platformdirs.user_cache_dir("costcalc"))
    return Path(value) if value else None


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new cache to WAL (persistent, so later opens skip this). SQLite answers "database is locked"
    to a journal-mode change while another process opens the same new file, without waiting for the busy
    timeout: retry with backoff."""
    import sqlite3
    import time

    for attempt in range(40):
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            return
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == 39:
                raise
            time.sleep(min(0.5, 0.01 * 2**attempt))


class CountCache:
    """get/put token counts in bulk; a no-op when caching is disabled."""

    def __init__(self, directory: Path | None = None, *, enabled: bool = True) -> None:
        directory = directory if directory is not None else cache_dir()
        self.path = directory / "counts.sqlite" if (enabled and directory is not None) else None
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._conn is None:
            import sqlite3

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=60)
            _use_wal(self._conn)
            self._conn.execute(_SCHEMA)
        return self._conn

    def get_many(self, fingerprint: str, keys: Iterable[str]) -> dict[str, int]:
        db = self._db()
        keys = list(keys)
        if db is None or not keys:
            return {}
        found: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT text_sha256, tokens FROM counts WHERE fingerprint = ? AND text_sha256 IN ({marks})"
            rows = db.execute(query, [fingerprint, *chunk])
            found.update(rows)
        return found

    def put_many(self, fingerprint: str, counts: dict[str, int]) -> None:
        db = self._db()
        if db is None or not counts:
            return
        with db:
            db.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?, ?)",
                           [(fingerprint, key, tokens) for key, tokens in counts.items()])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class ResultCache:
    """Finished results (e.g. a CostMatrix of plain rows) by a key that hashes every input that produced them.

    Any change to prices, corpus, tokenizer assets, options or costcalc's version gives another key, so a stale
    result is never served; files are written atomically and a corrupt one is treated as a miss.
    """

    MAX_FILES = 256

    def __init__(self, directory: Path | None = None, *, enabled: bool = True) -> None:
        directory = directory if directory is not None else cache_dir()
        self.root = directory / "results" if (enabled and directory is not None) else None

    def get(self, key: str):
        if self.root is None:
            return None
        import pickle

        try:
            return pickle.loads((self.root / f"{key}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value) -> None:
        if self.root is None:
            return
        import pickle

        from costcalc._atomic import write_atomic

        write_atomic(self.root / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        files = sorted(self.root.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.MAX_FILES)]:
            old.unlink(missing_ok=True)
