"""Self-hosting as an offering: GPU-hours and published serving throughput turned into prices per 1M tokens.

The cost model (stated in every output and in the README):

    input  = gpus * usd_per_gpu_hour / 3600 / prefill_tps / utilisation * 1e6     (USD per 1M input tokens)
    output = gpus * usd_per_gpu_hour / 3600 / decode_tps  / utilisation * 1e6     (USD per 1M output tokens)

Assumptions: the GPUs are billed by the hour at the on-demand price; prefill and decode each take GPU time in
proportion to their tokens (a request costs input/prefill_tps + output/decode_tps seconds of the whole fleet);
`utilisation` is the share of paid GPU time spent serving. Limits: published throughput is measured at full load on
fixed input/output lengths; real traffic, latency targets, long contexts, engine versions, storage, networking,
engineering time and idle capacity change the figure.

Data: `pricing/selfhost/gpus.yaml` (dated on-demand USD per GPU-hour per vendor and region) and
`pricing/selfhost/throughput.yaml` (published prefill and decode tokens/s per model, engine, GPU and GPU count).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from costcalc.errors import NoPriceError, PriceTableError, UnknownOfferingError, UsageError, closest

if TYPE_CHECKING:
    from costcalc.cost_model import Workload
    from costcalc.prices.book import PriceBook
    from costcalc.prices.schema import Model, ProviderTable

HOURS_PER_MONTH = Decimal(730)  # 365 * 24 / 12
MILLION = Decimal(1_000_000)
COST_MODEL = ("input = gpus x USD per GPU-hour / 3600 / prefill tokens/s / utilisation x 1e6; "
              "output likewise with decode tokens/s")
ASSUMPTIONS = (
    "GPUs billed by the hour at the on-demand price; a request takes input/prefill + output/decode seconds of the "
    "whole fleet; utilisation is the share of paid GPU time spent serving",
    "published throughput is measured at full load with fixed input/output lengths: real traffic, latency targets, "
    "long contexts and other engine versions change it",
    "not included: storage, networking, engineering and operations time, reserved or spot discounts",
)
_REF = re.compile(r"^selfhost/(?P<model>[^@]+)@(?P<gpu>[a-z0-9-]+?)x(?P<n>\d+)(?P<opts>(,[a-z_]+=[0-9.]+)*)$")
_REF_OPTIONS = {"usd": "usd_per_gpu_hour", "prefill": "prefill_tps", "decode": "decode_tps", "util": "utilisation"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True)


Positive = Field(gt=0)


class GpuPrice(_Strict):
    """One vendor's on-demand price of one GPU-hour, in force from `from`."""

    vendor: str
    offer: str
    """What the vendor sells: instance type or product name, and how many GPUs it has."""
    region: str | None = None
    usd_per_gpu_hour: Decimal = Positive
    from_: date = Field(alias="from")
    from_basis: str
    source: list[str] = Field(min_length=1)
    confidence: str
    note: str | None = None


class Gpu(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    """The name `--gpu` takes, e.g. h100."""
    name: str
    memory_gb: int = Positive
    aliases: list[str] = []
    prices: list[GpuPrice] = []


class Run(_Strict):
    """One published benchmark run: fixed input/output lengths and the tokens per second it reached."""

    input_tokens: int = Positive
    output_tokens: int = Positive
    tokens_per_second: Decimal = Positive


class Throughput(_Strict):
    """Published serving throughput of one model on `gpus` x `gpu` with one engine."""

    model: str
    engine: str
    engine_version: str
    gpu: str
    gpus: int = Positive
    precision: str
    concurrency: str
    prefill: Run
    """tokens_per_second counts input tokens."""
    decode: Run
    """tokens_per_second counts output tokens."""
    source: list[str] = Field(min_length=1)
    note: str | None = None


class GpusFile(_Strict):
    gpus: list[Gpu]


class ThroughputFile(_Strict):
    measurements: list[Throughput]


def _read(path: Path, kind: type[BaseModel]) -> Any:
    from costcalc.prices.yamlio import read_yaml

    data, _ = read_yaml(path)
    try:
        return kind.model_validate(data)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        raise PriceTableError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}",
                              "fix the entry (the README section on self-hosting describes the fields)") from None


@dataclass(frozen=True)
class SelfHostData:
    gpus: dict[str, Gpu]
    throughput: tuple[Throughput, ...]
    root: Path

    def gpu(self, name: str) -> Gpu:
        key = name.lower()
        for gpu in self.gpus.values():
            if key == gpu.id or key in gpu.aliases:
                return gpu
        names = [*self.gpus, *(a for g in self.gpus.values() for a in g.aliases)]
        raise UsageError(f"unknown GPU {name!r}", closest(key, names) or f"choose one of {', '.join(self.gpus)}")

    def price(self, gpu: Gpu, as_of: date) -> GpuPrice | None:
        """The cheapest vendor price of `gpu` in force on `as_of` (each vendor/offer/region: its latest entry),
        preferring medium- or high-confidence figures."""
        latest: dict[tuple[str, str, str | None], GpuPrice] = {}
        for p in gpu.prices:
            key = (p.vendor, p.offer, p.region)
            if p.from_ <= as_of and (key not in latest or latest[key].from_ < p.from_):
                latest[key] = p
        # a low-confidence figure (conflicting sources) is used only when nothing better is known
        trusted = [p for p in latest.values() if p.confidence != "low"] or list(latest.values())
        return min(trusted, key=lambda p: p.usd_per_gpu_hour, default=None)

    def measurement(self, model: str, gpu: Gpu, gpus: int) -> Throughput | None:
        return next((t for t in self.throughput if t.model == model and t.gpu == gpu.id and t.gpus == gpus), None)


@cache
def _load(root: Path) -> SelfHostData:
    gpus = _read(root / "selfhost" / "gpus.yaml", GpusFile)
    runs = _read(root / "selfhost" / "throughput.yaml", ThroughputFile)
    return SelfHostData({g.id: g for g in gpus.gpus}, tuple(runs.measurements), root)


def load_selfhost(root: Path) -> SelfHostData:
    return _load(Path(root).resolve())


def _titles(citations: list[dict[str, Any]]) -> str:
    return "; ".join(c.get("title", c["id"]) for c in citations)


@dataclass(frozen=True)
class Given:
    """A value the user gave on the command line instead of the data files."""

    given: str  # the option(s) it came from

    def describe(self) -> str:
        return f"given with {self.given}"


@dataclass(frozen=True)
class GpuPriceSource:
    """Where the GPU-hour price came from: the cheapest vendor offer in force on the day."""

    vendor: str
    offer: str
    region: str | None
    from_: date
    source: list[dict[str, Any]]  # citations: id, title, url, retrieved
    confidence: str
    note: str | None

    def describe(self) -> str:
        return f"{self.vendor} ({_titles(self.source)})"


@dataclass(frozen=True)
class ThroughputSource:
    """Where the prefill and decode throughput came from: a published benchmark run."""

    engine: str
    precision: str
    concurrency: str
    prefill_run: dict[str, Any]
    decode_run: dict[str, Any]
    source: list[dict[str, Any]]
    note: str | None

    def describe(self) -> str:
        return f"{self.engine} ({_titles(self.source)})"


@dataclass(frozen=True)
class SelfHostQuote:
    """Per-1M-token prices of serving `model` on `gpus` x `gpu`, with the inputs and where each came from."""

    model: str
    gpu: str
    gpus: int
    usd_per_gpu_hour: Decimal
    prefill_tps: Decimal
    decode_tps: Decimal
    utilisation: Decimal
    input: Decimal
    output: Decimal
    as_of: date
    tokenizer: str
    pricing_dir: Path
    gpu_price_source: GpuPriceSource | Given
    throughput_source: ThroughputSource | Given

    @property
    def source_ids(self) -> list[str]:
        """The ids of the sources behind the GPU price and the throughput, in that order, each once."""
        parts = (self.gpu_price_source, self.throughput_source)
        return list(dict.fromkeys(s["id"] for part in parts if not isinstance(part, Given) for s in part.source))

    @property
    def given(self) -> list[str]:
        """The options whose values replaced the data files."""
        return [part.given for part in (self.gpu_price_source, self.throughput_source) if isinstance(part, Given)]

    @property
    def ref(self) -> str:
        return f"selfhost/{self.model}@{self.gpu}x{self.gpus}"

    def blended(self, workload: Workload) -> Decimal:
        """USD per 1M tokens of the workload's mix (input share and output share of each token)."""
        share_in, share_out = workload.units
        return (share_in * self.input + share_out * self.output) / (share_in + share_out)


def _positive(name: str, value: Decimal | int | None, option: str) -> None:
    if value is not None and Decimal(value) <= 0:
        raise UsageError(f"{name} must be positive, got {value}", f"pass {option} with a number above 0")


def quote_from(book: PriceBook, model: str, gpu: str, gpus: int, *, as_of: date,
               usd_per_gpu_hour: Decimal | None = None, prefill_tps: Decimal | None = None,
               decode_tps: Decimal | None = None, utilisation: Decimal = Decimal(1)) -> SelfHostQuote:
    """Per-1M-token prices of self-hosting `model` on `gpus` x `gpu` on `as_of`, from the data files beside the
    price tables of `book` or the given values."""
    from costcalc.prices.models import ModelIndex

    if gpus < 1:
        raise UsageError(f"--gpus must be at least 1, got {gpus}", "e.g. --gpus 2")
    _positive("--usd-per-gpu-hour", usd_per_gpu_hour, "--usd-per-gpu-hour")
    _positive("--prefill-tps", prefill_tps, "--prefill-tps")
    _positive("--decode-tps", decode_tps, "--decode-tps")
    utilisation = Decimal(str(utilisation))
    if not Decimal(0) < utilisation <= Decimal(1):
        raise UsageError(f"--utilisation must be in (0, 1], got {utilisation}", "e.g. --utilisation 0.6")
    day, root = as_of, book.root
    index = ModelIndex.of(book)
    canonical = index.resolve(model, day)
    data = load_selfhost(root)
    card = data.gpu(gpu)
    gpu_source: GpuPriceSource | Given = Given("--usd-per-gpu-hour")
    if usd_per_gpu_hour is None:
        price = data.price(card, day)
        if price is None:
            raise NoPriceError(f"no GPU-hour price for {card.name} on {day} in {root / 'selfhost' / 'gpus.yaml'}",
                               "give one with --usd-per-gpu-hour X")
        usd_per_gpu_hour = price.usd_per_gpu_hour
        gpu_source = GpuPriceSource(price.vendor, price.offer, price.region, price.from_, _cite(book, price.source),
                                    price.confidence, price.note)
    throughput_source: ThroughputSource | Given = Given("--prefill-tps and --decode-tps")
    if prefill_tps is None or decode_tps is None:
        run = data.measurement(canonical, card, gpus)
        if run is None:
            missing = [o for o, v in (("--prefill-tps P", prefill_tps), ("--decode-tps D", decode_tps)) if v is None]
            have = sorted(f"{t.gpu}x{t.gpus}" for t in data.throughput if t.model == canonical)
            raise NoPriceError(
                f"no published throughput for {canonical} on {gpus} x {card.id} in "
                f"{root / 'selfhost' / 'throughput.yaml'}"
                + (f" (published: {', '.join(have)})" if have else ""),
                f"give it with {' '.join(missing)}")
        throughput_source = ThroughputSource(f"{run.engine} {run.engine_version}", run.precision, run.concurrency,
                                             run.prefill.model_dump(), run.decode.model_dump(),
                                             _cite(book, run.source), run.note)
        prefill_tps = prefill_tps if prefill_tps is not None else run.prefill.tokens_per_second
        decode_tps = decode_tps if decode_tps is not None else run.decode.tokens_per_second
    per_second = gpus * Decimal(usd_per_gpu_hour) / 3600 / utilisation * MILLION
    offerings = index.offerings[canonical]
    return SelfHostQuote(model=canonical, gpu=card.id, gpus=gpus, usd_per_gpu_hour=Decimal(usd_per_gpu_hour),
                         prefill_tps=Decimal(prefill_tps), decode_tps=Decimal(decode_tps), utilisation=utilisation,
                         input=per_second / Decimal(prefill_tps), output=per_second / Decimal(decode_tps), as_of=day,
                         tokenizer=offerings[0].tokenizer, pricing_dir=root,
                         gpu_price_source=gpu_source, throughput_source=throughput_source)


def _cite(book: PriceBook, ids: list[str]) -> list[dict[str, Any]]:
    sources = getattr(book, "sources", {}) or {}
    out = []
    for sid in ids:
        s = sources.get(sid)
        out.append({"id": sid, "title": s.title, "url": s.url, "retrieved": s.retrieved} if s else {"id": sid})
    return out


def parse_ref(ref: str) -> dict[str, Any]:
    """`selfhost/<model>@<gpu>x<n>[,usd=X][,prefill=P][,decode=D][,util=U]` -> quote() arguments."""
    m = _REF.match(ref)
    if m is None:
        raise UnknownOfferingError(f"bad self-hosted offering {ref!r}",
                                   "write selfhost/<model>@<gpu>x<n>, e.g. selfhost/meta-llama/llama-3.3-70b-"
                                   "instruct@h100x2, optionally ,usd=X,prefill=P,decode=D,util=U")
    args: dict[str, Any] = {"model": m["model"], "gpu": m["gpu"], "gpus": int(m["n"])}
    for part in filter(None, m["opts"].split(",")):
        key, value = part.split("=")
        if key not in _REF_OPTIONS:
            raise UnknownOfferingError(f"unknown option {key!r} in {ref!r}", f"use {', '.join(_REF_OPTIONS)}")
        args[_REF_OPTIONS[key]] = Decimal(value)
    return args


def virtual_model(book: PriceBook, ref: str, as_of: date | None = None) -> tuple[ProviderTable, Model]:
    """The provider table and model of a self-hosted offering, which report, count and estimate price like any
    host (see parse_ref); the book wraps them in an Offering."""
    from costcalc.prices.schema import Model, ProviderTable

    day = as_of or book.as_of
    q = quote_from(book, as_of=day, **parse_ref(ref))
    given = q.given
    note = (f"Self-hosted on {q.gpus} x {q.gpu} at {q.usd_per_gpu_hour} USD per GPU-hour, "
            f"{q.prefill_tps} prefill and {q.decode_tps} decode tokens/s, utilisation {q.utilisation}"
            + (f" (given: {', '.join(given)})" if given else "") + f". Model: {COST_MODEL}.")
    entry = {"from": day, "currency": "USD", "input": q.input, "output": q.output,
             "source": q.source_ids or ["selfhost-options"], "confidence": "low", "note": note}
    from costcalc.prices.models import ModelIndex

    registered = ModelIndex.of(book).registry.get(q.model)
    card = load_selfhost(q.pricing_dir).gpu(q.gpu)
    name = f"{registered.name if registered else q.model}, {q.gpus} x {card.name}"
    model = Model.model_validate({"id": ref.removeprefix("selfhost/"), "name": name,
                                  "model": q.model, "tokenizer": q.tokenizer, "prices": [entry], "checked": day})
    # not a price table on disk: no pricing page to link, so the table is built without validation
    table = ProviderTable.model_construct(provider="selfhost", name="self-hosted GPUs", pricing_url="", models=[])
    return table, model
