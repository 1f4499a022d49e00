"""Load calibration tables and answer "which factor does family F use for language L?".

Layers: the shipped tables (`pricing/calibrations/*.yaml`), then user files (`--calibrations FILE`, later
files first). A language-specific entry beats a language-agnostic (`*`) one; at equal specificity a user file
beats the shipped tables, and the latest `measured` day wins (ties: the entry appended last).
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from costcalc.calibrate.schema import Calibration, CalibrationTable
from costcalc.errors import PriceTableError

SHIPPED = "shipped"


def table_files(root: Path) -> list[Path]:
    """The shipped calibration files under a pricing directory."""
    folder = root / "calibrations"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def check_file(path: Path) -> tuple[CalibrationTable | None, list[str]]:
    """The parsed table and every problem in it (schema and families)."""
    from costcalc.prices.yamlio import read_validated
    from costcalc.tokenizers.families import FAMILIES

    table, _, problems = read_validated(path, CalibrationTable)
    if table is None:
        return None, [p.replace(": models[", ": calibrations[") for p in problems]
    for i, c in enumerate(table.calibrations):
        fam = FAMILIES.get(c.family)
        if fam is None:
            problems.append(f"{path}: calibrations[{i}]: unknown tokenizer family {c.family!r}; "
                            f"known: {', '.join(sorted(FAMILIES))}")
        elif c.base != fam.base:
            problems.append(f"{path}: calibrations[{i}]: {c.family} counts with base {fam.base}, not {c.base}; "
                            "recalibrate against that base")
    return table, problems


def load_file(path: Path) -> CalibrationTable:
    if not path.is_file():
        raise PriceTableError(f"calibration file {str(path)!r} not found",
                              "pass a file written by `costcalc calibrate ... --output FILE`")
    table, problems = check_file(path)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PriceTableError(problems[0] + more, "fix the calibration file; `costcalc prices validate` lists "
                              "problems in the shipped tables")
    assert table is not None
    return table


@dataclass(frozen=True)
class Resolved:
    """The calibration a family uses for one language, or none (uncalibrated: factor 1)."""

    family: str
    base: str
    language: str | None  # the language asked for; None = no language known (single text)
    calibration: Calibration | None
    origin: str = SHIPPED  # "shipped" or the user file's name

    @property
    def factor(self) -> Decimal:
        return self.calibration.factor if self.calibration else Decimal(1)

    @property
    def language_specific(self) -> bool:
        return self.calibration is not None and self.calibration.language != "*"

    def scale(self, base_tokens: int) -> int:
        """Content tokens of the family for `base_tokens` of its base (rounded half up)."""
        if self.factor == 1:
            return base_tokens
        return int((Decimal(base_tokens) * self.factor).to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def method(self) -> str:
        return self.calibration.method if self.calibration else "uncalibrated"

    def interval(self) -> str:
        c = self.calibration
        if c is None or c.factor_low is None or c.factor_high is None:
            return ""
        return f"{c.factor_low}-{c.factor_high}"

    def label(self) -> str:
        """One line for users: how this family's count was obtained."""
        c = self.calibration
        if c is None:
            return (f"estimate, uncalibrated: {self.base} count x 1 (no published or measured calibration for "
                    f"{self.family}; run `costcalc calibrate`)")
        scope = (f"for {c.language}" if self.language_specific else
                 "language-agnostic" + (f", applied to {self.language}" if self.language not in (None, "*")
                                        else ""))
        interval = f", 95% interval {self.interval()}" if self.interval() and c.method != "published" else (
            f", range {self.interval()}" if self.interval() else "")
        where = "" if self.origin == SHIPPED else f", from {self.origin}"
        return (f"estimate, calibrated {c.method} {c.measured}: {self.base} x {c.factor} ({scope}{interval}"
                f"{where})")

    def to_dict(self) -> dict[str, object]:
        c = self.calibration
        return {"family": self.family, "base": self.base, "language": self.language,
                "method": self.method, "measured": c.measured.isoformat() if c else None,
                "factor": str(self.factor), "factor_low": str(c.factor_low) if c and c.factor_low else None,
                "factor_high": str(c.factor_high) if c and c.factor_high else None,
                "language_specific": self.language_specific,
                "calibrated_language": c.language if c else None,
                "overhead_tokens": str(c.overhead_tokens) if c and c.overhead_tokens is not None else None,
                "model": c.model if c else None, "confidence": c.confidence if c else None,
                "sources": list(c.sources) if c else [], "origin": self.origin, "label": self.label()}


@dataclass(frozen=True)
class CalibrationSet:
    """Shipped tables plus user overlays, in precedence order (first = highest)."""

    layers: tuple[tuple[str, tuple[Calibration, ...]], ...]
    digest: str = field(default="")

    def entries(self, family: str) -> list[tuple[str, Calibration]]:
        return [(origin, c) for origin, cals in self.layers for c in cals if c.family == family]

    def resolve(self, family: str, language: str | None = None) -> Resolved:
        from costcalc.tokenizers.families import FAMILIES

        fam = FAMILIES[family]
        best: tuple[str, Calibration] | None = None
        for wanted in ([language] if language and language != "*" else []) + ["*"]:
            for origin, cals in self.layers:
                found = [(i, c) for i, c in enumerate(cals) if c.family == family and c.language == wanted]
                if found:
                    _, cal = max(found, key=lambda ic: (ic[1].measured, ic[0]))
                    best = (origin, cal)
                    break
            if best:
                break
        if best is None:
            return Resolved(family, fam.base, language, None)
        return Resolved(family, fam.base, language, best[1], best[0])

    def summary(self, family: str) -> str:
        """Which languages `family` is calibrated for and how, e.g. 'en: published 2025-05-01; *: ...'."""
        used = self.languages(family)
        if not used:
            return "uncalibrated (x 1)"
        return "; ".join(f"{lang}: {r.method} {r.calibration.measured}"
                         + ("" if r.origin == SHIPPED else f" ({r.origin})")
                         for lang, r in used.items() if r.calibration is not None)

    def languages(self, family: str) -> dict[str, Resolved]:
        """{language: the calibration used} for every language some layer calibrates."""
        langs = sorted({c.language for _, c in self.entries(family)})
        return {lang: self.resolve(family, lang) for lang in langs}


def _digest(parts: Sequence[bytes]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=8)
def _shipped(root: Path, stamp: tuple[tuple[str, float, int], ...]) -> tuple[tuple[Calibration, ...], str]:
    cals: list[Calibration] = []
    for path in table_files(root):
        cals += load_file(path).calibrations
    return tuple(cals), _digest([p.read_bytes() for p in table_files(root)])


def shipped(root: Path | None = None) -> tuple[tuple[Calibration, ...], str]:
    from costcalc._paths import data_dir

    root = root or data_dir("pricing")
    stamp = tuple((p.name, p.stat().st_mtime, p.stat().st_size) for p in table_files(root))
    return _shipped(root, stamp)


def load_set(overlays: Sequence[str | Path] = (), root: str | Path | None = None) -> CalibrationSet:
    """The shipped calibrations (of the pricing directory `root`, default the bundled one) with `overlays` on
    top (the last file given takes precedence)."""
    cals, digest = shipped(Path(root) if root else None)
    layers: list[tuple[str, tuple[Calibration, ...]]] = []
    parts = [digest.encode()]
    for path in reversed([Path(p) for p in overlays]):
        layers.append((path.name, tuple(load_file(path).calibrations)))
        parts.append(path.read_bytes())
    layers.append((SHIPPED, cals))
    return CalibrationSet(tuple(layers), _digest(parts))


_ACTIVE: contextvars.ContextVar[CalibrationSet | None] = contextvars.ContextVar("costcalc_calibrations",
                                                                                 default=None)


def active() -> CalibrationSet:
    """The calibrations in use: those set by `using()`, else the shipped tables."""
    current = _ACTIVE.get()
    return current if current is not None else load_set()


@contextmanager
def using(overlays: Sequence[str | Path] | CalibrationSet) -> Iterator[CalibrationSet]:
    """Use the shipped calibrations plus `overlays` (user files) inside this block."""
    cal_set = overlays if isinstance(overlays, CalibrationSet) else load_set(overlays)
    token = _ACTIVE.set(cal_set)
    try:
        yield cal_set
    finally:
        _ACTIVE.reset(token)


def resolve(family: str, language: str | None = None) -> Resolved:
    return active().resolve(family, language)
