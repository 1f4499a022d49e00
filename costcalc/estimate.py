"""Corpus-scale estimates: tokens and cost of a user's own files per offering, exact or sampled.

Units: a .jsonl line (its `--jsonl-field`), a .csv row (its `--csv-column`), or a block of a text file (.txt,
.md and anything else), cut at line boundaries where no tokenizer's tokens can span the cut (see
costcalc.tokenizers.stream), so a file's block counts add up to its whole-text count.

How the work is shared: the files are planned as pieces of about 4 MB (a .jsonl file cut after a newline, a text
file where `iter_chunks` may cut; a .csv file is one piece, as a quoted field may hold a newline). A worker
process reads its piece itself, parses and tokenizes it, and sends back numbers only: no text crosses a process
boundary, and the main process only plans, waits and adds up, so N workers each do about 1/N of the work. The
plan does not depend on the number of workers and results are added up in plan order, so every --workers
gives the same totals. At most `2 x workers` pieces are in flight; a worker holds one piece.

Every unit is read (its characters are always counted); with `sample` only the sampled units are tokenized,
and the totals come with a 95 % interval (costcalc.sampling). Work runs in local processes or on a Dask
cluster (a remote one gets each piece's bytes with it); both run the same `count_piece`.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO

from costcalc.errors import InputError, UsageError

PIECE_BYTES = 4 * 1024 * 1024  # ~0.1-0.2 s of work: amortises a task's cost, and the last pieces end together
BATCH_CHARS = 2_000_000  # characters per tokenizer call inside a piece
TEXT_SUFFIXES_JSONL = (".jsonl", ".ndjson")
SHOWN_SKIPS = 5


@dataclass(frozen=True)
class Unit:
    id: str  # what --sample draws on: path@offset of a .jsonl line, path:row of a .csv row, path@piece#k
    text: str
    first: bool  # starts a document (False: a later block of a text file)


@dataclass(frozen=True)
class ReadOptions:
    jsonl_field: str = "text"
    csv_column: str = "text"
    errors: str = "strict"  # or "replace": invalid UTF-8 counted as U+FFFD
    strict: bool = False  # a bad record or file fails the run instead of being skipped


@dataclass(frozen=True)
class Piece:
    """Bytes [start, end) of one file; `data` carries them to workers that cannot read the file."""

    path: str
    kind: str  # "jsonl", "csv" or "text"
    start: int
    end: int
    data: bytes | None = None


@dataclass
class Skipped:
    """Inputs passed over: unreadable or binary files, records without the field."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.count += 1
        if len(self.examples) < SHOWN_SKIPS:
            self.examples.append(what)


@dataclass
class Totals:
    units: int = 0
    documents: int = 0
    chars: int = 0
    bytes: int = 0
    sampled_units: int = 0
    tokens: dict[str, int] = field(default_factory=dict)  # over the counted (all or sampled) units
    sample: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (chars, tokens) per sampled unit


@dataclass
class PieceResult:
    """What a worker sends back for one piece: numbers, and the first few problems."""

    units: int = 0
    documents: int = 0
    chars: int = 0
    bytes: int = 0
    sampled_units: int = 0
    lines: int = 0  # newlines in the piece: the next piece of the file numbers its lines from there
    tokens: list[int] = field(default_factory=list)  # per tokenizer
    sample: list[list[tuple[int, int]]] = field(default_factory=list)  # per tokenizer: (chars, tokens) per unit
    skipped: int = 0
    problems: list[tuple[int | None, str]] = field(default_factory=list)  # first few: (line in the piece, what)
    stop: tuple[int | None, str] | None = None  # reading stopped here; the rest of the file is skipped

    def problem(self, line: int | None, what: str) -> None:
        self.skipped += 1
        if len(self.problems) < SHOWN_SKIPS:
            self.problems.append((line, what))


class _Stop(Exception):
    """A piece cannot be read past `line` (in the piece); `what` says why."""

    def __init__(self, line: int | None, what: str) -> None:
        super().__init__(what)
        self.line, self.what = line, what


def input_files(paths: Sequence[str], pattern: str | None) -> list[Path]:
    """Files named, and files under directories (recursive, sorted), filtered by a glob on the file name."""
    import fnmatch

    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            files += [p for p in found if pattern is None or fnmatch.fnmatch(p.name, pattern)]
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"no such file or directory: {raw!r}")
    if not files:
        raise InputError(f"no input files found in {', '.join(map(repr, paths))}"
                         + (f" matching {pattern!r}" if pattern else ""), "check the paths and --glob")
    return files


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return "jsonl" if suffix in TEXT_SUFFIXES_JSONL else "csv" if suffix == ".csv" else "text"


def plan(files: Sequence[Path], piece_bytes: int | None = None) -> list[Piece]:
    """The pieces of `files`, in order: a few reads around each cut, no parsing. A file that cannot be read is
    one piece; its worker says why."""
    from costcalc.tokenizers.stream import find_cut

    piece_bytes = piece_bytes or PIECE_BYTES
    pieces = []
    for path in files:
        kind = _kind(path)
        cuts: list[int] = []
        try:
            size = path.stat().st_size
            if kind != "csv" and size > piece_bytes:
                with path.open("rb") as f:
                    for lo in range(piece_bytes, size, piece_bytes):  # disjoint windows: the cuts increase
                        cut = find_cut(f, lo, min(lo + piece_bytes, size), safe=kind == "text")
                        if cut is not None and cut < size:
                            cuts.append(cut)
        except OSError:
            size, cuts = 0, []
        bounds = [0, *cuts, size]
        pieces += [Piece(str(path), kind, a, b) for a, b in pairwise(bounds)]
    return pieces


class _Window:
    """The next `size` bytes of a stream, read in blocks."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream, self.left = stream, size

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(self.left if n < 0 else min(n, self.left))
        self.left -= len(data)
        return data


def _jsonl_units(piece: Piece, stream: BinaryIO, read: ReadOptions, found: PieceResult) -> Iterator[Unit]:
    data = stream.read(piece.end - piece.start)
    found.lines = data.count(b"\n")
    at = piece.start
    for line, raw in enumerate(data.split(b"\n"), start=1):
        offset, at = at, at + len(raw) + 1
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8", read.errors)).get(read.jsonl_field)
        except UnicodeDecodeError as e:
            raise _Stop(line, f"invalid UTF-8 at byte {e.start} of the line") from None
        except (json.JSONDecodeError, AttributeError):
            value, problem = None, "not a JSON object"
        else:
            problem = f"no string field {read.jsonl_field!r}"
        if not isinstance(value, str):
            if read.strict:
                raise _Stop(line, problem)
            found.problem(line, problem)
            continue
        yield Unit(f"{piece.path}@{offset}", value, True)


def _csv_units(piece: Piece, stream: BinaryIO, read: ReadOptions, found: PieceResult) -> Iterator[Unit]:
    csv.field_size_limit(sys.maxsize)
    column = read.csv_column
    with io.TextIOWrapper(stream, encoding="utf-8", errors=read.errors, newline="") as f:
        try:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or column not in reader.fieldnames:
                problem = f"{piece.path}: no column {column!r} (columns: {', '.join(reader.fieldnames or [])})"
                if read.strict:
                    raise _Stop(None, problem)
                found.problem(None, problem)
                return
            for number, row in enumerate(reader, start=2):
                if row.get(column):
                    yield Unit(f"{piece.path}:{number}", row[column], True)
        except UnicodeDecodeError:
            raise _Stop(None, f"{piece.path}: invalid UTF-8") from None


def _text_units(piece: Piece, stream: BinaryIO, read: ReadOptions, found: PieceResult) -> Iterator[Unit]:
    from costcalc.tokenizers.stream import iter_chunks

    window = _Window(stream, piece.end - piece.start)
    for k, chunk in enumerate(iter_chunks(window, piece.path, read.errors, offset=piece.start)):  # type: ignore[arg-type]
        yield Unit(f"{piece.path}@{piece.start}#{k}", chunk, piece.start == 0 and k == 0)


def _open(piece: Piece) -> BinaryIO:
    if piece.data is not None:
        return io.BytesIO(piece.data)
    f = open(piece.path, "rb")  # noqa: SIM115 - closed by the caller
    f.seek(piece.start)
    return f


def read_piece(piece: Piece, read: ReadOptions, found: PieceResult) -> Iterator[Unit]:
    """The units of one piece; skipped records go to `found`. Raises _Stop, InputError or OSError where the
    piece cannot be read further."""
    units = {"jsonl": _jsonl_units, "csv": _csv_units, "text": _text_units}[piece.kind]
    with _open(piece) as stream:
        yield from units(piece, stream, read, found)


def iter_units(files: Sequence[Path], read: ReadOptions = ReadOptions()) -> Iterator[Unit]:
    """Every unit of every file, in order, in this process (what the workers read); a file that cannot be read
    further ends where it stops."""
    stopped = None
    for piece in plan(files):
        if piece.path != stopped:
            try:
                yield from read_piece(piece, read, PieceResult())
            except (_Stop, InputError, OSError):
                stopped = piece.path


def count_batch(names: Sequence[str], units: Sequence[tuple[str, bool]], per_unit: bool) -> list[list[int]]:
    """Tokens of each unit (per_unit) or the batch total, per tokenizer: [[...] per tokenizer].

    A unit that starts a document is counted on its own (the counting protocol); a later block of a text file
    is counted as a continuation, so a file's blocks add up to its whole-text count.
    """
    from costcalc.tokenizers import get_tokenizer

    out = []
    for name in names:  # one thread each: parallelism comes from the worker processes
        tok = get_tokenizer(name)
        if per_unit:
            out.append([tok.count_chunks([text], first=first, threads=1) for text, first in units])
        else:
            firsts = [text for text, first in units if first]
            rest = [text for text, first in units if not first]
            total = sum(tok.count_batch(firsts, threads=1)) if firsts else 0
            total += tok.count_chunks(rest, first=False, threads=1) if rest else 0
            out.append([total])
    return out


def count_piece(piece: Piece, names: Sequence[str], read: ReadOptions, sample: float | None,
                seed: int) -> PieceResult:
    """Worker: read one piece, count its characters and bytes, and tokenize all (or the sampled) units."""
    from costcalc.sampling import keep

    found = PieceResult(tokens=[0] * len(names), sample=[[] for _ in names])
    per_unit = sample is not None
    batch: list[tuple[str, bool]] = []
    chars: list[int] = []

    def flush() -> None:
        for j, counts in enumerate(count_batch(names, batch, per_unit)):
            found.tokens[j] += sum(counts)
            if per_unit:
                found.sample[j] += zip(chars, counts, strict=True)
        batch.clear()
        chars.clear()

    size = 0
    try:
        for unit in read_piece(piece, read, found):
            n = len(unit.text)
            found.units += 1
            found.documents += unit.first
            found.chars += n
            found.bytes += n if unit.text.isascii() else len(unit.text.encode("utf-8"))
            if sample is not None and not keep(seed, unit.id, sample):
                continue
            found.sampled_units += 1
            batch.append((unit.text, unit.first))
            chars.append(n)
            size += n
            if size >= BATCH_CHARS:
                flush()
                size = 0
    except _Stop as e:
        found.stop = (e.line, e.what)
    except InputError as e:
        found.stop = (None, e.message)
    except OSError as e:
        found.stop = (None, f"{piece.path}: cannot read: {e.strerror or e}")
    if batch:
        flush()
    return found


class _Sum:
    """Adds piece results up in plan order: the same totals and skip examples for any number of workers,
    .jsonl lines numbered across pieces, and nothing more of a file after the point where it could not be read."""

    def __init__(self, names: Sequence[str], totals: Totals, skipped: Skipped, strict: bool) -> None:
        self.names, self.totals, self.skipped, self.strict = names, totals, skipped, strict
        self.path: str | None = None
        self.lines = self.units = 0
        self.stopped = False

    def add(self, piece: Piece, found: PieceResult) -> None:
        if piece.path != self.path:
            self.path, self.lines, self.units, self.stopped = piece.path, 0, 0, False
        if self.stopped:
            return
        t = self.totals

        def where(line: int | None, what: str) -> str:
            return what if line is None else f"{piece.path}:{self.lines + line}: {what}"

        for problem in found.problems:
            self.skipped.add(where(*problem))
        self.skipped.count += found.skipped - len(found.problems)
        t.units += found.units
        t.documents += found.documents
        t.chars += found.chars
        t.bytes += found.bytes
        t.sampled_units += found.sampled_units
        for name, tokens, sample in zip(self.names, found.tokens, found.sample, strict=True):
            t.tokens[name] += tokens
            t.sample[name] += sample
        self.units += found.units
        if found.stop is not None:
            problem = where(*found.stop)
            if self.strict:
                raise InputError(problem, "fix or remove the file, or drop --strict to skip it")
            self.skipped.add(problem + (" (the rest of the file was skipped)" if self.units else ""))
            self.stopped = True
        self.lines += found.lines


class LocalEngine:
    """Worker processes on this machine (or this process, with one worker)."""

    remote = False

    def __init__(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        from costcalc.counting import single_threaded_worker

        self.workers = workers
        self.pool = (ProcessPoolExecutor(max_workers=workers, initializer=single_threaded_worker)
                     if workers > 1 else None)

    def submit(self, *args: Any):
        from concurrent.futures import Future

        if self.pool is not None:
            return self.pool.submit(count_piece, *args)
        future: Future = Future()
        future.set_result(count_piece(*args))
        return future

    def wait(self, futures: list) -> set:
        from concurrent.futures import FIRST_COMPLETED, wait

        return wait(futures, return_when=FIRST_COMPLETED).done

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _probe_scheduler(address: str, timeout: float) -> None:
    """Check that a Dask scheduler answers at `address` before handing it to dask: something else listening
    there (a web server, say) would make the client wait past the timeout, or read the reply's first bytes as a
    frame length and try to allocate exabytes. A scheduler greets at once with a small length-prefixed frame."""
    import socket
    import struct
    from urllib.parse import urlsplit

    if "://" in address and not address.startswith("tcp://"):
        return  # tls://, ucx://, inproc://: dask's own checks apply
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    hint = "check --scheduler (e.g. tcp://10.0.0.5:8786) and that a Dask scheduler is running there"
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise UsageError(f"cannot read the Dask scheduler address {address!r}", hint)
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            head = b""
            while len(head) < 8:
                chunk = conn.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except TimeoutError:
        raise InputError(f"{address} did not answer as a Dask scheduler within {timeout:g} s", hint) from None
    except OSError as e:
        raise InputError(f"cannot reach the Dask scheduler {address!r} within {timeout:g} s ({e.strerror or e})",
                         hint) from None
    if len(head) < 8 or not 0 < struct.unpack("<Q", head)[0] < 2**30:
        raise InputError(f"{address} answered, but not as a Dask scheduler", hint)


class DaskEngine:
    """The same tasks on a dask.distributed cluster (`scheduler` address, or a LocalCluster). A cluster at an
    address may not see this machine's files, so each piece's bytes go with it."""

    def __init__(self, workers: int, scheduler: str | None, timeout: float) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            from costcalc.errors import MissingDependencyError

            raise MissingDependencyError("dask.distributed is not installed, so --engine dask cannot run",
                                         "pip install 'costcalc[dask]'") from None
        self.cluster = None
        self.remote = scheduler is not None
        if scheduler:
            _probe_scheduler(scheduler, timeout)
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=f"{timeout}s")
            else:
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None)
                self.client = Client(self.cluster, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as e:
            raise InputError(f"cannot reach the Dask scheduler {scheduler!r} within {timeout:g} s ({e})",
                             "check --scheduler (e.g. tcp://10.0.0.5:8786) and that the scheduler is running") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)

    def submit(self, piece: Piece, *args: Any):
        if self.remote:
            try:
                with open(piece.path, "rb") as f:
                    f.seek(piece.start)
                    piece = replace(piece, data=f.read(piece.end - piece.start))
            except OSError:
                pass  # the worker reports it
        return self.client.submit(count_piece, piece, *args, pure=False)

    def wait(self, futures: list) -> set:
        from dask.distributed import wait

        return wait(futures, return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run(pieces: Sequence[Piece], names: Sequence[str], *, read: ReadOptions = ReadOptions(),
        sample: float | None, seed: int, engine, skipped: Skipped | None = None,
        on_progress: Callable[[int], None] | None = None) -> Totals:
    """Count every piece on the engine (at most 2 x workers in flight) and add the results up in plan order."""
    totals = Totals(tokens=dict.fromkeys(names, 0), sample={n: [] for n in names})
    adder = _Sum(names, totals, skipped if skipped is not None else Skipped(), read.strict)
    in_flight: dict[Any, int] = {}  # future -> index of its piece
    done: dict[int, PieceResult] = {}
    added = done_bytes = 0

    def wait_for_room(limit: int) -> None:
        nonlocal added, done_bytes
        while len(in_flight) > limit:
            for future in engine.wait(list(in_flight)):
                done[in_flight.pop(future)] = future.result()
        while added in done:
            adder.add(pieces[added], done.pop(added))
            done_bytes += pieces[added].end - pieces[added].start
            added += 1
            if on_progress:
                on_progress(done_bytes)

    for i, piece in enumerate(pieces):
        in_flight[engine.submit(piece, list(names), read, sample, seed)] = i
        wait_for_room(2 * engine.workers)
    wait_for_room(0)
    return totals


@dataclass(frozen=True)
class OfferingEstimate:
    offering: str
    tokenizer: str
    exact: bool
    tokens: int
    tokens_ci_low: int | None
    tokens_ci_high: int | None
    cost: Decimal
    cost_ci_low: Decimal | None
    cost_ci_high: Decimal | None
    currency: str
    price_per_1m: Decimal
    source: str
    confidence: str
    calibration: dict[str, Any] | None = None  # closed tokenizers: the calibration the count used

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class EstimateProvenance:
    """What an estimate read and priced with."""

    price_table: str
    as_of: date
    direction: str  # input or output
    estimator: str  # how totals were made: an exact count, or the sampling estimator
    inputs: int  # files read
    input_bytes: int
    workers: int


@dataclass(frozen=True)
class Estimate:
    """What `estimate` returns: a frozen record per offering, the totals read, and how they were made."""

    offerings: tuple[OfferingEstimate, ...]
    totals: Totals
    skipped: Skipped
    sample: float | None
    seed: int
    engine: str
    provenance: EstimateProvenance
    approximate_interval: bool = False

    def to_dict(self) -> dict[str, Any]:
        t = self.totals
        return {
            "offerings": [o.to_dict() for o in self.offerings],
            "documents": t.documents, "units": t.units, "sampled_units": t.sampled_units, "chars": t.chars,
            "bytes": t.bytes, "skipped": self.skipped.count, "skipped_examples": self.skipped.examples,
            "sample": self.sample, "seed": self.seed, "engine": self.engine,
            "approximate_interval": self.approximate_interval, "provenance": asdict(self.provenance),
        }

    def rows(self) -> list[dict[str, Any]]:
        return [o.to_dict() for o in self.offerings]

    @property
    def columns(self) -> list[str]:
        """The table columns: the 95 % interval columns when sampled."""
        if self.sample is None:
            return ["offering", "tokenizer", "exact", "tokens", "cost", "currency"]
        return ["offering", "tokenizer", "exact", "tokens", "tokens_ci_low", "tokens_ci_high", "cost", "cost_ci_low",
                "cost_ci_high", "currency"]

    def notes(self) -> list[str]:
        """What was read and priced, how it was sampled, which counts are estimates, what was skipped."""
        t, prov = self.totals, self.provenance
        notes = [f"{t.documents:,} documents ({t.units:,} units), {t.chars:,} characters, {t.bytes:,} bytes in "
                 f"{prov.inputs} file(s); price table {prov.price_table}, prices as of {prov.as_of}, "
                 f"billed as {prov.direction}."]
        if self.sample is not None:
            notes.append(f"Sampled {t.sampled_units:,} of {t.units:,} units (fraction {self.sample}, seed "
                         f"{self.seed}); tokens and cost are estimates with 95 % intervals (ratio estimator on "
                         "characters)." + (" Few units were sampled: treat the interval as approximate."
                                           if self.approximate_interval else ""))
        if not all(o.exact or o.calibration for o in self.offerings):
            notes.append("exact = no: the vendor's tokenizer is not public; counted with a stand-in (an estimate).")
        notes += [f"{o.offering}: {o.calibration['label']}." for o in self.offerings if o.calibration]
        if self.skipped.count:
            notes.append(f"Skipped {self.skipped.count} unreadable file(s) or record(s), e.g. "
                         + "; ".join(self.skipped.examples[:3]) + " (--strict to fail instead).")
        return notes


def _scaled(n: int | None, factor: Decimal) -> int | None:
    return None if n is None else int((Decimal(n) * factor).to_integral_value())


def _base(name: str, calibrations, language: str | None) -> tuple[str, Decimal]:
    """An estimate tokenizer's or closed family's base and factor (counting the base once serves all of them)."""
    from costcalc.tokenizers import get_tokenizer
    from costcalc.tokenizers.families import FAMILIES

    if name in FAMILIES:
        resolved = calibrations.resolve(name, language)
        return resolved.base, resolved.factor
    if not name.startswith("estimate:"):
        return name, Decimal(1)
    tok = get_tokenizer(name)
    return tok.base.name, tok.factor


def estimate(paths: Sequence[str], models: Sequence[str], *, pattern: str | None = None, jsonl_field: str = "text",
             csv_column: str = "text", sample: float | None = None, seed: int = 0, engine: str = "local",
             scheduler: str | None = None, scheduler_timeout: float = 10, workers: int | None = None,
             as_of=None, currency: str = "USD",
             direction: str = "input", errors: str = "strict", strict: bool = False,
             progress: Callable[[int, int], None] | None = None, pricing_dir: str | None = None,
             prices: Sequence[str] | None = None, language: str | None = None,
             calibrations: Sequence[str] = ()) -> Estimate:
    """Total tokens and cost of the files at `paths` on each offering in `models`. Closed tokenizers (Claude,
    Gemini, ...) use the calibration for `language` (default: their language-agnostic one), from the shipped
    tables and `calibrations` files."""
    from costcalc.calibrate.store import load_set
    from costcalc.cost_model import Workload, blend, cost_of
    from costcalc.counting import default_workers
    from costcalc.prices import load_prices
    from costcalc.sampling import ratio_estimate
    from costcalc.tokenizers.families import FAMILIES

    if sample is not None and not 0 < sample <= 1:
        raise UsageError(f"--sample must be a fraction in (0, 1], got {sample}", "e.g. --sample 0.01")
    if not models:
        raise UsageError("no offerings to price", "pass -m provider/model (repeatable)")
    book = load_prices(as_of=as_of, path=pricing_dir, overlays=prices)
    offerings = [book.lookup(m) for m in dict.fromkeys(models)]
    quotes = {o.ref: o.price(book.as_of, currency) for o in offerings}
    cal = load_set(calibrations, pricing_dir)
    bases = {o.tokenizer: _base(o.tokenizer, cal, language) for o in offerings}
    names = sorted({b for b, _ in bases.values()})
    files = input_files(paths, pattern)
    total_bytes = sum(p.stat().st_size for p in files)
    skipped = Skipped()
    if errors not in ("strict", "replace"):
        raise UsageError(f"invalid errors mode {errors!r}", "use 'strict' or 'replace'")
    read = ReadOptions(jsonl_field, csv_column, errors, strict)
    pieces = plan(files)
    workers = workers or default_workers()
    runner = DaskEngine(workers, scheduler, scheduler_timeout) if engine == "dask" else LocalEngine(workers)
    try:
        totals = run(pieces, names, read=read, sample=sample, seed=seed, engine=runner, skipped=skipped,
                     on_progress=(lambda done: progress(done, total_bytes)) if progress else None)
    finally:
        runner.close()
    if sample is not None and totals.units and totals.sampled_units == 0:
        raise UsageError(f"--sample {sample:g} selected none of the {totals.units:,} units",
                         f"use --sample {max(sample, 1 / totals.units):.2g} or more, or drop --sample")
    if totals.units == 0:
        raise InputError(f"no text found in {len(files)} file(s)" + (f"; {skipped.count} skipped" if skipped.count
                         else ""), "check --glob, --jsonl-field and --csv-column")
    workload = Workload(direction)
    results, approximate = [], False
    for off in offerings:
        base, factor = bases[off.tokenizer]
        q = quotes[off.ref]
        eff_in, eff_out, _ = blend(q, workload)
        price = eff_in if direction == "input" else eff_out
        if sample is None:
            tokens, low, high = totals.tokens[base], None, None
        else:
            est = ratio_estimate(totals.sample[base], totals.units, totals.chars)
            tokens, low, high = round(est.total), round(est.low), round(est.high) if est.high != float("inf") else None
            approximate |= est.approximate
        tokens, low, high = (_scaled(n, factor) for n in (tokens, low, high))
        per_char = q.entry.unit == "character"  # billed per character: cost does not depend on tokens
        cost, cost_low, cost_high = (cost_of(price, totals.chars if per_char and n is not None else n)
                                     for n in (tokens, low, high))
        closed = off.tokenizer in FAMILIES
        results.append(OfferingEstimate(
            off.ref, off.tokenizer, not off.tokenizer.startswith("estimate:") and not closed, tokens, low, high,
            cost, cost_low, cost_high, currency, price, q.citation_text(), q.entry.confidence,
            cal.resolve(off.tokenizer, language).to_dict() if closed else None))
    provenance = EstimateProvenance(
        book.version, book.as_of, direction,
        "ratio estimator on characters, 95 % interval (costcalc.sampling)" if sample else "exact count of every unit",
        len(files), total_bytes, runner.workers)
    return Estimate(tuple(results), totals, skipped, sample, seed, engine, provenance, approximate)

