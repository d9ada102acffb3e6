"""Years, spans and timeline dates as the report prints them, and near misses refused."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from ccp_analysis.data.parsing import periods

REPORT = Path(__file__).resolve().parents[1] / "data" / "raw" / "report"

with (REPORT / "appendix_c_timeline.csv").open(encoding="utf-8", newline="") as _handle:
    TIMELINE = list(csv.DictReader(_handle))


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2009", 2009, 2009, periods.YEAR),
        ("Late 1990s and early 2000s", 1997, 2003, periods.APPROXIMATE),
        ("between 2012 and 2018", 2012, 2018, periods.SPAN),
        ("2012-2018", 2012, 2018, periods.SPAN),
        ("2012 to 2018", 2012, 2018, periods.SPAN),
        ("mid 1990s", 1994, 1996, periods.APPROXIMATE),
    ],
)
def test_parse_period(text, start, end, precision):
    assert periods.parse_period(text) == periods.Period(start, end, precision)


@pytest.mark.parametrize(
    "text",
    ["199", "Late 1990", "2018-2012", "mid 1990s and", "Year 2009", "3009", "1899",
     "between 2018 and 2012", "Late 1990s and", "2009s", ""],
)
def test_parse_period_near_misses_raise(text):
    with pytest.raises(ValueError):
        periods.parse_period(text)


def test_backwards_span_says_so():
    with pytest.raises(ValueError, match="ends before it starts"):
        periods.parse_period("2018-2012")


def test_year_out_of_range_says_so():
    with pytest.raises(ValueError, match="outside 1900-2100"):
        periods.parse_period("3009")


@pytest.mark.parametrize(
    ("text", "date", "precision", "end"),
    [
        ("2011", dt.date(2011, 1, 1), periods.YEAR, dt.date(2011, 12, 31)),
        ("June 2012", dt.date(2012, 6, 1), periods.MONTH, dt.date(2012, 6, 30)),
        ("November 2012", dt.date(2012, 11, 1), periods.MONTH, dt.date(2012, 11, 30)),
        ("February 2016", dt.date(2016, 2, 1), periods.MONTH, dt.date(2016, 2, 29)),
        ("December 2019", dt.date(2019, 12, 1), periods.MONTH, dt.date(2019, 12, 31)),
        ("H2 2016", dt.date(2016, 7, 1), periods.HALF_YEAR, dt.date(2016, 12, 31)),
        ("H1 2018", dt.date(2018, 1, 1), periods.HALF_YEAR, dt.date(2018, 6, 30)),
        # "Late" and "Early" are the last and first thirds of the year, kept as such.
        ("Late 2017", dt.date(2017, 9, 1), periods.LATE_YEAR, dt.date(2017, 12, 31)),
        ("Early 2017", dt.date(2017, 1, 1), periods.EARLY_YEAR, dt.date(2017, 4, 30)),
        ("2017 (various)", dt.date(2017, 1, 1), periods.YEAR, dt.date(2017, 12, 31)),
        ("12 March 2019", dt.date(2019, 3, 12), periods.DAY, dt.date(2019, 3, 12)),
        ("March 12, 2019", dt.date(2019, 3, 12), periods.DAY, dt.date(2019, 3, 12)),
    ],
)
def test_parse_event_date(text, date, precision, end):
    parsed = periods.parse_event_date(text)
    assert parsed == periods.EventDate(date, precision, end)
    assert parsed.year == date.year


@pytest.mark.parametrize(
    "text",
    ["Juen 2012", "H3 2016", "31 February 2019", "2017 (several)", "Spring 2018", "June, 2012",
     "June 3012", "H2 16", "2017 various", "12 Marhc 2019", ""],
)
def test_parse_event_date_near_misses_raise(text):
    with pytest.raises(ValueError):
        periods.parse_event_date(text)


def test_misspelt_month_is_named():
    with pytest.raises(ValueError, match="'Juen' is not a month name"):
        periods.parse_event_date("Juen 2012")


def test_impossible_day_is_named():
    with pytest.raises(ValueError, match="not a calendar day"):
        periods.parse_event_date("31 February 2019")


def test_timeline_date_forms_are_the_ones_tested_here():
    forms = {re.sub(r"\d{4}", "YYYY", r["date_text"]) for r in TIMELINE}
    months = {f"{m.capitalize()} YYYY" for m in periods.MONTHS}
    assert forms - months == {"YYYY", "H1 YYYY", "H2 YYYY", "Late YYYY", "YYYY (various)"}


@pytest.mark.parametrize("row", TIMELINE, ids=[r["entry_id"] for r in TIMELINE])
def test_every_timeline_date_parses(row):
    text = row["date_text"]
    parsed = periods.parse_event_date(text)
    years = re.findall(r"\d{4}", text)
    assert len(years) == 1
    assert parsed.year == int(years[0])
    assert parsed.date.day == 1
    expected = {
        periods.YEAR: 1,
        periods.HALF_YEAR: 1 if text.startswith("H1") else 7,
        periods.LATE_YEAR: 9,
        periods.MONTH: periods.MONTHS.get(text.split()[0].lower()),
    }[parsed.precision]
    assert parsed.date.month == expected


@pytest.mark.parametrize("text", ["12 March 3019", "March 12, 1019"])
def test_day_forms_check_the_year_range(text):
    # Every other form refuses years outside 1900-2100; a day must not slip through.
    with pytest.raises(ValueError, match="outside 1900-2100"):
        periods.parse_event_date(text)
