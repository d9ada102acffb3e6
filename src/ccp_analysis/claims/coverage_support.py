"""The text's decades, trend words and shares about state support, judged against Appendix A
and Figure 1 (huawei_state_support) and Appendix B and Figure 2 (alibaba_state_support);
columns read: item_id, is_primary, period_start_year, period_end_year, entity_type,
instrument, government_level, source_ref.

Both sides are printed by the report, so every verdict is a check of the report against itself
(checked_against = report). Appendix A and B are samples ("a sample", "a small representative
sample"): a text claim they do not bear out means the report's own evidence does not show it.
Items are counted once (is_primary: a figure box repeating an appendix row is left out).
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis.claims import thresholds
from ccp_analysis.claims.registry import (
    REPORT,
    Frames,
    Recomputed,
    frame,
    method,
    no_data,
)

HUAWEI, ALIBABA = "huawei_state_support", "alibaba_state_support"
# Chapter 1: "Alibaba was founded in 1999 in Hangzhou"; the report's own year.
ALIBABA_FOUNDED = 1999
# "A plethora of government grants, low-cost land, and below-market lending": the instruments
# of the coding that are grants, land or state lending (to the firm or to its customers).
GRANTS_LAND_LENDING = ("grant", "land", "loan to the firm", "loan to customers", "credit line")
LOCAL_LEVELS = ("provincial", "municipal", "provincial and municipal")


def _primary(frames: Frames, name: str) -> pd.DataFrame:
    table = frame(frames, name)
    return table[table["is_primary"].astype(bool)]


def _listed(rows: pd.DataFrame) -> str:
    return ", ".join(f"{r.item_id} {_span(r)}" for r in rows.itertuples()) or "none"


def _span(row) -> str:
    start, end = row.period_start_year, row.period_end_year
    if pd.isna(start):
        return "undated"
    return str(int(start)) if start == end else f"{int(start)}-{int(end)}"


def _earliest(rows: pd.DataFrame, what: str) -> Recomputed:
    dated = rows[rows["period_start_year"].notna()]
    if dated.empty:
        return no_data(f"no dated item of {what}", REPORT)
    first = dated.sort_values(["period_start_year", "item_id"]).iloc[0]
    return Recomputed(int(first["period_start_year"]), (
        f"huawei_state_support, the earliest dated item of {what}: {first['item_id']} "
        f"({first['source_ref']}, {_span(first)})"), REPORT)


@method("huawei_support_first_year_at_most")
def huawei_support_first_year_at_most(frames: Frames) -> Recomputed:
    return _earliest(_primary(frames, HUAWEI), "state support (Appendix A and Figure 1)")


@method("commercial_bank_credit_first_year_at_most")
def commercial_bank_credit_first_year_at_most(frames: Frames) -> Recomputed:
    rows = _primary(frames, HUAWEI)
    return _earliest(rows[rows["entity_type"] == "commercial bank"], "a commercial bank")


@method("grants_land_lending_years_missing_late_2010s_at_most")
def grants_land_lending_years_missing_late_2010s_at_most(frames: Frames) -> Recomputed:
    first, last = thresholds.decade_part("late", 2010)
    rows = _primary(frames, HUAWEI)
    rows = rows[rows["instrument"].isin(GRANTS_LAND_LENDING) & rows["period_start_year"].notna()]
    # An item is dated to a year only when its period is that one year: an "in total" amount
    # over 2012-2018 shows money somewhere in the span, not in each of its years.
    single = rows[rows["period_start_year"] == rows["period_end_year"]]
    spans = rows[rows["period_start_year"] != rows["period_end_year"]]
    present = set(single["period_start_year"].astype(int))
    missing = [y for y in range(first, last + 1) if y not in present]
    last_of = {kind: single.loc[single["instrument"].isin(kinds), "period_start_year"].max()
               for kind, kinds in (("grants", ("grant",)), ("land", ("land",)),
                                   ("lending", GRANTS_LAND_LENDING[2:]))}
    inside = single[single["period_start_year"].between(first, last)]
    return Recomputed(len(missing), (
        f"huawei_state_support, grants, land and state lending dated {first}-{last}: "
        f"{_listed(inside)}; years without one: {', '.join(map(str, missing)) or 'none'}; "
        f"latest year of each: "
        f"{', '.join(f'{k} {int(v)}' for k, v in last_of.items() if pd.notna(v))}; spans not "
        f"dated to a year: {_listed(spans)}"), REPORT)


@method("alibaba_age_at_first_central_support")
def alibaba_age_at_first_central_support(frames: Frames) -> Recomputed:
    rows = _primary(frames, ALIBABA)
    central = rows[(rows["government_level"] == "central") & rows["period_start_year"].notna()]
    if central.empty:
        return no_data("no dated central-government item in Appendix B", REPORT)
    first = central.sort_values(["period_start_year", "item_id"]).iloc[0]
    year = int(first["period_start_year"])
    return Recomputed(year - ALIBABA_FOUNDED, (
        f"alibaba_state_support, the earliest central (Beijing) item: {first['item_id']} "
        f"({first['source_ref']}, {year}), {year - ALIBABA_FOUNDED} years after the founding "
        f"year the text prints ({ALIBABA_FOUNDED}); central items: {_listed(central)}"), REPORT)


@method("alibaba_local_share_besides_tax_above")
def alibaba_local_share_besides_tax_above(frames: Frames) -> Recomputed:
    rows = _primary(frames, ALIBABA)
    besides_tax = rows[rows["instrument"] != "tax benefit"]
    if besides_tax.empty:
        return no_data("Appendix B has no item besides tax benefits", REPORT)
    local = besides_tax[besides_tax["government_level"].isin(LOCAL_LEVELS)]
    all_local = rows[rows["government_level"].isin(LOCAL_LEVELS)]
    return Recomputed(100 * len(local) / len(besides_tax), (
        f"alibaba_state_support, Appendix B's items other than tax benefits: {len(local)} of "
        f"{len(besides_tax)} from provincial or municipal governments "
        f"({', '.join(local['item_id'])}); with the tax benefits counted too, {len(all_local)} "
        f"of {len(rows)}"), REPORT)
