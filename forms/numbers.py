"""Reading a number the way people type it: `50000`, `50,000`, `50,000.50`, `-1,234.5`, and with
full-width characters (`５０，０００`). Never guesses: `1,2`, `12,34` or `1.234,56` (a comma that is
not a thousands separator) are not numbers. The browser's number fields use the same rule
(frontend/src/lib/numbers.js); forms/values.py turns such text into the JSON number it means.

    parse_number("50,000.50") -> Decimal("50000.50");  parse_number("1,2") -> None
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

# full-width digits, comma, full stop, minus and plus -> ASCII; spaces (incl. U+3000) are trimmed
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       "，": ",", "．": ".", "－": "-", "＋": "+", "−": "-"})
# digits without separators, or groups of exactly three after the first 1-3 digits
NUMBER_TEXT = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?|[+-]?\.\d+", re.ASCII)
MAX_CHARS = 10_000


def parse_number(text: str) -> Decimal | None:
    """The number `text` means, or None when it is not unambiguously a number."""
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        return None
    plain = text.translate(_WIDE).strip().replace("\u3000", "")
    if not NUMBER_TEXT.fullmatch(plain):
        return None
    try:
        return Decimal(plain.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


# A number with decimals is stored as a JSON (double) number: 15 significant digits always come back
# as typed; more may not (12345678901234567.89 would be stored as 12345678901234568.0).
MAX_SIGNIFICANT = 15


def too_precise(number: Decimal) -> bool:
    """A number with decimals that a double cannot be trusted to hold as typed (whole numbers are
    stored exactly, as integers)."""
    if number == number.to_integral_value():
        return False
    return len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT


def as_json_number(number: Decimal) -> int | float | None:
    """A Decimal as the JSON number stored in the process data (int when whole); None when it is
    too large for a JSON (double) number."""
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    return value if math.isfinite(value) else None
