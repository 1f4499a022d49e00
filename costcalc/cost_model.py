"""The arithmetic of costing (DESIGN.md 3.4), pure functions on Decimal: no I/O, no tables, no counting.

For offering m with tokenizer t, in language L, prices p converted to the report currency at `as_of`:

    cost(L, m) = p_in * T_in(L, t) + p_out * T_out(L, t)

where T(L, t) is the number of tokens t needs for L's translation of 1M characters of English text (the
"content unit"), measured over the documents present in both L and English; T_in/T_out split it by the
workload (input, output, or input plus `output_ratio` output tokens per input token). The input price blends
cache reads, cache writes (5-minute or 1-hour) and batch by their shares; `prompt_tokens` selects a long-context
tier; a regional endpoint applies the provider's uplift. The relative matrix is R[i, j] = cost(L, i) / cost(L, j).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from costcalc.errors import InputError, UsageError

if TYPE_CHECKING:
    from costcalc.prices.book import Quote


def ratio(cost: Decimal, base_cost: Decimal) -> float:
    """cost(offering) / cost(base); infinite when the base is free and the offering is not."""
    if base_cost:
        return float(cost / base_cost)
    return 1.0 if cost == base_cost else math.inf


def cost_of(price_per_1m: Decimal | None, units: int | None) -> Decimal | None:
    """What `units` tokens (or characters) cost at a price per 1M of them; None when either is unknown."""
    return None if price_per_1m is None or units is None else price_per_1m * Decimal(units) / 1_000_000


def billed_units(unit: str, tokens: int | None, chars: int | None) -> int | None:
    """What a price per 1M units is applied to: characters for a price per character, else tokens."""
    return chars if unit == "character" else tokens


@dataclass(frozen=True)
class Workload:
    """What is billed: `input` text, `output` text, or `mixed` (input plus output_ratio output tokens per
    input token); `cached_share` of input read from the prompt cache and `cache_write_share` written to it (with
    a `cache_ttl` of 5m or 1h); `batch_share` sent through batch APIs; `prompt_tokens`, the typical request
    size, selects a long-context tier; `endpoint` global or regional (regional endpoints may cost more)."""

    direction: Literal["input", "output", "mixed"] = "input"
    output_ratio: Decimal = Decimal(0)
    cached_share: Decimal = Decimal(0)
    batch_share: Decimal = Decimal(0)
    cache_write_share: Decimal = Decimal(0)
    cache_ttl: Literal["5m", "1h"] = "5m"
    prompt_tokens: int | None = None
    endpoint: Literal["global", "regional"] = "global"

    def __post_init__(self) -> None:
        from decimal import InvalidOperation

        for name in ("output_ratio", "cached_share", "batch_share", "cache_write_share"):
            raw = getattr(self, name)
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                value = Decimal("NaN")
            if not value.is_finite():
                raise UsageError(f"{name.replace('_', '-')} must be a finite number, got {raw!r}",
                                 f"e.g. --{name.replace('_', '-')} 0.25")
            object.__setattr__(self, name, value)
        if self.direction not in ("input", "output", "mixed"):
            raise UsageError(f"unknown direction {self.direction!r}", "use input, output or mixed")
        for name in ("cached_share", "batch_share", "cache_write_share"):
            value = getattr(self, name)
            if not Decimal(0) <= value <= Decimal(1):
                raise UsageError(f"{name.replace('_', '-')} must be between 0 and 1, got {value}",
                                 f"e.g. --{name.replace('_', '-')} 0.25")
        if self.cached_share + self.cache_write_share > 1:
            raise UsageError(f"--cached-share {self.cached_share} plus --cache-write-share {self.cache_write_share} "
                             "is more than all of the input", "make the two shares sum to 1 or less")
        if self.cache_ttl not in ("5m", "1h"):
            raise UsageError(f"unknown cache TTL {self.cache_ttl!r}", "use --cache-ttl 5m or 1h")
        if self.endpoint not in ("global", "regional"):
            raise UsageError(f"unknown endpoint {self.endpoint!r}", "use --endpoint global or regional")
        if self.prompt_tokens is not None and (isinstance(self.prompt_tokens, bool) or self.prompt_tokens < 1):
            raise UsageError(f"--prompt-tokens must be at least 1, got {self.prompt_tokens}",
                             "give the typical prompt size in tokens, e.g. --prompt-tokens 8000")
        if self.output_ratio < 0:
            raise UsageError(f"output-ratio must not be negative, got {self.output_ratio}")
        if self.direction != "mixed" and self.output_ratio:
            raise UsageError(f"--output-ratio has no effect with --direction {self.direction}",
                             "add --direction mixed, or drop --output-ratio")
        if self.direction == "mixed" and self.output_ratio == 0:
            raise UsageError("--direction mixed needs --output-ratio (output tokens per input token), e.g. 0.25")

    @property
    def units(self) -> tuple[Decimal, Decimal]:
        """(input share, output share) of each counted token."""
        if self.direction == "input":
            return Decimal(1), Decimal(0)
        if self.direction == "output":
            return Decimal(0), Decimal(1)
        return Decimal(1), self.output_ratio

    def describe(self) -> str:
        text = {"input": "input (prompt) tokens", "output": "output (completion) tokens",
                "mixed": f"input plus {self.output_ratio} output tokens per input token"}[self.direction]
        extras = [f"{self.cached_share:%} cached" if self.cached_share else "",
                  f"{self.cache_write_share:%} written to the {self.cache_ttl} cache" if self.cache_write_share
                  else "", f"{self.batch_share:%} batch" if self.batch_share else ""]
        extras = [e.replace("%", " %") for e in extras if e]
        if self.prompt_tokens is not None:
            extras.append(f"{self.prompt_tokens} prompt tokens per request")
        extras.append(f"{self.endpoint} endpoint")
        return text + f" ({', '.join(extras)})"


def tier_prices(quote: Quote, workload: Workload, notes: list[str]) -> dict[str, Decimal | None]:
    """The prices of the tier a request of `prompt_tokens` falls in (the base tier when none is given)."""
    p = dict(quote.prices)
    if not quote.tiers:
        return p
    if workload.prompt_tokens is None:
        notes.append(f"long-context prices above {quote.tiers[0]['above']} prompt tokens not applied (costed at "
                     "the base tier); pass --prompt-tokens to select a tier")
        return p
    tier = next((t for t in reversed(quote.tiers) if workload.prompt_tokens > t["above"]), None)
    if tier is None:
        return p
    notes.append(f"long-context tier: prompts above {tier['above']} tokens")
    batch = {r.factor for r in quote.rules if r.kind == "batch"}
    for name in ("input", "output", "cached_input", "cache_write", "cache_write_1h"):
        if tier[name] is not None:
            p[name] = tier[name]
        elif p[name] is not None:
            notes.append(f"the tier lists no {name} price: the base-tier price is used")
    for name, base in (("batch_input", "input"), ("batch_output", "output")):
        if name in quote.derived and batch and p[base] is not None:  # a batch rule scales the tier price too
            p[name] = p[base] * next(iter(batch))
        elif p[name] is not None:
            notes.append(f"no long-context {name} price: the base-tier batch price is used")
    return p


def blend(quote: Quote, workload: Workload) -> tuple[Decimal, Decimal, list[str]]:
    """Effective (input, output) price per 1M units under the workload, and notes on any fallback."""
    notes: list[str] = []
    share_in, share_out = workload.units
    if share_in and quote.prices["input"] is None:
        raise InputError(f"{quote.offering} has no input price", "leave it out or use --direction output")
    if share_out and quote.prices["output"] is None:
        raise InputError(f"{quote.offering} has no output price (an embedding model?)", "leave it out")
    p = tier_prices(quote, workload, notes)
    base_in = p["input"] if p["input"] is not None else Decimal(0)
    base_out = p["output"] if p["output"] is not None else Decimal(0)
    cached = p["cached_input"]
    if workload.cached_share and cached is None:
        notes.append("no cached-input price: cached share billed at the input price")
        cached = base_in
    write_field = "cache_write" if workload.cache_ttl == "5m" else "cache_write_1h"
    written = p[write_field]
    if workload.cache_write_share and written is None:
        notes.append(f"no {workload.cache_ttl} cache-write price: cache writes billed at the input price")
        written = base_in
    read, write = workload.cached_share, workload.cache_write_share
    standard_in = (1 - read - write) * base_in + read * (cached or 0) + write * (written or 0)
    batch_in, batch_out = p["batch_input"], p["batch_output"]
    if workload.batch_share and (batch_in is None or batch_out is None):
        notes.append("no batch price: batch share billed at the standard price")
        batch_in, batch_out = batch_in or standard_in, batch_out or base_out
    b = workload.batch_share
    eff_in = (1 - b) * standard_in + b * (batch_in if b else 0)
    eff_out = (1 - b) * base_out + b * (batch_out if b else 0)
    if workload.endpoint == "regional":
        uplift = quote.regional_uplift
        if uplift is not None:
            notes.append(f"regional endpoint: list prices x {uplift} (provider rule)")
            eff_in, eff_out = eff_in * uplift, eff_out * uplift
        else:
            notes.append("the provider lists no regional uplift: list prices")
    return eff_in, eff_out, notes


def context(window: int | None, rate_l: Decimal, rate_en: Decimal, rate_chars: Decimal) -> dict[str, Any]:
    """What a context window of `window` tokens holds in this language: characters of its text, and the share
    of the content English would fit (tokens_en / tokens_L)."""
    if window is None or not rate_l or not rate_en:
        return {"context_window": window, "context_chars": None, "context_vs_en": None}
    return {"context_window": window, "context_chars": int(window * rate_chars / rate_l),
            "context_vs_en": float(rate_en / rate_l)}
