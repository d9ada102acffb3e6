"""Daily BABA prices: a Yahoo Finance or Nasdaq history download, or the project's columns.

- Yahoo Finance ("Download" on the history page, or yfinance's `history().to_csv()`):
  Date, Open, High, Low, Close, Adj Close, Volume (yfinance adds Dividends, Stock Splits).
  Close is the unadjusted close, stored by Yahoo as float32: rounding to 4 decimals returns
  the quoted price (93.889999 -> 93.89). Yahoo's Adj Close is not taken: the project
  recomputes it over its own dividend list (data/raw/market/SOURCES.md section 1).
- Nasdaq (nasdaq.com "Historical Quotes" download): Date (MM/DD/YYYY), Close/Last, Volume,
  Open, High, Low, prices as "$93.89", newest first. Nasdaq's volumes are consolidated, so they
  differ from Yahoo's.
- The project's columns: date, open, high, low, close, adj_close, volume, dividend, source.

Every new row's `source` is the file's source (--source), so a figure plotting it names it.
"""

from __future__ import annotations

import datetime as dt
import re

from ccp_analysis.data.imports import table
from ccp_analysis.data.imports.incoming import Incoming, Options, project_format
from ccp_analysis.data.imports.merge import Change, Merged
from ccp_analysis.data.imports.table import Row, Table
from ccp_analysis.data.imports.targets import PRICES
from ccp_analysis.errors import InputError

YAHOO = ("Date", "Open", "High", "Low", "Close", "Volume")
NASDAQ = ("Date", "Close/Last", "Volume", "Open", "High", "Low")
_US_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T].*)?$")
WRITTEN = ["date", "open", "high", "low", "close", "adj_close", "volume", "dividend", "source"]


def read(data: bytes, shown: str, options: Options) -> Incoming:
    text = table.decode(data, shown)
    first = text.splitlines()[0] if text else ""
    header = [h.strip() for h in first.split(",")]
    if header == PRICES.columns:
        incoming = project_format(PRICES, data, shown, options)
        for row in incoming.rows:
            if not row.values["source"].strip():
                row.values["source"] = options.source
        incoming.compared = ["close"]
        return incoming
    if all(c in header for c in YAHOO):
        return _vendor("yahoo", text, shown, options, date="Date", close="Close")
    if all(c in header for c in NASDAQ):
        return _vendor("nasdaq", text, shown, options, date="Date", close="Close/Last")
    raise InputError(shown, 1, None, first,
                     "a price history header: Yahoo Finance (" + ",".join(YAHOO) + "), Nasdaq ("
                     + ",".join(NASDAQ) + ") or the project's (" + ",".join(PRICES.columns) + ")")


def _vendor(kind: str, text: str, shown: str, options: Options, *, date: str,
            close: str) -> Incoming:
    _, records = table.parse(text, shown, final_newline=False)
    rows = []
    for record in records:
        values = {
            "date": _date(record, date, kind),
            "open": _price(record, "Open", kind),
            "high": _price(record, "High", kind),
            "low": _price(record, "Low", kind),
            "close": _price(record, close, kind),
            "adj_close": "",  # computed from the dividends when the rows are merged
            "volume": _volume(record.values["Volume"]),
            "dividend": _dividend(record),
            "source": options.source,
        }
        rows.append(Row(values, record.file, record.line))
    rows.sort(key=lambda r: r.values["date"])  # Nasdaq lists newest first
    return Incoming(kind, rows, WRITTEN, ["close"])


def _date(record: Row, column: str, kind: str) -> str:
    value = record.values[column].strip()
    us = _US_DATE.match(value)
    if us and kind == "nasdaq":
        month, day, year = us.groups()
        value = f"{year}-{month}-{day}"
    iso = _ISO_PREFIX.match(value)
    if iso:
        try:
            return dt.date.fromisoformat(iso.group(1)).isoformat()
        except ValueError:
            pass
    expected = "a date as MM/DD/YYYY" if kind == "nasdaq" else "a date as YYYY-MM-DD"
    raise InputError(record.file, record.line, column, record.values[column], expected)


def _price(record: Row, column: str, kind: str) -> str:
    """Rounded to 4 decimals and printed shortest, as the held file prints prices."""
    value = record.values[column].strip()
    text = value.removeprefix("$").replace(",", "") if kind == "nasdaq" else value
    try:
        number = float(text)
    except ValueError:
        raise InputError(record.file, record.line, column, value,
                         "a price (a number; Yahoo writes 'null' for a day without "
                         "trading: delete that row or download again)") from None
    return price_text(number)


def price_text(number: float) -> str:
    """As the held file prints an open/high/low/close: 4 decimals at most, shortest form,
    whole numbers without a point (89, 93.89)."""
    rounded = round(number, 4)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def adjusted_text(number: float) -> str:
    """As the held file prints adj_close: always 4 decimals."""
    return f"{number:.4f}"


def _volume(value: str) -> str:
    text = value.strip().replace(",", "")
    return str(int(float(text))) if re.fullmatch(r"[0-9]+(\.0+)?", text) else value


def _dividend(record: Row) -> str:
    value = record.values.get("Dividends", "").strip()
    if value in ("", "0", "0.0"):
        return "0.00"
    try:
        return f"{float(value):.2f}"
    except ValueError:
        return value  # refused with its line by the field check


def fill_adjusted(merged: Merged, held: Table) -> list[Change]:
    """adj_close where a row has none (rows from Yahoo or Nasdaq), by Yahoo's method as
    SOURCES.md section 1 applies it: the close times, for every later ex-dividend day, (1 -
    dividend / close of the day before it). A dividend new to the file also lowers the
    adjusted close of every earlier day held: that is returned as a revision."""
    rows = merged.after.rows
    closes = [float(r.values["close"]) for r in rows]
    factors = [1.0] * len(rows)
    for i, row in enumerate(rows):
        dividend = row.values["dividend"].strip()
        if i and dividend and float(dividend) > 0:
            factors[i] = 1 - float(dividend) / closes[i - 1]
    held_dividends = {r.values["date"] for r in held.rows
                      if r.values["dividend"].strip() and float(r.values["dividend"]) > 0}
    later = [1.0] * len(rows)  # product of the factors of the days after each row
    later_new = [1.0] * len(rows)  # the same over dividends new to the file
    product, product_new = 1.0, 1.0
    for i in range(len(rows) - 1, -1, -1):
        later[i], later_new[i] = product, product_new
        product *= factors[i]
        if rows[i].values["date"] not in held_dividends:
            product_new *= factors[i]
    held_keys = {r.values["date"] for r in held.rows}
    revised_adj: list[str] = []
    for i, row in enumerate(rows):
        if not row.values["adj_close"].strip():
            row.values["adj_close"] = adjusted_text(closes[i] * later[i])
        elif row.values["date"] in held_keys and later_new[i] != 1.0:
            row.values["adj_close"] = adjusted_text(float(row.values["adj_close"])
                                                    * later_new[i])
            revised_adj.append(row.values["date"])
    if not revised_adj:
        return []
    new_dividends = [f"{r.values['dividend']} on {r.values['date']}" for r in rows
                     if r.values["date"] not in held_dividends and r.values["dividend"].strip()
                     and float(r.values["dividend"]) > 0]
    return [Change(f"{revised_adj[0]}..{revised_adj[-1]}", "adj_close", "as held",
                   f"scaled for the new dividend(s) {', '.join(new_dividends)} "
                   f"({len(revised_adj)} rows)", held.file, merged.after.file)]
