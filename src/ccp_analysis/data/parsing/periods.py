"""Years and dates as the report prints them, normalised with their precision.

Appendix tables give years ("2009") or spans ("Late 1990s and early 2000s"); the timeline gives
months ("June 2012"), half-years ("H2 2016"), parts of a year ("Late 2017") or years ("2017
(various)"). Each form maps to a first and last day (or year span) and a precision; an unknown
form is an error, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ccp_analysis.data.schemas import (  # noqa: F401  (the registry's allowed precisions)
    APPROXIMATE,
    DAY,
    EARLY_YEAR,
    EVENT_PRECISIONS,
    HALF_YEAR,
    LATE_YEAR,
    MONTH,
    SPAN,
    YEAR,
)

MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"],
        start=1,
    )
}
# Parts of a decade as spans of its years: "early" is the first third, "late" the last.
DECADE_PARTS = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}



@dataclass(frozen=True)
class Period:
    start_year: int
    end_year: int
    precision: str


@dataclass(frozen=True)
class EventDate:
    date: dt.date  # first day of the period the text names
    precision: str
    end: dt.date  # last day of that period

    @property
    def year(self) -> int:
        return self.date.year


_DECADE_PART = re.compile(r"^(early|mid|late)[- ](\d{3}0)s$")
_RANGE = re.compile(r"^(?:between )?(\d{4})(?: ?- ?| and | to )(\d{4})$")
_YEAR = re.compile(r"^(\d{4})(?: \(various\))?$")


def _check_year(year: int, text: str) -> int:
    if not 1900 <= year <= 2100:
        raise ValueError(f"{text!r}: year {year} is outside 1900-2100")
    return year


def parse_period(text: str) -> Period:
    """'2009' -> 2009-2009 (year); 'Late 1990s and early 2000s' -> 1997-2003 (approximate)."""
    clean = text.strip()
    single = _YEAR.match(clean)
    if single:
        year = _check_year(int(single.group(1)), text)
        return Period(year, year, YEAR)
    ranged = _RANGE.match(clean)
    if ranged:
        start = _check_year(int(ranged.group(1)), text)
        end = _check_year(int(ranged.group(2)), text)
        if end < start:
            raise ValueError(f"{text!r}: the span ends before it starts")
        return Period(start, end, SPAN)
    parts = [p.strip() for p in re.split(r"\band\b", clean.lower())]
    spans = []
    for part in parts:
        match = _DECADE_PART.match(part)
        if not match:
            raise ValueError(
                f"{text!r} is not a year ('2009'), a span ('2012-2018', 'between 2012 and 2018') "
                "or parts of decades ('Late 1990s and early 2000s')"
            )
        low, high = DECADE_PARTS[match.group(1)]
        decade = _check_year(int(match.group(2)), text)
        spans.append((decade + low, decade + high))
    return Period(min(s for s, _ in spans), max(e for _, e in spans), APPROXIMATE)


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+) (\d{1,2}), (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+) (\d{4})$")
_HALF = re.compile(r"^H([12]) (\d{4})$")


def _month(name: str, text: str) -> int:
    number = MONTHS.get(name.lower())
    if number is None:
        raise ValueError(f"{text!r}: {name!r} is not a month name")
    return number


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def parse_event_date(text: str) -> EventDate:
    """A timeline date: first day of the period it names, with that period's precision."""
    clean = text.strip()
    try:
        if m := _DAY_MONTH_YEAR.match(clean):
            year = _check_year(int(m[3]), text)
            day = dt.date(year, _month(m[2], text), int(m[1]))
            return EventDate(day, DAY, day)
        if m := _MONTH_DAY_YEAR.match(clean):
            year = _check_year(int(m[3]), text)
            day = dt.date(year, _month(m[1], text), int(m[2]))
            return EventDate(day, DAY, day)
    except ValueError as exc:
        if "month name" in str(exc) or "outside 1900-2100" in str(exc):
            raise
        raise ValueError(f"{text!r}: not a calendar day ({exc})") from None
    if m := _MONTH_YEAR.match(clean):
        if m[1].lower() in MONTHS:
            year = _check_year(int(m[2]), text)
            month = _month(m[1], text)
            return EventDate(dt.date(year, month, 1), MONTH, _month_end(year, month))
        if m[1] in ("Early", "Late"):
            year = _check_year(int(m[2]), text)
            if m[1] == "Early":
                return EventDate(dt.date(year, 1, 1), EARLY_YEAR, _month_end(year, 4))
            return EventDate(dt.date(year, 9, 1), LATE_YEAR, dt.date(year, 12, 31))
        raise ValueError(f"{text!r}: {m[1]!r} is not a month name")
    if m := _HALF.match(clean):
        year = _check_year(int(m[2]), text)
        first = 1 if m[1] == "1" else 7
        return EventDate(dt.date(year, first, 1), HALF_YEAR, _month_end(year, first + 5))
    if m := _YEAR.match(clean):
        year = _check_year(int(m[1]), text)
        return EventDate(dt.date(year, 1, 1), YEAR, dt.date(year, 12, 31))
    raise ValueError(
        f"{text!r} is not a timeline date: expected '2011', '2017 (various)', 'June 2012', "
        "'H2 2016', 'Late 2017' or a day such as '12 March 2019'"
    )
