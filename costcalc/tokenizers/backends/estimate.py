"""`estimate:<base>[*factor]`: a stand-in for tokenizers that are not public (Titan, Nova, Claude 3+).

Counts are the base tokenizer's count times `factor` (default 1), rounded half up; `exact` is False and the
name keeps the `estimate:` prefix so every output says it is an estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from costcalc.tokenizers import assets
from costcalc.tokenizers.base import BaseTokenizer, Tokenizer


class EstimateTokenizer(BaseTokenizer):
    exact = False

    def __init__(self, name: str, base: Tokenizer, factor: Decimal = Decimal(1)) -> None:
        self.name = name
        self.base = base
        self.factor = factor
        self.vocab_size = base.vocab_size
        self.fingerprint = (base.fingerprint if factor == 1
                            else assets.sha256_hex(f"{base.fingerprint}*{factor}".encode()))

    def scale(self, n: int) -> int:
        if self.factor == 1:
            return n
        return int((Decimal(n) * self.factor).to_integral_value(rounding=ROUND_HALF_UP))

    def encode(self, text: str) -> list[int]:
        """The base tokenizer's ids (with a factor, len(encode) is the unscaled count)."""
        return self.base.encode(text)

    def count(self, text: str) -> int:
        return self.scale(self.base.count(text))

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        return [self.scale(n) for n in self.base.count_batch(texts, threads)]

    def count_chunks(self, chunks: Sequence[str], first: bool, threads: int | None = None) -> int:
        return self.scale(self.base.count_chunks(chunks, first, threads))
