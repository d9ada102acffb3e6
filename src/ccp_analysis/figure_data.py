"""The tables the figures plot, from the tidy frames; one function per figure.

Each returns exactly what its chart draws, so the CSV a build writes beside a figure holds every
plotted number, and each row still carries ids that lead back to data/processed and data/raw.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis import deals, fx, money, support
from ccp_analysis.errors import ParameterError

CONSERVATIVE = "conservative"
UPPER = "upper"
BOUNDS = (CONSERVATIVE, UPPER)
# Why an item's amount is or is not in a total (column counted_reason).
COUNTED = "counted"
NO_AMOUNT = "no USD amount stated"


def _reason(row: pd.Series, *, bound: str, counted_ids: set[str], include_credit_lines: bool,
            include_customer_financing: bool, include_derived: bool,
            include_fines: bool) -> str:
    """Why one primary item in the range counts or not, by the inclusion rules and its relation.

    Rules, in order: an item without an amount cannot count; the chosen inclusions; a fine on a
    competitor is no money to the firm; the conservative total never counts a credit-line limit
    (a ceiling, not money lent), the upper total counts a limit in place of the loans drawn under
    it; the conservative total leaves out a single amount that an "in total" amount it counts
    may contain, the upper total counts it once.
    """
    kind, target = row["relation_kind"], row["relation_target"]
    if pd.isna(row["amount_usd"]):
        return NO_AMOUNT
    if kind == support.LIMIT and not include_credit_lines:
        return "credit-line limits not chosen"
    if row["beneficiary"] == "customers" and not include_customer_financing:
        return "customer financing not chosen"
    if row["amount_basis"] == money.DERIVED and not include_derived:
        return "derived amounts not chosen"
    if kind == support.NOT_TO_FIRM and not include_fines:
        return "not money to the firm (a fine on a competitor)"
    if kind == support.LIMIT and bound == CONSERVATIVE:
        return "a credit-line limit, not money lent"
    if kind == support.DRAWN_UNDER and bound == UPPER and target in counted_ids:
        return f"drawn under {target}, whose limit is counted"
    if kind == support.CONTAINED_IN and bound == CONSERVATIVE and target in counted_ids:
        return f"may be contained in the total {target}"
    return COUNTED


def select_support(frame: pd.DataFrame, *, year_start: int, year_end: int,
                   include_credit_lines: bool = True, include_customer_financing: bool = True,
                   include_derived: bool = True, include_fines: bool = False,
                   bound: str = CONSERVATIVE) -> pd.DataFrame:
    """Primary support items (figure repeats dropped) in a year range, each with the amount it
    adds to the chosen bound (`counted_usd`, NaN where it adds nothing) and why.

    An item is in a year range when its period overlaps it; items without a year are figure
    repeats of an appendix row, dropped here anyway. The conservative bound (the default) counts
    each dollar once for certain; the upper bound counts every stated amount once.
    """
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    if bound not in BOUNDS:
        raise ParameterError(f"bound {bound!r} is not known; accepted: {', '.join(BOUNDS)}")
    items = frame[frame["is_primary"]].copy()
    overlaps = (items["period_start_year"] <= year_end) & (items["period_end_year"] >= year_start)
    items = items[overlaps.fillna(False).astype(bool)].reset_index(drop=True)
    rules = {"include_credit_lines": include_credit_lines,
             "include_customer_financing": include_customer_financing,
             "include_derived": include_derived, "include_fines": include_fines}
    # Limits and aggregates decide first: whether a drawn or contained item counts depends on
    # whether its target does, and targets never depend on other items.
    targets = items["relation_kind"].isin([support.LIMIT, support.AGGREGATE])
    counted_ids = {row["item_id"] for _, row in items[targets].iterrows()
                   if _reason(row, bound=bound, counted_ids=set(), **rules) == COUNTED}
    reasons = [_reason(row, bound=bound, counted_ids=counted_ids, **rules)
               for _, row in items.iterrows()]
    counted = [r == COUNTED for r in reasons]
    return items.assign(counted_usd=items["amount_usd"].where(counted), counted_reason=reasons)


def support_totals(frame: pd.DataFrame, by: str, *, year_start: int, year_end: int,
                   **rules: bool) -> pd.DataFrame:
    """Conservative and upper USD billion per value of `by`, with the items each counts.

    Groups where neither bound counts any amount (only unquantified or excluded items) are
    left out, so no chart draws an empty bar; their items stay in `n_not_counted` nowhere else,
    and the caption counts them from `select_support`.
    """
    low = select_support(frame, year_start=year_start, year_end=year_end, bound=CONSERVATIVE,
                         **rules)
    high = select_support(frame, year_start=year_start, year_end=year_end, bound=UPPER, **rules)
    rows = []
    for group in sorted(set(low[by])):
        lo, hi = low[low[by] == group], high[high[by] == group]
        lo_ids = sorted(lo.loc[lo["counted_usd"].notna(), "item_id"])
        hi_ids = sorted(hi.loc[hi["counted_usd"].notna(), "item_id"])
        if not lo_ids and not hi_ids:
            continue
        rows.append({
            "dimension": by, "group": group,
            "conservative_usd_bn": round(lo["counted_usd"].sum() / 1e9, 4),
            "upper_usd_bn": round(hi["counted_usd"].sum() / 1e9, 4),
            "n_items": len(lo), "n_unquantified": int((lo["counted_reason"] == NO_AMOUNT).sum()),
            "conservative_item_ids": " ".join(lo_ids), "upper_item_ids": " ".join(hi_ids),
        })
    table = pd.DataFrame(rows, columns=[
        "dimension", "group", "conservative_usd_bn", "upper_usd_bn", "n_items",
        "n_unquantified", "conservative_item_ids", "upper_item_ids"])
    return table.sort_values(["upper_usd_bn", "group"], ascending=[False, True],
                             ignore_index=True)


def _total(frame: pd.DataFrame, bound: str, **kwargs: object) -> tuple[float, str]:
    items = select_support(frame, bound=bound, **kwargs)
    ids = " ".join(sorted(items.loc[items["counted_usd"].notna(), "item_id"]))
    return round(items["counted_usd"].sum() / 1e9, 4), ids


def support_bounds(frame: pd.DataFrame, *, year_start: int, year_end: int,
                   **rules: bool) -> pd.DataFrame:
    """The total as a range: conservative (no item that may overlap another) and upper (every
    stated amount once), each with the items it counts and the rule in words."""
    words = {
        CONSERVATIVE: "each dollar once for certain: no credit-line limit (loans drawn under it "
        "count instead) and no single amount that a counted 'in total' amount may contain",
        UPPER: "every stated amount once: a credit-line limit in place of the loans drawn "
        "under it, and single amounts beside the 'in total' amounts that may contain them",
    }
    rows = []
    for bound in BOUNDS:
        total, ids = _total(frame, bound, year_start=year_start, year_end=year_end, **rules)
        rows.append({"bound": bound, "total_usd_bn": total, "item_ids": ids,
                     "rule": words[bound]})
    return pd.DataFrame(rows)


# The inclusion rules a reader can flip, in the notebook's parameter names. A fine on a
# competitor is no support to the firm, so it is not offered as a rule here; possible overlaps
# are the two bounds of every row.
SENSITIVITY_RULES = (
    ("include_credit_lines", "credit-line limits"),
    ("include_customer_financing", "customer financing"),
    ("include_derived", "derived amounts"),
)


def support_sensitivity(frame: pd.DataFrame, estimates: pd.DataFrame, *, year_start: int,
                        year_end: int, **rules: bool) -> pd.DataFrame:
    """The total (conservative to upper) under the chosen rules and with each rule flipped,
    then the text's USD estimates of the same firm beside them.

    Possible overlaps are the two bounds: the conservative total leaves them out, the upper
    total counts them once. An estimate stated as "as much as" has only a high end.
    """
    chosen = {name: rules.get(name, default) for name, default in (
        ("include_credit_lines", True), ("include_customer_financing", True),
        ("include_derived", True), ("include_fines", False))}
    settings = [("as chosen", ", ".join(f"{k}={v}" for k, v in chosen.items()), chosen)]
    for name, words in SENSITIVITY_RULES:
        flipped = {**chosen, name: not chosen[name]}
        settings.append((f"{'without' if chosen[name] else 'with'} {words}",
                         f"{name}={flipped[name]}", flipped))
    rows = []
    for label, setting, values in settings:
        span = {"year_start": year_start, "year_end": year_end}
        low, low_ids = _total(frame, CONSERVATIVE, **span, **values)
        high, high_ids = _total(frame, UPPER, **span, **values)
        # What the overlap rule alone moves: single amounts the upper total counts beside an
        # "in total" amount that may contain them.
        upper = select_support(frame, bound=UPPER, **span, **values)
        contained = upper[(upper["relation_kind"] == support.CONTAINED_IN)
                          & upper["counted_usd"].notna()]
        rows.append({"kind": "itemised total", "label": label, "setting": setting,
                     "low_usd_bn": low, "high_usd_bn": high,
                     "possible_overlaps_usd_bn": round(contained["counted_usd"].sum() / 1e9, 4),
                     "conservative_item_ids": low_ids, "upper_item_ids": high_ids,
                     "source": f"items {year_start}-{year_end}"})
    usd = estimates[(estimates["unit"] == "usd") & (estimates["firm"] == "huawei")]
    for _, est in usd.sort_values("estimate_id").iterrows():
        label = est["attributed_to"] + (f", {est['period_text']}" if est["period_text"] else "")
        rows.append({"kind": "text estimate", "label": label, "setting": est["bound"],
                     "low_usd_bn": round(est["value_low"] / 1e9, 4),
                     "high_usd_bn": round(est["value_high"] / 1e9, 4),
                     "possible_overlaps_usd_bn": float("nan"),
                     "conservative_item_ids": "", "upper_item_ids": "",
                     "source": f"{est['estimate_id']}: {est['quote']}"})
    return pd.DataFrame(rows)


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


SEVERAL_GROUPS = "Several groups"
OTHER = "Other"


def deals_per_year(deals: pd.DataFrame, *, year_start: int, year_end: int,
                   top_companies: int) -> pd.DataFrame:
    """Timeline entries per year by Chinese company group, each entry counted once.

    An entry's group is the one company group its Chinese parties belong to (Cainiao and
    Lazada are Alibaba's); an entry naming parties of two or more groups counts once under
    'Several groups'. The top N groups by entries are named, if they have two entries or more;
    the rest are 'Other'. So the bars' unit is entries, and `entries_in_year`, the number
    printed over each bar, is its height.
    """
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    rows = deals[deals["year"].between(year_start, year_end)]
    group = rows["chinese_groups"].where(~rows["chinese_groups"].str.contains("; ", regex=False),
                                         SEVERAL_GROUPS)
    single = group[group != SEVERAL_GROUPS].value_counts()
    ranking = single.sort_index().sort_values(ascending=False, kind="stable")
    top = list(ranking[ranking >= 2].index[:top_companies])
    shown = group.where(group.isin(top) | (group == SEVERAL_GROUPS), OTHER)
    years = range(year_start, year_end + 1)
    groups = top + [g for g in (OTHER, SEVERAL_GROUPS) if (shown == g).any()]
    counts = (pd.DataFrame({"year": rows["year"], "company_group": shown})
              .groupby(["year", "company_group"]).size()
              .reindex(pd.MultiIndex.from_product([years, groups],
                                                  names=["year", "company_group"]),
                       fill_value=0)
              .rename("entries").reset_index())
    totals = rows.groupby("year").size().reindex(years, fill_value=0)
    counts["entries_in_year"] = counts["year"].map(totals)
    return counts


def network_layout(edges: pd.DataFrame, parties: pd.DataFrame, *, year_start: int,
                   year_end: int, min_degree: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes with fixed positions and the links between them, for a deterministic drawing.

    A link is a pair of parties and an edge kind, with the entries stating it. Chinese parties
    stand in a left column, group by group (the groups with most deals first, each company
    above its subsidiaries, affiliates and products); counterparts in a right one, by deals
    then name. `deals` counts the entries in which a party has a deal (an award, a visit or an
    intra-group link is not one). A Chinese party with fewer than `min_degree` links of any kind
    is hidden, but never the parent of one shown.
    """
    rows = edges[edges["year"].between(year_start, year_end)]
    links = rows.groupby(["company", "counterpart", "edge_kind"]).agg(
        ends=("ends", "first"), is_deal=("is_deal", "first"),
        company_kind=("company_kind", "first"), counterpart_kind=("counterpart_kind", "first"),
        n_entries=("entry_id", "size"), entry_ids=("entry_id", lambda s: " ".join(sorted(s)))
    ).reset_index()
    links = links[["company", "company_kind", "counterpart", "counterpart_kind", "ends",
                   "edge_kind", "is_deal", "n_entries", "entry_ids"]]
    party = parties.set_index("party")
    chinese_ends = pd.concat([links["company"],
                              links.loc[links["ends"] == "co-party", "counterpart"]])
    degree = chinese_ends.value_counts()
    keep = set(degree[degree >= min_degree].index)
    for name in list(keep):
        while party.loc[name, "parent"]:
            name = party.loc[name, "parent"]
            keep.add(name)
    co_party = links["ends"] == "co-party"
    links = links[links["company"].isin(keep) & (~co_party | links["counterpart"].isin(keep))]
    links = links.reset_index(drop=True)

    deal_rows = rows[rows["is_deal"]]

    def deals_of(*names: str) -> int:
        mine = deal_rows["company"].isin(names) | deal_rows["counterpart"].isin(names)
        return int(deal_rows.loc[mine, "entry_id"].nunique())

    def links_of(name: str) -> int:
        return int(((links["company"] == name) | (links["counterpart"] == name)).sum())

    chinese = sorted(keep)
    members = {g: [n for n in party.index if party.loc[n, "group"] == g]
               for g in {party.loc[n, "group"] for n in chinese}}
    group_deals = {g: deals_of(*names) for g, names in members.items()}

    def depth(name: str) -> int:
        return 0 if not party.loc[name, "parent"] else 1 + depth(party.loc[name, "parent"])

    left = sorted(chinese, key=lambda n: (-group_deals[party.loc[n, "group"]],
                                          party.loc[n, "group"], depth(n) > 0, -deals_of(n), n))
    others = sorted(set(links.loc[links["ends"] == "counterpart", "counterpart"]),
                    key=lambda n: (-deals_of(n), -links_of(n), n))
    nodes = []
    for side, x, names in ((deals.CHINESE, 0.0, left), (deals.COUNTERPART, 1.0, others)):
        for i, name in enumerate(names):
            nodes.append({"node": name, "side": side, "kind": party.loc[name, "kind"],
                          "parent": party.loc[name, "parent"], "group": party.loc[name, "group"],
                          "deals": deals_of(name), "links": links_of(name), "x": x,
                          "y": round(1.0 - (i + 0.5) / len(names), 6)})
    columns = ["node", "side", "kind", "parent", "group", "deals", "links", "x", "y"]
    return pd.DataFrame(nodes, columns=columns), links


# Figure 3's AI park at fixed positions (axes run -0.15 to 1.15 and -0.2 to 1.12): the park in
# the middle, the three MOU partners around it, CHEC's parent beside CHEC, the land and the
# fund below; the chart places each edge's label clear of these.
AI_PARK_POSITIONS: dict[str, tuple[float, float]] = {
    "SenseTime": (0.15, 0.85), "CHEC": (0.85, 0.85), "CCCC": (1.08, 1.0),
    "AI park": (0.5, 0.5), "G3 Global": (0.5, 0.12),
    "Technology Park Malaysia": (0.95, 0.25), "Malaysia's sovereign wealth fund": (0.05, 0.25),
}
