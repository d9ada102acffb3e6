"""State support items for Huawei (Appendix A, Figure 1) and Alibaba (Appendix B, Figure 2).

The report's rows are transcribed as printed in data/raw/report; the project's coding of each
item (entity type, channel, instrument, beneficiary, which words state its amount) lives beside
them in state_support_coding.csv. This module joins the two, parses periods and amounts, and
marks figure items that repeat an appendix row (`same_item_as`) so totals never count twice.
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
    "amount_text", "unquantified_reason", "government_level", "place", "note",
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
        text = row["year_text"]
        if not text:
            starts.append(pd.NA)
            ends.append(pd.NA)
            precisions.append("not stated")
            continue
        try:
            period = periods.parse_period(text)
        except ValueError as exc:
            raise InputError(row["raw_file"], row[raw.LINE], "year_text", text, str(exc)) from None
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
    frame = frame.rename(columns={raw.LINE: "raw_line"})
    frame["firm"] = firm
    frame["is_primary"] = frame["same_item_as"] == ""
    columns = [
        "item_id", "firm", "source_ref", "same_item_as", "is_primary", "year_text",
        "period_start_year", "period_end_year", "period_precision", "entity", "entity_type",
    ]
    if firm == "huawei":
        columns += ["channel"]
    else:
        columns += ["government_level", "place"]
        frame["tax_rate_pct"] = [_rate(_OWN_RATE, t) for t in frame["raw_text"]]
        frame["standard_tax_rate_pct"] = [_rate(_STANDARD_RATE, t) for t in frame["raw_text"]]
    columns += [
        "instrument", "beneficiary", "amount_usd", "amount_basis", "amount_text",
        "amount_formula", "unquantified_reason",
    ]
    if firm == "alibaba":
        columns += ["tax_rate_pct", "standard_tax_rate_pct"]
    columns += ["note", "raw_text", "raw_file", "raw_line"]
    return frame[columns].sort_values("item_id", ignore_index=True)


ESTIMATES = "report/state_support_estimates.csv"
ESTIMATE_COLUMNS = ["estimate_id", "firm", "quote", "value_text", "unit", "period_text",
                    "attributed_to"]


def estimates() -> pd.DataFrame:
    """The text's headline estimates: stated values, not reproducible from any data here."""
    table = raw.read_csv(ESTIMATES, ESTIMATE_COLUMNS)
    lows, highs = [], []
    for _, row in table.iterrows():
        if row["value_text"] not in row["quote"]:
            raise InputError(raw.display_path(ESTIMATES), row[raw.LINE], "value_text",
                             row["value_text"], "words found verbatim in the quote")
        try:
            low, high = money.parse_value(row["value_text"], row["unit"])
        except ValueError as exc:
            raise InputError(raw.display_path(ESTIMATES), row[raw.LINE], "value_text",
                             row["value_text"], str(exc)) from None
        lows.append(low)
        highs.append(high)
    frame = table.assign(value_low=lows, value_high=highs).rename(columns={raw.LINE: "raw_line"})
    columns = ["estimate_id", "firm", "value_low", "value_high", "unit", "value_text",
               "period_text", "attributed_to", "quote", "raw_line"]
    return frame[columns].sort_values("estimate_id", ignore_index=True)
