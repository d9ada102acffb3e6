"""claims.csv read into the `report_claims` frame: every field checked, errors naming the line.

The data layer's reader of the claims audit's input, built by `ccp-analysis data build` like
every other frame (schema in schemas.py), so the audit reads data/processed and never the raw
file. Each row is one statement of the report under one reading: where it stands, its words,
the value it states and in which unit, the method that recomputes it (or `stated_only`), the
tolerance or the range the recomputed value must lie in, the reading or assumption the verdict
depends on, and a note stating the rule the verdict follows. Where one statement has several
readings, each row names its reading, the rows other than the one the verdict summary counts
name that row in `reading_of`, and the counted row says in `counted_reason` why its reading is
the one counted.

The recompute methods live in the claims layer above this one: `read` checks every field that
the file alone decides, `check_methods` the fields that depend on the methods (that each is
registered, whether it needs a tolerance), given the registry's names as values, so the data
layer imports nothing of the claims package. `ccp_analysis.claims.check_frames` is that check
with the registry filled in; the command line's `data build` runs it before anything is written.
`check_methods` and the other rules the audit applies too are in `claim_rules`, so the audit,
run in a notebook, never imports this reader (only `frame_builders` does).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ccp_analysis.data.parsing import raw
from ccp_analysis.data.parsing.claim_rules import (  # noqa: F401  (the rules' names, importable from here)
    CLAIMS,
    NO_TOLERANCE,
    NUMERIC_UNITS,
    STATED_ONLY_METHOD,
    THRESHOLDS,
    TOLERANCE,
    UNITS,
    check_methods,
    needs_tolerance,
    parse_stated,
    threshold,
)
from ccp_analysis.errors import InputError

CLAIM_COLUMNS = ["claim_id", "location", "quote", "stated_value", "unit", "method", "tolerance",
                 "reading", "note", "range_low", "range_high", "reading_of", "counted_reason"]

_CLAIM_ID = re.compile(r"^K\d{2,3}$")


def _number(claim_id: str) -> int:
    return int(claim_id[1:])


def _error(row: pd.Series, field: str, expected: str) -> InputError:
    return InputError(raw.display_path(CLAIMS), row[raw.LINE], field, row[field], expected)


def read() -> pd.DataFrame:
    """claims.csv (checksum verified) as the `report_claims` frame, in the file's order (ids
    ascending by number: K9 < K10 < K100). Methods are checked by `check_methods`."""
    table = raw.read_csv(CLAIMS, CLAIM_COLUMNS)
    seen: set[int] = set()
    tolerances, lows, highs = [], [], []
    for _, row in table.iterrows():
        if not _CLAIM_ID.match(row["claim_id"]) or _number(row["claim_id"]) in seen:
            raise _error(row, "claim_id", "a unique id of the form K01")
        if seen and _number(row["claim_id"]) < max(seen):
            raise _error(row, "claim_id", "ids in ascending order (new claims at the end)")
        seen.add(_number(row["claim_id"]))
        if row["unit"] not in UNITS:
            raise _error(row, "unit", "one of " + ", ".join(UNITS))
        if not row["quote"].strip():
            raise _error(row, "quote", "the words of the report that state the value")
        if not row["note"].strip():
            raise _error(row, "note", "the rule the verdict follows (or why it is stated only)")
        parse_stated(row["stated_value"], row["unit"], lambda exp, r=row: _error(
            r, "stated_value", exp))
        low, high = _parse_range(row)
        lows.append(low)
        highs.append(high)
        tolerances.append(_parse_tolerance(row, has_range=not math.isnan(low)))
    _check_readings(table)
    out = table.assign(tolerance=pd.Series(tolerances, index=table.index, dtype="float64"),
                       range_low=pd.Series(lows, index=table.index, dtype="float64"),
                       range_high=pd.Series(highs, index=table.index, dtype="float64"),
                       raw_line=table[raw.LINE].astype("int64"))
    return out[[*CLAIM_COLUMNS, "raw_line"]].sort_values("raw_line", ignore_index=True)


def _number_field(row: pd.Series, field: str) -> float:
    text = row[field].strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise _error(row, field, "a plain decimal number, or empty") from None
    if not math.isfinite(value):
        raise _error(row, field, "a finite number, or empty")
    return value


def _parse_range(row: pd.Series) -> tuple[float, float]:
    """The explicit range of a row: both ends for a method judged within a range, the lower
    end only for a `_nearly` threshold (its upper end is the stated bound), none otherwise."""
    low, high = _number_field(row, "range_low"), _number_field(row, "range_high")
    suffix = threshold(row["method"])
    if row["method"] == STATED_ONLY_METHOD or suffix not in (None, "_nearly"):
        if not (math.isnan(low) and math.isnan(high)):
            field = "range_low" if not math.isnan(low) else "range_high"
            raise _error(row, field, "empty for stated_only and for thresholds other than "
                         "_nearly (the stated value is their bound)")
        return low, high
    if suffix == "_nearly":
        bound = parse_stated(row["stated_value"], row["unit"])
        if math.isnan(low) or not low < bound:
            raise _error(row, "range_low", "the lower end of 'nearly' (a number below the "
                         "stated bound)")
        if not math.isnan(high):
            raise _error(row, "range_high", "empty for _nearly (the stated value is the "
                         "upper bound)")
        return low, high
    if math.isnan(low) != math.isnan(high):
        field = "range_high" if math.isnan(high) else "range_low"
        raise _error(row, field, "both ends of the range, or neither")
    if not math.isnan(low) and not low <= high:
        raise _error(row, "range_high", "an upper end >= range_low")
    return low, high


def _check_readings(table: pd.DataFrame) -> None:
    """Several readings of one statement: every row names its reading, the rows not counted
    name the counted row (`reading_of`), which gives the reason it is counted; readings of one
    statement are distinct."""
    ids = set(table["claim_id"])
    counted_for: dict[str, list[str]] = {}
    for _, row in table.iterrows():
        target = row["reading_of"].strip()
        if not target:
            continue
        if target not in ids or target == row["claim_id"]:
            raise _error(row, "reading_of", "the claim_id of the row the verdict summary "
                         "counts for this statement, or empty")
        if table.loc[table["claim_id"] == target, "reading_of"].iloc[0].strip():
            raise _error(row, "reading_of", f"a counted row ({target} itself names another)")
        if not row["reading"].strip():
            raise _error(row, "reading", "the reading this row judges (the statement has "
                         "several)")
        if row["counted_reason"].strip():
            raise _error(row, "counted_reason", "empty on a row the summary does not count")
        counted_for.setdefault(target, []).append(row["claim_id"])
    for _, row in table.iterrows():
        others = counted_for.get(row["claim_id"])
        if others is None:
            if row["counted_reason"].strip():
                raise _error(row, "counted_reason", "empty unless another row names this one "
                             "in reading_of")
            continue
        if not row["reading"].strip():
            raise _error(row, "reading", "the reading this row judges (the statement has "
                         "several)")
        if not row["counted_reason"].strip():
            raise _error(row, "counted_reason", "why this reading is the one the verdict "
                         f"summary counts ({', '.join(others)} read it otherwise)")
        group = table[table["claim_id"].isin([row["claim_id"], *others])]
        repeated = group[group.duplicated("reading", keep="first")]
        if not repeated.empty:
            raise _error(repeated.iloc[0], "reading", "a reading of its own: another row "
                         "judges this statement under the same reading")


def _parse_tolerance(row: pd.Series, has_range: bool) -> float:
    """The tolerance as written: a number >= 0 where one may stand, else empty. Whether an
    empty one is missing depends on the method (`check_methods`)."""
    text = row["tolerance"].strip()
    if not text:
        return math.nan
    if not needs_tolerance(row["unit"], row["method"], has_range):
        raise _error(row, "tolerance", NO_TOLERANCE)
    try:
        value = float(text)
    except ValueError:
        raise _error(row, "tolerance", TOLERANCE) from None
    if not value >= 0 or not math.isfinite(value):
        raise _error(row, "tolerance", TOLERANCE)
    return value
