"""Titles, captions, alt texts, findings and source notes, computed from the plotted table.

Nothing here states a number, a span or a series that the table a figure plots does not hold:
the span is the years (or days) of the table, not the parameters asked for, and an exchange rate
is named only on a chart that was converted with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

REPORT = "CSIS, CCP Inc. in Malaysia (2022)"
# Where a reader of a figure lifted out of the project learns how the market data were
# gathered and checked: named in words, not as a path in the repository.
DATA_NOTES = "see the ccp-analysis notes on its market data"
BABA_WORDS = ("Yahoo Finance, BABA daily history (unadjusted close), from public copies of its "
              "downloads checked against Nasdaq.com")
SHARES_WORDS = "share counts from Alibaba's 20-F filings"
# Each exchange-rate series in words, as a source note names it.
FX_WORDS = {
    "ecb": "ECB euro reference rates (yearly mean of the CNY/USD cross rate)",
    "oecd_imf": "OECD/IMF yearly average rates",
    "fed": "Federal Reserve G.5A yearly average rates",
    "pboc": "PBoC central parity rates (yearly mean)",
}


@dataclass(frozen=True)
class FigureText:
    title: str  # the chart's own heading, under the report's "Figure N: title"
    caption: str
    alt_text: str
    finding: str
    source_note: str


def pct(value: float, *, signed: bool = True) -> str:
    """A percentage for text; a missing change is said in words, never '+nan%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no change on record (first year of the series)"
    return f"{value:+.1f}%" if signed else f"{abs(value):.1f}%"


def span(first: object, last: object) -> str:
    return str(first) if first == last else f"{first}-{last}"


def words(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _bn(value: float) -> str:
    return f"${value:,.1f} billion"


# ------------------------------------------------------------------------------ Figure 1

def huawei_support(table: pd.DataFrame, values: dict, *, sensitivity: pd.DataFrame,
                   unquantified: int) -> FigureText:
    """`table`: the chosen range per Figure 1 channel; `sensitivity`: the range under each
    inclusion rule and the text's estimates, first row the rules chosen."""
    years = span(values["year_start"], values["year_end"])
    chosen = sensitivity.iloc[0]
    low, high = float(chosen["low_usd_bn"]), float(chosen["high_usd_bn"])
    estimates = sensitivity[sensitivity["kind"] == "text estimate"]
    estimate_words = words([
        f"{row['label']}: " + (f"as much as {_bn(row['high_usd_bn'])}"
                               if pd.isna(row["low_usd_bn"]) else _bn(row["high_usd_bn"]))
        for _, row in estimates.iterrows()])
    flipped = len(sensitivity) - len(estimates) - 1
    largest = table.sort_values("upper_usd_bn", ascending=False).iloc[0]
    top_estimate = float(estimates["high_usd_bn"].max()) if len(estimates) else float("nan")
    return FigureText(
        title=f"Huawei's quantified state support, {years}: ${low:,.1f} to {_bn(high)}",
        caption=f"Huawei's state support with a stated or derived USD amount, {years}, each "
        f"dollar counted once: {_bn(low)} (conservative) to {_bn(high)} (upper); "
        f"{unquantified} more items have no amount."
        + (f" Estimates in the text: {estimate_words}." if len(estimates) else ""),
        alt_text=f"Left, horizontal range bars of USD billions: the itemised total under the "
        f"chosen rules (${low:,.1f} to {_bn(high)}) and with each of {flipped} inclusion "
        f"rules flipped"
        + (f", then the text's estimates ({estimate_words})" if len(estimates) else "")
        + f". Right, the chosen range by Figure 1 channel, largest {largest['group']} "
        f"(${largest['conservative_usd_bn']:,.1f} to {_bn(largest['upper_usd_bn'])}).",
        finding=f"Counted once, the items the report itemises for {years} come to a range, "
        f"{_bn(low)} to {_bn(high)}, not one number: the conservative total leaves out "
        "credit-line limits and the single loans an \"in total\" amount may contain; the upper "
        "total counts every stated amount once"
        + (f". Either end stays below the largest estimate in the text ({_bn(top_estimate)})"
           if high < top_estimate else "")
        + f"; the largest channel is {largest['group']}, and {unquantified} items carry no "
        "amount at all.",
        source_note=f"Source: {REPORT}, Figure 1, Appendix A and the text's estimates; amounts "
        "as printed, relations between items coded by ccp-analysis.",
    )


# ------------------------------------------------------------------------------ Figure 2

def alibaba_support(table: pd.DataFrame, values: dict) -> FigureText:
    years = span(int(table["year"].min()), int(table["year"].max()))
    levels = list(dict.fromkeys(table["government_level"].sort_values()))
    rates = table[table["tax_rate_pct"].notna()]
    standard = table["standard_tax_rate_pct"].dropna()
    standard_text = f"the standard {standard.iloc[0]:g}%" if len(standard) else "no standard rate"
    rate_words = words([f"{r['tax_rate_pct']:g}% ({r['year']}, {r['place']})"
                        for _, r in rates.iterrows()])
    local = int((table["government_level"] != "central").sum())
    central = int((table["government_level"] == "central").sum())
    amounts = table[table["amount_usd"].notna()]
    amount_words = words([f"${a / 1e6:,.2f} million ({i})"
                          for a, i in zip(amounts["amount_usd"], amounts["item_id"], strict=True)])
    return FigureText(
        title=f"Alibaba's state support by level of government, {years}",
        caption=f"Alibaba's state support measures {years} by place and level of government"
        + (f", and the stated tax rates against {standard_text} rate." if len(rates) else "."),
        alt_text=f"Left: dots for each of {len(table)} measures placed by year and place, "
        f"coloured by level of government ({words(levels)}), labelled with the instrument"
        + (f"; right: bars of the stated tax rates {rate_words}, coloured by the same levels, "
           f"under a dashed line at {standard_text}." if len(rates) else
           "; no stated tax rate in these years."),
        finding=f"{len(table)} measures in {years}: {local} local or provincial, {central} "
        "central"
        + (f"; the stated amount is {amount_words}" if len(amounts) else
           "; none has a stated amount")
        + (f"; stated tax rates {rate_words} against {standard_text}." if len(rates) else "."),
        source_note=f"Source: {REPORT}, Figure 2 and Appendix B.",
    )


# ------------------------------------------------------------------------------ Figure 3

def ai_park(table: pd.DataFrame, values: dict) -> FigureText:
    links = [f"{r['source']} {r['relation']} {r['target']}"
             + (f" ({r['date_text']})" if r["date_text"] else "") for _, r in table.iterrows()]
    nodes = list(dict.fromkeys(list(table["source"]) + list(table["target"])))
    return FigureText(
        title="A CCP Inc. microcosm: the AI park in Technology Park Malaysia",
        caption=f"The partnership around the AI park in Technology Park Malaysia as the report "
        f"describes it: {len(nodes)} parties, {len(table)} links.",
        alt_text=f"Network diagram of {len(nodes)} parties: " + "; ".join(links) + ".",
        finding="The report's microcosm: " + "; ".join(links) + ".",
        source_note=f"Source: {REPORT}, chapter 2 text around Figure 3.",
    )


def deal_network(table: pd.DataFrame, values: dict, *, nodes: pd.DataFrame) -> FigureText:
    years = span(values["year_start"], values["year_end"])
    chinese = nodes[nodes["side"] == "chinese company"]
    counterparts = nodes[nodes["side"] == "counterpart"]
    co_party = table[table["edge_kind"] == "co-party"]
    hub = chinese.iloc[0] if len(chinese) else None
    pairs = words([f"{r['company']} with {r['counterpart']}"
                   for _, r in co_party.head(3).iterrows()])
    return FigureText(
        title=f"Chinese tech companies and their counterparts in Malaysia, {years}",
        caption=f"Who dealt with whom in Appendix C, {years}: {len(chinese)} Chinese companies, "
        f"{len(counterparts)} counterparts, {len(table)} links.",
        alt_text="Two columns of names: Chinese companies on the left, led by "
        + words(list(chinese["node"].head(3))) + "; their counterparts on the right, led by "
        + words(list(counterparts["node"].head(2)))
        + f"; joined by lines, with {len(co_party)} arcs between Chinese companies an entry "
        "states dealt with each other.",
        finding=(f"{hub['node']} is the hub with {hub['degree']} links, more than any other "
                 "Chinese company" if hub is not None else "No Chinese company in these years")
        + (f"; Chinese companies appear together in {len(co_party)} pairs ({pairs})."
           if len(co_party) else "."),
        source_note=f"Source: {REPORT}, Appendix C (RWR IntelTrak).",
    )


# ------------------------------------------------------------------------------ Figure 4

def huawei_revenue(table: pd.DataFrame, values: dict) -> FigureText:
    currency = values["currency"]
    unit = f"{currency} billion"
    years = span(int(table["year"].min()), int(table["year"].max()))
    converted = currency == "USD"
    at = f" at {FX_WORDS[values['fx_series']]}" if converted else ""
    peak = table.loc[table["revenue_bn"].idxmax()]
    changes = table[table["change_pct"].notna()]
    worst = changes.loc[changes["change_pct"].idxmin()] if len(changes) else None
    fell = worst is not None and worst["change_pct"] < 0
    fall = (f"the largest fall is {pct(worst['change_pct'], signed=False)} in {worst['year']}"
            if fell else "revenue did not fall in any year shown")
    return FigureText(
        title=f"Huawei's annual revenue, {years} ({unit})",
        caption=f"Huawei's annual revenue {years} in {unit}{at}; {fall}.",
        alt_text=f"Bar chart of Huawei's revenue per year from {years.replace('-', ' to ')} in "
        f"{unit}, highest in {peak['year']} ({peak['revenue_bn']:,.1f})"
        + (f", falling by {pct(worst['change_pct'], signed=False)} in {worst['year']}, the bar "
           "of that year highlighted." if fell else "."),
        finding=f"Revenue in {unit}{at} peaked at {peak['revenue_bn']:,.1f} in {peak['year']}; "
        + fall + "."
        + (" The report's 28.6 percent for 2021 is the change in CNY; in USD the change is "
           "smaller because the yuan rose against the dollar in 2021." if converted and fell
           and worst["year"] == 2021 else ""),
        source_note="Source: Huawei annual reports (revenue in CNY)"
        + (f"; converted at {FX_WORDS[values['fx_series']]}" if converted else "")
        + f"; {DATA_NOTES}.",
    )


# ------------------------------------------------------------------------------ Figure 5

def alibaba_stock(table: pd.DataFrame, values: dict) -> FigureText:
    measure = values["measure"]
    what = "close" if measure == "price" else "market value"
    unit = "USD per ADS" if measure == "price" else "USD billion"
    first, last = table.iloc[0], table.iloc[-1]
    peak = table.loc[table["value"].idxmax()]
    after = table[table["date"] > peak["date"]]
    trough = after.loc[after["value"].idxmin()] if len(after) else peak
    d = "{:%Y-%m-%d}".format
    change_first = (last["value"] / first["value"] - 1) * 100
    fall = (1 - trough["value"] / peak["value"]) * 100
    return FigureText(
        title=f"Alibaba (BABA) {what}, {d(first['date'])} to {d(last['date'])}",
        caption=f"BABA {what} ({unit}) from {d(first['date'])} to {d(last['date'])}: peak "
        f"{peak['value']:,.2f} on {d(peak['date'])}"
        + (f", low {trough['value']:,.2f} on {d(trough['date'])} after it." if len(after)
           else "."),
        alt_text=f"Line chart of Alibaba's daily {what} ({unit}) from {d(first['date'])} to "
        f"{d(last['date'])}, highest on {d(peak['date'])} at {peak['value']:,.2f}"
        + (f" and falling by {fall:.0f}% to {d(trough['date'])}." if len(after) else "."),
        finding=f"BABA's {what} peaked at {peak['value']:,.2f} {unit} on {d(peak['date'])}; on "
        f"{d(last['date'])} it stood at {last['value']:,.2f}, {change_first:+.1f}% on the first "
        f"value shown ({first['value']:,.2f} on {d(first['date'])})"
        + ("; holders since then had lost all of their gains." if change_first < 0 else "."),
        source_note=f"Source: {BABA_WORDS}"
        + (f"; {SHARES_WORDS}" if measure == "market_value" else "")
        + f"; {DATA_NOTES}.",
    )


# ------------------------------------------------------------------------------ Figure 6

def deals_timeline(table: pd.DataFrame, values: dict) -> FigureText:
    per_year = table.drop_duplicates("year").set_index("year")["entries_in_year"]
    years = span(int(per_year.index.min()), int(per_year.index.max()))
    peak_year = int(per_year.idxmax())
    last = int(per_year.index.max())
    first = int(per_year.index.min())
    leaders = [c for c in table["company_group"].drop_duplicates() if c != "Other"]
    size = "in single digits" if per_year[last] < 10 else "ten or more"
    return FigureText(
        title=f"Chinese tech deals in Malaysia per year, {years}",
        caption=f"Appendix C entries per year {years}, by Chinese company: peak of "
        f"{per_year.max()} in {peak_year}, {per_year[last]} in {last}.",
        alt_text="Stacked bar chart of deal mentions per year by company"
        + (f" ({leaders[0]} most often named)" if leaders else "")
        + f", with {count(per_year[first], 'entry', 'entries')} in {first}, {per_year.max()} in "
        f"{peak_year} and {per_year[last]} in {last}.",
        finding=f"Deals went from {per_year[first]} in {first} to {per_year.max()} in "
        f"{peak_year}" + (f", led by {words(leaders[:2])}" if leaders else "")
        + f", and were {per_year[last]} in {last} ({size}).",
        source_note=f"Source: {REPORT}, Appendix C (RWR IntelTrak).",
    )
