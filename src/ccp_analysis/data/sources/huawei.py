"""Huawei's annual revenue and net profit, in CNY as reported and in USD at yearly averages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccp_analysis.data.parsing import raw, revisions
from ccp_analysis.data.schemas import HUAWEI_BASE_SOURCE
from ccp_analysis.data.sources import fx

FILE = "market/huawei_financials.csv"
COLUMNS = [
    "year", "revenue_cny_mn", "net_profit_cny_mn", "revenue_status", "net_profit_status",
    "revenue_usd_mn_as_reported", "usd_conversion_rate_year_end_cny_per_usd",
]


def financials() -> pd.DataFrame:
    table = raw.read_csv(FILE, COLUMNS)
    frame = pd.DataFrame({
        "year": raw.typed(table, FILE, "year", "int").astype("int64"),
        "revenue_cny_mn": raw.typed(table, FILE, "revenue_cny_mn", "float"),
        "net_profit_cny_mn": raw.typed(table, FILE, "net_profit_cny_mn", "float"),
        "revenue_status": table["revenue_status"],
        "raw_line": table[raw.LINE],
    })
    sources = revenue_sources()
    frame["revenue_source"] = [sources.get(int(y), BASE_SOURCE) for y in frame["year"]]
    return frame.sort_values("year", ignore_index=True)


# Where the revenue of a year comes from when no import added or revised it (schemas.py).
BASE_SOURCE = HUAWEI_BASE_SOURCE


def revenue_sources() -> dict[int, str]:
    """year -> the --source of the last import that added the year or revised its revenue
    (data/raw/REVISIONS.jsonl), so a figure names the source of the rows it plots."""
    sources: dict[int, str] = {}
    for entry in revisions.read():
        if entry.get("file") != FILE:
            continue
        span = entry.get("added_range") or []
        if span:
            for year in range(int(span[0]), int(span[1]) + 1):
                sources[year] = entry["source"]
        for change in entry.get("rows_revised", []):
            if change.get("field") == "revenue_cny_mn":
                sources[int(change["key"])] = entry["source"]
    return sources


def revenue(rates: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (exchange-rate series, year); USD values are NaN where a series has no rate.

    Year-on-year changes compare a year with the one before it; a missing year gives NaN.
    """
    fin = financials()
    rates = fx.rates() if rates is None else rates
    parts = []
    for series in fx.SERIES:
        part = fin.merge(rates[rates["fx_series"] == series], on="year", how="left")
        part["fx_series"] = series
        part["revenue_usd_mn"] = (part["revenue_cny_mn"] / part["cny_per_usd"]).round(1)
        for currency, column in (("cny", "revenue_cny_mn"), ("usd", "revenue_usd_mn")):
            previous = part.set_index("year")[column].reindex(part["year"] - 1).to_numpy()
            change = (part[column].to_numpy() / previous - 1) * 100
            part[f"revenue_change_pct_{currency}"] = np.round(change, 2)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    columns = [
        "fx_series", "year", "revenue_cny_mn", "net_profit_cny_mn", "revenue_status",
        "revenue_source",
        "cny_per_usd", "fx_status", "revenue_usd_mn", "revenue_change_pct_cny",
        "revenue_change_pct_usd", "raw_line",
    ]
    return frame[columns].sort_values(["fx_series", "year"], ignore_index=True)
