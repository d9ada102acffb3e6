"""State support items for Huawei (Appendix A, Figure 1) and Alibaba (Appendix B, Figure 2).

The report's rows are transcribed as printed in data/raw/report; the project's coding of each
item (entity type, channel, instrument, beneficiary, which words state its amount) lives beside
them in state_support_coding.csv. This module joins the two, parses periods and amounts, and
marks figure items that repeat an appendix row (`same_item_as`) so totals never count twice.

The coding says what kind of amount each item states (`amount_kind`, with the report's words in
`amount_kind_evidence`): a single amount, a credit-line limit (a ceiling, not money lent), an
aggregate ("in total", "total loans") or an amount that is not money to the firm (a fine on a
competitor). state_support_relations.csv says how one item's money may sit inside another's, one
row per relation with the reading it rests on, whether the words state it or the project infers
it, and the words: loans drawn under a credit line, single loans inside an aggregate (read as "in
total" over a span, or as loaned "to date"), and items whose words tie only part of the amount to
the firm. figure_data counts by these rules (docs/figure1.md).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ccp_analysis.data.parsing import money, periods, raw
from ccp_analysis.data.schemas import (  # noqa: F401  (the allowed values, by their names here too)
    AGGREGATE,
    AMOUNT_KINDS,
    BASES,
    BENEFICIARIES,
    BOUNDS,
    CHANNELS,
    CONTAINED_IN,
    CREDIT_LINE,
    DRAWN_UNDER,
    ENTITY_TYPES,
    GOVERNMENT_LEVELS,
    IN_TOTAL,
    INSTRUMENTS,
    LIMIT,
    NOT_TO_FIRM,
    PARTLY,
    PARTLY_LINKED,
    POINT,
    RANGE,
    READINGS,
    RELATION_KINDS,
    SINGLE,
    TO_DATE,
    UPPER,
)
from ccp_analysis.errors import InputError

APPENDIX_A = "report/appendix_a_huawei.csv"
APPENDIX_B = "report/appendix_b_alibaba.csv"
FIGURE_1 = "report/figure1_items.csv"
FIGURE_2 = "report/figure2_items.csv"
CODING = "report/state_support_coding.csv"
RELATIONS = "report/state_support_relations.csv"

APPENDIX_COLUMNS = ["row_id", "year_text", "entity_text", "support_text"]
FIGURE1_COLUMNS = ["item_id", "column", "year_text", "entity_text", "item_text"]
FIGURE2_COLUMNS = ["item_id", "city", "year_text", "entity_text", "item_text"]
CODING_COLUMNS = [
    "item_id", "firm", "same_item_as", "entity_type", "channel", "instrument", "beneficiary",
    "amount_text", "unquantified_reason", "government_level", "place", "note", "amount_kind",
    "amount_kind_evidence", "period_text",
]
RELATION_COLUMNS = ["item_id", "relation", "target", "reading", "basis", "linked_amount_text",
                    "evidence", "note"]

# The coded columns' allowed values are the frame registry's (schemas.py).
# Instruments a kind requires, so the coding cannot call a grant a limit.
_KIND_INSTRUMENT = {LIMIT: "credit line", NOT_TO_FIRM: "fine on a competitor"}

_RELATION_READINGS = {DRAWN_UNDER: (CREDIT_LINE,), CONTAINED_IN: (TO_DATE, IN_TOTAL),
                      PARTLY_LINKED: (PARTLY,)}
_TARGET_KINDS = {DRAWN_UNDER: LIMIT, CONTAINED_IN: AGGREGATE}
# Lenders as the items name them: an entity names a lender by its name or its abbreviation.
_LENDER_NAMES = {"China Development Bank": ("China Development Bank", "CDB"),
                 "China Exim Bank": ("China Exim Bank",)}
EVIDENCE_SEPARATOR = " | "

# Rates an Alibaba tax item states for itself ("9.9% effective tax rate", "roughly 10%",
# "Discounted 15% local tax rate"); the standard rate is the one the text compares against.
_OWN_RATE = re.compile(
    r"(\d+(?:\.\d+)?)% effective tax rate|tax rate for Alibaba once again roughly (\d+(?:\.\d+)?)%"
    r"|[Dd]iscounted (\d+(?:\.\d+)?)% local tax rate"
)
_STANDARD_RATE = re.compile(r"standard enterprise income tax rate of (\d+(?:\.\d+)?)%")


def _items(firm: str) -> pd.DataFrame:
    """Appendix rows and figure items of one firm, in one frame with their raw file and line."""
    if firm == "huawei":
        appendix, figure = APPENDIX_A, FIGURE_1
        fig_cols, fig_name, fig_where = FIGURE1_COLUMNS, "Figure 1", "column"
    else:
        appendix, figure = APPENDIX_B, FIGURE_2
        fig_cols, fig_name, fig_where = FIGURE2_COLUMNS, "Figure 2", "city"
    app = raw.read_csv(appendix, APPENDIX_COLUMNS).rename(
        columns={"row_id": "item_id", "support_text": "raw_text", "entity_text": "entity"}
    )
    letter = "A" if firm == "huawei" else "B"
    app["source_ref"] = [
        f"Appendix {letter}, row {int(i[1:])}" for i in app["item_id"]
    ]
    app["raw_file"] = raw.display_path(appendix)
    fig = raw.read_csv(figure, fig_cols).rename(
        columns={"item_text": "raw_text", "entity_text": "entity"}
    )
    fig["source_ref"] = [f"{fig_name}, {w}" for w in fig[fig_where]]
    fig["raw_file"] = raw.display_path(figure)
    keep = ["item_id", "year_text", "entity", "raw_text", "source_ref", "raw_file", raw.LINE]
    return pd.concat([app[keep], fig[keep]], ignore_index=True)


def _check_choice(value: str, allowed: tuple[str, ...], field: str, line: int,
                  empty_ok: bool = False, relpath: str = CODING) -> str:
    if value == "" and empty_ok:
        return value
    if value not in allowed:
        raise InputError(raw.display_path(relpath), line, field, value,
                         "one of " + ", ".join(repr(a) for a in allowed))
    return value


def _check_kind(row: pd.Series, shown: str) -> None:
    line, kind = row[raw.LINE], row["amount_kind"]
    _check_choice(kind, AMOUNT_KINDS, "amount_kind", line)
    needed = _KIND_INSTRUMENT.get(kind)
    if needed and row["instrument"] != needed:
        raise InputError(shown, line, "instrument", row["instrument"],
                         f"{needed!r} for an item whose amount_kind is {kind!r}")
    if kind != SINGLE and not row["amount_kind_evidence"]:
        raise InputError(shown, line, "amount_kind_evidence", "",
                         f"the report's words that show the amount is a {kind!r}")


def _quotes_found(text: str, texts: str, shown: str, line: int, field: str) -> None:
    for quote in filter(None, text.split(EVIDENCE_SEPARATOR)):
        if quote not in texts:
            raise InputError(shown, line, field, quote,
                             "words found verbatim in the report's items of this firm")


def _check_kinds_across(frame: pd.DataFrame) -> None:
    """Repeats coded like the row they repeat; every quote found verbatim in the items."""
    shown = raw.display_path(CODING)
    by_id = frame.set_index("item_id")
    texts = " \n ".join(frame["raw_text"])
    for _, row in frame.iterrows():
        if row["same_item_as"]:
            primary = by_id.loc[row["same_item_as"], "amount_kind"]
            if row["amount_kind"] != primary:
                raise InputError(shown, row["coding_line"], "amount_kind", row["amount_kind"],
                                 f"{primary!r}, the amount_kind of {row['same_item_as']}, "
                                 "the item it repeats")
        _quotes_found(row["amount_kind_evidence"], texts, shown, row["coding_line"],
                      "amount_kind_evidence")


def _coding(firm: str, item_ids: set[str]) -> pd.DataFrame:
    coding = raw.read_csv(CODING, CODING_COLUMNS)
    shown = raw.display_path(CODING)
    duplicated = coding["item_id"].duplicated()
    if duplicated.any():
        row = coding[duplicated].iloc[0]
        raise InputError(shown, row[raw.LINE], "item_id", row["item_id"], "a unique item id")
    coding = coding[coding["firm"] == firm].copy()
    for _, row in coding.iterrows():
        line = row[raw.LINE]
        if row["item_id"] not in item_ids:
            raise InputError(shown, line, "item_id", row["item_id"],
                             f"an item of the {firm} appendix or figure files")
        if row["same_item_as"] and row["same_item_as"] not in item_ids:
            raise InputError(shown, line, "same_item_as", row["same_item_as"],
                             "the id of another item of the same firm")
        _check_choice(row["entity_type"], ENTITY_TYPES, "entity_type", line)
        _check_choice(row["instrument"], INSTRUMENTS, "instrument", line)
        _check_choice(row["beneficiary"], BENEFICIARIES, "beneficiary", line)
        if firm == "huawei":
            _check_choice(row["channel"], CHANNELS, "channel", line)
        else:
            _check_choice(row["government_level"], GOVERNMENT_LEVELS, "government_level", line)
        if not row["amount_text"] and not row["unquantified_reason"]:
            raise InputError(shown, line, "unquantified_reason", "",
                             "a reason wherever amount_text is empty")
        _check_kind(row, shown)
    missing = sorted(item_ids - set(coding["item_id"]))
    if missing:
        raise InputError(shown, None, "item_id", missing[0],
                         f"a coding row for every {firm} item")
    # The coding line stays, so amount errors can name it.
    return coding.drop(columns=["firm"]).rename(columns={raw.LINE: "coding_line"})


def _amounts(frame: pd.DataFrame) -> pd.DataFrame:
    usd, basis, formula = [], [], []
    for _, row in frame.iterrows():
        text = row["amount_text"]
        if not text:
            usd.append(np.nan)
            basis.append(money.UNQUANTIFIED)
            formula.append("")
            continue
        shown = raw.display_path(CODING)
        if text not in row["raw_text"]:
            raise InputError(shown, row["coding_line"], "amount_text", text,
                             f"words found verbatim in {row['source_ref']} ({row['raw_file']})")
        try:
            amount = money.parse_amount(text)
        except ValueError as exc:
            raise InputError(shown, row["coding_line"], "amount_text", text, str(exc)) from None
        usd.append(amount.usd)
        basis.append(amount.basis)
        formula.append(amount.formula)
    return frame.assign(amount_usd=usd, amount_basis=basis, amount_formula=formula)


def _periods(frame: pd.DataFrame) -> pd.DataFrame:
    starts, ends, precisions = [], [], []
    for _, row in frame.iterrows():
        # The coding's period_text replaces the printed year where the report dates the same
        # amount more widely elsewhere (a total "between 2012 and 2018" printed as 2012).
        text = row["period_text"] or row["year_text"]
        where = ((raw.display_path(CODING), row["coding_line"], "period_text")
                 if row["period_text"] else (row["raw_file"], row[raw.LINE], "year_text"))
        if not text:
            starts.append(pd.NA)
            ends.append(pd.NA)
            precisions.append("not stated")
            continue
        try:
            period = periods.parse_period(text)
        except ValueError as exc:
            raise InputError(*where, text, str(exc)) from None
        starts.append(period.start_year)
        ends.append(period.end_year)
        precisions.append(period.precision)
    return frame.assign(
        period_start_year=pd.array(starts, dtype="Int64"),
        period_end_year=pd.array(ends, dtype="Int64"),
        period_precision=precisions,
    )


def _rate(pattern: re.Pattern[str], text: str) -> float:
    match = pattern.search(text)
    if not match:
        return np.nan
    return float(next(g for g in match.groups() if g is not None))


def state_support(firm: str) -> pd.DataFrame:
    """The tidy support frame of one firm ('huawei' or 'alibaba'), one row per item."""
    items = _items(firm)
    coding = _coding(firm, set(items["item_id"]))
    frame = items.merge(coding, on="item_id", how="left", validate="one_to_one")
    frame = _periods(_amounts(frame))
    _check_kinds_across(frame)
    frame = frame.rename(columns={raw.LINE: "raw_line"})
    frame["firm"] = firm
    frame["is_primary"] = frame["same_item_as"] == ""
    columns = [
        "item_id", "firm", "source_ref", "same_item_as", "is_primary", "year_text",
        "period_text", "period_start_year", "period_end_year", "period_precision", "entity",
        "entity_type",
    ]
    if firm == "huawei":
        columns += ["channel"]
    else:
        columns += ["government_level", "place"]
        frame["tax_rate_pct"] = [_rate(_OWN_RATE, t) for t in frame["raw_text"]]
        frame["standard_tax_rate_pct"] = [_rate(_STANDARD_RATE, t) for t in frame["raw_text"]]
    columns += [
        "instrument", "beneficiary", "amount_usd", "amount_basis", "amount_text",
        "amount_formula", "unquantified_reason", "amount_kind", "amount_kind_evidence",
    ]
    if firm == "alibaba":
        columns += ["tax_rate_pct", "standard_tax_rate_pct"]
    columns += ["note", "raw_text", "raw_file", "raw_line"]
    return frame[columns].sort_values("item_id", ignore_index=True)


def _lender_named(lender: str, entity: str) -> bool:
    return any(name in entity for name in _LENDER_NAMES.get(lender, (lender,)))


def _check_relation(row: pd.Series, items: pd.DataFrame, shown: str) -> None:
    """One relation against the items it joins: known kind and reading, a target of the right
    kind, same firm and lender, a period the reading allows, verbatim evidence."""
    line, kind = row[raw.LINE], row["relation"]
    _check_choice(kind, RELATION_KINDS, "relation", line, relpath=RELATIONS)
    _check_choice(row["reading"], _RELATION_READINGS[kind], "reading", line, relpath=RELATIONS)
    _check_choice(row["basis"], BASES, "basis", line, relpath=RELATIONS)
    primaries = items[items["is_primary"]].set_index("item_id")
    if row["item_id"] not in primaries.index:
        raise InputError(shown, line, "item_id", row["item_id"],
                         "a primary support item (not a figure repeat)")
    item = primaries.loc[row["item_id"]]
    if not row["evidence"]:
        raise InputError(shown, line, "evidence", "", "the report's words the relation rests on")
    texts = " \n ".join(items.loc[items["firm"] == item["firm"], "raw_text"])
    _quotes_found(row["evidence"], texts, shown, line, "evidence")
    target = row["target"]
    if kind == PARTLY_LINKED:
        if target:
            raise InputError(shown, line, "target", target, "empty for a partly_linked relation")
        linked = row["linked_amount_text"]
        if linked and (linked not in row["evidence"]
                       or not money.parse_amount(linked).usd < item["amount_usd"]):
            raise InputError(shown, line, "linked_amount_text", linked,
                             "an amount in the evidence, below the item's amount")
        return
    if row["linked_amount_text"]:
        raise InputError(shown, line, "linked_amount_text", row["linked_amount_text"],
                         "empty except for a partly_linked relation")
    if (target not in primaries.index or target == row["item_id"]
            or primaries.loc[target, "firm"] != item["firm"]
            or primaries.loc[target, "amount_kind"] != _TARGET_KINDS[kind]):
        raise InputError(shown, line, "target", target,
                         f"another primary item of the same firm coded {_TARGET_KINDS[kind]!r}")
    other = primaries.loc[target]
    if not _lender_named(other["entity"], item["entity"]):
        raise InputError(shown, line, "target", target,
                         f"a {_TARGET_KINDS[kind]} of a lender the item names "
                         f"({item['entity']})")
    if kind == CONTAINED_IN:
        start, end = item["period_start_year"], item["period_end_year"]
        known = pd.notna(start) and pd.notna(other["period_start_year"])
        inside = known and end <= other["period_end_year"] and (
            row["reading"] == TO_DATE or other["period_start_year"] <= start)
        if not inside:
            raise InputError(shown, line, "target", target,
                             f"an aggregate whose period holds the item's period under the "
                             f"reading {row['reading']!r}")


def relations(items: pd.DataFrame) -> pd.DataFrame:
    """How one item's money may sit inside another's, one row per relation, with the reading
    it rests on; `items`: the support frames of every firm, as state_support builds them."""
    table = raw.read_csv(RELATIONS, RELATION_COLUMNS)
    shown = raw.display_path(RELATIONS)
    for _, row in table.iterrows():
        _check_relation(row, items, shown)
    key = table[["item_id", "relation", "target"]].apply(tuple, axis=1)
    if key.duplicated().any():
        row = table[key.duplicated()].iloc[0]
        raise InputError(shown, row[raw.LINE], "relation", row["relation"],
                         "one row per item, relation and target")
    firm = items.set_index("item_id")["firm"]
    linked = [money.parse_amount(t).usd if t else np.nan for t in table["linked_amount_text"]]
    frame = table.assign(firm=table["item_id"].map(firm), linked_usd=linked).rename(
        columns={raw.LINE: "raw_line"})
    columns = ["item_id", "relation", "target", "firm", "reading", "basis",
               "linked_amount_text", "linked_usd", "evidence", "note", "raw_line"]
    return frame[columns].sort_values(["item_id", "relation", "target"], ignore_index=True)


ESTIMATES = "report/state_support_estimates.csv"
ESTIMATE_COLUMNS = ["estimate_id", "firm", "quote", "value_text", "unit", "period_text",
                    "attributed_to"]


# "as much as $25 billion" states a ceiling: the low end is unknown, not $25 billion.
_UPPER_WORDS = ("as much as ", "up to ")


def estimates() -> pd.DataFrame:
    """The text's headline estimates: stated values, not reproducible from any data here.

    A value the quote introduces with "as much as" is an upper bound (value_low empty)."""
    table = raw.read_csv(ESTIMATES, ESTIMATE_COLUMNS)
    lows, highs, bounds = [], [], []
    for _, row in table.iterrows():
        if row["value_text"] not in row["quote"]:
            raise InputError(raw.display_path(ESTIMATES), row[raw.LINE], "value_text",
                             row["value_text"], "words found verbatim in the quote")
        try:
            low, high = money.parse_value(row["value_text"], row["unit"])
        except ValueError as exc:
            raise InputError(raw.display_path(ESTIMATES), row[raw.LINE], "value_text",
                             row["value_text"], str(exc)) from None
        if any(words + row["value_text"] in row["quote"] for words in _UPPER_WORDS):
            low, bound = np.nan, UPPER
        else:
            bound = POINT if low == high else RANGE
        lows.append(low)
        highs.append(high)
        bounds.append(bound)
    frame = table.assign(value_low=lows, value_high=highs, bound=bounds).rename(
        columns={raw.LINE: "raw_line"})
    columns = ["estimate_id", "firm", "value_low", "value_high", "bound", "unit", "value_text",
               "period_text", "attributed_to", "quote", "raw_line"]
    return frame[columns].sort_values("estimate_id", ignore_index=True)
