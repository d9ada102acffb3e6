"""The tables the figures plot, from the tidy frames; one function per figure.

Each returns exactly what its chart draws, so the CSV a build writes beside a figure holds every
plotted number, and each row still carries ids that lead back to data/processed and data/raw.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis import fx, money
from ccp_analysis.errors import ParameterError


def select_support(frame: pd.DataFrame, *, year_start: int, year_end: int,
                   include_credit_lines: bool = True, include_customer_financing: bool = True,
                   include_derived: bool = True, include_fines: bool = True) -> pd.DataFrame:
    """Primary support items (figure repeats dropped) in a year range, by what counts.

    An item counts in a year range when its period overlaps it; items without a year count
    only when they repeat an appendix row, which is dropped here anyway.
    """
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    items = frame[frame["is_primary"]].copy()
    overlaps = (items["period_start_year"] <= year_end) & (items["period_end_year"] >= year_start)
    items = items[overlaps.fillna(False).astype(bool)]
    if not include_credit_lines:
        items = items[items["instrument"] != "credit line"]
    if not include_customer_financing:
        items = items[items["beneficiary"] != "customers"]
    if not include_fines:
        items = items[items["instrument"] != "fine on a competitor"]
    items = items.assign(counted_usd=items["amount_usd"])
    if not include_derived:
        derived = items["amount_basis"] == money.DERIVED
        items.loc[derived, "counted_usd"] = float("nan")
    return items.reset_index(drop=True)


def support_totals(items: pd.DataFrame, by: str) -> pd.DataFrame:
    """Quantified USD billion, quantified and unquantified item counts, per value of `by`."""
    quantified = items["counted_usd"].notna()
    table = (
        items.assign(quantified=quantified, unquantified=~quantified)
        .groupby(by, sort=True)
        .agg(amount_usd_bn=("counted_usd", lambda s: round(s.sum() / 1e9, 3)),
             n_items=("item_id", "size"), n_quantified=("quantified", "sum"),
             n_unquantified=("unquantified", "sum"),
             item_ids=("item_id", lambda s: " ".join(sorted(s))))
        .reset_index()
    )
    table.insert(0, "dimension", by)
    table = table.rename(columns={by: "group"})
    return table.sort_values(["amount_usd_bn", "group"], ascending=[False, True],
                             ignore_index=True)


def alibaba_support_table(frame: pd.DataFrame, *, year_start: int, year_end: int) -> pd.DataFrame:
    """Alibaba's primary measures with level, place, year, instrument and stated rates."""
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    items = frame[frame["is_primary"]]
    items = items[(items["period_start_year"] >= year_start)
                  & (items["period_end_year"] <= year_end)]
    columns = ["item_id", "period_start_year", "government_level", "place", "instrument",
               "amount_usd", "tax_rate_pct", "standard_tax_rate_pct", "entity"]
    table = items[columns].rename(columns={"period_start_year": "year"})
    return table.sort_values(["year", "item_id"], ignore_index=True)


def revenue_table(frame: pd.DataFrame, *, year_start: int, year_end: int, currency: str,
                  fx_series: str) -> pd.DataFrame:
    """Huawei revenue per year in the chosen currency, with its change on the year before."""
    fx.check_series(fx_series)
    if currency not in ("USD", "CNY"):
        raise ParameterError(f"currency {currency!r} is not known; accepted: USD, CNY")
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    rows = frame[(frame["fx_series"] == fx_series) & frame["year"].between(year_start, year_end)]
    unit = currency.lower()
    value = "revenue_usd_mn" if currency == "USD" else "revenue_cny_mn"
    table = pd.DataFrame({
        "year": rows["year"],
        "currency": currency,
        "fx_series": fx_series if currency == "USD" else "",
        "cny_per_usd": rows["cny_per_usd"] if currency == "USD" else float("nan"),
        "revenue_bn": (rows[value] / 1000).round(3),
        "change_pct": rows[f"revenue_change_pct_{unit}"],
        "revenue_status": rows["revenue_status"],
    })
    if currency == "USD" and table["revenue_bn"].isna().any():
        missing = table.loc[table["revenue_bn"].isna(), "year"].tolist()
        raise ParameterError(f"fx_series {fx_series!r} has no rate for {missing}; choose "
                             f"another series or year range")
    return table.reset_index(drop=True)


def stock_table(frame: pd.DataFrame, *, date_start: str, date_end: str,
                measure: str) -> pd.DataFrame:
    """BABA close (USD per ADS) or market value (USD bn) per trading day in a date range."""
    if measure not in ("price", "market_value"):
        raise ParameterError(f"measure {measure!r} is not known; accepted: price, market_value")
    start = pd.Timestamp(date_start)
    end = pd.Timestamp(date_end) if date_end else frame["date"].max()
    if end < start:
        raise ParameterError(f"date_end {date_end} is before date_start {date_start}")
    rows = frame[frame["date"].between(start, end)]
    value = "close_usd" if measure == "price" else "market_value_usd_bn"
    table = pd.DataFrame({"date": rows["date"], "measure": measure, "value": rows[value],
                          "shares_as_of": rows["shares_as_of"]})
    return table.reset_index(drop=True)


def deals_per_year(deals: pd.DataFrame, *, year_start: int, year_end: int,
                   top_companies: int) -> pd.DataFrame:
    """Timeline entries per year and company (the top N by entries, the rest as 'Other').

    An entry naming several Chinese companies counts once for each, so the per-year total of
    entries is given separately in `entries_in_year`.
    """
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    rows = deals[deals["year"].between(year_start, year_end)]
    long = rows.assign(company=rows["chinese_companies"].str.split("; ")).explode("company")
    ranking = long["company"].value_counts()
    ranking = ranking.sort_index().sort_values(ascending=False, kind="stable")
    top = list(ranking.index[:top_companies])
    long["company_group"] = long["company"].where(long["company"].isin(top), "Other")
    years = range(year_start, year_end + 1)
    groups = top + (["Other"] if (long["company_group"] == "Other").any() else [])
    counts = (long.groupby(["year", "company_group"]).size()
              .reindex(pd.MultiIndex.from_product([years, groups],
                                                  names=["year", "company_group"]),
                       fill_value=0)
              .rename("mentions").reset_index())
    entries = rows.groupby("year").size().reindex(years, fill_value=0)
    counts["entries_in_year"] = counts["year"].map(entries)
    return counts


def network_layout(edges: pd.DataFrame, *, year_start: int, year_end: int,
                   min_degree: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes with fixed positions and the edges between them, for a deterministic drawing.

    Chinese companies stand in a left column, counterparts in a right one, each sorted by
    degree then name; co-party links join two Chinese companies.
    """
    rows = edges[edges["year"].between(year_start, year_end)]
    pairs = rows.groupby(["company", "counterpart", "edge_kind"]).agg(
        n_deals=("entry_id", "size"), entry_ids=("entry_id", lambda s: " ".join(sorted(s)))
    ).reset_index()
    chinese_degree = pd.concat([
        pairs["company"], pairs.loc[pairs["edge_kind"] == "co-party", "counterpart"]
    ]).value_counts()
    keep = set(chinese_degree[chinese_degree >= min_degree].index)
    co_party = pairs["edge_kind"] == "co-party"
    pairs = pairs[pairs["company"].isin(keep) & (~co_party | pairs["counterpart"].isin(keep))]
    chinese_degree = chinese_degree[chinese_degree.index.isin(keep)]
    others = pairs.loc[pairs["edge_kind"] == "counterpart", "counterpart"].value_counts()
    nodes = []
    for side, x, degree in (("chinese company", 0.0, chinese_degree), ("counterpart", 1.0, others)):
        ordered = sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))
        count = len(ordered)
        for i, (name, deg) in enumerate(ordered):
            y = 1.0 - (i + 0.5) / count
            nodes.append({"node": name, "side": side, "degree": int(deg), "x": x,
                          "y": round(y, 6)})
    nodes_frame = pd.DataFrame(nodes, columns=["node", "side", "degree", "x", "y"])
    return nodes_frame, pairs.reset_index(drop=True)
