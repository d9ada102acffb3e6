"""Claims about state support: Figure 1 and Figure 2 against Appendix A and B.

Both sides are printed by the report, so every verdict here is a check of the report against
itself (checked_against = report). Frames read: huawei_state_support and alibaba_state_support
(columns item_id, source_ref, year_text, amount_usd, period_start_year, entity, beneficiary,
instrument, amount_formula, tax_rate_pct, standard_tax_rate_pct, raw_text). Periods compared are
the years the report prints (year_text), not the coding's period.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ccp_analysis.claims.registry import (
    INCONSISTENT,
    REPORT,
    Frames,
    Method,
    Recomputed,
    agreement,
    frame,
    method,
    no_data,
    register,
)
from ccp_analysis.data.parsing import periods

HUAWEI, ALIBABA = "huawei_state_support", "alibaba_state_support"
# Figure 1's box: "RWR ... identified 32 cases between 2012 and 2018 ... In total, China Exim
# bank has provided $2.8 billion ... and CDB has contributed $7 billion": the totals' printed
# period is that of the 32 cases, as the box prints no year for them.
RWR_CASES_ITEM = "F1-09"
_NUMBER = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")


def _item(table: pd.DataFrame, item_id: str) -> pd.Series:
    rows = table[table["item_id"] == item_id]
    if len(rows) != 1:
        raise KeyError(f"support item {item_id!r} is not in the frame once")
    return rows.iloc[0]


def _unamounted(*rows: pd.Series) -> Recomputed | None:
    """A comparison of amounts needs both: a coding without a USD amount gives no verdict
    rather than a false inconsistency."""
    missing = [r["item_id"] for r in rows if pd.isna(r["amount_usd"])]
    if not missing:
        return None
    return no_data(f"the coding gives no USD amount for {', '.join(missing)}", REPORT)


def _period(row: pd.Series) -> tuple[int, int] | None:
    """The years the report prints for the item (its year_text), not the coding's period,
    which may widen a printed year to the span another part of the report gives the same
    amount: these checks compare what the report prints."""
    if not row["year_text"].strip():
        return None
    printed = periods.parse_period(row["year_text"])
    return printed.start_year, printed.end_year


def _shown(period: tuple[int, int] | None) -> str:
    if period is None:
        return "no period"
    return str(period[0]) if period[0] == period[1] else f"{period[0]}-{period[1]}"


def _pair_amount(claim_item: str, other_item: str, scale: float, label: str,
                 check_year: bool = True) -> Method:
    """Amount of `other_item`, judged against `claim_item`'s by the row's tolerance. Where both
    print a year (and the year is not a claim of its own) and the years differ, the two rows
    tell different periods and no amount is compared: the value is then a text naming both."""

    def recompute(frames: Frames) -> Recomputed:
        table = frame(frames, HUAWEI if claim_item.startswith(("A", "F1")) else ALIBABA)
        mine, other = _item(table, claim_item), _item(table, other_item)
        if (missing := _unamounted(mine, other)) is not None:
            return missing
        spans = _period(mine), _period(other)
        both_dated = check_year and None not in spans
        if not check_year:
            dated = " (amounts only: the year is a claim of its own)"
        elif both_dated:
            dated = f", printed periods {_shown(spans[0])} vs {_shown(spans[1])}"
        else:
            dated = " (only one of them gives a year)"
        explanation = (
            f"{mine['source_ref']} ({claim_item}) prints {mine['amount_usd'] / scale:g} {label}, "
            f"{other['source_ref']} ({other_item}) {other['amount_usd'] / scale:g} {label}{dated}")
        if both_dated and spans[0] != spans[1]:
            return Recomputed(f"{other['amount_usd'] / scale:g} for {_shown(spans[1])}",
                              explanation, REPORT, INCONSISTENT,
                              "the report prints the item for two periods")
        return Recomputed(other["amount_usd"] / scale, explanation, REPORT)

    return recompute


_PAIRS = {
    # method: (item the claim quotes, item it must agree with, scale, unit label[, check_year])
    "huawei_cdb_credit_line_amount_vs_appendix_a": ("F1-03", "A04", 1e9, "USD bn", False),
    "huawei_america_movil_loan_vs_appendix_a": ("F1-06", "A03", 1e9, "USD bn"),
    "huawei_rcomm_loan_vs_appendix_a": ("F1-07", "A06", 1e9, "USD bn"),
    "huawei_qualcomm_fine_vs_appendix_a": ("F1-08", "A17", 1e6, "USD mn"),
    "huawei_china_mobile_award_vs_appendix_a": ("F1-12", "A23", 1e9, "USD bn"),
    "alibaba_tax_benefit_vs_appendix_b": ("F2-01", "B02", 1e6, "USD mn"),
}
for _name, _args in _PAIRS.items():
    register(_name, _pair_amount(*_args))


def _parts_of_total(figure_item: str, total_row: str, lender: str, as_printed: bool) -> Method:
    """Appendix A's loans by `lender` to Huawei's customers printed within the period of a
    Figure 1 "in total" amount, in USD bn: an "in total" figure contains the items it sums, so
    they cannot exceed it. `as_printed`: Appendix A's row with the total's amount counts as the
    loan of the year it prints (unless it prints the total's whole period, when it is the total
    itself); otherwise it is read as the same total, misdated, and left out."""

    def recompute(frames: Frames) -> Recomputed:
        table = frame(frames, HUAWEI)
        figure = _item(table, figure_item)
        period = _period(figure) or _period(_item(table, RWR_CASES_ITEM))
        start, end = period
        total = _item(table, total_row)
        keep_total = as_printed and _period(total) != period
        printed = table["year_text"].map(
            lambda text: float(periods.parse_period(text).start_year) if text.strip()
            else math.nan)
        rows = table[table["item_id"].str.match(r"^A\d")
                     & ((table["item_id"] != total_row) | keep_total)
                     & (table["entity"] == lender) & (table["beneficiary"] == "customers")
                     & printed.between(start, end) & table["amount_usd"].notna()]
        listed = ", ".join(f"{r['item_id']} {r['year_text']} {r['amount_usd'] / 1e6:g} mn"
                           for _, r in rows.iterrows())
        how = (f"{total_row} counted as the loan of the year it prints ({total['year_text']})"
               if keep_total else f"{total_row}, the total itself, left out")
        return Recomputed(rows["amount_usd"].sum() / 1e9, (
            f"Appendix A's loans by {lender} to Huawei's customers printed for {start}-{end} "
            f"({how}): {listed or 'none'}; Figure 1 ({figure_item}) gives "
            f"{figure['amount_usd'] / 1e9:g} USD bn in total"), REPORT)

    return recompute


register("huawei_exim_loans_as_printed_at_most",
         _parts_of_total("F1-10", "A08", "China Exim Bank", as_printed=True))
register("huawei_cdb_loans_as_printed_at_most",
         _parts_of_total("F1-11", "A09", "China Development Bank", as_printed=True))
register("huawei_exim_loans_in_total_at_most",
         _parts_of_total("F1-10", "A08", "China Exim Bank", as_printed=False))
register("huawei_cdb_loans_in_total_at_most",
         _parts_of_total("F1-11", "A09", "China Development Bank", as_printed=False))


@method("huawei_cdb_customer_loans_vs_appendix_a")
def huawei_cdb_customer_loans_vs_appendix_a(frames: Frames) -> Recomputed:
    # Figure 1: "$10 billion has been loaned to Huawei's customers" (cumulative, at an undated
    # letter); Appendix A row 7: "$10 billion total loans ... for the year" 2011. Like periods:
    # Appendix A's CDB loans to Huawei's customers up to and including that year, cumulated.
    table = frame(frames, HUAWEI)
    figure, appendix = _item(table, "F1-01"), _item(table, "A07")
    if (missing := _unamounted(figure, appendix)) is not None:
        return missing
    year = _period(appendix)[0]
    appendix_rows = table[table["item_id"].str.match(r"^A\d")]
    loans = appendix_rows[
        appendix_rows["entity"].str.contains("China Development Bank|CDB", regex=True)
        & (appendix_rows["beneficiary"] == "customers")
        & (appendix_rows["instrument"] == "loan to customers")
        & (appendix_rows["period_start_year"] <= year) & appendix_rows["amount_usd"].notna()]
    # A loan CDB made with other lenders (A06: "China Exim Bank, CDB, ICBC") states no CDB
    # part, so none of it is certainly CDB's: named, not added.
    alone = loans["entity"].str.fullmatch("China Development Bank|CDB")
    to_date, joint = loans[alone], loans[~alone]

    def shown(rows: pd.DataFrame) -> str:
        return ", ".join(f"{r['item_id']} {r['period_start_year']} {r['amount_usd'] / 1e9:g} bn"
                         for _, r in rows.iterrows())

    listed = shown(to_date[to_date["item_id"] != "A07"])
    return Recomputed(
        to_date["amount_usd"].sum() / 1e9,
        f"Figure 1 (F1-01) gives {figure['amount_usd'] / 1e9:g} USD bn as loaned to date "
        f"(cumulative, undated); Appendix A's loans of CDB alone to Huawei customers up to "
        f"{year}, cumulated: row 7 (A07) {appendix['amount_usd'] / 1e9:g} USD bn 'for the year' "
        f"{year}, and before it {listed or 'none'}"
        + ("; not added, CDB one lender among others and its part not stated: "
           + "; ".join(f"{shown(joint.loc[[i]])} ({joint.at[i, 'entity']})"
                       for i in joint.index) if len(joint) else ""), REPORT)


@method("huawei_cdb_credit_line_year_vs_appendix_a")
def huawei_cdb_credit_line_year_vs_appendix_a(frames: Frames) -> Recomputed:
    table = frame(frames, HUAWEI)
    figure, appendix = _item(table, "F1-03"), _item(table, "A04")
    fig_year, app_year = _period(figure)[0], _period(appendix)[0]
    return Recomputed(app_year, (
        f"Figure 1 (F1-03) dates the $30 billion CDB credit line {fig_year}, Appendix A row 4 "
        f"(A04) dates it {app_year}"), REPORT)


def _year_within(figure_item: str, appendix_item: str) -> Method:
    """A Figure item's year against the period of the Appendix row telling the same support."""

    def recompute(frames: Frames) -> Recomputed:
        table = frame(frames, HUAWEI)
        figure, appendix = _item(table, figure_item), _item(table, appendix_item)
        year, span = _period(figure)[0], _period(appendix)
        return Recomputed(span[0] if span and span[0] == span[1] else None, (
            f"{figure['source_ref']} ({figure_item}) dates it {year}; {appendix['source_ref']} "
            f"({appendix_item}) dates it {_shown(span)}"), REPORT)

    return recompute


register("huawei_shenzhen_bonus_year_vs_appendix_a", _year_within("F1-13", "A20"))


@method("huawei_lucent_lab_in_appendix_a_span")
def huawei_lucent_lab_in_appendix_a_span(frames: Frames) -> Recomputed:
    table = frame(frames, HUAWEI)
    figure, appendix = _item(table, "F1-05"), _item(table, "A01")
    year = _period(figure)[0]
    # the printed span's words ("Late 1990s and early 2000s") as coded
    span = int(appendix["period_start_year"]), int(appendix["period_end_year"])
    # The year of the span nearest the figure's: the figure's own year when it falls within.
    nearest = min(max(year, span[0]), span[1])
    return Recomputed(nearest, (
        f"Figure 1 (F1-05) dates the Huawei-Lucent joint lab {year}; Appendix A row 1 (A01, "
        f"'{appendix['year_text']}') covers {_shown(span)} as coded; the year of that span "
        f"nearest {year} is {nearest}"), REPORT)


@method("huawei_china_mobile_award")
def huawei_china_mobile_award(frames: Frames) -> Recomputed:
    table = frame(frames, HUAWEI)
    appendix, figure = _item(table, "A23"), _item(table, "F1-12")
    value = appendix["amount_usd"] / 1e9
    return Recomputed(value, (
        f"Appendix A row 23 derives {appendix['amount_formula']} = {value:g} bn; Figure 1 "
        f"(F1-12) gives {figure['amount_usd'] / 1e9:g} bn"), REPORT)


@method("huawei_china_mobile_award_at_least")
def huawei_china_mobile_award_at_least(frames: Frames) -> Recomputed:
    appendix = _item(frame(frames, HUAWEI), "A23")
    return Recomputed(appendix["amount_usd"] / 1e9, (
        f"Appendix A row 23: {appendix['amount_formula']} = {appendix['amount_usd'] / 1e9:g} USD "
        "bn awarded to Huawei"), REPORT)


def _numbers(text: str) -> list[str]:
    return sorted(n.replace(",", "") for n in _NUMBER.findall(text))


def _figure2_box(figure_item: str, appendix_item: str) -> Method:
    """A Figure 2 box against its Appendix B row: the same year and the same printed numbers."""

    def recompute(frames: Frames) -> Recomputed:
        table = frame(frames, ALIBABA)
        figure, appendix = _item(table, figure_item), _item(table, appendix_item)
        # The box's own year is printed in its words ("In 2016, ..."); compare the rest.
        fig_numbers = [n for n in _numbers(figure["raw_text"]) if n != figure["year_text"]]
        app_numbers = _numbers(appendix["raw_text"])
        spans = _period(figure), _period(appendix)
        equal = fig_numbers == app_numbers and spans[0] == spans[1]
        # Where either prints a number, a text value: the year and the numbers are compared
        # together, as printed; otherwise the year alone, judged as years are.
        if not fig_numbers and not app_numbers and spans[1] is not None:
            return Recomputed(spans[1][0], (
                f"{figure['source_ref']} ({figure_item}): {_shown(spans[0])}; "
                f"{appendix['source_ref']} ({appendix_item}): {_shown(spans[1])}; neither "
                "prints a number"), REPORT)
        printed = "; ".join([_shown(spans[1]), *app_numbers])
        return Recomputed(
            printed,
            f"{figure['source_ref']} ({figure_item}): {_shown(spans[0])}, numbers "
            f"{fig_numbers or 'none'}; {appendix['source_ref']} ({appendix_item}): "
            f"{_shown(spans[1])}, numbers {app_numbers or 'none'}",
            REPORT, agreement(equal),
            "year and numbers agree" if equal else "the box and the appendix row differ")

    return recompute


register("alibaba_hangzhou_box_vs_appendix_b", _figure2_box("F2-02", "B08"))
register("alibaba_shenzhen_box_vs_appendix_b", _figure2_box("F2-03", "B09"))
register("alibaba_chongqing_box_vs_appendix_b", _figure2_box("F2-04", "B07"))


@method("alibaba_shenzhen_rate_vs_appendix_b")
def alibaba_shenzhen_rate_vs_appendix_b(frames: Frames) -> Recomputed:
    table = frame(frames, ALIBABA)
    figure = float(_item(table, "F2-03")["tax_rate_pct"])
    appendix = float(_item(table, "B09")["tax_rate_pct"])
    return Recomputed(appendix, (
        f"Figure 2, Shenzhen (F2-03) prints a {figure:g}% local rate, Appendix B row 9 (B09) "
        f"{appendix:g}%"), REPORT)


@method("alibaba_effective_tax_rate_below")
def alibaba_effective_tax_rate_below(frames: Frames) -> Recomputed:
    table = frame(frames, ALIBABA)
    # B05 (2014) and B10 (2016) are the rates Appendix B states for Alibaba itself; B09's 15%
    # is Shenzhen's rate for tech firms in general, so it is left out.
    rates = {i: _item(table, i)["tax_rate_pct"] for i in ("B05", "B10")}
    standard = _item(table, "B05")["standard_tax_rate_pct"]
    high = max(rates.values())
    return Recomputed(high, (
        f"alibaba_state_support: the higher of Appendix B's effective rates for Alibaba "
        f"({', '.join(f'{k} {v:g}%' for k, v in rates.items())}), {standard - high:g} points "
        f"under the standard {standard:g}% of B05"), REPORT)


@method("alibaba_effective_rate_vs_appendix_b")
def alibaba_effective_rate_vs_appendix_b(frames: Frames) -> Recomputed:
    # Chapter 1: "consistently reported an effective tax rate of 10 percent"; Appendix B prints
    # the rates for Alibaba itself in rows 5 (2014, 9.9%) and 10 (2016, "roughly 10%"). The
    # value is the one farthest from the text's, so every printed rate must agree with it.
    table = frame(frames, ALIBABA)
    rows = {i: _item(table, i) for i in ("B05", "B10")}
    rates = {i: float(row["tax_rate_pct"]) for i, row in rows.items()}
    farthest = max(rates.values(), key=lambda rate: abs(rate - 10))
    listed = ", ".join(f"{i} {rows[i]['year_text']} {rate:g}%" for i, rate in rates.items())
    return Recomputed(farthest, (
        f"alibaba_state_support: Appendix B's effective PRC rates for Alibaba ({listed}); the "
        f"one farthest from the text's 10% is {farthest:g}%"), REPORT)


_OVER = re.compile(r"over (\d+)")
# The audit's rule for "hundreds of ...", the same everywhere: at least two hundred of them.
# Appendix A row 20's "multi-hundred-thousand-dollar" says the same ("multi-": more than one).
_HUNDREDS_OF_THOUSANDS = re.compile(r"[Mm]ulti-hundred-thousand-dollar|hundreds of thousands "
                                    r"of dollars")


def _bonus_rows(frames: Frames) -> tuple[pd.Series, pd.Series]:
    table = frame(frames, HUAWEI)
    return _item(table, "F1-13"), _item(table, "A20")


@method("huawei_shenzhen_engineers_vs_appendix_a")
def huawei_shenzhen_engineers_vs_appendix_a(frames: Frames) -> Recomputed:
    figure, appendix = _bonus_rows(frames)
    found = _OVER.search(appendix["raw_text"])
    if found is None:
        return no_data("Appendix A row 20 gives no 'over N' engineers", REPORT)
    in_figure = _OVER.search(figure["raw_text"])
    return Recomputed(int(found.group(1)), (
        f"Appendix A row 20 (A20, {appendix['year_text']}): '{found.group(0)} of Huawei's top "
        f"engineers'; Figure 1 (F1-13): '{in_figure.group(0) if in_figure else 'no count'}'"),
        REPORT)


@method("huawei_shenzhen_bonus_size_vs_appendix_a")
def huawei_shenzhen_bonus_size_vs_appendix_a(frames: Frames) -> Recomputed:
    figure, appendix = _bonus_rows(frames)
    amount = re.search(r"\$(\d[\d,]*)", appendix["raw_text"])
    if amount is not None:  # a printed amount per engineer is compared as it is
        value = int(amount.group(1).replace(",", ""))
        return Recomputed(value, f"Appendix A row 20 (A20) prints {amount.group(0)}", REPORT)
    found = _HUNDREDS_OF_THOUSANDS.search(appendix["raw_text"])
    if found is None:
        return no_data("Appendix A row 20 gives the bonuses no size", REPORT)
    return Recomputed(200_000, (
        f"Appendix A row 20 (A20): '{found.group(0)} bonuses', at least $200,000 each by the "
        "audit's rule for 'hundreds' (at least two hundred), the same lower bound as Figure 1's "
        "'hundreds of thousands of dollars'; neither prints an amount"), REPORT)


@method("huawei_policy_bank_loans_2012_2018_at_most")
def huawei_policy_bank_loans_2012_2018_at_most(frames: Frames) -> Recomputed:
    # Figure 1: RWR "identified 32 cases between 2012 and 2018 wherein either China Exim bank or
    # China Development Bank funded Huawei projects"; Appendix A's single loans by those banks
    # printed for 2012-2018 must be among them, so no more than 32. The totals (rows 8 and 9)
    # are the sums of the cases, not cases.
    table = frame(frames, HUAWEI)
    start, end = _period(_item(table, RWR_CASES_ITEM))
    printed = table["year_text"].map(
        lambda text: float(periods.parse_period(text).start_year) if text.strip()
        else math.nan)
    rows = table[table["item_id"].str.match(r"^A\d") & ~table["item_id"].isin(["A08", "A09"])
                 & table["entity"].isin(["China Exim Bank", "China Development Bank"])
                 & printed.between(start, end)]
    return Recomputed(len(rows), (
        f"Appendix A's single China Exim Bank and CDB loans printed for {start}-{end}: "
        f"{', '.join(f'{r.item_id} {r.year_text}' for r in rows.itertuples()) or 'none'}; the "
        "RWR case list itself is not in the data, so this shows only that Appendix A does not "
        "list more cases than Figure 1 counts"), REPORT)
