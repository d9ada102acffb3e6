"""A year or date range against the data it is drawn from, decided in one place.

An open end (year 0, date '') becomes the data's last year or day; a range that runs backwards
or holds no data is refused; a range reaching beyond the data is clamped to it, with a note
saying so. The parameter resolver (`figures.checks`, serving the build, the notebooks' hand-off
cell, the command line and the Python API) calls it on the edition's data, and the table
functions of `figure_data` on the frame they are given, so the words are the same everywhere
and no table comes back silently empty or shorter than asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ccp_analysis.errors import ParameterError

# The value of an open end, by the parameter's type.
OPEN_END: dict[str, object] = {"int": 0, "str": ""}


def is_open(value: object) -> bool:
    """Is `value` an open end (the int 0 or the empty text; False is no year)?"""
    return (type(value) is int and value == 0) or value == ""


def as_date(name: str, value: object, *, open_end: bool = False) -> str:
    """A date given as text (or a Timestamp) as ISO text YYYY-MM-DD, or the refusal."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # type: ignore[union-attr]
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ParameterError(f"parameter '{name}' value {value!r}: expected a date as "
                             "YYYY-MM-DD" + (" or '' for the end of the data" if open_end
                                             else "")) from None


def check_order(start_name: str, start: object, end_name: str, end: object, *,
                open_end: bool = False) -> None:
    """Refuse a range whose end is before its start (an open end runs to the data's end)."""
    if open_end and is_open(end):
        return
    if isinstance(start, str) or isinstance(end, str) or hasattr(start, "strftime"):
        first, last = as_date(start_name, start), as_date(end_name, end)
    else:
        first, last = start, end
    if last < first:  # type: ignore[operator]
        raise ParameterError(f"parameter '{end_name}' value {end!r} is before '{start_name}' "
                             f"{start!r}")


@dataclass(frozen=True)
class Resolved:
    """The range drawn, and what moved (one note per end clamped)."""

    start: object
    end: object
    notes: tuple[str, ...]


def resolve(start_name: str, start: object, end_name: str, end: object,
            data: tuple[object, object], where: str, *, open_end: bool = False) -> Resolved:
    """The range on data spanning `data` (first, last: years, or days as ISO text).

    `open_end`: the end may be open (0 or ''), meaning the data's last year or day. `where`
    names the data in the messages ("the as-published edition", "the huawei_revenue frame
    given"). Years stay ints; dates come back as ISO text.
    """
    check_order(start_name, start, end_name, end, open_end=open_end)
    lo, hi = data
    dates = isinstance(lo, str)
    first = as_date(start_name, start) if dates else start
    last = hi if open_end and is_open(end) else (as_date(end_name, end) if dates else end)
    if first > hi or last < lo:  # type: ignore[operator]
        raise ParameterError(f"parameters {start_name}={start!r}, {end_name}={end!r}: the "
                             f"range holds no data in {where}")
    notes = []
    if first < lo:  # type: ignore[operator]
        notes.append(f"{start_name} {start!r} is before the data: {where} starts at {lo!r}")
        first = lo
    if last > hi:  # type: ignore[operator]
        notes.append(f"{end_name} {end!r} is beyond the data: {where} ends at {hi!r}")
        last = hi
    return Resolved(first, last, tuple(notes))
