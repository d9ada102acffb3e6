"""Amounts of money and percentages as the report writes them.

The report states amounts as "$500 million", "$1.1 billion", "$798.21 million" or "$50,000",
and derived ones as "57.2% of ... $5.2 billion". Anything else is refused rather than guessed,
so a transcription slip surfaces as an error instead of a wrong bar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ccp_analysis.data.schemas import DERIVED, STATED, UNQUANTIFIED  # noqa: F401

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_USD = re.compile(rf"^\$({_NUMBER})(?: (thousand|million|billion|trillion))?$")
_PCT = re.compile(rf"^({_NUMBER})(?:%| percent)$")
_PCT_RANGE = re.compile(rf"^({_NUMBER})(?:%| percent)? to ({_NUMBER})(?:%| percent)$")
_DERIVED = re.compile(
    rf"^({_NUMBER})(?:%| percent) of (?:.*? )?(\$(?:{_NUMBER})(?: (?:million|billion|trillion))?)$"
)



@dataclass(frozen=True)
class Amount:
    usd: float
    basis: str  # STATED or DERIVED
    formula: str  # how the value follows from the text, e.g. "0.572 * 5.2e9"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_usd(text: str) -> float:
    """'$1.1 billion' -> 1.1e9. Raises ValueError naming the accepted forms."""
    match = _USD.match(text.strip()) if text == text.strip() else None
    if not match:
        raise ValueError(
            f"{text!r} is not a USD amount of the form '$500 million', '$1.1 billion' or '$50,000'"
        )
    return _number(match.group(1)) * SCALES.get(match.group(2) or "", 1.0)


def parse_pct(text: str) -> float:
    """'57.2%' or '45 percent' -> 57.2 / 45.0."""
    match = _PCT.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a percentage of the form '57.2%' or '45 percent'")
    return _number(match.group(1))


def parse_pct_range(text: str) -> tuple[float, float]:
    """'20 to 30 percent' -> (20.0, 30.0); a single '10 percent' -> (10.0, 10.0)."""
    match = _PCT_RANGE.match(text)
    if match:
        low, high = _number(match.group(1)), _number(match.group(2))
        if low > high:
            raise ValueError(f"{text!r}: the range runs backwards")
        return low, high
    value = parse_pct(text)
    return value, value


def parse_amount(text: str) -> Amount:
    """A support amount: stated ('$500 million') or derived ('57.2% of ... $5.2 billion')."""
    derived = _DERIVED.match(text)
    if derived:
        share = _number(derived.group(1))
        if not 0 < share <= 100:
            raise ValueError(f"{text!r}: a share of {share}% is outside 0-100%")
        base = parse_usd(derived.group(2))
        return Amount(usd=round(share / 100 * base, 2), basis=DERIVED,
                      formula=f"{share}% of {base:.6g} USD")
    try:
        value = parse_usd(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a USD amount ('$1.1 billion') nor a share of one "
            "('57.2% of ... $5.2 billion')"
        ) from None
    return Amount(usd=value, basis=STATED, formula=text)


def parse_value(text: str, unit: str) -> tuple[float, float]:
    """A stated value in the given unit ('usd' or 'pct') as a (low, high) range."""
    if unit == "usd":
        value = parse_usd(text)
        return value, value
    if unit == "pct":
        return parse_pct_range(text)
    raise ValueError(f"unit {unit!r} is not one of 'usd', 'pct'")
