"""The claims audit: every quantitative statement of the report, recomputed where data allow.

data/raw/report/claims.csv lists each claim once (where it stands, its words, the value it
states and in which unit) and names the function below that recomputes it, or `stated_only`
where no data here can. `audit` runs every function on a set of processed frames (cut for one
edition) and gives each claim one verdict:

- "stated only": nothing here can recompute it (method `stated_only`, or the data lack the rows
  a method needs, e.g. a series without a rate for the year);
- "internal inconsistency" / "reproduced": a method that compares two values printed by the
  report itself (Figure 2 against Appendix B, the text against Appendix C) reports whether they
  disagree or agree; the report cannot be right twice when it prints two different numbers;
- "reproduced" / "differs": a recomputation from data, within the claim's tolerance; month and
  year claims must be equal;
- threshold claims ("below $200 billion", "more than three-quarters"): the method's name ends in
  `_below` or `_above` and returns the measured value; the claim is reproduced when the value is
  strictly below / above the stated bound, so the bound stays in claims.csv, next to its words.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ccp_analysis import raw
from ccp_analysis.editions import PUBLICATION_DATE
from ccp_analysis.errors import InputError

CLAIMS = "report/claims.csv"
CLAIM_COLUMNS = ["claim_id", "location", "quote", "stated_value", "unit", "method", "tolerance",
                 "note"]

VERDICTS = ("reproduced", "differs", "internal inconsistency", "stated only")
REPRODUCED, DIFFERS, INCONSISTENT, STATED_ONLY = VERDICTS

NUMERIC_UNITS = ("pct", "usd_bn", "usd_mn", "count", "rate_pct", "ratio", "usd_per_ads")
UNITS = (*NUMERIC_UNITS, "year", "month")
STATED_ONLY_METHOD = "stated_only"

# Threshold claims: the method name's suffix says how the value must relate to the bound.
COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "_below": (operator.lt, "<"),
    "_above": (operator.gt, ">"),
}

AUDIT_COLUMNS = ["claim_id", "location", "quote", "stated_value", "unit", "recomputed_value",
                 "difference", "tolerance", "verdict", "explanation"]

# The report's "$837.84 billion" over the 2020-10-27 close of 317.14 USD: the share basis its
# data vendor must have used (data/raw/market/SOURCES.md, section 4), in ADS equivalents.
REPORT_IMPLIED_ADS = 837.84e9 / 317.14
FIGURE4_FIRST_YEAR = 2013  # Figure 4's sources are the 2017 and 2021 five-year tables

Frames = Mapping[str, pd.DataFrame]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_CLAIM_ID = re.compile(r"^K\d{2,3}$")


@dataclass(frozen=True)
class Recomputed:
    """What a method found.

    value: the recomputed number (a year as int, a month as 'YYYY-MM'), or None when the data
    cannot give one. verdict_hint: set when the method itself decides the verdict (it compared
    two printed values held in the frames, or found no data). internal: the value is itself a
    printed value of the report, so a mismatch with the stated value is an internal
    inconsistency rather than a difference from data.
    """

    value: float | str | None
    verdict_hint: str | None = None
    explanation: str = ""
    internal: bool = False


Method = Callable[[Frames], Recomputed]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    def register(func: Method) -> Method:
        if name in METHODS or name == STATED_ONLY_METHOD:
            raise ValueError(f"claims method {name!r} is registered twice")
        METHODS[name] = func
        return func

    return register


def _frame(frames: Frames, name: str) -> pd.DataFrame:
    if name not in frames:
        raise KeyError(f"the claims audit needs the processed frame {name!r}")
    return frames[name]


def _no_data(why: str) -> Recomputed:
    return Recomputed(None, STATED_ONLY, f"not recomputable from this edition's data: {why}")


def _agreement(equal: bool) -> str:
    return REPRODUCED if equal else INCONSISTENT


def _fmt(value: float, decimals: int = 2) -> str:
    return f"{value:,.{decimals}f}"


# ------------------------------------------------------------------ Huawei revenue (Figure 4)


def _revenue_cny(frames: Frames) -> pd.Series:
    """Revenue in CNY million by year (the same in every fx_series block)."""
    rev = _frame(frames, "huawei_revenue")
    return rev.drop_duplicates("year").set_index("year")["revenue_cny_mn"].sort_index()


@method("huawei_revenue_change_2021_cny")
def huawei_revenue_change_2021_cny(frames: Frames) -> Recomputed:
    cny = _revenue_cny(frames)
    if not {2020, 2021} <= set(cny.index):
        return _no_data("huawei_revenue lacks 2020 or 2021")
    change = (cny[2021] / cny[2020] - 1) * 100
    return Recomputed(change, explanation=(
        f"huawei_revenue: 2021 revenue CNY {_fmt(cny[2021], 0)} mn over 2020 CNY "
        f"{_fmt(cny[2020], 0)} mn, minus 1 (Huawei annual reports, verified)"))


def _usd_change(series: str) -> Method:
    def recompute(frames: Frames) -> Recomputed:
        rev = _frame(frames, "huawei_revenue")
        rows = rev[(rev["fx_series"] == series) & rev["year"].isin([2020, 2021])]
        rows = rows.set_index("year")
        if not {2020, 2021} <= set(rows.index) or rows["cny_per_usd"].isna().any():
            return _no_data(f"the {series} exchange-rate series has no yearly average for 2020 "
                            "or 2021 (data/raw/market/SOURCES.md, section 3)")
        # From CNY and the rate rather than the frame's USD column, which is rounded to 0.1 mn.
        usd = rows["revenue_cny_mn"] / rows["cny_per_usd"]
        change = (usd[2021] / usd[2020] - 1) * 100
        return Recomputed(change, explanation=(
            f"huawei_revenue in USD at the {series} yearly averages ({rows.at[2020, 'cny_per_usd']}"
            f" and {rows.at[2021, 'cny_per_usd']} CNY per USD): USD {_fmt(usd[2020], 0)} mn in "
            f"2020 to {_fmt(usd[2021], 0)} mn in 2021; Figure 4 plots USD but the text's 28.6% "
            "is the CNY change, and the yuan's 2021 rise shrinks the fall in USD"))

    return recompute


for _series in ("ecb", "oecd_imf", "fed", "pboc"):
    METHODS[f"huawei_revenue_change_2021_usd_{_series}"] = _usd_change(_series)


@method("huawei_first_revenue_decline_year")
def huawei_first_revenue_decline_year(frames: Frames) -> Recomputed:
    cny = _revenue_cny(frames)
    cny = cny[cny.index >= FIGURE4_FIRST_YEAR]
    falls = [year for year in cny.index[1:] if cny[year] < cny.get(year - 1, math.nan)]
    if not falls:
        return _no_data(f"no fall in Huawei's CNY revenue from {FIGURE4_FIRST_YEAR} to "
                        f"{cny.index.max()}")
    year = int(falls[0])
    return Recomputed(year, explanation=(
        f"huawei_revenue: CNY revenue rose every year from {FIGURE4_FIRST_YEAR} (Figure 4's "
        f"first year) until {year - 1} and first fell in {year}"))


# ------------------------------------------------------------ Alibaba stock value (Figure 5)


def _stock(frames: Frames) -> pd.DataFrame:
    return _frame(frames, "alibaba_stock").sort_values("date")


def _month(stock: pd.DataFrame, month: str) -> pd.DataFrame:
    return stock[stock["date"].dt.strftime("%Y-%m") == month]


def _peak_row(stock: pd.DataFrame, column: str = "close_usd") -> pd.Series:
    return stock.loc[stock[column].idxmax()]


def _day(row: pd.Series) -> str:
    return row["date"].strftime("%Y-%m-%d")


def _shares(row: pd.Series) -> str:
    return (f"{row['shares_ads_equivalent'] / 1e9:.3f} bn ADS equivalents (20-F count of "
            f"{row['shares_as_of']:%Y-%m-%d}, {row['shares_status']})")


@method("alibaba_oct2020_value_20f")
def alibaba_oct2020_value_20f(frames: Frames) -> Recomputed:
    october = _month(_stock(frames), "2020-10")
    if october.empty:
        return _no_data("alibaba_stock has no October 2020 close")
    peak = _peak_row(october)
    return Recomputed(float(peak["market_value_usd_bn"]), explanation=(
        f"alibaba_stock: highest October 2020 close {peak['close_usd']} USD ({_day(peak)}) "
        f"times the 20-F share count in force, {_shares(peak)}; the report's vendor used fewer "
        "shares (SOURCES.md section 4)"))


@method("alibaba_oct2020_value_report_basis")
def alibaba_oct2020_value_report_basis(frames: Frames) -> Recomputed:
    october = _month(_stock(frames), "2020-10")
    if october.empty:
        return _no_data("alibaba_stock has no October 2020 close")
    peak = _peak_row(october)
    value = float(peak["close_usd"]) * REPORT_IMPLIED_ADS / 1e9
    return Recomputed(value, explanation=(
        f"alibaba_stock: highest October 2020 close {peak['close_usd']} USD ({_day(peak)}) times "
        f"the report-implied basis 837.84 bn / 317.14 = {REPORT_IMPLIED_ADS / 1e9:.4f} bn ADS; "
        "the basis comes from the claim itself, so this checks only the peak close"))


def _november_2022(stock: pd.DataFrame) -> pd.DataFrame:
    return _month(stock, "2022-11")


@method("alibaba_nov2022_value_below")
def alibaba_nov2022_value_below(frames: Frames) -> Recomputed:
    november = _november_2022(_stock(frames))
    if november.empty:
        return _no_data("alibaba_stock has no November 2022 close")
    # "By November 2022 that figure had fallen below $200 billion": it had fallen there at
    # some point in the month, so the month's lowest value is what the claim is about.
    low = november.loc[november["market_value_usd_bn"].idxmin()]
    high = _peak_row(november, "market_value_usd_bn")
    under = int((november["market_value_usd_bn"] < 200).sum())
    return Recomputed(float(low["market_value_usd_bn"]), explanation=(
        f"alibaba_stock: November 2022's lowest market value, {low['close_usd']} USD on "
        f"{_day(low)} times {_shares(low)}; below 200 bn on {under} of {len(november)} trading "
        f"days (month's high {high['market_value_usd_bn']:.1f} bn on {_day(high)})"))


@method("alibaba_decline_oct2020_nov2022_above")
def alibaba_decline_oct2020_nov2022_above(frames: Frames) -> Recomputed:
    stock = _stock(frames)
    october, november = _month(stock, "2020-10"), _november_2022(stock)
    if october.empty or november.empty:
        return _no_data("alibaba_stock lacks October 2020 or November 2022")
    peak = _peak_row(october, "market_value_usd_bn")
    low = november.loc[november["market_value_usd_bn"].idxmin()]
    high = november["market_value_usd_bn"].max()
    decline = (1 - low["market_value_usd_bn"] / peak["market_value_usd_bn"]) * 100
    high_decline = (1 - high / peak["market_value_usd_bn"]) * 100
    return Recomputed(decline, explanation=(
        f"alibaba_stock, 20-F share basis: from {peak['market_value_usd_bn']:.1f} bn "
        f"({_day(peak)}) to November 2022's low {low['market_value_usd_bn']:.1f} bn "
        f"({_day(low)}); to the month's high the decline was {high_decline:.1f}%"))


@method("alibaba_peak_month")
def alibaba_peak_month(frames: Frames) -> Recomputed:
    stock = _stock(frames)
    if stock.empty:
        return _no_data("alibaba_stock is empty")
    peak = _peak_row(stock)
    return Recomputed(peak["date"].strftime("%Y-%m"), explanation=(
        f"alibaba_stock: highest close {stock['date'].min():%Y-%m-%d} to "
        f"{stock['date'].max():%Y-%m-%d} is {peak['close_usd']} USD on {_day(peak)}"))


@method("alibaba_ipo_gain_lost_below")
def alibaba_ipo_gain_lost_below(frames: Frames) -> Recomputed:
    stock = _stock(frames)
    # "have lost": as of publication, whatever the edition's last price
    stock = stock[stock["date"] <= PUBLICATION_DATE]
    if stock.empty:
        return _no_data("alibaba_stock has no close up to the publication date")
    # The IPO offer price is not in the data; the first close (IPO day) stands in for it.
    first, last = stock.iloc[0], stock.iloc[-1]
    peak = _peak_row(stock)
    lost = (peak["close_usd"] - last["close_usd"]) / (peak["close_usd"] - first["close_usd"]) * 100
    return Recomputed(lost, explanation=(
        f"alibaba_stock: share of the gain from the IPO-day close {first['close_usd']} USD "
        f"({_day(first)}) to the peak {peak['close_usd']} USD lost by {last['close_usd']} USD "
        f"({_day(last)}, last close by publication); above 100% means all gains and more were "
        "lost (the offer price is not in the data)"))


@method("alibaba_ipo_year")
def alibaba_ipo_year(frames: Frames) -> Recomputed:
    stock = _stock(frames)
    if stock.empty:
        return _no_data("alibaba_stock is empty")
    first = stock.iloc[0]
    return Recomputed(int(first["date"].year), explanation=(
        f"alibaba_stock: first NYSE trading day {_day(first)} (close {first['close_usd']} USD)"))


# ------------------------------------------- State support: figure boxes against appendices


def _item(frame: pd.DataFrame, item_id: str) -> pd.Series:
    rows = frame[frame["item_id"] == item_id]
    if len(rows) != 1:
        raise KeyError(f"support item {item_id!r} is not in the frame once")
    return rows.iloc[0]


def _pair_amount(frame_name: str, claim_item: str, other_item: str, scale: float,
                 label: str, check_year: bool = True) -> Method:
    """The amount of `other_item` in `label` units; the verdict compares it with `claim_item`.

    Both are printed values of the report, so the method decides: equal amounts (and equal
    years where both give one, unless the year is a claim of its own) reproduce, anything else
    is an internal inconsistency.
    """

    def recompute(frames: Frames) -> Recomputed:
        frame = _frame(frames, frame_name)
        mine, other = _item(frame, claim_item), _item(frame, other_item)
        equal = math.isclose(mine["amount_usd"], other["amount_usd"], rel_tol=1e-9)
        years = [r["period_start_year"] for r in (mine, other)]
        both_dated = check_year and all(not pd.isna(y) for y in years)
        same_year = not both_dated or years[0] == years[1]
        if not check_year:
            dated = " (amounts only: the year is checked as a claim of its own)"
        elif both_dated:
            dated = f", years {years[0]} vs {years[1]}"
        else:
            dated = " (only one of them gives a year)"
        return Recomputed(
            other["amount_usd"] / scale, _agreement(equal and same_year),
            f"{frame_name}: {mine['source_ref']} ({claim_item}) prints "
            f"{mine['amount_usd'] / scale:g} {label}, {other['source_ref']} ({other_item}) "
            f"{other['amount_usd'] / scale:g} {label}{dated}")

    return recompute


_PAIRS = {
    # method: (frame, item the claim quotes, item it must agree with, scale, unit label[,
    # check_year])
    "huawei_cdb_customer_loans_vs_appendix_a": ("huawei_state_support", "F1-01", "A07", 1e9,
                                                "USD bn"),
    "huawei_cdb_credit_line_amount_vs_appendix_a": ("huawei_state_support", "F1-03", "A04",
                                                    1e9, "USD bn", False),
    "huawei_america_movil_loan_vs_appendix_a": ("huawei_state_support", "F1-06", "A03", 1e9,
                                                "USD bn"),
    "huawei_rcomm_loan_vs_appendix_a": ("huawei_state_support", "F1-07", "A06", 1e9, "USD bn"),
    "huawei_qualcomm_fine_vs_appendix_a": ("huawei_state_support", "F1-08", "A17", 1e6,
                                           "USD mn"),
    "huawei_exim_total_vs_appendix_a": ("huawei_state_support", "F1-10", "A08", 1e9, "USD bn"),
    "huawei_cdb_total_vs_appendix_a": ("huawei_state_support", "F1-11", "A09", 1e9, "USD bn"),
    "alibaba_tax_benefit_vs_appendix_b": ("alibaba_state_support", "F2-01", "B02", 1e6,
                                          "USD mn"),
}
for _name, _args in _PAIRS.items():
    METHODS[_name] = _pair_amount(*_args)


@method("huawei_cdb_credit_line_year_vs_appendix_a")
def huawei_cdb_credit_line_year_vs_appendix_a(frames: Frames) -> Recomputed:
    frame = _frame(frames, "huawei_state_support")
    figure, appendix = _item(frame, "F1-03"), _item(frame, "A04")
    fig_year, app_year = int(figure["period_start_year"]), int(appendix["period_start_year"])
    return Recomputed(app_year, _agreement(fig_year == app_year), (
        f"huawei_state_support: Figure 1 (F1-03) dates the $30 billion CDB credit line "
        f"{fig_year}, Appendix A row 4 (A04) dates it {app_year}"))


@method("huawei_china_mobile_award")
def huawei_china_mobile_award(frames: Frames) -> Recomputed:
    frame = _frame(frames, "huawei_state_support")
    appendix, figure = _item(frame, "A23"), _item(frame, "F1-12")
    value = appendix["amount_usd"] / 1e9
    text = (f"huawei_state_support: Appendix A row 23 derives {appendix['amount_formula']} = "
            f"{value:g} bn; Figure 1 (F1-12) gives {figure['amount_usd'] / 1e9:g} bn")
    if not math.isclose(appendix["amount_usd"], figure["amount_usd"], rel_tol=1e-9):
        return Recomputed(value, INCONSISTENT, text)
    return Recomputed(value, explanation=text)


_LOCAL_RATE = re.compile(r"(\d+(?:\.\d+)?)% local tax rate")


def _local_rate(row: pd.Series) -> float:
    """The item's local tax rate: the frame's tax_rate_pct, else read from its printed text.

    support.py reads rates with a pattern that starts "Discounted", so Figure 2's lower-case
    "a discounted 15% local tax rate" has no tax_rate_pct; the printed words still state it.
    """
    if not pd.isna(row["tax_rate_pct"]):
        return float(row["tax_rate_pct"])
    match = _LOCAL_RATE.search(row["raw_text"])
    return float(match.group(1)) if match else math.nan


@method("alibaba_shenzhen_rate_vs_appendix_b")
def alibaba_shenzhen_rate_vs_appendix_b(frames: Frames) -> Recomputed:
    frame = _frame(frames, "alibaba_state_support")
    figure, appendix = _local_rate(_item(frame, "F2-03")), _local_rate(_item(frame, "B09"))
    return Recomputed(appendix, _agreement(figure == appendix), (
        f"alibaba_state_support: Figure 2, Shenzhen (F2-03) prints a {figure:g}% local rate, "
        f"Appendix B row 9 (B09) {appendix:g}%"))


@method("alibaba_tax_rate_gap_2014")
def alibaba_tax_rate_gap_2014(frames: Frames) -> Recomputed:
    row = _item(_frame(frames, "alibaba_state_support"), "B05")
    gap = row["standard_tax_rate_pct"] - row["tax_rate_pct"]
    return Recomputed(gap, explanation=(
        f"alibaba_state_support B05: standard_tax_rate_pct {row['standard_tax_rate_pct']:g} minus "
        f"tax_rate_pct {row['tax_rate_pct']:g} (both as printed; no tax data here)"))


@method("alibaba_effective_tax_rate_below")
def alibaba_effective_tax_rate_below(frames: Frames) -> Recomputed:
    frame = _frame(frames, "alibaba_state_support")
    # B05 (2014) and B10 (2016) are the rates Appendix B states for Alibaba itself; B09's 15%
    # is Shenzhen's rate for tech firms in general, so it is left out.
    rates = {i: _item(frame, i)["tax_rate_pct"] for i in ("B05", "B10")}
    standard = _item(frame, "B05")["standard_tax_rate_pct"]
    high = max(rates.values())
    return Recomputed(high, explanation=(
        f"alibaba_state_support: the higher of Appendix B's effective rates for Alibaba "
        f"({', '.join(f'{k} {v:g}%' for k, v in rates.items())}), "
        f"{standard - high:g} points under the standard {standard:g}% of B05"))


# --------------------------------------------------------------- Appendix C: Malaysia deals


def _deals(frames: Frames) -> pd.DataFrame:
    return _frame(frames, "malaysia_deals").sort_values(["event_date", "entry_id"])


def _first_entry(frames: Frames, pattern: str) -> pd.Series | None:
    deals = _deals(frames)
    hits = deals[deals["text"].str.contains(pattern, regex=True)]
    return None if hits.empty else hits.iloc[0]


def _entry_date(pattern: str, what: str, as_month: bool) -> Method:
    """The date Appendix C gives the first entry matching `pattern`, for a text claim."""

    def recompute(frames: Frames) -> Recomputed:
        entry = _first_entry(frames, pattern)
        if entry is None:
            return _no_data(f"no Appendix C entry about {what}")
        value = entry["event_date"].strftime("%Y-%m") if as_month else int(entry["year"])
        return Recomputed(value, internal=True, explanation=(
            f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}'): {what}; the text "
            "and Appendix C are both the report's"))

    return recompute


_ENTRY_DATES = {
    "huawei_altel_4g_year": (r"Altel.*4G", "Altel selects Huawei for 4G", False),
    "huawei_u_mobile_4g_year": (r"Huawei.*U Mobile", "ZTE and Huawei's U Mobile deal", False),
    "alibaba_ecommerce_hub_month": (r"e-commerce hub", "Alibaba's e-commerce hub", True),
    "huawei_maxis_mou_month": (r"Maxis", "Huawei's first MOU with Maxis", True),
    "fiberhome_mou_year": (r"FiberHome", "Wuhan FiberHome's MOU", False),
    "tencent_ccb_mou_year": (r"Tencent.*China Construction Bank",
                             "Tencent's MOU with CCB Labuan", False),
}
for _name, (_pattern, _what, _as_month) in _ENTRY_DATES.items():
    METHODS[_name] = _entry_date(_pattern, _what, _as_month)


@method("huawei_malaysia_entry_year")
def huawei_malaysia_entry_year(frames: Frames) -> Recomputed:
    entry = _first_entry(frames, r"\d+(?:st|nd|rd|th) anniversary of its entrance")
    if entry is None:
        return _no_data("no Appendix C entry dates Huawei's entrance")
    years = int(re.search(r"(\d+)(?:st|nd|rd|th) anniversary", entry["text"]).group(1))
    return Recomputed(int(entry["year"]) - years, internal=True, explanation=(
        f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}'): Huawei's {years}th "
        f"anniversary in Malaysia, so entry in {entry['year']} - {years}"))


HUAWEI = re.compile(r"^Huawei")
ALIBABA = re.compile(r"^(Alibaba|Alibaba Cloud|Cainiao|Ant Financial|Alipay)$")


def _group_first_year(frames: Frames, group: re.Pattern[str]) -> int | None:
    deals = _deals(frames)
    named = deals["chinese_companies"].map(
        lambda names: any(group.match(n) for n in names.split("; ")))
    return None if not named.any() else int(deals.loc[named, "year"].min())


def _years_in_malaysia(group: re.Pattern[str], firm: str) -> Method:
    def recompute(frames: Frames) -> Recomputed:
        first = _group_first_year(frames, group)
        if first is None:
            return _no_data(f"no Appendix C entry names {firm}")
        last = int(_deals(frames)["year"].max())
        return Recomputed(last - first + 1, explanation=(
            f"malaysia_deals: the first entry naming {firm} is dated {first}, the timeline "
            f"ends in {last}: {first}-{last} inclusive"))

    return recompute


METHODS["huawei_years_in_malaysia"] = _years_in_malaysia(HUAWEI, "Huawei (incl. Huawei Marine)")
METHODS["alibaba_years_in_malaysia"] = _years_in_malaysia(
    ALIBABA, "Alibaba (incl. Alibaba Cloud, Cainiao, Ant Financial, Alipay)")


@method("huawei_first_malaysia_deal_year")
def huawei_first_malaysia_deal_year(frames: Frames) -> Recomputed:
    first = _group_first_year(frames, HUAWEI)
    if first is None:
        return _no_data("no Appendix C entry names Huawei")
    return Recomputed(first, internal=True, explanation=(
        "malaysia_deals: the earliest entry naming Huawei or Huawei Marine; the text and "
        "Appendix C are both the report's"))


@method("deals_2020_count_below")
def deals_2020_count_below(frames: Frames) -> Recomputed:
    deals = _deals(frames)
    count = int((deals["year"] == 2020).sum())
    return Recomputed(count, explanation=(
        f"malaysia_deals: {count} Appendix C entries dated 2020 (2019: "
        f"{int((deals['year'] == 2019).sum())}); Appendix C is the report's selection from RWR "
        "IntelTrak, whose full count is not in the data"))


@method("deals_trailing_12m_peak_year")
def deals_trailing_12m_peak_year(frames: Frames) -> Recomputed:
    deals = _deals(frames)
    months = deals["event_date"].dt.to_period("M")
    span = pd.period_range(months.min(), months.max(), freq="M")
    counts = months.value_counts().reindex(span, fill_value=0)
    trailing = counts.rolling(12, min_periods=1).sum()
    # The latest month holding the maximum, so a plateau is dated by its end.
    end = trailing[trailing == trailing.max()].index[-1]
    by_year = deals["year"].value_counts()
    return Recomputed(int(end.year), explanation=(
        f"malaysia_deals: the 12 months to {end} hold the most entries ({int(trailing.max())}); "
        f"by calendar year the peak is {int(by_year.idxmax())} ({int(by_year.max())})"))


# ---------------------------------------------------------------------------- the audit


def _error(row: pd.Series, field: str, expected: str) -> InputError:
    return InputError(raw.display_path(CLAIMS), row[raw.LINE], field, row[field], expected)


def read_claims() -> pd.DataFrame:
    """claims.csv (checksum verified), every field checked, with the stated value and tolerance
    parsed into `stated` and `tolerance_value`; an error names the line and field."""
    table = raw.read_csv(CLAIMS, CLAIM_COLUMNS)
    seen: set[str] = set()
    stated, tolerances = [], []
    for _, row in table.iterrows():
        if not _CLAIM_ID.match(row["claim_id"]) or row["claim_id"] in seen:
            raise _error(row, "claim_id", "a unique id of the form K01")
        seen.add(row["claim_id"])
        if row["unit"] not in UNITS:
            raise _error(row, "unit", "one of " + ", ".join(UNITS))
        if row["method"] != STATED_ONLY_METHOD and row["method"] not in METHODS:
            raise _error(row, "method",
                         f"'{STATED_ONLY_METHOD}' or a method of ccp_analysis.claims.METHODS")
        if not row["quote"].strip():
            raise _error(row, "quote", "the words of the report that state the value")
        stated.append(_parse_stated(row))
        tolerances.append(_parse_tolerance(row))
    # object dtype: a column of years and floats (or None and floats) must not become floats
    return table.assign(stated=pd.Series(stated, index=table.index, dtype=object),
                        tolerance_value=pd.Series(tolerances, index=table.index, dtype=object))


def _parse_stated(row: pd.Series) -> float | int | str:
    text, unit = row["stated_value"], row["unit"]
    if unit == "month":
        if not _MONTH.match(text):
            raise _error(row, "stated_value", "a month as YYYY-MM for unit 'month'")
        return text
    if unit == "year":
        if not _YEAR.match(text):
            raise _error(row, "stated_value", "a four-digit year for unit 'year'")
        return int(text)
    try:
        value = float(text)
    except ValueError:
        raise _error(row, "stated_value", f"a plain decimal number for unit '{unit}'") from None
    if not math.isfinite(value):
        raise _error(row, "stated_value", f"a finite number for unit '{unit}'")
    return value


def _comparison(name: str) -> tuple[Callable[[float, float], bool], str] | None:
    return next((cmp for suffix, cmp in COMPARISONS.items() if name.endswith(suffix)), None)


def _parse_tolerance(row: pd.Series) -> float | None:
    text = row["tolerance"].strip()
    # Only a numeric claim recomputed to a number needs one; thresholds compare exactly.
    needed = (row["unit"] in NUMERIC_UNITS and row["method"] != STATED_ONLY_METHOD
              and _comparison(row["method"]) is None)
    if not needed:
        if text:
            raise _error(row, "tolerance",
                         "empty for stated_only, month, year and threshold claims")
        return None
    expected = "an absolute tolerance (a number >= 0) in the claim's unit"
    try:
        value = float(text)
    except ValueError:
        raise _error(row, "tolerance", expected) from None
    if not value >= 0 or not math.isfinite(value):
        raise _error(row, "tolerance", expected)
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _format(value: float | str | None, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if unit == "year" or float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


_HINT_REASONS = {
    REPRODUCED: "the two printed values agree",
    INCONSISTENT: "the report prints two different values",
    DIFFERS: "the data differ",
    STATED_ONLY: "",
}


def _judge(claim: pd.Series, rec: Recomputed) -> tuple[str, float, str]:
    """Verdict, difference and the reason for it, from the claim and what its method found."""
    stated, unit = claim["stated"], claim["unit"]
    numeric = _is_number(rec.value) and _is_number(stated)
    difference = round(float(rec.value) - float(stated), 6) if numeric else math.nan
    if rec.verdict_hint is not None:
        if rec.verdict_hint not in VERDICTS:
            raise ValueError(f"method {claim['method']!r} gave verdict {rec.verdict_hint!r}")
        return rec.verdict_hint, difference, _HINT_REASONS[rec.verdict_hint]
    if rec.value is None:
        return STATED_ONLY, math.nan, ""
    mismatch = INCONSISTENT if rec.internal else DIFFERS
    shown = _format(rec.value, unit)
    comparison = _comparison(claim["method"])
    if comparison is not None:
        if not numeric:
            raise ValueError(f"threshold method {claim['method']!r} must return a number")
        test, sign = comparison
        holds = test(float(rec.value), float(stated))
        return ((REPRODUCED if holds else DIFFERS), difference,
                f"{shown} {sign if holds else 'is not ' + sign} {stated:g}")
    if unit in ("month", "year"):
        equal = str(rec.value) == str(stated)
        return ((REPRODUCED if equal else mismatch), difference,
                f"{shown} {'=' if equal else '!='} {stated}")
    if not numeric:
        raise ValueError(f"method {claim['method']!r} must return a number for unit {unit!r}")
    tolerance = claim["tolerance_value"]
    within = abs(difference) <= tolerance + 1e-9  # 1e-9: float noise, not a wider tolerance
    return ((REPRODUCED if within else mismatch), difference,
            f"|difference| {abs(difference):g} {'<=' if within else '>'} tolerance {tolerance:g}")


def audit(frames: Frames) -> pd.DataFrame:
    """One row per claim of claims.csv with its recomputation and verdict, by claim_id."""
    rows = []
    for _, claim in read_claims().iterrows():
        if claim["method"] == STATED_ONLY_METHOD:
            rec = Recomputed(None, STATED_ONLY, f"stated only: {claim['note']}")
        else:
            rec = METHODS[claim["method"]](frames)
        verdict, difference, reason = _judge(claim, rec)
        explanation = f"{rec.explanation}; {verdict}: {reason}" if reason else rec.explanation
        tolerance = claim["tolerance_value"]
        rows.append({
            "claim_id": claim["claim_id"],
            "location": claim["location"],
            "quote": claim["quote"],
            "stated_value": claim["stated_value"],
            "unit": claim["unit"],
            "recomputed_value": _format(rec.value, claim["unit"]),
            "difference": difference,
            "tolerance": math.nan if tolerance is None else float(tolerance),
            "verdict": verdict,
            "explanation": " ".join(explanation.split()),  # one line
        })
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS).sort_values(
        "claim_id", ignore_index=True)
