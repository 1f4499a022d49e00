"""Document-level sampling with a confidence interval for the total token count.

Which units are sampled: unit i is kept when a hash of (seed, unit id) falls below the sampling fraction, so
the sample is the same whatever the order or the number of workers (Poisson sampling, expected size f*N).

Estimator: the ratio estimator with characters as the auxiliary variable (Cochran, Sampling Techniques, 3rd
ed., ch. 6). Every unit is read anyway (to find units and their text), so the total characters C over all N
units are known exactly; tokens are counted only in the n sampled units:

    R = sum(t_i) / sum(c_i)           over the sample
    T = R * C                         estimated total tokens
    Var(T) = N^2 (1 - n/N) / n * s_e^2,   s_e^2 = sum (t_i - R c_i)^2 / (n - 1)

and the 95 % interval is T -/+ t(0.975, n-1) * sqrt(Var(T)). Why this one: tokens are nearly proportional to
characters within a language and genre, so the residuals e_i are small and the interval is much tighter than
expanding the sample total by N/n; the estimator is consistent and its interval reaches the stated coverage
for moderate n (a test checks the coverage over many seeds on a generated corpus with known totals). With
very few sampled units (n < 30) or one dominant unit, the interval is an approximation and the output says so.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass


def keep(seed: int, unit_id: str, fraction: float) -> bool:
    """Deterministic Bernoulli(fraction) choice for one unit."""
    if fraction >= 1:
        return True
    digest = hashlib.blake2b(f"{seed}\0{unit_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


def t_quantile_975(df: int) -> float:
    """Student t 0.975 quantile (Cornish-Fisher expansion around the normal; exact to ~1e-3 for df >= 3)."""
    z = 1.959963984540054
    if df <= 0:
        return math.inf
    if df == 1:
        return 12.706204736174705
    if df == 2:
        return 4.302652729749464
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@dataclass(frozen=True)
class RatioEstimate:
    total: float
    low: float
    high: float
    sampled_units: int
    units: int
    approximate: bool  # too few sampled units for the interval to be trusted at face value


def ratio_estimate(sample: list[tuple[int, int]], units: int, total_chars: int) -> RatioEstimate:
    """Estimated total tokens and 95 % interval from (chars, tokens) of the sampled units."""
    n = len(sample)
    if n == 0 or total_chars == 0:
        return RatioEstimate(0.0 if total_chars == 0 else math.nan, 0.0, math.inf if total_chars else 0.0, n,
                             units, True)
    sum_c = sum(c for c, _ in sample)
    sum_t = sum(t for _, t in sample)
    ratio = sum_t / sum_c if sum_c else 0.0
    total = ratio * total_chars
    if n == units:
        return RatioEstimate(float(sum_t), float(sum_t), float(sum_t), n, units, False)
    if n < 2:
        return RatioEstimate(total, 0.0, math.inf, n, units, True)
    s2 = sum((t - ratio * c) ** 2 for c, t in sample) / (n - 1)
    variance = units**2 * (1 - n / units) / n * s2
    half = t_quantile_975(n - 1) * math.sqrt(variance)
    return RatioEstimate(total, max(total - half, float(sum_t)), total + half, n, units, n < 30)
