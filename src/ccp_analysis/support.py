"""State support items for Huawei (Appendix A, Figure 1) and Alibaba (Appendix B, Figure 2).

The report's rows are transcribed as printed in data/raw/report; the project's coding of each
item (entity type, channel, instrument, beneficiary, which words state its amount) lives beside
them in state_support_coding.csv. This module joins the two, parses periods and amounts, and
marks figure items that repeat an appendix row (`same_item_as`) so totals never count twice.

The coding also says how each item's money relates to the others (`relation`), with the report's
words that justify it (`relation_evidence`): a credit line is a limit, not money lent; loans can
be drawn under it; an "in total" amount over a span may contain the single loans of that span;
a fine on a competitor is not money to the firm. figure_data counts by these relations.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ccp_analysis import money, periods, raw
from ccp_analysis.errors import InputError

APPENDIX_A = "report/appendix_a_huawei.csv"
APPENDIX_B = "report/appendix_b_alibaba.csv"
FIGURE_1 = "report/figure1_items.csv"
FIGURE_2 = "report/figure2_items.csv"
CODING = "report/state_support_coding.csv"

APPENDIX_COLUMNS = ["row_id", "year_text", "entity_text", "support_text"]
FIGURE1_COLUMNS = ["item_id", "column", "year_text", "entity_text", "item_text"]
FIGURE2_COLUMNS = ["item_id", "city", "year_text", "entity_text", "item_text"]
CODING_COLUMNS = [
    "item_id", "firm", "same_item_as", "entity_type", "channel", "instrument", "beneficiary",
    "amount_text", "unquantified_reason", "government_level", "place", "note", "relation",
    "relation_evidence", "period_text",
]

ENTITY_TYPES = (
    "policy bank", "commercial bank", "SOE", "central government",
    "provincial or local government", "mixed", "unspecified",
)
CHANNELS = (
    "Policy Banks", "Commercial Banks and SOEs", "Central and Local Government Bodies",
    "Unassigned",
)
INSTRUMENTS = (
    "loan to customers", "loan to the firm", "credit line", "grant", "tax benefit", "land",
    "contract award", "fine on a competitor", "regulatory or policy measure", "personnel bonus",
    "joint venture/technology transfer",
)
BENEFICIARIES = ("firm", "customers")
GOVERNMENT_LEVELS = ("central", "provincial", "municipal", "provincial and municipal")

# How an item's amount relates to the others. Relations with a target name another item of the
# same firm ("drawn_under:A04"); the rest stand on their own.
NONE = "none"
LIMIT = "limit"  # a credit line: a ceiling on lending, not money lent
DRAWN_UNDER = "drawn_under"  # money lent under a limit (target: the limit)
AGGREGATE = "aggregate"  # a stated total over a span ("in total")
CONTAINED_IN = "contained_in"  # a single amount that may be part of an aggregate (target)
NOT_TO_FIRM = "not_to_firm"  # the amount is not money to the firm (a fine on a competitor)
RELATION_KINDS = (NONE, LIMIT, DRAWN_UNDER, AGGREGATE, CONTAINED_IN, NOT_TO_FIRM)
_TARGET_KINDS = {DRAWN_UNDER: LIMIT, CONTAINED_IN: AGGREGATE}
# Instruments a relation requires, so the coding cannot call a grant a limit.
_KIND_INSTRUMENT = {LIMIT: "credit line", NOT_TO_FIRM: "fine on a competitor"}
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
                  empty_ok: bool = False) -> str:
    if value == "" and empty_ok:
        return value
    if value not in allowed:
        raise InputError(raw.display_path(CODING), line, field, value,
                         "one of " + ", ".join(repr(a) for a in allowed))
    return value


def relation_kind(relation: str) -> str:
    """'drawn_under:A04' -> 'drawn_under'; 'limit' -> 'limit'."""
    return relation.split(":", 1)[0]


def relation_target(relation: str) -> str:
    """'drawn_under:A04' -> 'A04'; '' for relations without a target."""
    return relation.split(":", 1)[1] if ":" in relation else ""


def _check_relation(row: pd.Series, item_ids: set[str], shown: str) -> None:
    line, relation = row[raw.LINE], row["relation"]
    kind, target = relation_kind(relation), relation_target(relation)
    accepted = (", ".join(repr(k) for k in RELATION_KINDS if k not in _TARGET_KINDS)
                + ", or " + ", ".join(f"'{k}:<item id>'" for k in _TARGET_KINDS))
    if kind not in RELATION_KINDS or (kind in _TARGET_KINDS) != bool(target):
        raise InputError(shown, line, "relation", relation, "one of " + accepted)
    if target and (target not in item_ids or target == row["item_id"]):
        raise InputError(shown, line, "relation", relation,
                         "a target that is another item of the same firm")
    needed = _KIND_INSTRUMENT.get(kind)
    if needed and row["instrument"] != needed:
        raise InputError(shown, line, "instrument", row["instrument"],
                         f"{needed!r} for an item whose relation is {kind!r}")
    if kind != NONE and not row["relation_evidence"]:
        raise InputError(shown, line, "relation_evidence", "",
                         f"the report's words that justify the relation {relation!r}")


def _check_relation_targets(frame: pd.DataFrame) -> None:
    """Cross-item checks, once periods are parsed: targets of the right kind, repeats coded
    like the row they repeat, contained items inside their aggregate's span and lender, and
    every quote of relation_evidence found verbatim in the firm's items."""
    shown = raw.display_path(CODING)
    by_id = frame.set_index("item_id")
    texts = " \n ".join(frame["raw_text"])
    for _, row in frame.iterrows():
        line, relation = row["coding_line"], row["relation"]
        kind, target = relation_kind(relation), relation_target(relation)
        if row["same_item_as"]:
            primary = by_id.loc[row["same_item_as"], "relation"]
            if relation != primary:
                raise InputError(shown, line, "relation", relation,
                                 f"{primary!r}, the relation of {row['same_item_as']}, "
                                 "the item it repeats")
        if target:
            other = by_id.loc[target]
            if other["same_item_as"] or relation_kind(other["relation"]) != _TARGET_KINDS[kind]:
                raise InputError(shown, line, "relation", relation,
                                 f"a target coded {_TARGET_KINDS[kind]!r} that repeats no "
                                 "other item")
        if kind == CONTAINED_IN:
            other = by_id.loc[target]
            inside = (pd.notna(row["period_start_year"]) and pd.notna(other["period_start_year"])
                      and other["period_start_year"] <= row["period_start_year"]
                      and row["period_end_year"] <= other["period_end_year"])
            if not inside or row["entity"] != other["entity"]:
                raise InputError(shown, line, "relation", relation,
                                 f"an aggregate of the same lender ({row['entity']}) whose "
                                 "period holds the item's period")
        for quote in filter(None, row["relation_evidence"].split(EVIDENCE_SEPARATOR)):
            if quote not in texts:
                raise InputError(shown, line, "relation_evidence", quote,
                                 "words found verbatim in the report's items of this firm")


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
        _check_relation(row, item_ids, shown)
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
    _check_relation_targets(frame)
    frame["relation_kind"] = frame["relation"].map(relation_kind)
    frame["relation_target"] = frame["relation"].map(relation_target)
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
        "amount_formula", "unquantified_reason", "relation_kind", "relation_target",
        "relation_evidence",
    ]
    if firm == "alibaba":
        columns += ["tax_rate_pct", "standard_tax_rate_pct"]
    columns += ["note", "raw_text", "raw_file", "raw_line"]
    return frame[columns].sort_values("item_id", ignore_index=True)


ESTIMATES = "report/state_support_estimates.csv"
ESTIMATE_COLUMNS = ["estimate_id", "firm", "quote", "value_text", "unit", "period_text",
                    "attributed_to"]


POINT = "point"
RANGE = "range"
UPPER = "upper bound"
BOUNDS = (POINT, RANGE, UPPER)
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
