"""A closed tokenizer family: its exact base tokenizer's count times the calibration factor for the language.

`count(text)` has no language, so it uses the family's language-agnostic (`*`) calibration; corpus counting
(`costcalc.counting`) scales each document by its language's calibration. `exact` is always False.
"""

from __future__ import annotations

from collections.abc import Sequence

from costcalc.calibrate.store import Resolved
from costcalc.tokenizers import assets
from costcalc.tokenizers.base import BaseTokenizer, Tokenizer


class FamilyTokenizer(BaseTokenizer):
    exact = False

    def __init__(self, name: str, base: Tokenizer, calibration: Resolved) -> None:
        self.name = name
        self.base = base
        self.calibration = calibration
        self.vocab_size = base.vocab_size
        self.fingerprint = assets.sha256_hex(f"{name}|{base.fingerprint}|{calibration.factor}".encode())

    def encode(self, text: str) -> list[int]:
        """The base tokenizer's ids (len(encode) is the uncalibrated base count)."""
        return self.base.encode(text)

    def count(self, text: str) -> int:
        return self.calibration.scale(self.base.count(text))

    def count_batch(self, texts: Sequence[str], threads: int | None = None) -> list[int]:
        return [self.calibration.scale(n) for n in self.base.count_batch(texts, threads)]

    def count_chunks(self, chunks: Sequence[str], first: bool, threads: int | None = None) -> int:
        return self.calibration.scale(self.base.count_chunks(chunks, first, threads))


def calibrated(tok: Tokenizer, calibrations, language: str | None) -> Tokenizer:
    """`tok` counting with the calibration `calibrations` (a CalibrationSet) gives its family for `language`;
    any other tokenizer unchanged."""
    if not isinstance(tok, FamilyTokenizer):
        return tok
    return FamilyTokenizer(tok.name, tok.base, calibrations.resolve(tok.name, language))
