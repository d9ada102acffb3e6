"""Huawei's annual revenue and net profit, in CNY as reported and in USD at yearly averages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccp_analysis import fx, raw

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
    return frame.sort_values("year", ignore_index=True)


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
        "cny_per_usd", "fx_status", "revenue_usd_mn", "revenue_change_pct_cny",
        "revenue_change_pct_usd", "raw_line",
    ]
    return frame[columns].sort_values(["fx_series", "year"], ignore_index=True)
