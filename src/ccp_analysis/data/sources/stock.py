"""Alibaba's ADS (NYSE: BABA) daily close and market value on a documented share basis.

Price charts use the unadjusted close, as Yahoo Finance's history (the report's source) shows
it. Market value multiplies that close by the ADS-equivalent share count of the latest 20-F
count on or before the day (before the first count, 2016-03-31, that first count), and records
which count it used, so every market value names its share basis.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis.data.parsing import raw

PRICES = "market/baba_daily.csv"
PRICE_COLUMNS = ["date", "open", "high", "low", "close", "adj_close", "volume", "dividend",
                 "source"]
SHARES = "market/alibaba_shares_outstanding.csv"
SHARE_COLUMNS = ["as_of_date", "ordinary_shares", "ads_equivalent", "ordinary_shares_per_ads",
                 "status", "source"]


def share_counts() -> pd.DataFrame:
    table = raw.read_csv(SHARES, SHARE_COLUMNS)
    frame = pd.DataFrame({
        "shares_as_of": raw.typed(table, SHARES, "as_of_date", "date"),
        "shares_ads_equivalent": raw.typed(table, SHARES, "ads_equivalent", "float"),
        "shares_status": table["status"],
    })
    return frame.sort_values("shares_as_of", ignore_index=True)


def prices() -> pd.DataFrame:
    table = raw.read_csv(PRICES, PRICE_COLUMNS)
    frame = pd.DataFrame({
        "date": raw.typed(table, PRICES, "date", "date"),
        "close_usd": raw.typed(table, PRICES, "close", "float"),
        "adj_close_usd": raw.typed(table, PRICES, "adj_close", "float"),
        "volume_ads": raw.typed(table, PRICES, "volume", "int").astype("int64"),
        "price_source": table["source"],
        "raw_line": table[raw.LINE],
    })
    return frame.sort_values("date", ignore_index=True)


def alibaba_stock() -> pd.DataFrame:
    """Daily close with the share count in force and the market value it implies (USD bn)."""
    daily = prices()
    counts = share_counts()
    merged = pd.merge_asof(daily, counts, left_on="date", right_on="shares_as_of",
                           direction="backward")
    first = counts.iloc[0]
    before = merged["shares_as_of"].isna()
    for column in ("shares_as_of", "shares_ads_equivalent", "shares_status"):
        merged.loc[before, column] = first[column]
    merged["shares_basis"] = "latest count on or before the date"
    merged.loc[before, "shares_basis"] = "first count after the date (no earlier count)"
    merged["market_value_usd_bn"] = (
        merged["close_usd"] * merged["shares_ads_equivalent"] / 1e9
    ).round(3)
    merged["shares_as_of"] = pd.to_datetime(merged["shares_as_of"])
    columns = [
        "date", "close_usd", "adj_close_usd", "volume_ads", "shares_ads_equivalent",
        "shares_as_of", "shares_basis", "shares_status", "market_value_usd_bn", "price_source",
        "raw_line",
    ]
    return merged[columns]


IPO = "market/alibaba_ipo.csv"
IPO_COLUMNS = ["field", "value", "unit", "status", "source"]


def alibaba_ipo() -> pd.DataFrame:
    """Alibaba's IPO terms (offer price, first trading day and its prices), one row per field
    as the prospectus and the news of the day give them; values stay text (a date or a price)."""
    table = raw.read_csv(IPO, IPO_COLUMNS)
    return pd.DataFrame({
        "field": table["field"],
        "value": table["value"],
        "unit": table["unit"],
        "status": table["status"],
        "source": table["source"],
        "raw_line": table[raw.LINE].astype("int64"),
    }).sort_values("field", ignore_index=True)
