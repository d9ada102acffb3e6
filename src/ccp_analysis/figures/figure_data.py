"""The tables the figures plot, from the tidy frames; one function per figure.

Each returns exactly what its chart draws, so the CSV a build writes beside a figure holds every
plotted number, and each row still carries ids that lead back to data/processed and data/raw.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ccp_analysis.data import schemas, spans
from ccp_analysis.errors import MissingDataWarning, ParameterError

CONSERVATIVE = "conservative"
UPPER = "upper"
BOUNDS = (CONSERVATIVE, UPPER)
# Each bound's rule in the words every label, legend, caption and table uses (docs/figure1.md);
# `bound_rule` and `bound_labels` add what the chosen inclusion rules leave out, so a label
# stays true whatever the parameters.
BOUND_RULES = {
    CONSERVATIVE: "each dollar once under every reading the project codes: money only (no "
    "credit-line ceiling), no loan that may sit inside a counted total, and of a loan tied only "
    "partly to Huawei only the part its words tie to Huawei",
    UPPER: "every stated amount once: ceilings, totals and the loans they may hold, and partly "
    "linked loans in full",
}
BOUND_LABELS = {
    CONSERVATIVE: "conservative: each dollar once under every reading coded (no ceiling)",
    UPPER: "upper: every stated amount once",
}


def left_out(*, include_credit_lines: bool = True, include_customer_financing: bool = True,
             include_derived: bool = True, include_fines: bool = False, **_: object) -> str:
    """What the inclusion rules take out of both bounds, in words ('' when nothing)."""
    out = [words for chosen, words in (
        (include_credit_lines, "credit-line ceilings"),
        (include_customer_financing, "financing for Huawei's customers"),
        (include_derived, "derived shares (A23)"),
        (include_fines, "the fine on Qualcomm, which is not support")) if not chosen]
    return " and ".join([", ".join(out[:-1]), out[-1]]) if len(out) > 1 else "".join(out)


def bound_rule(bound: str, **rules: object) -> str:
    left = left_out(**rules)
    derived = "" if not rules.get("include_derived", True) else "; derived shares included"
    return BOUND_RULES[bound] + (derived if bound == UPPER else "") + (
        f"; left out: {left}" if left else "")


def bound_labels(**rules: object) -> dict[str, str]:
    """The legend's words for each bound under the chosen inclusion rules."""
    left = left_out(**rules)
    return {CONSERVATIVE: BOUND_LABELS[CONSERVATIVE],
            UPPER: BOUND_LABELS[UPPER] + (f", except {left}" if left else "")}


# Why an item's amount is or is not in a total (column counted_reason).
COUNTED = "counted"
COUNTED_PART = "counted in part"
NO_AMOUNT = "no USD amount stated"

# What an amount measures, by instrument: Figure 1 shows these apart and never adds them up
# without saying so. Every instrument not named here is a transfer to the firm.
LOANS = "loans to Huawei's customers"
TRANSFERS = "transfers to Huawei"
CONTRACTS = "contract value Huawei won"
CEILINGS = "credit-line ceilings"
FINES = "fines on competitors"
MEASURES = (LOANS, TRANSFERS, CONTRACTS, CEILINGS, FINES)
_MEASURE_OF = {"loan to customers": LOANS, "contract award": CONTRACTS,
               "credit line": CEILINGS, "fine on a competitor": FINES}
MEASURE_NOTES = {
    LOANS: "face value of the loans",
    # Every instrument the transfers hold (grant, land, personnel bonus, joint
    # venture/technology transfer, loan to the firm); Appendix A itemises no tax relief.
    TRANSFERS: "grants, land, bonuses, technology transfer, a loan to Huawei itself",
    CONTRACTS: "value of contracts won, not a subsidy",
    CEILINGS: "limits on lending, not money lent",
    FINES: "fines paid by competitors, not money to Huawei",
}


# What each of the text's USD estimates measures, in the quote's own terms: the chart and
# caption name it, so neither reads as another total of Figure 1's items.
ESTIMATE_MEASURES = {
    "E01": "tax saved via tech-related tax incentives",
    "E02": "total state support, mainly credit facilities and tax breaks",
}


def estimate_label(estimate: pd.Series) -> str:
    """'tax saved via tech-related tax incentives (One prominent study, between 2008 and
    2018)': what the estimate measures, then who made it and for when."""
    if estimate["estimate_id"] not in ESTIMATE_MEASURES:
        raise ParameterError(f"state_support_estimates, estimate {estimate['estimate_id']}: no "
                             "measure is coded for it in figure_data.ESTIMATE_MEASURES")
    who = estimate["attributed_to"] + (f", {estimate['period_text']}"
                                       if estimate["period_text"] else "")
    return f"{ESTIMATE_MEASURES[estimate['estimate_id']]} ({who})"


def measure(instrument: str) -> str:
    return _MEASURE_OF.get(instrument, TRANSFERS)


def _excluded(row: pd.Series, *, include_credit_lines: bool, include_customer_financing: bool,
              include_derived: bool, include_fines: bool) -> str:
    """Why the inclusion rules leave an item out ('' when they keep it)."""
    kind = row["amount_kind"]
    if pd.isna(row["amount_usd"]):
        return NO_AMOUNT
    if kind == schemas.LIMIT and not include_credit_lines:
        return "credit-line limits not chosen"
    if row["beneficiary"] == "customers" and not include_customer_financing:
        return "customer financing not chosen"
    if row["amount_basis"] == schemas.DERIVED and not include_derived:
        return "derived amounts not chosen"
    if kind == schemas.NOT_TO_FIRM and not include_fines:
        return "not money to the firm (a fine on a competitor)"
    return ""


def select_support(frame: pd.DataFrame, relations: pd.DataFrame, *, year_start: int,
                   year_end: int, include_credit_lines: bool = True,
                   include_customer_financing: bool = True, include_derived: bool = True,
                   include_fines: bool = False, bound: str = CONSERVATIVE,
                   readings: tuple[str, ...] = schemas.READINGS,
                   ceiling_in_place: bool = False) -> pd.DataFrame:
    """Primary support items (figure repeats dropped) in a year range, each with its measure,
    the amount it adds to the chosen bound (`counted_usd`, NaN where it adds nothing) and why.

    An item is in a year range when its period overlaps it. The upper bound counts every
    amount the inclusion rules keep, once. The conservative bound (the default) counts only
    what none of the `readings` (state_support_relations) can double, each reading applied to
    every relation coded under it: no credit-line ceiling (money only), no item that may sit
    inside a counted aggregate or be drawn under a counted ceiling, and of a partly linked item
    only its linked part. `ceiling_in_place` is the other choice for the credit-line reading:
    count each ceiling and leave out every loan that may be drawn under it.
    """
    if year_end < year_start:
        raise ParameterError(f"year_end {year_end} is before year_start {year_start}")
    if bound not in BOUNDS:
        raise ParameterError(f"bound {bound!r} is not known; accepted: {', '.join(BOUNDS)}")
    unknown = sorted(set(readings) - set(schemas.READINGS))
    if unknown:
        raise ParameterError(f"reading {unknown[0]!r} is not known; accepted: "
                             + ", ".join(schemas.READINGS))
    items = frame[frame["is_primary"]].copy()
    overlaps = (items["period_start_year"] <= year_end) & (items["period_end_year"] >= year_start)
    items = items[overlaps.fillna(False).astype(bool)].reset_index(drop=True)
    items["measure"] = items["instrument"].map(measure)
    rules = {"include_credit_lines": include_credit_lines,
             "include_customer_financing": include_customer_financing,
             "include_derived": include_derived, "include_fines": include_fines}
    reasons = {row["item_id"]: _excluded(row, **rules) for _, row in items.iterrows()}
    amounts = dict(zip(items["item_id"], items["amount_usd"], strict=True))
    if bound == CONSERVATIVE:
        for _, row in items[items["amount_kind"] == schemas.LIMIT].iterrows():
            if not reasons[row["item_id"]] and not ceiling_in_place:
                reasons[row["item_id"]] = ("a credit-line ceiling, not money lent: the loans that "
                                           "may be drawn under it count instead")
        applied = relations[relations["reading"].isin(readings)
                            & relations["item_id"].isin(reasons)]
        _apply_relations(applied, reasons, amounts)
    counted = [amounts[i] if not reasons[i] or reasons[i].startswith(COUNTED_PART) else np.nan
               for i in items["item_id"]]
    return items.assign(counted_usd=counted,
                        counted_reason=[reasons[i] or COUNTED for i in items["item_id"]])


def _apply_relations(applied: pd.DataFrame, reasons: dict[str, str],
                     amounts: dict[str, float]) -> None:
    """The conservative bound's overlap rules, in place. An item is left out when a relation
    names a target that is counted, or itself left out for sitting inside a counted one (so
    what a counted total may hold is never counted twice, however deep)."""
    inside: dict[str, list[pd.Series]] = {}
    for _, rel in applied.iterrows():
        if rel["relation"] == schemas.PARTLY_LINKED:
            item = rel["item_id"]
            if not reasons[item]:
                part = rel["linked_usd"]
                amounts[item] = part if pd.notna(part) else 0.0
                reasons[item] = (f"{COUNTED_PART}: only {rel['linked_amount_text']} is tied to "
                                 "Huawei" if pd.notna(part)
                                 else "partly linked: no part is tied to Huawei alone")
        else:
            inside.setdefault(rel["item_id"], []).append(rel)

    def covered(item: str, seen: frozenset[str]) -> str:
        """The counted container `item` may sit in, '' if none."""
        for rel in inside.get(item, []):
            target = rel["target"]
            if target not in reasons or target in seen:
                continue
            if not reasons[target] or covered(target, seen | {item}):
                return target
        return ""

    words = {schemas.CREDIT_LINE: "may be drawn under the counted ceiling {}",
             schemas.TO_DATE: "may be inside {}, read as loaned to date",
             schemas.IN_TOTAL: "may be inside the 'in total' amount {}"}
    found = {item: covered(item, frozenset()) for item in sorted(inside)}
    for item, target in found.items():
        if target and (not reasons[item] or reasons[item].startswith(("partly", COUNTED_PART))):
            reading = next(r["reading"] for r in inside[item] if r["target"] == target)
            reasons[item] = words[reading].format(target)


def support_totals(frame: pd.DataFrame, relations: pd.DataFrame, by: str, *, year_start: int,
                   year_end: int, **rules: object) -> pd.DataFrame:
    """Conservative and upper USD billion per value of `by` ('measure', 'channel'), with the
    items each counts.

    Groups where neither bound counts any amount (only unquantified or excluded items) are
    left out, so no chart draws an empty bar; the caption counts those items from
    `select_support`.
    """
    low = select_support(frame, relations, year_start=year_start, year_end=year_end,
                         bound=CONSERVATIVE, **rules)
    high = select_support(frame, relations, year_start=year_start, year_end=year_end,
                          bound=UPPER, **{k: v for k, v in rules.items()
                                          if k not in ("readings", "ceiling_in_place")})
    rows = []
    for group in sorted(set(low[by])):
        lo, hi = low[low[by] == group], high[high[by] == group]
        lo_ids = sorted(lo.loc[lo["counted_usd"] > 0, "item_id"])
        hi_ids = sorted(hi.loc[hi["counted_usd"] > 0, "item_id"])
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
    if by == "measure":
        order = {m: i for i, m in enumerate(MEASURES)}
        return table.sort_values("group", key=lambda g: g.map(order), ignore_index=True)
    return table.sort_values(["upper_usd_bn", "group"], ascending=[False, True],
                             ignore_index=True)


def _total(frame: pd.DataFrame, relations: pd.DataFrame, bound: str,
           **kwargs: object) -> tuple[float, str]:
    if bound == UPPER:
        kwargs = {k: v for k, v in kwargs.items() if k not in ("readings", "ceiling_in_place")}
    items = select_support(frame, relations, bound=bound, **kwargs)
    ids = " ".join(sorted(items.loc[items["counted_usd"] > 0, "item_id"]))
    return round(items["counted_usd"].sum() / 1e9, 4), ids


def support_bounds(frame: pd.DataFrame, relations: pd.DataFrame, *, year_start: int,
                   year_end: int, **rules: object) -> pd.DataFrame:
    """The itemised total as a range, each bound with the items it counts and its rule."""
    rows = []
    for bound in BOUNDS:
        total, ids = _total(frame, relations, bound, year_start=year_start, year_end=year_end,
                            **rules)
        rows.append({"bound": bound, "total_usd_bn": total, "item_ids": ids,
                     "rule": bound_rule(bound, **rules)})
    return pd.DataFrame(rows)


def summed_measures(by_measure: pd.DataFrame, bound: str) -> list[str]:
    """The measures a bound's total adds up (those it counts an amount of)."""
    column = f"{bound}_usd_bn"
    return list(by_measure.loc[by_measure[column] > 0, "group"])


RELATION_WORDS = {schemas.DRAWN_UNDER: "may be drawn under", schemas.CONTAINED_IN: "may be inside",
                  schemas.PARTLY_LINKED: "only partly tied to Huawei"}


def _relation_coding(relations: pd.DataFrame, item: str) -> tuple[str, str]:
    """An item's coded relations in words, one a line: the reading, stated or inferred, what
    it says ('may be inside A07'; for a ceiling or a total, 'may hold A02, A03'); and the
    report's words each of its own relations rests on."""
    rows = relations[relations["item_id"] == item].sort_values(["reading", "target"])
    coding, quoted = [], []
    for _, rel in rows.iterrows():
        what = RELATION_WORDS[rel["relation"]]
        target = "" if rel["relation"] == schemas.PARTLY_LINKED else f" {rel['target']}"
        part = (f" (part tied to Huawei: {rel['linked_amount_text']})"
                if pd.notna(rel["linked_amount_text"]) and rel["linked_amount_text"] else "")
        coding.append(f"{rel['reading']} ({rel['basis']}): {what}{target}{part}")
        quoted.append(f"{rel['reading']}: {rel['evidence']}")
    # The other side: the items coded as possibly inside this one, by reading.
    held = relations[(relations["target"] == item)
                     & (relations["relation"] != schemas.PARTLY_LINKED)]
    for (reading, basis), group in held.groupby(["reading", "basis"], sort=True):
        coding.append(f"{reading} ({basis}): may hold {', '.join(sorted(group['item_id']))}")
    return "\n".join(coding), "\n".join(quoted)


def support_items_table(frame: pd.DataFrame, relations: pd.DataFrame, *, year_start: int,
                        year_end: int, **rules: object) -> pd.DataFrame:
    """Figure 1 item by item: every primary item in the span with its measure, its amount in
    the report's words, the words of its Appendix A row or Figure 1 box, what each bound counts
    of it and why (`conservative_reason`, `upper_reason`), and the relation coding
    (state_support_relations) that counts it or leaves it out: each relation's reading, basis
    (stated or inferred) and the report's words. Amounts in USD, unrounded: Figure 1's bars are
    sums of these rows (`support_figure_table`)."""
    low = select_support(frame, relations, year_start=year_start, year_end=year_end,
                         bound=CONSERVATIVE, **rules)
    high = select_support(frame, relations, year_start=year_start, year_end=year_end,
                          bound=UPPER, **{k: v for k, v in rules.items()
                                          if k not in ("readings", "ceiling_in_place")})
    high = high.set_index("item_id")
    shown = relations[relations["item_id"].isin(low["item_id"])]
    codings = [_relation_coding(shown, item) for item in low["item_id"]]
    table = pd.DataFrame({
        "item_id": low["item_id"], "source_ref": low["source_ref"], "measure": low["measure"],
        "instrument": low["instrument"], "entity": low["entity"], "year_text": low["year_text"],
        "amount_usd": low["amount_usd"], "amount_text": low["amount_text"],
        "words": low["raw_text"], "amount_kind": low["amount_kind"],
        "conservative_usd": low["counted_usd"], "conservative_reason": low["counted_reason"],
        "upper_usd": low["item_id"].map(high["counted_usd"]),
        "upper_reason": low["item_id"].map(high["counted_reason"]),
        "relations": [c for c, _ in codings], "relation_words": [w for _, w in codings],
    })
    order = {m: i for i, m in enumerate(MEASURES)}
    return table.sort_values(["measure", "item_id"], key=lambda c: c.map(order)
                             if c.name == "measure" else c, ignore_index=True)


def _counted_ids(items: pd.DataFrame, bound: str) -> str:
    return " ".join(sorted(items.loc[items[f"{bound}_usd"] > 0, "item_id"]))


def support_figure_table(frame: pd.DataFrame, relations: pd.DataFrame,
                         estimates: pd.DataFrame, *, year_start: int, year_end: int,
                         items: pd.DataFrame | None = None, **rules: bool) -> pd.DataFrame:
    """Figure 1 as drawn, tidy: each measure's conservative and upper amounts; the two totals,
    each saying which measures it adds up; the text's USD estimates, a different measure.

    Every bar is a sum of the rows of `support_items_table` (`items`, computed when not
    given), so the item-level table a build exports holds what each bar adds up."""
    if items is None:
        items = support_items_table(frame, relations, year_start=year_start,
                                    year_end=year_end, **rules)
    rows = []
    for group in MEASURES:
        mine = items[items["measure"] == group]
        if not _counted_ids(mine, CONSERVATIVE) and not _counted_ids(mine, UPPER):
            continue  # no amount counted: no empty bar (the caption counts those items)
        for bound in BOUNDS:
            rows.append({"panel": "measure", "row": group, "bound": bound,
                         "usd_bn": round(mine[f"{bound}_usd"].sum() / 1e9, 4),
                         "item_ids": _counted_ids(mine, bound), "n_items": len(mine),
                         "n_unquantified": int((mine["conservative_reason"] == NO_AMOUNT).sum()),
                         "what": MEASURE_NOTES[group]})
    by_measure = pd.DataFrame(rows, columns=["row", "bound", "usd_bn"])
    for bound in BOUNDS:
        summed = list(by_measure.loc[(by_measure["bound"] == bound) & (by_measure["usd_bn"] > 0),
                                     "row"])
        rows.append({"panel": "total", "row": f"{bound} total", "bound": bound,
                     "usd_bn": round(items[f"{bound}_usd"].sum() / 1e9, 4),
                     "item_ids": _counted_ids(items, bound), "n_items": 0,
                     "n_unquantified": 0,
                     "what": "this project's sum of " + " + ".join(summed) + ": "
                     + bound_rule(bound, **rules)})
    usd = estimates[(estimates["unit"] == "usd") & (estimates["firm"] == "huawei")]
    for _, est in usd.sort_values("estimate_id").iterrows():
        rows.append({"panel": "text estimate", "row": estimate_label(est),
                     "bound": "as much as" if est["bound"] == schemas.UPPER else est["bound"],
                     "usd_bn": round(est["value_high"] / 1e9, 4),
                     "item_ids": est["estimate_id"], "n_items": 0, "n_unquantified": 0,
                     "what": f"a different measure, stated in the text: {est['quote']}"})
    return pd.DataFrame(rows)


# The inclusion rules a reader can flip, in the notebook's parameter names. A fine on a
# competitor is no support to the firm, so it is not offered as a rule here.
SENSITIVITY_RULES = (
    ("include_credit_lines", "credit-line ceilings"),
    ("include_customer_financing", "customer financing"),
    ("include_derived", "derived amounts"),
)
# Each reading of the conservative bound, and the other choice, in words.
READING_FLIPS = (
    (schemas.TO_DATE, "A07's $10 billion read as for 2011 only, not as loaned to date"),
    (schemas.IN_TOTAL, "the 'in total' amounts not taken to hold the single loans of their span"),
    (schemas.PARTLY, "partly linked loans counted in full"),
)
CEILING_IN_PLACE = "the ceiling counted in place of every loan that may be drawn under it"


def support_sensitivity(frame: pd.DataFrame, relations: pd.DataFrame, *, year_start: int,
                        year_end: int, **rules: bool) -> pd.DataFrame:
    """The itemised total (conservative to upper) as chosen, with each inclusion rule flipped,
    and with each reading of the conservative bound flipped; `moved_item_ids`: the items whose
    counted amount differs from the chosen setting's in either bound."""
    chosen = {name: rules.get(name, default) for name, default in (
        ("include_credit_lines", True), ("include_customer_financing", True),
        ("include_derived", True), ("include_fines", False))}
    span = {"year_start": year_start, "year_end": year_end}
    settings: list[tuple[str, str, str, dict]] = [
        ("as chosen", "as chosen", ", ".join(f"{k}={v}" for k, v in chosen.items()), chosen)]
    for name, words in SENSITIVITY_RULES:
        flipped = {**chosen, name: not chosen[name]}
        settings.append(("inclusion rule", f"{'without' if chosen[name] else 'with'} {words}",
                         f"{name}={flipped[name]}", flipped))
    for reading, words in READING_FLIPS:
        others = tuple(r for r in schemas.READINGS if r != reading)
        settings.append(("reading", words, f"readings without {reading!r}",
                         {**chosen, "readings": others}))
    settings.append(("reading", CEILING_IN_PLACE, "ceiling_in_place=True",
                     {**chosen, "ceiling_in_place": True}))

    def counted(values: dict) -> dict[str, dict[str, float]]:
        out = {}
        for bound in BOUNDS:
            kw = values if bound == CONSERVATIVE else {
                k: v for k, v in values.items() if k not in ("readings", "ceiling_in_place")}
            items = select_support(frame, relations, bound=bound, **span, **kw)
            out[bound] = dict(zip(items["item_id"], items["counted_usd"].fillna(0.0),
                                  strict=True))
        return out

    base = counted(chosen)
    rows = []
    for kind, label, setting, values in settings:
        low, low_ids = _total(frame, relations, CONSERVATIVE, **span, **values)
        high, high_ids = _total(frame, relations, UPPER, **span, **values)
        now = counted(values)
        moved = sorted({i for b in BOUNDS for i in now[b] if now[b][i] != base[b].get(i, 0.0)})
        rows.append({"kind": kind, "label": label, "setting": setting,
                     "low_usd_bn": low, "high_usd_bn": high,
                     "conservative_item_ids": low_ids, "upper_item_ids": high_ids,
                     "moved_item_ids": " ".join(moved),
                     "source": f"items {year_start}-{year_end}"})
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
    # A rate the report gives as "roughly 10%" is labelled as approximate, never as exact.
    table["tax_rate_approximate"] = items["raw_text"].str.contains(
        APPROXIMATE_RATE, regex=True).to_numpy() & table["tax_rate_pct"].notna().to_numpy()
    return table.sort_values(["year", "item_id"], ignore_index=True)


APPROXIMATE_RATE = r"(?i)\b(?:roughly|about|approximately|around|nearly)\s+[\d.]+\s*%"


def _on_frame(frame_name: str, names: tuple[str, str], start: object, end: object,
              data: tuple[object, object], *, open_end: bool = True) -> spans.Resolved:
    """A range on the frame given, as the parameter resolver decides it on an edition's data:
    an open end is the frame's last year or day, a range holding none of its rows is refused,
    and a range reaching beyond them is clamped with a MissingDataWarning saying so."""
    drawn = spans.resolve(names[0], start, names[1], end, data, f"the {frame_name} frame given",
                          open_end=open_end)
    for note in drawn.notes:
        warnings.warn(f"{note}; the table holds {drawn.start!r} to {drawn.end!r}",
                      MissingDataWarning, stacklevel=3)
    return drawn


def revenue_table(frame: pd.DataFrame, *, year_start: int, year_end: int, currency: str,
                  fx_series: str) -> pd.DataFrame:
    """Huawei revenue per year in the chosen currency, with its change on the year before.

    year_end 0 is the frame's last year. A range beyond the frame's years is clamped to them
    (with a MissingDataWarning), one holding none of them is refused, and so is a year inside
    the range that has no row or, in USD, no rate: the table never comes back shorter than its
    years without saying so."""
    schemas.check_fx_series(fx_series)
    if currency not in ("USD", "CNY"):
        raise ParameterError(f"currency {currency!r} is not known; accepted: USD, CNY")
    held = sorted(frame["fx_series"].unique())
    if fx_series not in held:  # e.g. ccp_analysis.load keeps one series (ecb) unless asked
        raise ParameterError(
            f"fx_series {fx_series!r}: the huawei_revenue frame given holds "
            f"{', '.join(held) or 'no series'} only; load it with fx_series={fx_series!r} or "
            "fx_series=None (every series)")
    series = frame[frame["fx_series"] == fx_series]
    drawn = _on_frame("huawei_revenue", ("year_start", "year_end"), year_start, year_end,
                      (int(series["year"].min()), int(series["year"].max())))
    rows = series[series["year"].between(drawn.start, drawn.end)]
    absent = sorted(set(range(drawn.start, drawn.end + 1)) - set(rows["year"]))  # type: ignore[arg-type]
    if absent:
        raise ParameterError(f"fx_series {fx_series!r}: the huawei_revenue frame given has no "
                             f"row for {', '.join(map(str, absent))}, inside the range "
                             f"{drawn.start}-{drawn.end}")
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
    """BABA close (USD per ADS) or market value (USD bn) per trading day in a date range.

    date_end '' is the frame's last day; a range beyond the frame's days is clamped to them
    (with a MissingDataWarning), one holding none of them is refused."""
    if measure not in ("price", "market_value"):
        raise ParameterError(f"measure {measure!r} is not known; accepted: price, market_value")
    drawn = _on_frame("alibaba_stock", ("date_start", "date_end"), date_start, date_end,
                      (spans.as_date("date", frame["date"].min()),
                       spans.as_date("date", frame["date"].max())))
    rows = frame[frame["date"].between(pd.Timestamp(drawn.start), pd.Timestamp(drawn.end))]
    if rows.empty:  # a range between two trading days
        raise ParameterError(f"parameters date_start={date_start!r}, date_end={date_end!r}: "
                             "the range holds no trading day")
    value = "close_usd" if measure == "price" else "market_value_usd_bn"
    # Each day keeps the source its price row came from, so a chart can name it per day.
    table = pd.DataFrame({"date": rows["date"], "measure": measure, "value": rows[value],
                          "shares_as_of": rows["shares_as_of"],
                          "price_source": rows["price_source"]})
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

    A range reaching beyond the timeline's years is clamped to them (with a MissingDataWarning),
    so a year after its last entry never shows as a year of no deals.
    """
    drawn = _on_frame("malaysia_deals", ("year_start", "year_end"), year_start, year_end,
                      (int(deals["year"].min()), int(deals["year"].max())), open_end=False)
    year_start, year_end = int(drawn.start), int(drawn.end)  # type: ignore[call-overload]
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
    for side, x, names in ((schemas.CHINESE, 0.0, left), (schemas.COUNTERPART, 1.0, others)):
        for i, name in enumerate(names):
            nodes.append({"node": name, "side": side, "kind": party.loc[name, "kind"],
                          "parent": party.loc[name, "parent"], "group": party.loc[name, "group"],
                          "deals": deals_of(name), "links": links_of(name), "x": x,
                          "y": round(1.0 - (i + 0.5) / len(names), 6)})
    columns = ["node", "side", "kind", "parent", "group", "deals", "links", "x", "y"]
    return pd.DataFrame(nodes, columns=columns), links


def network_entries(edges: pd.DataFrame, timeline: pd.DataFrame, links: pd.DataFrame, *,
                    year_start: int, year_end: int) -> pd.DataFrame:
    """The deal network's links entry by entry: one row per edge of a drawn link (the links of
    `network_layout`), with the entry's date and words as printed (`date_text` and `text` of
    malaysia_deals) and the words that state the link (`evidence` of appendix_c_edges)."""
    rows = edges[edges["year"].between(year_start, year_end)]
    drawn = links[["company", "counterpart", "edge_kind"]]
    rows = rows.merge(drawn, on=["company", "counterpart", "edge_kind"], how="inner")
    entries = timeline.set_index("entry_id")
    table = pd.DataFrame({
        "entry_id": rows["entry_id"], "company": rows["company"],
        "counterpart": rows["counterpart"], "ends": rows["ends"],
        "edge_kind": rows["edge_kind"], "is_deal": rows["is_deal"],
        "date_text": rows["entry_id"].map(entries["date_text"]),
        "evidence": rows["evidence"], "text": rows["entry_id"].map(entries["text"]),
    })
    return table.sort_values(["company", "counterpart", "edge_kind", "entry_id"],
                             ignore_index=True)


# Figure 3's AI park at fixed positions (axes run -0.15 to 1.15 and -0.2 to 1.12): the park in
# the middle, the three MOU partners around it, CHEC's parent beside CHEC, the land and the
# fund below; the chart places each edge's label clear of these.
AI_PARK_POSITIONS: dict[str, tuple[float, float]] = {
    "SenseTime": (0.15, 0.85), "CHEC": (0.85, 0.85), "CCCC": (1.08, 1.0),
    "AI park": (0.5, 0.5), "G3 Global": (0.5, 0.12),
    "Technology Park Malaysia": (0.95, 0.25), "Malaysia's sovereign wealth fund": (0.05, 0.25),
}
