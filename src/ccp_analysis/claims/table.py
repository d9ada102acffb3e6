"""claims.csv read into the `report_claims` frame: every field checked, errors naming the line.

The frame is built by `ccp-analysis data build` like every other frame (schema in schemas.py),
so the audit reads data/processed and never the raw file. Each row is one statement of the
report under one reading: where it stands, its words, the value it states and in which unit,
the method that recomputes it (or `stated_only`), the tolerance, the reading or assumption the
verdict depends on, and a note stating the rule the verdict follows.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable

import pandas as pd

from ccp_analysis import raw
from ccp_analysis.claims.registry import METHODS, STATED_ONLY_METHOD
from ccp_analysis.errors import InputError

CLAIMS = "report/claims.csv"
CLAIM_COLUMNS = ["claim_id", "location", "quote", "stated_value", "unit", "method", "tolerance",
                 "reading", "note"]

NUMERIC_UNITS = ("pct", "usd", "usd_bn", "usd_mn", "cny_mn", "count", "rank", "rate_pct",
                 "ratio", "usd_per_ads", "km", "hectares", "weeks", "months", "years")
UNITS = (*NUMERIC_UNITS, "year", "month")

# Threshold claims: the method name's suffix says how the value must relate to the stated bound,
# so the bound stays in claims.csv next to its words. `_nearly`: below the bound but within the
# claim's tolerance of it ("nearly all": less than all, and not far from it).
COMPARISONS: dict[str, tuple[Callable[[float, float, float], bool], str]] = {
    "_below": (lambda v, bound, _: operator.lt(v, bound), "<"),
    "_above": (lambda v, bound, _: operator.gt(v, bound), ">"),
    "_at_least": (lambda v, bound, _: operator.ge(v, bound), ">="),
    "_at_most": (lambda v, bound, _: operator.le(v, bound), "<="),
    "_nearly": (lambda v, bound, tol: bound - tol <= v < bound, "in"),
}

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_CLAIM_ID = re.compile(r"^K\d{2,3}$")


def _number(claim_id: str) -> int:
    return int(claim_id[1:])


def comparison(method_name: str) -> tuple[str, Callable[[float, float, float], bool], str] | None:
    """(suffix, test, sign) of a threshold method, None for other methods."""
    for suffix, (test, sign) in COMPARISONS.items():
        if method_name.endswith(suffix):
            return suffix, test, sign
    return None


def _error(row: pd.Series, field: str, expected: str) -> InputError:
    return InputError(raw.display_path(CLAIMS), row[raw.LINE], field, row[field], expected)


def report_claims() -> pd.DataFrame:
    """claims.csv (checksum verified) as the `report_claims` frame, in the file's order (ids
    ascending by number: K9 < K10 < K100)."""
    table = raw.read_csv(CLAIMS, CLAIM_COLUMNS)
    seen: set[int] = set()
    tolerances = []
    for _, row in table.iterrows():
        if not _CLAIM_ID.match(row["claim_id"]) or _number(row["claim_id"]) in seen:
            raise _error(row, "claim_id", "a unique id of the form K01")
        if seen and _number(row["claim_id"]) < max(seen):
            raise _error(row, "claim_id", "ids in ascending order (new claims at the end)")
        seen.add(_number(row["claim_id"]))
        if row["unit"] not in UNITS:
            raise _error(row, "unit", "one of " + ", ".join(UNITS))
        if row["method"] != STATED_ONLY_METHOD and row["method"] not in METHODS:
            raise _error(row, "method",
                         f"'{STATED_ONLY_METHOD}' or a method of ccp_analysis.claims.METHODS")
        if not row["quote"].strip():
            raise _error(row, "quote", "the words of the report that state the value")
        if not row["note"].strip():
            raise _error(row, "note", "the rule the verdict follows (or why it is stated only)")
        parse_stated(row["stated_value"], row["unit"], lambda exp, r=row: _error(
            r, "stated_value", exp))
        tolerances.append(_parse_tolerance(row))
    out = table.assign(tolerance=pd.Series(tolerances, index=table.index, dtype="float64"),
                       raw_line=table[raw.LINE].astype("int64"))
    return out[[*CLAIM_COLUMNS, "raw_line"]].sort_values("raw_line", ignore_index=True)


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


def needs_tolerance(unit: str, method_name: str) -> bool:
    """A numeric claim recomputed to a number needs one, and so does a `_nearly` threshold;
    other thresholds compare exactly, months and years must be equal."""
    if unit not in NUMERIC_UNITS or method_name == STATED_ONLY_METHOD:
        return False
    found = comparison(method_name)
    return found is None or found[0] == "_nearly"


def _parse_tolerance(row: pd.Series) -> float:
    text = row["tolerance"].strip()
    if not needs_tolerance(row["unit"], row["method"]):
        if text:
            raise _error(row, "tolerance",
                         "empty for stated_only, month, year and threshold claims")
        return math.nan
    expected = "an absolute tolerance (a number >= 0) in the claim's unit"
    try:
        value = float(text)
    except ValueError:
        raise _error(row, "tolerance", expected) from None
    if not value >= 0 or not math.isfinite(value):
        raise _error(row, "tolerance", expected)
    return value
