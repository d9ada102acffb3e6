"""CNY per USD yearly means from the ECB's euro reference rates (`eurofxref-hist.csv` or the
`eurofxref-hist.zip` that holds it), computed as data/raw/market/SOURCES.md section 3 says.

For each calendar year: the mean, over the ECB business days on which both USD and CNY are
quoted, of (CNY per EUR) / (USD per EUR), rounded to 4 decimals (`ecb_cross_mean`), and the
number of those days (`ecb_days`). Only complete years are taken (the file has a later day),
and none before the first year the project holds.
"""

from __future__ import annotations

import statistics

from ccp_analysis.data.imports import table
from ccp_analysis.data.imports.incoming import Incoming, Options
from ccp_analysis.data.imports.table import Row
from ccp_analysis.errors import InputError

MEMBER = "eurofxref-hist.csv"
URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"


def unpack(data: bytes, shown: str) -> tuple[bytes, str]:
    """The CSV inside a zip (or the bytes as they are), with the name to show in messages."""
    return table.unpack(data, shown, lambda name: name.endswith(".csv"), f"one CSV ({MEMBER})")


def read(data: bytes, shown: str, options: Options, first_year: int) -> Incoming:
    data, shown = unpack(data, shown)
    header, rows = table.parse(table.decode(data, shown), shown)
    for column in ("Date", "USD", "CNY"):
        if column not in header:
            raise InputError(shown, 1, column, ",".join(header[:6]) + ",...",
                             "the ECB's eurofxref-hist header: Date, USD, ..., CNY, ...")
    by_year: dict[int, list[float]] = {}
    first_line: dict[int, Row] = {}
    last_year = 0
    for row in rows:
        date = row.values["Date"].strip()
        if len(date) != 10 or date[4] != "-":
            raise InputError(row.file, row.line, "Date", date, "a date as YYYY-MM-DD")
        year = int(date[:4])
        last_year = max(last_year, year)
        usd, cny = row.values["USD"].strip(), row.values["CNY"].strip()
        if usd in ("", "N/A") or cny in ("", "N/A"):
            continue  # not quoted that day (CNY is quoted from 2005)
        try:
            cross = float(cny) / float(usd)
        except (ValueError, ZeroDivisionError):
            field = "USD" if not _number(usd) else "CNY"
            raise InputError(row.file, row.line, field, row.values[field],
                             "a rate (a number above 0) or N/A") from None
        by_year.setdefault(year, []).append(cross)
        first_line.setdefault(year, row)
    incoming_rows = []
    notes = []
    skipped_early = sorted(y for y in by_year if y < first_year)
    if skipped_early:
        notes.append(f"years before {first_year} (the first year held) not imported: "
                     f"{skipped_early[0]}-{skipped_early[-1]}")
    if last_year in by_year:
        notes.append(f"{last_year} not imported: the year is not complete in the file")
    for year in sorted(by_year):
        if year < first_year or year == last_year:
            continue
        days = by_year[year]
        origin = first_line[year]
        incoming_rows.append(Row({"year": str(year),
                                  "ecb_cross_mean": f"{statistics.fmean(days):.4f}",
                                  "ecb_days": str(len(days))}, origin.file, origin.line))
    if not incoming_rows:
        raise InputError(shown, None, "CNY", "", f"at least one complete year from {first_year} "
                         "with USD and CNY quoted")
    fields = ["year", "ecb_cross_mean", "ecb_days"]
    return Incoming("ecb", incoming_rows, fields, fields[1:], notes)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
