"""The tables the figures plot, from the tidy frames; one function per figure.

Each returns exactly what its chart draws, so the CSV a build writes beside a figure holds every
plotted number, and each row still carries ids that lead back to data/processed and data/raw.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis import fx, money, support
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
        # The amount as Huawei reports it, so a USD bar still shows its source value.
        "revenue_cny_bn": (rows["revenue_cny_mn"] / 1000).round(3),
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


def stock_marks(table: pd.DataFrame) -> list[tuple[pd.Timestamp, float, str]]:
    """Figure 5's marked days with their labels: the first value shown, the peak, and the
    lowest value after the peak (when there is a day after it)."""
    first = table.iloc[0]
    peak = table.loc[table["value"].idxmax()]
    after = table[table["date"] > peak["date"]]
    what = "first close" if (table["measure"] == "price").all() else "first value"
    marks = [(first["date"], float(first["value"]), f"{what} {first['value']:,.2f}"),
             (peak["date"], float(peak["value"]),
              f"peak {peak['value']:,.2f} ({peak['date']:%Y-%m-%d})")]
    if len(after):
        trough = after.loc[after["value"].idxmin()]
        marks.append((trough["date"], float(trough["value"]),
                      f"low {trough['value']:,.2f} ({trough['date']:%Y-%m-%d})"))
    return marks


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
