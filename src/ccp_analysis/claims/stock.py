"""Claims about Alibaba's stock and market value (Chapter 3, Figure 5), recomputed from the
alibaba_stock frame (columns read: date, close_usd, market_value_usd_bn, shares_ads_equivalent,
shares_as_of, shares_status) and the alibaba_ipo frame (field, value, status)."""

from __future__ import annotations

import pandas as pd

from ccp_analysis.claims.registry import (
    REPORT,
    Frames,
    Method,
    Recomputed,
    frame,
    method,
    no_data,
    register,
)
from ccp_analysis.data.editions import PUBLICATION_DATE

# Share counts within this many years of a day bound its market value: Alibaba's count moves by
# buybacks and issues between the yearly 20-F counts, and a vendor may use any count of that span.
SHARE_WINDOW_YEARS = 2
OCTOBER_2020, NOVEMBER_2022 = "2020-10", "2022-11"
# The claims whose stated values a consistency check of the report's own numbers reads.
OCTOBER_VALUE_CLAIM, NOVEMBER_BOUND_CLAIM = "K48", "K51"


def _stock(frames: Frames) -> pd.DataFrame:
    return frame(frames, "alibaba_stock").sort_values("date")


def _month(stock: pd.DataFrame, month: str) -> pd.DataFrame:
    return stock[stock["date"].dt.strftime("%Y-%m") == month]


def _peak_row(stock: pd.DataFrame, column: str = "close_usd") -> pd.Series:
    return stock.loc[stock[column].idxmax()]


def _low_row(stock: pd.DataFrame, column: str) -> pd.Series:
    return stock.loc[stock[column].idxmin()]


def _day(row: pd.Series) -> str:
    return row["date"].strftime("%Y-%m-%d")


def _shares(row: pd.Series) -> str:
    return (f"{row['shares_ads_equivalent'] / 1e9:.3f} bn ADS equivalents (20-F count of "
            f"{row['shares_as_of']:%Y-%m-%d}, {row['shares_status']})")


def _october_peak(frames: Frames) -> pd.Series | None:
    october = _month(_stock(frames), OCTOBER_2020)
    return None if october.empty else _peak_row(october)


def _stated(frames: Frames, claim_id: str) -> float:
    claims = frame(frames, "report_claims").set_index("claim_id")
    return float(claims.at[claim_id, "stated_value"])


@method("alibaba_oct2020_value_in_force")
def alibaba_oct2020_value_in_force(frames: Frames) -> Recomputed:
    peak = _october_peak(frames)
    if peak is None:
        return no_data("alibaba_stock has no October 2020 close")
    return Recomputed(float(peak["market_value_usd_bn"]), (
        f"alibaba_stock: highest October 2020 close {peak['close_usd']} USD ({_day(peak)}) "
        f"times the 20-F share count in force, {_shares(peak)}"))


@method("alibaba_oct2020_value_20f_range", own_tolerance=True)
def alibaba_oct2020_value_20f_range(frames: Frames) -> Recomputed:
    # The data hold one share count a year (20-F); between them the count moves with buybacks
    # and issues, so a day's value is known only within the spread of the counts around it.
    # The value is the middle of that spread and the tolerance half its width: |difference| <=
    # tolerance says exactly that the stated value lies within the spread.
    peak = _october_peak(frames)
    if peak is None:
        return no_data("alibaba_stock has no October 2020 close")
    stock = _stock(frames)
    window = pd.DateOffset(years=SHARE_WINDOW_YEARS)
    counts = stock.drop_duplicates("shares_as_of")
    counts = counts[(counts["shares_as_of"] >= peak["date"] - window)
                    & (counts["shares_as_of"] <= peak["date"] + window)]
    low, high = (float(peak["close_usd"]) * counts["shares_ads_equivalent"].agg(f) / 1e9
                 for f in ("min", "max"))
    listed = ", ".join(f"{r['shares_as_of']:%Y-%m-%d} {r['shares_ads_equivalent'] / 1e9:.3f} bn"
                       f" ({r['shares_status'].split(' (')[0]})" for _, r in counts.iterrows())
    return Recomputed(round((low + high) / 2, 6), (
        f"alibaba_stock: highest October 2020 close {peak['close_usd']} USD ({_day(peak)}) times "
        f"the 20-F counts dated within {SHARE_WINDOW_YEARS} years of it ({listed}): "
        f"{low:.1f} to {high:.1f} bn; value: the middle of that spread, tolerance: half its "
        f"width ({(high - low) / 2:.2f} bn)"), tolerance=round((high - low) / 2, 6))


def _november_value(pick: str) -> Method:
    """November 2022's highest or lowest market value (20-F count in force)."""

    def recompute(frames: Frames) -> Recomputed:
        november = _month(_stock(frames), NOVEMBER_2022)
        if november.empty:
            return no_data("alibaba_stock has no November 2022 close")
        row = (_peak_row if pick == "high" else _low_row)(november, "market_value_usd_bn")
        under = int((november["market_value_usd_bn"] < 200).sum())
        return Recomputed(float(row["market_value_usd_bn"]), (
            f"alibaba_stock: November 2022's {'highest' if pick == 'high' else 'lowest'} market "
            f"value, {row['close_usd']} USD on {_day(row)} times {_shares(row)}; below 200 bn on "
            f"{under} of {len(november)} trading days"))

    return recompute


register("alibaba_nov2022_high_value_below", _november_value("high"))
register("alibaba_nov2022_low_value_below", _november_value("low"))


def _decline(pick: str) -> Method:
    """Fall from October 2020's highest value to November 2022's high or low, percent."""

    def recompute(frames: Frames) -> Recomputed:
        stock = _stock(frames)
        october, november = _month(stock, OCTOBER_2020), _month(stock, NOVEMBER_2022)
        if october.empty or november.empty:
            return no_data("alibaba_stock lacks October 2020 or November 2022")
        peak = _peak_row(october, "market_value_usd_bn")
        end = (_peak_row if pick == "high" else _low_row)(november, "market_value_usd_bn")
        decline = (1 - end["market_value_usd_bn"] / peak["market_value_usd_bn"]) * 100
        return Recomputed(float(decline), (
            f"alibaba_stock, 20-F counts in force: from {peak['market_value_usd_bn']:.1f} bn "
            f"({_day(peak)}) to November 2022's {'highest' if pick == 'high' else 'lowest'} "
            f"{end['market_value_usd_bn']:.1f} bn ({_day(end)})"))

    return recompute


register("alibaba_decline_to_nov2022_high_above", _decline("high"))
register("alibaba_decline_to_nov2022_low_above", _decline("low"))


@method("alibaba_decline_report_numbers_above")
def alibaba_decline_report_numbers_above(frames: Frames) -> Recomputed:
    october, bound = _stated(frames, OCTOBER_VALUE_CLAIM), _stated(frames, NOVEMBER_BOUND_CLAIM)
    decline = (1 - bound / october) * 100
    return Recomputed(decline, (
        f"the report's own numbers: from {october:g} bn ({OCTOBER_VALUE_CLAIM}) to just under "
        f"{bound:g} bn ({NOVEMBER_BOUND_CLAIM}) is a fall of at least {decline:.2f}%"),
        against=REPORT)


@method("alibaba_peak_month")
def alibaba_peak_month(frames: Frames) -> Recomputed:
    stock = _stock(frames)
    if stock.empty:
        return no_data("alibaba_stock is empty")
    peak = _peak_row(stock)
    return Recomputed(peak["date"].strftime("%Y-%m"), (
        f"alibaba_stock: highest close {stock['date'].min():%Y-%m-%d} to "
        f"{stock['date'].max():%Y-%m-%d} is {peak['close_usd']} USD on {_day(peak)}"))


def _ipo_value(frames: Frames, field: str) -> tuple[str, str]:
    ipo = frame(frames, "alibaba_ipo").set_index("field")
    if field not in ipo.index:
        raise KeyError(f"the alibaba_ipo frame has no field {field!r}")
    return ipo.at[field, "value"], ipo.at[field, "status"]


def _gain_lost(baseline: str) -> Method:
    """Share of the gain from the baseline to the peak close lost by the publication date."""

    def recompute(frames: Frames) -> Recomputed:
        # "have lost": as of publication, whatever the edition's last price.
        stock = _stock(frames)
        stock = stock[stock["date"] <= PUBLICATION_DATE]
        if stock.empty:
            return no_data("alibaba_stock has no close up to the publication date")
        if baseline == "offer":
            text, status = _ipo_value(frames, "ipo_offer_price")
            base, what = float(text), f"the IPO offer price {text} USD per ADS ({status})"
        else:
            first = stock.iloc[0]
            base, what = float(first["close_usd"]), (
                f"the first close {first['close_usd']} USD ({_day(first)})")
        peak, last = _peak_row(stock), stock.iloc[-1]
        lost = (peak["close_usd"] - last["close_usd"]) / (peak["close_usd"] - base) * 100
        return Recomputed(float(lost), (
            f"alibaba_stock: share of the gain from {what} to the peak close {peak['close_usd']} "
            f"USD ({_day(peak)}) lost by {last['close_usd']} USD ({_day(last)}, last close by "
            f"publication); above 100% means the price is below the baseline"))

    return recompute


register("alibaba_ipo_gain_lost_offer_nearly", _gain_lost("offer"))
register("alibaba_ipo_gain_lost_first_close_nearly", _gain_lost("first_close"))


@method("alibaba_ipo_year")
def alibaba_ipo_year(frames: Frames) -> Recomputed:
    text, status = _ipo_value(frames, "first_trade_date")
    first_close = _stock(frames)["date"].min()
    return Recomputed(int(text[:4]), (
        f"alibaba_ipo: first NYSE trading day {text} ({status}); alibaba_stock's first close is "
        f"dated {first_close:%Y-%m-%d}"))


def _steady_decline(step: str) -> Method:
    """Closes at the end of each year (or month) after the peak's: how many rose."""

    def recompute(frames: Frames) -> Recomputed:
        stock = _stock(frames)
        stock = stock[stock["date"] <= PUBLICATION_DATE]
        if stock.empty:
            return no_data("alibaba_stock has no close up to the publication date")
        peak = _peak_row(stock)
        after = stock[stock["date"] >= peak["date"]]
        period = after["date"].dt.to_period("Y" if step == "year" else "M")
        ends = after.groupby(period)["close_usd"].last()
        changes = ends.diff().dropna()
        rises = changes[changes > 0]
        if step == "year":
            shown = ", ".join(f"{p}: {v}" for p, v in ends.items())
            return Recomputed(len(rises), (
                f"alibaba_stock: last close of each year from the peak ({_day(peak)}, "
                f"{peak['close_usd']} USD) to publication: {shown}"))
        share = len(changes[changes < 0]) / len(changes) * 100
        return Recomputed(share, (
            f"alibaba_stock: of the {len(changes)} months after the peak month "
            f"({peak['date']:%Y-%m}) to publication, {len(changes) - len(rises)} ended lower than "
            f"the month before and {len(rises)} higher ({', '.join(str(p) for p in rises.index)})"))

    return recompute


register("alibaba_yearly_rises_after_peak", _steady_decline("year"))
register("alibaba_months_falling_after_peak_above", _steady_decline("month"))
