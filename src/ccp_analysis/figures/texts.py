"""Titles, captions, alt texts, findings and source notes, computed from the plotted table.

Nothing here states a number, a span or a series that the table a figure plots does not hold:
the span is the years (or days) of the table, not the parameters asked for, and an exchange rate
is named only on a chart that was converted with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

# Shared with the interactive charts; defined below both.
from ccp_analysis.figures.figure_words import (  # noqa: F401
    FX_WORDS,
    PRICE_PROVIDERS,
    SHARES_WORDS,
    pct,
    price_source_words,
    words,
)

REPORT = "CSIS, CCP Inc. in Malaysia (2022)"
# Where a reader of a figure lifted out of the project learns how the market data were
# gathered and checked: named in words, not as a path in the repository.
DATA_NOTES = "see the ccp-analysis notes on its market data"


@dataclass(frozen=True)
class FigureText:
    title: str  # the chart's own heading, under the report's "Figure N: title"
    caption: str
    alt_text: str
    finding: str
    source_note: str


def span(first: object, last: object) -> str:
    return str(first) if first == last else f"{first}-{last}"


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _bn(value: float) -> str:
    return f"${value:,.1f} billion"


# ------------------------------------------------------------------------------ Figure 1

def measure_count(summed: dict[str, str]) -> str:
    """How many measures each total adds up: '3 (conservative) and 4 (upper)', or one number
    when both add up as many."""
    low, high = (len(summed[b].split(" + ")) for b in ("conservative", "upper"))
    return str(high) if low == high else f"{low} (conservative) and {high} (upper)"


def huawei_support(table: pd.DataFrame, values: dict, *, unquantified: int) -> FigureText:
    """`table`: figure_data.support_figure_table (measures, the two totals, the text's
    estimates); `unquantified`: items in the span without a USD amount."""
    from ccp_analysis.figures import figure_data

    years = span(values["year_start"], values["year_end"])
    measures = table[table["panel"] == "measure"].pivot(index="row", columns="bound",
                                                        values="usd_bn")
    order = [m for m in figure_data.MEASURES if m in measures.index]
    totals = table[table["panel"] == "total"].set_index("bound")
    low, high = (float(totals.loc[b, "usd_bn"]) for b in figure_data.BOUNDS)
    summed = {b: totals.loc[b, "what"].split(": ")[0].removeprefix("this project's sum of ")
              for b in figure_data.BOUNDS}
    estimates = table[table["panel"] == "text estimate"]

    def amount(m: str) -> str:
        lo, hi = measures.loc[m, "conservative"], measures.loc[m, "upper"]
        if m == figure_data.CEILINGS and lo == 0:
            return f"{m} {_bn(hi)} (upper total only)"
        return f"{m} {_bn(lo)}" if round(lo, 1) == round(hi, 1) else \
            f"{m} {_bn(lo)} to {_bn(hi)}"

    measure_words = "; ".join(amount(m) for m in order)
    estimate_words = words([
        f"{row['row']}: " + ("as much as " if row["bound"] == "as much as" else "")
        + _bn(row["usd_bn"]) for _, row in estimates.iterrows()])
    loans = measures.loc[figure_data.LOANS, "conservative"] if figure_data.LOANS in order else 0
    contracts = (measures.loc[figure_data.CONTRACTS, "conservative"]
                 if figure_data.CONTRACTS in order else 0)
    share = f"{loans / low * 100:.0f}%" if low else "none"
    return FigureText(
        title=f"Huawei's itemised state support, {years}, kept apart by measure",
        caption=f"This project's count of the support that Figure 1 (\"representative "
        f"examples\") and Appendix A (\"a sample\") itemise, {years}; the report gives no total. "
        f"Each measure apart, conservative to upper: {measure_words}. The conservative total, "
        f"{_bn(low)}, adds up {summed['conservative']}; the upper total, {_bn(high)}, adds up "
        f"{summed['upper']}: sums of unlike measures, this project's construction. "
        f"Conservative: {figure_data.bound_rule('conservative', **values)}. Upper: "
        f"{figure_data.bound_rule('upper', **values)}. {unquantified} more items have no "
        "amount."
        + (f" The text's estimates measure other things, drawn apart on their own axis: "
           f"{estimate_words}." if len(estimates) else ""),
        alt_text=f"Three panels of horizontal bars in USD billion, each on its own scale. Top, "
        f"each measure apart with a conservative and an upper bar: {measure_words}. Bottom "
        f"left, this project's totals: conservative {_bn(low)} ({summed['conservative']}) and "
        f"upper {_bn(high)} ({summed['upper']}, "
        f"{figure_data.bound_labels(**values)['upper'].removeprefix('upper: ')})."
        + (f" Bottom right, apart, the text's estimates: {estimate_words}."
           if len(estimates) else ""),
        finding=f"Counted by this project, the items the report itemises for {years} come to "
        f"{_bn(low)} (conservative) to {_bn(high)} "
        f"({figure_data.bound_labels(**values)['upper']}), "
        + (f"sums of {measure_count(summed)} unlike measures"
           if " + " in summed["upper"] else f"one measure, {summed['upper']}")
        + (f": {share} of the conservative total is the face value of loans to Huawei's "
           "customers" if loans else "")
        + (f"{',' if loans else ':'} {_bn(contracts)} the value of contracts Huawei won"
           if contracts else "")
        + (f"; the {_bn(measures.loc[figure_data.CEILINGS, 'upper'])} credit line is a "
           "ceiling, counted only in the upper total"
           if figure_data.CEILINGS in order else "")
        + f"; {unquantified} items carry no amount at all."
        + (" The text's estimates measure other things (tax incentives saved, total state "
           "support as the Wall Street Journal counted it) and are not sums of these items."
           if len(estimates) else ""),
        source_note=f"Source: {REPORT}, Figure 1, Appendix A and the text's estimates; amounts "
        "as printed; measures, relations between items and totals are ccp-analysis's "
        "construction (docs/figure1.md).",
    )


# ------------------------------------------------------------------------------ Figure 2

def alibaba_support(table: pd.DataFrame, values: dict) -> FigureText:
    years = span(int(table["year"].min()), int(table["year"].max()))
    levels = list(dict.fromkeys(table["government_level"].sort_values()))
    rates = table[table["tax_rate_pct"].notna()]
    standard = table["standard_tax_rate_pct"].dropna()
    standard_text = f"the standard {standard.iloc[0]:g}%" if len(standard) else "no standard rate"
    approximate = rough_rates(table, values["edition"])
    rate_words = words([("about " if r["item_id"] in approximate else "")
                        + f"{r['tax_rate_pct']:g}% ({r['year']}, {r['place']})"
                        for _, r in rates.iterrows()])
    local = int((table["government_level"] != "central").sum())
    central = int((table["government_level"] == "central").sum())
    # The plotted measures are Appendix B's; Figure 2's boxes repeat some of them, and where a
    # box prints another amount than its appendix row, both are said.
    boxes = figure2_boxes(table, values["edition"])
    amounts = table[table["amount_usd"].notna()]
    amount_words = words([f"${a / 1e6:,.2f} million ({i}" + "".join(
        f"; Figure 2 prints ${b['amount_usd'] / 1e6:,.2f} million"
        for _, b in boxes[(boxes["same_item_as"] == i) & boxes["amount_usd"].notna()
                          & (boxes["amount_usd"] != a)].iterrows()) + ")"
        for a, i in zip(amounts["amount_usd"], amounts["item_id"], strict=True)])
    mapped = f" (Figure 2 maps {len(boxes)} of them)" if len(boxes) else \
        " (none in Figure 2's boxes)"
    return FigureText(
        title=f"Alibaba's state support by level of government, {years}",
        caption=f"Appendix B's {count(len(table), 'measure', 'measures')} of state support for "
        f"Alibaba, {years}{mapped}, by place and level of government"
        + (f", and the stated tax rates against {standard_text} rate." if len(rates) else "."),
        alt_text=f"Left: dots for each of {len(table)} measures placed by year and place, "
        f"coloured by level of government ({'; '.join(levels)}), labelled with the instrument"
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


def rough_rates(table: pd.DataFrame, edition: str) -> set[str]:
    """The plotted items whose rate the report gives as approximate ('roughly 10%')."""
    from ccp_analysis.data import editions

    frame = editions.load("alibaba_state_support", edition).set_index("item_id")
    return {i for i in table.loc[table["tax_rate_pct"].notna(), "item_id"]
            if re.search(r"\b(roughly|about|around|approximately)\s+[\d.]+%",
                         frame.at[i, "raw_text"])}


def figure2_boxes(table: pd.DataFrame, edition: str) -> pd.DataFrame:
    """Figure 2's boxes that repeat a plotted Appendix B measure (same_item_as, amount_usd)."""
    from ccp_analysis.data import editions

    frame = editions.load("alibaba_state_support", edition)
    boxes = frame[~frame["is_primary"] & frame["same_item_as"].isin(table["item_id"])]
    return boxes.sort_values("item_id", ignore_index=True)


# ------------------------------------------------------------------------------ Figure 3

def ai_park(table: pd.DataFrame, values: dict) -> FigureText:
    links = [f"{r['source']} {r['relation']} {r['target']}"
             + (f" ({r['date_text']})" if r["date_text"] else "") for _, r in table.iterrows()]
    kinds = dict(zip(table["source"], table["source_kind"], strict=True))
    kinds.update(zip(table["target"], table["target_kind"], strict=True))
    # A project (the park itself) is drawn as a node but is no party to anything.
    parties = [n for n, kind in kinds.items() if kind != "project"]
    projects = [n for n, kind in kinds.items() if kind == "project"]
    nodes = count(len(parties), "party", "parties") + (
        f" and the project they link to ({words(projects)})" if projects else "")
    return FigureText(
        title="A CCP Inc. microcosm: the AI park in Technology Park Malaysia",
        caption=f"The partnership around the AI park in Technology Park Malaysia as the report "
        f"describes it: {nodes}, {count(len(table), 'link', 'links')}.",
        alt_text=f"Network diagram of {nodes}: " + "; ".join(links) + ".",
        finding="The report's microcosm: " + "; ".join(links) + ".",
        source_note=f"Source: {REPORT}, chapter 2 text around Figure 3.",
    )


def network_counts(table: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, int]:
    """What the deal network's caption, alt text and finding count, from the plotted data."""
    chinese = nodes[nodes["side"] == "Chinese"]
    counterparts = nodes[nodes["side"] == "counterpart"]
    deals = table[table["is_deal"]]
    return {
        "chinese_companies": int((chinese["kind"] == "company").sum()),
        "members": int(chinese["parent"].astype(bool).sum()),
        "counterparts": len(counterparts),
        "government_bodies": int((counterparts["kind"] == "government body").sum()),
        "deal_links": len(deals),
        "deal_entries": len({e for ids in deals["entry_ids"] for e in ids.split()}),
        "co_party_deal_links": int((deals["ends"] == "co-party").sum()),
        **{kind: int((table["edge_kind"] == kind).sum())
           for kind in ("award", "visit", "intra-group")},
    }


def _parties(n: dict[str, int]) -> str:
    """'13 Chinese companies and 8 subsidiaries, ... of them, 42 counterparts, 6 of them
    government bodies', in words that fit any count."""
    text = count(n["chinese_companies"], "Chinese company", "Chinese companies")
    if n["members"]:
        text += " and " + count(n["members"], "subsidiary, affiliate or product",
                                "subsidiaries, affiliates or products")
        text += " of it" if n["chinese_companies"] == 1 else " of them"
    text += ", " + count(n["counterparts"], "counterpart", "counterparts")
    bodies = n["government_bodies"]
    if bodies:
        text += (f", {bodies} of them government bodies" if bodies > 1 else
                 ", one of them a government body" if n["counterparts"] > 1 else
                 ", a government body")
    return text


def deal_network(table: pd.DataFrame, values: dict, *, nodes: pd.DataFrame) -> FigureText:
    years = span(values["year_start"], values["year_end"])
    n = network_counts(table, nodes)
    chinese = nodes[(nodes["side"] == "Chinese") & (nodes["kind"] == "company")]
    chinese = chinese.sort_values(["deals", "node"], ascending=[False, True])
    counterparts = nodes[nodes["side"] == "counterpart"]
    members = nodes[(nodes["side"] == "Chinese") & nodes["parent"].astype(bool)]
    apart = words([count(n[k], one, many) for k, one, many in (
        ("award", "award", "awards"), ("visit", "visit", "visits"),
        ("intra-group", "intra-group link", "intra-group links")) if n[k]])
    member_words = words([f"{r['node']} ({r['kind']} of {r['parent']})"
                          for _, r in members.iterrows()])
    hub = chinese.iloc[0] if len(chinese) else None
    deal_kinds = table[table["is_deal"]]["edge_kind"].value_counts()
    deal_kinds = deal_kinds.sort_index().sort_values(ascending=False, kind="stable")
    kind_words = words([f"{v} {k}" for k, v in deal_kinds.items()])
    return FigureText(
        title=f"Chinese parties and their counterparts, {years}, linked only as the entries "
        "state",
        caption=f"Who dealt with whom in Appendix C, {years}, only as each entry's words state "
        f"it: {_parties(n)}; {count(n['deal_links'], 'deal link', 'deal links')} from "
        f"{count(n['deal_entries'], 'entry', 'entries')}"
        + (f", and {apart} drawn apart as no deal" if apart else "") + ".",
        alt_text="Network diagram in two columns. Left, the Chinese parties, company group by "
        "group; the most deals: "
        + words([f"{r['node']} ({r['deals']})" for _, r in chinese.head(3).iterrows()])
        + (f"; subsidiaries, affiliates and products stand under their parent: {member_words}"
           if len(members) else "")
        + ". Right, the counterparts, led by " + words(list(counterparts["node"].head(2)))
        + f". Lines coloured and dashed by kind: {kind_words}"
        + (f"; {apart}, dotted or dash-dotted" if apart else "")
        + f"; {n['co_party_deal_links']} arcs join Chinese parties that signed together.",
        finding=(f"{hub['node']} has deals in {hub['deals']} entries, more than any other "
                 "Chinese company" if hub is not None else "No Chinese company in these years")
        + f"; of {n['deal_links']} deal links, {kind_words}"
        + (f". Not deals: {apart}" if apart else "") + ".",
        source_note=f"Source: {REPORT}, Appendix C (RWR IntelTrak); parties, their kinds and "
        "the links coded by ccp-analysis from each entry's words.",
    )


# ------------------------------------------------------------------------------ Figure 4

# The report's note under Figure 4, verbatim; the project holds no IRS rates.
FIG4_REPORT_RATES = "yearly average exchange rates, as listed by the IRS and OECD"


def revenue_falls(table: pd.DataFrame) -> pd.DataFrame:
    """The plotted years whose revenue fell on the year before, largest fall first."""
    falls = table[table["change_pct"].notna() & (table["change_pct"] < 0)]
    return falls.sort_values(["change_pct", "year"], ignore_index=True)


def cny_change(table: pd.DataFrame) -> pd.Series:
    """Percent change of revenue in CNY, Huawei's reporting currency, by year, from the plotted
    table (a USD bar times its rate is the CNY revenue)."""
    cny = table.set_index("year")["revenue_bn"]
    if (table["currency"] == "USD").all():
        cny = cny * table.set_index("year")["cny_per_usd"]
    return (cny / cny.shift(1) - 1) * 100


def fall_words(table: pd.DataFrame) -> str:
    """The fall in words that follow from the plotted years: 'the only year-on-year fall in
    2013-2021 is ...' when one year fell, 'the largest of 2 year-on-year falls in 2013-2024
    is ...' when several did, and never 'largest' of one. In USD, a fall is said to be in USD,
    and a year whose revenue rose in CNY is named as a fall of the exchange rate alone."""
    years = span(int(table["year"].min()), int(table["year"].max()))
    falls = revenue_falls(table)
    usd = bool((table["currency"] == "USD").all())
    if falls.empty:
        return f"revenue did not fall in any year of {years}" + (" in USD" if usd else "")
    worst = falls.iloc[0]
    size = f"{pct(worst['change_pct'], signed=False)} in {worst['year']}"
    kind = "year-on-year fall" + (" in USD" if usd else "")
    text = (f"the only {kind} in {years} is {size}" if len(falls) == 1 else
            f"the largest of {len(falls)} {kind.replace('fall', 'falls')} in {years} is {size}")
    if usd:
        change = cny_change(table)
        rose = [(int(y), change[y]) for y in sorted(falls["year"]) if change[y] > 0]
        text += "".join(
            f"; {y}'s fall is the exchange rate's alone: in CNY, Huawei's reporting currency, "
            f"revenue rose {pct(c, signed=False)}" for y, c in rose)
    return text


def huawei_revenue(table: pd.DataFrame, values: dict) -> FigureText:
    currency = values["currency"]
    unit = f"{currency} billion"
    years = span(int(table["year"].min()), int(table["year"].max()))
    converted = currency == "USD"
    series = values["fx_series"]
    at = f" at {FX_WORDS[series]}" if converted else ""
    # The report's note names IRS and OECD rates; say which rates these are against it.
    rates_note = ""
    if converted:
        rates_note = (f" The report's note converts at \"{FIG4_REPORT_RATES}\"; this project "
                      "holds no IRS rates")
        rates_note += (": these bars use the OECD/IMF yearly averages." if series == "oecd_imf"
                       else ", so these bars use the series named above; the OECD/IMF yearly "
                       "averages are the option fx_series=oecd_imf.")
    peak = table.loc[table["revenue_bn"].idxmax()]
    falls = revenue_falls(table)
    worst = falls.iloc[0] if len(falls) else None
    fell = worst is not None
    fall = fall_words(table)
    return FigureText(
        title=f"Huawei's annual revenue, {years} ({unit})",
        caption=f"Huawei's annual revenue {years} in {unit}{at}; {fall}." + rates_note,
        alt_text=f"Bar chart of Huawei's revenue per year from {years.replace('-', ' to ')} in "
        f"{unit}, highest in {peak['year']} ({peak['revenue_bn']:,.1f})"
        + (f", falling by {pct(worst['change_pct'], signed=False)} in {worst['year']}, the bar "
           "of that year highlighted." if fell else "."),
        finding=f"Revenue in {unit}{at} peaked at {peak['revenue_bn']:,.1f} in {peak['year']}; "
        + fall + "."
        + (" The report's 28.6 percent for 2021 is the change in CNY; in USD the change is "
           "smaller because the yuan rose against the dollar in 2021." if converted and fell
           and worst["year"] == 2021 else ""),
        source_note=f"Source: {revenue_source_words(table, values['edition'])} (revenue in CNY)"
        + (f"; converted at {FX_WORDS[series]}; the report's note names IRS and OECD rates"
           if converted else "")
        + f"; {DATA_NOTES}.",
    )


def revenue_source_words(table: pd.DataFrame, edition: str) -> str:
    """The sources of the plotted years' revenue: Huawei's annual reports, then any import's
    --source with the years it gave ('Huawei annual reports; 2025: Huawei 2025 annual report')."""
    from ccp_analysis.data import editions
    from ccp_analysis.data.schemas import HUAWEI_BASE_SOURCE as BASE_SOURCE

    frame = editions.load("huawei_revenue", edition)
    rows = frame[frame["year"].isin(table["year"])].drop_duplicates("year").sort_values("year")
    by_source: dict[str, list[int]] = {}
    for year, source in zip(rows["year"], rows["revenue_source"], strict=True):
        by_source.setdefault(source, []).append(int(year))
    parts = []
    for source, years in by_source.items():
        if source == BASE_SOURCE:
            parts.insert(0, source)
        elif years == list(range(years[0], years[-1] + 1)):
            parts.append(f"{span(years[0], years[-1])}: {source}")
        else:
            parts.append(f"{', '.join(map(str, years))}: {source}")
    return "; ".join(parts)


# ------------------------------------------------------------------------------ Figure 5

def price_sources(table: pd.DataFrame, edition: str) -> list[str]:
    """The `source` of each price row the table plots, in date order, each once."""
    from ccp_analysis.data import editions

    frame = editions.load("alibaba_stock", edition)
    rows = frame[frame["date"].isin(table["date"])].sort_values("date")
    return list(dict.fromkeys(rows["price_source"]))


# The report's Figure 5 caption: "Since its peak in September 2020, Alibaba's stock has
# steadily declined in value" (its text says October 2020; claim K55).
FIG5_REPORT_PEAK = pd.Period("2020-09", freq="M")


def report_peak_note(table: pd.DataFrame, peak: pd.Series, what: str) -> str:
    """Where the plotted days include the report's peak month but the highest value falls in
    another month, the caption says so; '' otherwise."""
    months = pd.PeriodIndex(table["date"], freq="M")
    month = pd.Period(peak["date"], freq="M")
    if FIG5_REPORT_PEAK not in set(months) or month == FIG5_REPORT_PEAK:
        return ""
    return (f" The report's caption dates the peak to {FIG5_REPORT_PEAK:%B %Y}; the highest "
            f"{what} shown is in {month:%B %Y}.")


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
           else ".") + report_peak_note(table, peak, what),
        alt_text=f"Line chart of Alibaba's daily {what} ({unit}) from {d(first['date'])} to "
        f"{d(last['date'])}, highest on {d(peak['date'])} at {peak['value']:,.2f}"
        + (f" and falling by {fall:.0f}% to {d(trough['date'])}." if len(after) else "."),
        finding=f"BABA's {what} peaked at {peak['value']:,.2f} {unit} on {d(peak['date'])}; on "
        f"{d(last['date'])} it stood at {last['value']:,.2f}, {change_first:+.1f}% on the first "
        f"value shown ({first['value']:,.2f} on {d(first['date'])})"
        # Below the first value is more than "all of the gains": say by how much.
        + (f"; a holder since {d(first['date'])} had lost the whole gain to the peak and "
           f"{-change_first:.1f}% of the first value besides." if change_first < 0 else "."),
        source_note="Source: BABA daily prices (unadjusted close): "
        + price_source_words(price_sources(table, values["edition"]))
        + (f"; {SHARES_WORDS}" if measure == "market_value" else "")
        + f"; {DATA_NOTES}.",
    )


# ------------------------------------------------------------------------- the deals timeline

def deals_timeline(table: pd.DataFrame, values: dict) -> FigureText:
    """The bars count entries (each once); the number over a bar is its height."""
    per_year = table.drop_duplicates("year").set_index("year")["entries_in_year"]
    years = span(int(per_year.index.min()), int(per_year.index.max()))
    peak_year = int(per_year.idxmax())
    last = int(per_year.index.max())
    first = int(per_year.index.min())
    totals = table.groupby("company_group", sort=False)["entries"].sum()
    leaders = [g for g in totals.index if g not in ("Other", "Several groups")]
    several = int(totals.get("Several groups", 0))
    size = "in single digits" if per_year[last] < 10 else "ten or more"
    counts = (f"peak of {per_year.max()} in {peak_year}, {per_year[last]} in {last}"
              if first != last else count(per_year[last], "entry", "entries") + f" in {last}")
    return FigureText(
        title=f"Entries per year by Chinese company group, {years} (each entry once)",
        caption=f"Appendix C's entries per year {years}, each counted once, by the Chinese "
        f"company group it names (subsidiaries, affiliates and products with their parent"
        + (f"; {count(several, 'entry names', 'entries name')} several groups" if several
           else "") + f"): {counts}.",
        alt_text="Stacked bar chart of Appendix C entries per year by company group"
        + (f" ({leaders[0]} most often)" if leaders else "")
        + f", the total printed over each bar: {count(per_year[first], 'entry', 'entries')} in "
        f"{first}, {per_year.max()} in {peak_year} and {per_year[last]} in {last}.",
        finding=f"Entries went from {per_year[first]} in {first} to {per_year.max()} in "
        f"{peak_year}" + (f", led by {words(leaders[:2])}" if leaders else "")
        + f", and were {per_year[last]} in {last} ({size}).",
        source_note=f"Source: {REPORT}, Appendix C (RWR IntelTrak); company groups coded by "
        "ccp-analysis from the report's words.",
    )
