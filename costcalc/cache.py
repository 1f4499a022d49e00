"""On-disk caches: token counts (SQLite rows) and finished results (JSON files).

Counts are keyed by (tokenizer key, sha256 of the text), where the tokenizer key joins the vocabulary's
fingerprint, the versions of the libraries that encode with it and a fingerprint of costcalc's tokenizer code;
results by a sha256 over every input of a comparison plus a fingerprint of costcalc's own code, so a code
change or a library upgrade can never serve an old figure. Nothing here is executable: no pickle, a cache
directory that someone else can write to can at worst make a run slower.

SQLite in WAL mode: several processes can read and write one cache at once without corrupting it, and a
crash mid-write loses at most that transaction. `COSTCALC_CACHE_DIR` sets the directory (default: the user
cache dir); an empty value disables caching. A corrupt or unwritable cache is skipped with one warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import CostcalcWarning

if TYPE_CHECKING:
    import sqlite3

_PACKAGE = Path(__file__).resolve().parent
_SCHEMA = "CREATE TABLE IF NOT EXISTS counts (fingerprint TEXT, text_sha256 TEXT, tokens INTEGER, " \
          "PRIMARY KEY (fingerprint, text_sha256)) WITHOUT ROWID"
# Importable module -> distribution name, where they differ.
_DISTRIBUTIONS = {"mistral_common": "mistral-common"}
TOKENIZER_LIBRARIES = ("tiktoken", "tokenizers", "sentencepiece", "mistral_common", "transformers")


def cache_dir() -> Path | None:
    value = os.environ.get("COSTCALC_CACHE_DIR")
    if value is None:
        import platformdirs

        return Path(platformdirs.user_cache_dir("costcalc"))
    return Path(value) if value else None


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def code_fingerprint(subpackage: str = "") -> str:
    """sha256 over the installed source files of costcalc (or one subpackage): any edit gives a new value."""
    root = _PACKAGE / subpackage if subpackage else _PACKAGE
    digest = hashlib.sha256()
    files = [p for p in root.rglob("*") if p.suffix in (".py", ".yaml") and "_data" not in p.parts]
    for path in sorted(files):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def library_versions(modules: tuple[str, ...] = TOKENIZER_LIBRARIES) -> str:
    """'tiktoken=0.9.0,tokenizers=0.21.1,...' for the given importable modules ('-' when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for module in sorted(set(modules)):
        try:
            parts.append(f"{module}={version(_DISTRIBUTIONS.get(module, module))}")
        except PackageNotFoundError:
            parts.append(f"{module}=-")
    return ",".join(parts)


def count_key(tokenizer: str, fingerprint: str) -> str:
    """The count cache's key for a tokenizer: its vocabulary, the libraries that encode with it, our code."""
    from costcalc.tokenizers.registry import library_modules

    libs = library_versions(tuple(library_modules(tokenizer)))
    return f"{fingerprint}|{libs}|{code_fingerprint('tokenizers')[:16]}"


_warned: set[str] = set()


def _warn_once(where: Path, problem: object) -> None:
    """One warning per cache location and process; the run goes on without the cache."""
    if str(where) in _warned:
        return
    _warned.add(str(where))
    warnings.warn(f"cache {where} skipped ({problem}); results are computed afresh. Set COSTCALC_CACHE_DIR "
                  "to a writable directory, or to '' to turn caching off", CostcalcWarning, stacklevel=3)


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
    """get/put token counts in bulk; a no-op when caching is disabled or the cache cannot be used."""

    def __init__(self, directory: Path | None = None, *, enabled: bool = True) -> None:
        directory = directory if directory is not None else cache_dir()
        self.path = directory / "counts.sqlite" if (enabled and directory is not None) else None
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._conn is None:
            import sqlite3

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, timeout=60)
                _use_wal(self._conn)
                self._conn.execute(_SCHEMA)
            except (OSError, sqlite3.Error) as e:
                self._give_up(e)
        return self._conn

    def _give_up(self, problem: object) -> None:
        _warn_once(self.path, problem)  # type: ignore[arg-type]
        if self._conn is not None:
            self._conn.close()
        self._conn, self.path = None, None

    def get_many(self, fingerprint: str, keys: Iterable[str]) -> dict[str, int]:
        import sqlite3

        db = self._db()
        keys = list(keys)
        if db is None or not keys:
            return {}
        found: dict[str, int] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT text_sha256, tokens FROM counts WHERE fingerprint = ? AND text_sha256 IN ({marks})"
                found.update((k, t) for k, t in db.execute(query, [fingerprint, *chunk]) if isinstance(t, int))
        except sqlite3.Error as e:
            self._give_up(e)
            return {}
        return found

    def put_many(self, fingerprint: str, counts: dict[str, int]) -> None:
        import sqlite3

        db = self._db()
        if db is None or not counts:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?, ?)",
                               [(fingerprint, key, tokens) for key, tokens in counts.items()])
        except sqlite3.Error as e:
            self._give_up(e)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):  # a typed record: its fields (the reader rebuilds it)
        return {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$decimal"}:
        return Decimal(obj["$decimal"])
    if obj.keys() == {"$date"}:
        return date.fromisoformat(obj["$date"])
    return obj


class ResultCache:
    """Finished results as JSON (Decimal and date kept exactly), by a key that hashes every input that produced
    them and costcalc's own code. Files are written atomically; a corrupt one is treated as a miss."""

    MAX_FILES = 256

    def __init__(self, directory: Path | None = None, *, enabled: bool = True) -> None:
        directory = directory if directory is not None else cache_dir()
        self.root = directory / "results" if (enabled and directory is not None) else None

    def get(self, key: str) -> Any:
        if self.root is None:
            return None
        try:
            return json.loads((self.root / f"{key}.json").read_text("utf-8"), object_hook=_decode)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            _warn_once(self.root, e)
            return None

    def put(self, key: str, value: Any) -> None:
        if self.root is None:
            return
        from costcalc._atomic import write_atomic

        try:
            write_atomic(self.root / f"{key}.json", json.dumps(value, default=_encode, ensure_ascii=False))
            files = sorted(self.root.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in files[: max(0, len(files) - self.MAX_FILES)]:
                old.unlink(missing_ok=True)
        except (OSError, TypeError) as e:
            _warn_once(self.root, e)
