"""The rules of a claims.csv row that both its reader and the claims audit apply.

`claimsfile` (the data layer's reader, which only the data build runs) checks every row with
them; the claims audit (`ccp_analysis.claims`) judges with them and checks the loaded
`report_claims` frame against its registered methods (`check_methods`). They stand apart from
the reader so that the audit, run in a notebook, does not import the reader: a change to how
claims.csv is read that leaves data/processed as it is reruns no notebook.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection

import pandas as pd

from ccp_analysis.data.schemas import (
    CLAIM_NUMERIC_UNITS,
    CLAIM_UNITS,
    FRAMES,
    STATED_ONLY_METHOD,
    raw_path,
)
from ccp_analysis.errors import InputError

NUMERIC_UNITS = CLAIM_NUMERIC_UNITS
UNITS = CLAIM_UNITS
CLAIMS = FRAMES["report_claims"].sources[0]

# Threshold claims: the method name's suffix says how the value must relate to the stated bound,
# so the bound stays in claims.csv next to its words; the engine writes the rule out as the row's
# range (range_low, range_high, range_bounds), so every audit row reads true on its own.
# `_nearly`: at least claims.csv's range_low and below the bound ("nearly all": less than all,
# and not far from it). Bounds are written as in interval notation: "[" / "]" include the end,
# "(" / ")" leave it out (always for an open end).
THRESHOLDS = ("_below", "_above", "_at_least", "_at_most", "_nearly")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
NO_TOLERANCE = ("empty for stated_only, month, year, range and threshold claims, and for "
                 "methods that give their own tolerance")
TOLERANCE = "an absolute tolerance (a number >= 0) in the claim's unit"


def threshold(method_name: str) -> str | None:
    """The suffix of a threshold method, None for other methods."""
    return next((s for s in THRESHOLDS if method_name.endswith(s)), None)


def parse_stated(text: str, unit: str,
                 error: Callable[[str], Exception] | None = None) -> float | int | str:
    """The stated value in its unit's type: a month 'YYYY-MM', a year int, else a float."""

    def fail(expected: str) -> Exception:
        return error(expected) if error else ValueError(f"stated value {text!r}: {expected}")

    if unit == "month":
        if not _MONTH.match(text):
            raise fail("a month as YYYY-MM for unit 'month'")
        return text
    if unit == "year":
        if not _YEAR.match(text):
            raise fail("a four-digit year for unit 'year'")
        return int(text)
    try:
        value = float(text)
    except ValueError:
        raise fail(f"a plain decimal number for unit '{unit}'") from None
    if not math.isfinite(value):
        raise fail(f"a finite number for unit '{unit}'")
    return value


def needs_tolerance(unit: str, method_name: str, has_range: bool = False,
                    own_tolerance: bool = False) -> bool:
    """A numeric claim recomputed to a number needs one, unless it is judged within a range
    (thresholds included) or its method gives the tolerance its data allow (`own_tolerance`);
    months and years must be equal."""
    if unit not in NUMERIC_UNITS or method_name == STATED_ONLY_METHOD:
        return False
    return threshold(method_name) is None and not has_range and not own_tolerance


def check_methods(frame: pd.DataFrame, methods: Collection[str],
                  own_tolerance: Collection[str]) -> pd.DataFrame:
    """The `report_claims` frame checked against the recompute methods there are (`methods`;
    `own_tolerance`: those that give the tolerance their data allow): every method is
    registered, and a tolerance stands exactly where the method needs one. Returns the frame."""
    shown = raw_path(CLAIMS)
    for _, row in frame.iterrows():
        line, method = int(row["raw_line"]), row["method"]
        if method != STATED_ONLY_METHOD and method not in methods:
            raise InputError(shown, line, "method", method,
                             f"'{STATED_ONLY_METHOD}' or a method of ccp_analysis.claims.METHODS")
        tolerance = row["tolerance"]
        has_range = not math.isnan(row["range_low"])
        needed = needs_tolerance(row["unit"], method, has_range, method in own_tolerance)
        if needed and math.isnan(tolerance):
            raise InputError(shown, line, "tolerance", "", TOLERANCE)
        if not needed and not math.isnan(tolerance):
            raise InputError(shown, line, "tolerance", f"{tolerance:g}", NO_TOLERANCE)
    return frame
