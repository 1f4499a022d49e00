"""Usage-log calibration: fit a closed family's billed input tokens against its base tokenizer's counts.

Each request i of a JSONL log gives the text sent and the input tokens the provider billed. Ordinary least
squares `billed_i = overhead + factor * base_i` separates the per-request overhead (intercept) from the
factor (slope); the 95% interval is the slope's Student-t interval with n - 2 degrees of freedom.
With a language field, each language with enough requests gets its own entry; otherwise one entry for the
language given (`-l`), or `*`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from costcalc.calibrate.schema import Calibration
from costcalc.errors import InputError

MIN_REQUESTS = 20


@dataclass(frozen=True)
class Fit:
    factor: float
    low: float
    high: float
    overhead: float
    n: int


def fit_line(xs: Sequence[int], ys: Sequence[float]) -> Fit:
    """OLS y = a + b x with the slope's 95% interval."""
    from costcalc.sampling import t_quantile_975

    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        raise InputError("every request has the same base-tokenizer length, so overhead and factor cannot be "
                         "told apart", "use a log with requests of different lengths")
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    s2 = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True)) / (n - 2)
    half = t_quantile_975(n - 2) * math.sqrt(s2 / sxx)
    return Fit(b, b - half, b + half, a, n)


@dataclass(frozen=True)
class Request:
    text: str
    billed: int
    language: str | None


def read_log(path: Path, text_field: str, tokens_field: str, language_field: str | None) -> list[Request]:
    """Every request of the log; the first unusable line stops with one line naming it and the fix."""
    from costcalc.languages import normalize

    if not path.is_file():
        raise InputError(f"usage log {str(path)!r} not found", "pass a JSONL file, one request per line")
    requests = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            where = f"{path.name}, line {number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"{where}: not UTF-8 text (byte {e.start})", "save the log as UTF-8") from None
            try:
                item = json.loads(line)
            except ValueError:
                raise InputError(f"{where}: not a JSON object", "one JSON object per line (JSONL)") from None
            if not isinstance(item, dict):
                raise InputError(f"{where}: not a JSON object", "one JSON object per line (JSONL)")
            for name in (text_field, tokens_field):
                if name not in item:
                    raise InputError(f"{where}: no {name!r} field",
                                     "name the fields with --text-field and --tokens-field")
            text, billed = item[text_field], item[tokens_field]
            if not isinstance(text, str):
                raise InputError(f"{where}: {text_field!r} is not a string", "the text sent, as one string")
            if isinstance(billed, bool) or not isinstance(billed, int | float) or billed != int(billed) or billed < 0:
                raise InputError(f"{where}: {tokens_field!r} is not a non-negative whole number ({billed!r})",
                                 "use the input token count the provider billed")
            language = None
            if language_field and item.get(language_field) is not None:
                language = normalize(str(item[language_field]))
            requests.append(Request(text, int(billed), language))
    return requests


def calibrate_usage(path: str | Path, family: str, *, model: str, text_field: str = "text",
                    tokens_field: str = "input_tokens", language_field: str | None = "language",
                    language: str | None = None, today: date | None = None) -> tuple[list[Calibration], list[str]]:
    """Calibration entries fitted to a usage log, and notes on languages left out (too few requests)."""
    from costcalc.tokenizers import get_tokenizer
    from costcalc.tokenizers.families import FAMILIES

    path = Path(path)
    fam = FAMILIES[family]
    requests = read_log(path, text_field, tokens_field, language_field)
    if len(requests) < MIN_REQUESTS:
        raise InputError(f"{path.name}: {len(requests)} usable request(s); a fit needs at least {MIN_REQUESTS}",
                         "log more requests, then rerun")
    groups: dict[str, list[Request]] = defaultdict(list)
    for r in requests:
        groups[r.language or language or "*"].append(r)
    base = get_tokenizer(fam.base)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    entries, left_out = [], []
    for lang, reqs in sorted(groups.items()):
        if len(reqs) < MIN_REQUESTS:
            left_out.append(f"{lang}: {len(reqs)} requests (at least {MIN_REQUESTS} needed)")
            continue
        xs = base.count_batch([r.text for r in reqs])
        fit = fit_line(xs, [float(r.billed) for r in reqs])
        if fit.factor <= 0:
            left_out.append(f"{lang}: billed tokens do not grow with the text (slope {fit.factor:.3f})")
            continue
        entries.append(Calibration(
            family=family, base=fam.base, language=lang, factor=_dec(fit.factor),
            factor_low=_dec(max(fit.low, 1e-5)), factor_high=_dec(fit.high),
            overhead_tokens=Decimal(f"{fit.overhead:.2f}"), tokens_measured=sum(xs), documents=fit.n, model=model,
            corpus=path.name, corpus_sha256=digest, method="usage-log", measured=today or date.today(),
            confidence="high" if fit.n >= 100 else "medium",
            note=f"Fitted to {fit.n} billed requests: billed = {fit.overhead:.1f} + factor x {fam.base} tokens"))
    if not entries:
        raise InputError(f"{path.name}: no language has {MIN_REQUESTS} usable requests ({'; '.join(left_out)})",
                         "log more requests, or drop --language-field to fit all requests together")
    return entries, left_out


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.5f}")
