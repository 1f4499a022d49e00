"""Corpus-scale estimates: tokens and cost of a user's own files per offering, exact or sampled.

Units: a .jsonl line (its `--jsonl-field`), a .csv row (its `--csv-column`), or a block of a text file (.txt,
.md and anything else): files are cut into blocks of about 256 KB at line boundaries where no tokenizer's
tokens can span the cut (see costcalc.tokenizers.stream), so a file's block counts add up to its whole-text
count. Everything streams: the reader holds one block, and at most `2 x workers` batches are in flight.

Every unit is read (its characters are always counted); with `sample` only the sampled units are tokenized,
and the totals come with a 95 % interval (costcalc.sampling). Work runs in local processes or on a Dask
cluster; both run the same `count_batch`, so their results are identical.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.errors import InputError, UsageError

BATCH_CHARS = 2_000_000
TEXT_SUFFIXES_JSONL = (".jsonl", ".ndjson")
SHOWN_SKIPS = 5


@dataclass(frozen=True)
class Unit:
    id: str
    text: str
    first: bool  # starts a document (False: a later block of a text file)


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


def _decode_line(raw: bytes, where: str, errors: str) -> str:
    try:
        return raw.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: invalid UTF-8 at byte {e.start} of the line", "pass --errors replace") from None


def _jsonl_units(path: Path, fld: str, errors: str, skipped: Skipped, strict: bool) -> Iterator[Unit]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                value = json.loads(_decode_line(raw, where, errors)).get(fld)
            except (json.JSONDecodeError, AttributeError):
                value = None
                problem = f"{where}: not a JSON object"
            else:
                problem = f"{where}: no string field {fld!r}"
            if not isinstance(value, str):
                if strict:
                    raise InputError(problem, "fix the line, choose --jsonl-field, or drop --strict to skip it")
                skipped.add(problem)
                continue
            yield Unit(f"{path}:{number}", value, True)


def _csv_units(path: Path, column: str, errors: str, skipped: Skipped, strict: bool) -> Iterator[Unit]:
    csv.field_size_limit(sys.maxsize)
    with path.open("r", encoding="utf-8", errors=errors, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or column not in reader.fieldnames:
            problem = f"{path}: no column {column!r} (columns: {', '.join(reader.fieldnames or [])})"
            if strict:
                raise InputError(problem, "choose one with --csv-column")
            skipped.add(problem)
            return
        for number, row in enumerate(reader, start=2):
            if row.get(column):
                yield Unit(f"{path}:{number}", row[column], True)


def _text_units(path: Path, errors: str) -> Iterator[Unit]:
    from costcalc.tokenizers.stream import iter_chunks

    with path.open("rb") as f:
        for k, chunk in enumerate(iter_chunks(f, str(path), errors)):
            yield Unit(f"{path}#{k}", chunk, k == 0)


def iter_units(files: Sequence[Path], *, jsonl_field: str = "text", csv_column: str = "text",
               errors: str = "strict", strict: bool = False, skipped: Skipped | None = None,
               on_file: Callable[[Path], None] | None = None) -> Iterator[Unit]:
    """Every unit of every file; unreadable, non-UTF-8 and binary files are skipped (or raise with strict)."""
    skipped = skipped if skipped is not None else Skipped()
    for path in files:
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES_JSONL:
            units = _jsonl_units(path, jsonl_field, errors, skipped, strict)
        elif suffix == ".csv":
            units = _csv_units(path, csv_column, errors, skipped, strict)
        else:
            units = _text_units(path, errors)
        read = 0
        try:
            for unit in units:
                read += 1
                yield unit
        except (InputError, OSError) as e:
            problem = e.message if isinstance(e, InputError) else f"{path}: cannot read: {e.strerror or e}"
            if strict:
                raise InputError(problem, "fix or remove the file, or drop --strict to skip it") from None
            skipped.add(problem + (" (the rest of the file was skipped)" if read else ""))
        if on_file:
            on_file(path)


def count_batch(names: Sequence[str], units: Sequence[tuple[str, bool]], per_unit: bool) -> list[list[int]]:
    """Tokens of each unit (per_unit) or the batch total, per tokenizer: [[...] per tokenizer].

    A unit that starts a document is counted on its own (the counting protocol); a later block of a text file
    is counted as a continuation, so a file's blocks add up to its whole-text count.
    """
    from costcalc.tokenizers import get_tokenizer
    from costcalc.tokenizers.base import threads

    out = []
    with threads(1):  # parallelism comes from the worker processes
        for name in names:
            tok = get_tokenizer(name)
            if per_unit:
                out.append([tok.count_chunks([text], first=first) for text, first in units])
            else:
                firsts = [text for text, first in units if first]
                rest = [text for text, first in units if not first]
                total = sum(tok.count_batch(firsts)) if firsts else 0
                total += tok.count_chunks(rest, first=False) if rest else 0
                out.append([total])
    return out


class LocalEngine:
    """Worker processes on this machine."""

    def __init__(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        from costcalc.counting import single_threaded_worker

        self.pool = (ProcessPoolExecutor(max_workers=workers, initializer=single_threaded_worker)
                     if workers > 1 else None)

    def submit(self, *args: Any):
        from concurrent.futures import Future

        if self.pool is not None:
            return self.pool.submit(count_batch, *args)
        future: Future = Future()
        future.set_result(count_batch(*args))
        return future

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


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
    """The same tasks on a dask.distributed cluster (`scheduler` address, or a LocalCluster)."""

    def __init__(self, workers: int, scheduler: str | None, timeout: float) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            from costcalc.errors import MissingDependencyError

            raise MissingDependencyError("dask.distributed is not installed, so --engine dask cannot run",
                                         "pip install 'costcalc[dask]'") from None
        self.cluster = None
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

    def submit(self, *args: Any):
        return self.client.submit(count_batch, *args, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run(units: Iterator[Unit], names: Sequence[str], *, sample: float | None, seed: int, engine,
        on_progress: Callable[[int], None] | None = None) -> Totals:
    """Read every unit, tokenize all (or the sampled) units on the engine, and add everything up."""
    from concurrent.futures import FIRST_COMPLETED
    from concurrent.futures import wait as wait_local

    from costcalc.sampling import keep

    totals = Totals(tokens=dict.fromkeys(names, 0), sample={n: [] for n in names})
    per_unit = sample is not None
    in_flight: dict[Any, list[int]] = {}  # future -> chars of each unit in the batch (for the sample)
    batch: list[tuple[str, bool]] = []
    batch_chars: list[int] = []
    size = 0

    def collect(future) -> None:
        chars = in_flight.pop(future)
        for name, counts in zip(names, future.result(), strict=True):
            totals.tokens[name] += sum(counts)
            if per_unit:
                totals.sample[name] += list(zip(chars, counts, strict=True))

    def wait_for_room(limit: int) -> None:
        while len(in_flight) > limit:
            futures = list(in_flight)
            if hasattr(futures[0], "key"):  # dask futures
                from dask.distributed import wait as wait_dask

                done = wait_dask(futures, return_when="FIRST_COMPLETED").done
            else:
                done = wait_local(futures, return_when=FIRST_COMPLETED).done
            for future in done:
                collect(future)

    def flush() -> None:
        nonlocal batch, batch_chars, size
        if batch:
            in_flight[engine.submit(list(names), batch, per_unit)] = batch_chars
            batch, batch_chars, size = [], [], 0
            wait_for_room(2 * engine.workers)

    for unit in units:
        n = len(unit.text)
        totals.units += 1
        totals.documents += unit.first
        totals.chars += n
        totals.bytes += len(unit.text.encode("utf-8"))
        if on_progress:
            on_progress(totals.bytes)
        if sample is not None and not keep(seed, unit.id, sample):
            continue
        totals.sampled_units += 1
        batch.append((unit.text, unit.first))
        batch_chars.append(n)
        size += n
        if size >= BATCH_CHARS:
            flush()
    flush()
    wait_for_room(0)
    return totals


@dataclass
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


@dataclass
class Estimate:
    offerings: list[OfferingEstimate]
    totals: Totals
    skipped: Skipped
    sample: float | None
    seed: int
    engine: str
    provenance: dict[str, Any]
    approximate_interval: bool = False

    def to_dict(self) -> dict[str, Any]:
        t = self.totals
        return {
            "offerings": [o.to_dict() for o in self.offerings],
            "documents": t.documents, "units": t.units, "sampled_units": t.sampled_units, "chars": t.chars,
            "bytes": t.bytes, "skipped": self.skipped.count, "skipped_examples": self.skipped.examples,
            "sample": self.sample, "seed": self.seed, "engine": self.engine,
            "approximate_interval": self.approximate_interval, "provenance": self.provenance,
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
                 f"{prov['inputs']} file(s); price table {prov['price_table']}, prices as of {prov['as_of']}, "
                 f"billed as {prov['direction']}."]
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
    units = iter_units(files, jsonl_field=jsonl_field, csv_column=csv_column, errors=errors, strict=strict,
                       skipped=skipped)
    workers = workers or default_workers()
    runner = DaskEngine(workers, scheduler, scheduler_timeout) if engine == "dask" else LocalEngine(workers)
    try:
        totals = run(units, names, sample=sample, seed=seed, engine=runner,
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
    provenance = {"price_table": book.version, "as_of": book.as_of, "direction": direction,
                  "estimator": "ratio estimator on characters, 95 % interval (costcalc.sampling)" if sample else
                  "exact count of every unit", "inputs": len(files), "input_bytes": total_bytes,
                  "workers": runner.workers}
    return Estimate(results, totals, skipped, sample, seed, engine, provenance, approximate)

