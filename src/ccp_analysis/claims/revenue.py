"""Claims about Huawei's revenue and profit, recomputed from the huawei_revenue frame
(columns read: year, fx_series, revenue_cny_mn, net_profit_cny_mn, cny_per_usd)."""

from __future__ import annotations

import pandas as pd

from ccp_analysis.claims.registry import (
    Frames,
    Method,
    Recomputed,
    fmt,
    frame,
    method,
    no_data,
    register,
)

FIGURE4_FIRST_YEAR = 2013  # Figure 4's sources are the 2017 and 2021 five-year tables
FIGURE4_SERIES = "ecb"  # the series Figure 4 plots by default (fig4 notebook parameters)
OTHER_SERIES = ("oecd_imf", "fed", "pboc")


def _cny(frames: Frames, column: str = "revenue_cny_mn") -> pd.Series:
    """A CNY column by year (the same in every fx_series block)."""
    rev = frame(frames, "huawei_revenue")
    return rev.drop_duplicates("year").set_index("year")[column].sort_index()


def _usd(frames: Frames, series: str) -> pd.Series:
    """Revenue in USD million by year at one series' yearly averages (years without a rate
    left out); from CNY and the rate, not the frame's USD column, which is rounded."""
    rev = frame(frames, "huawei_revenue")
    rows = rev[(rev["fx_series"] == series) & rev["cny_per_usd"].notna()].set_index("year")
    return (rows["revenue_cny_mn"] / rows["cny_per_usd"]).sort_index()


def _change(values: pd.Series, year: int) -> float | None:
    if not {year - 1, year} <= set(values.index):
        return None
    return float((values[year] / values[year - 1] - 1) * 100)


@method("huawei_revenue_change_2021_cny")
def huawei_revenue_change_2021_cny(frames: Frames) -> Recomputed:
    cny = _cny(frames)
    change = _change(cny, 2021)
    if change is None:
        return no_data("huawei_revenue lacks 2020 or 2021")
    return Recomputed(change, (
        f"huawei_revenue: 2021 revenue CNY {fmt(cny[2021], 0)} mn over 2020 CNY "
        f"{fmt(cny[2020], 0)} mn, minus 1 (Huawei annual reports, verified)"))


@method("huawei_revenue_change_2021_usd")
def huawei_revenue_change_2021_usd(frames: Frames) -> Recomputed:
    usd = _usd(frames, FIGURE4_SERIES)
    change = _change(usd, 2021)
    if change is None:
        return no_data(f"the {FIGURE4_SERIES} series has no yearly average for 2020 or 2021")
    others = []
    for series in OTHER_SERIES:
        other = _change(_usd(frames, series), 2021)
        others.append(f"{series} {other:.2f}%" if other is not None else f"{series} no rate")
    return Recomputed(change, (
        f"huawei_revenue in USD at the {FIGURE4_SERIES} yearly averages (the series Figure 4 "
        f"plots): USD {fmt(usd[2020], 0)} mn in 2020 to {fmt(usd[2021], 0)} mn in 2021; at the "
        f"other series: {', '.join(others)}; the text's 28.6% is the CNY change, and the yuan's "
        "2021 rise shrinks the fall in USD"))


@method("huawei_first_revenue_decline_year")
def huawei_first_revenue_decline_year(frames: Frames) -> Recomputed:
    cny = _cny(frames)
    cny = cny[cny.index >= FIGURE4_FIRST_YEAR]
    falls = [year for year in cny.index[1:] if year - 1 in cny.index and cny[year] < cny[year - 1]]
    if not falls:
        return no_data(f"no fall in Huawei's CNY revenue from {FIGURE4_FIRST_YEAR} to "
                       f"{cny.index.max()}")
    year = int(falls[0])
    return Recomputed(year, (
        f"huawei_revenue: CNY revenue rose every year from {FIGURE4_FIRST_YEAR} (Figure 4's "
        f"first year) until {year - 1} and first fell in {year}"))


def _falls_before_2021(currency: str) -> Method:
    def recompute(frames: Frames) -> Recomputed:
        values = _cny(frames) if currency == "CNY" else _usd(frames, FIGURE4_SERIES)
        span = list(range(FIGURE4_FIRST_YEAR + 1, 2021))
        if not {FIGURE4_FIRST_YEAR, *span} <= set(values.index):
            return no_data(f"huawei_revenue lacks a year of {FIGURE4_FIRST_YEAR}-2020 in "
                           f"{currency}")
        falls = [y for y in span if values[y] < values[y - 1]]
        growth = ", ".join(f"{y} {_change(values, y):+.1f}%" for y in span)
        return Recomputed(len(falls), (
            f"huawei_revenue in {currency}: year-on-year change {growth}; years with a fall "
            f"from {FIGURE4_FIRST_YEAR} to 2020: {', '.join(map(str, falls)) or 'none'}"))

    return recompute


register("huawei_revenue_falls_2014_2020_cny", _falls_before_2021("CNY"))
register("huawei_revenue_falls_2014_2020_usd", _falls_before_2021("USD"))


@method("huawei_revenue_ratio_2019_2010_at_least")
def huawei_revenue_ratio_2019_2010_at_least(frames: Frames) -> Recomputed:
    cny = _cny(frames)
    status = frame(frames, "huawei_revenue").drop_duplicates("year").set_index("year")[
        "revenue_status"]
    if not {2010, 2019} <= set(cny.index):
        return no_data("huawei_revenue lacks 2010 or 2019")
    ratio = float(cny[2019] / cny[2010])
    return Recomputed(ratio, (
        f"huawei_revenue: CNY {fmt(cny[2019], 0)} mn in 2019 over CNY {fmt(cny[2010], 0)} mn in "
        f"2010 ({status[2010]}); the data start in 2008, so the 2000s are not judged"))


@method("huawei_net_profit_2021_below")
def huawei_net_profit_2021_below(frames: Frames) -> Recomputed:
    profit = _cny(frames, "net_profit_cny_mn")
    if 2021 not in profit.index:
        return no_data("huawei_revenue lacks 2021")
    earlier = profit[profit.index < 2021]
    losses = [int(y) for y, v in earlier.items() if v < 0]
    return Recomputed(float(profit[2021]), (
        f"huawei_revenue: 2021 net profit CNY {fmt(profit[2021], 0)} mn (2020: "
        f"{fmt(profit.get(2020, float('nan')), 0)} mn); annual loss years "
        f"{earlier.index.min()}-2020: {', '.join(map(str, losses)) or 'none'}; annual totals "
        "cannot show a single quarter's loss, only whether the year as a whole lost money"))
