"""How numbers are shown to people: money to 6 significant digits, fixed decimal places, ratios and percent
changes, each defined once. JSON keeps full precision; these are for tables, markdown, HTML, CSV and plots."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

SIGNIFICANT = 6


def money(value: Decimal | float | int | None, digits: int = SIGNIFICANT) -> str:
    """Decimal('1.001470704573547589616810878') -> '1.00147'; Decimal('2.50') -> '2.5'; 12345678 -> '12345678'.
    Never scientific notation; None -> ''."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return str(number)
    if number == 0:
        return "0"
    exponent = number.adjusted() - digits + 1
    rounded = number.quantize(Decimal(1).scaleb(min(exponent, 0)), rounding=ROUND_HALF_EVEN) if exponent < 0 \
        else number.to_integral_value(rounding=ROUND_HALF_EVEN)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def ratio_text(value: float) -> str:
    """0.3312 -> '0.33x', 3.07 -> '3.1x', 3.95 -> '4.0x', 12.4 -> '12x'."""
    if value != value:  # NaN
        return "n/a"
    if value == float("inf"):
        return "inf"
    if value >= 9.95:
        return f"{value:.0f}x"
    if value >= 0.995:
        return f"{value:.1f}x"
    return f"{value:.2f}x"


def places(value: Decimal | None, digits: int) -> Decimal | None:
    """`value` rounded half-even to `digits` decimal places (0: whole units); None stays None."""
    return None if value is None else value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)


def percent_change(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """(new - old) / old in percent, to one decimal place; None when either is unknown or old is 0."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"))
