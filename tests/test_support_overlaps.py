"""Huawei's support counted once: each overlap rule moves the totals by exactly the amounts the
report prints, worked out here by hand from Appendix A and Figure 1 rather than by the library."""

from __future__ import annotations

import inspect
import itertools
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from ccp_analysis import figure_data, support
from ccp_analysis.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BN = 1e9
MN = 1e6
SPAN = {"year_start": 1995, "year_end": 2020}

# The amounts as Appendix A and Figure 1 print them.
CREDIT_LINE = 30 * BN  # A04 "$30 billion credit line"
DRAWN = 10 * BN  # A07 "$10 billion total loans to various Huawei customers"
EXIM_TOTAL, CDB_TOTAL = 2.8 * BN, 7 * BN  # A08/A09, "In total" for 2012-2018
EXIM_LOANS = {"A10": 68 * MN, "A13": 222 * MN, "A22": 382 * MN}  # 2013, 2014, 2018
CDB_LOANS = {"A12": 214 * MN, "A14": 1.2 * BN, "A15": 31 * MN, "A16": 600 * MN}  # 2014-2015
FINE = 975 * MN  # A17, paid by Qualcomm
DERIVED = 0.572 * 5.2 * BN  # A23 "57.2% of ... $5.2 billion"
GRANTS = (150 + 190 + 222) * MN  # A05, A18, A19
OTHER_CUSTOMER_LOANS = (500 + 1000 + 1100 + 471) * MN  # A02, A03, A06, F1-04 (1998 CCB)

STANDALONE = GRANTS + DERIVED + OTHER_CUSTOMER_LOANS
CONTAINED = sum(EXIM_LOANS.values()) + sum(CDB_LOANS.values())
UPPER = STANDALONE + CREDIT_LINE + EXIM_TOTAL + CDB_TOTAL + CONTAINED
CONSERVATIVE = STANDALONE + DRAWN + EXIM_TOTAL + CDB_TOTAL


@pytest.fixture(scope="module")
def huawei(frames) -> pd.DataFrame:
    return frames["huawei_state_support"]


def _counted(frame: pd.DataFrame, **kwargs: object) -> dict[str, float]:
    items = figure_data.select_support(frame, **SPAN, **kwargs)
    return dict(zip(items["item_id"], items["counted_usd"], strict=True))


def _bounds(frame: pd.DataFrame, **rules: bool) -> dict[str, float]:
    table = figure_data.support_bounds(frame, **SPAN, **rules)
    return dict(zip(table["bound"], table["total_usd_bn"] * BN, strict=True))


def test_the_contained_loans_are_about_2_7_billion():
    assert sum(EXIM_LOANS.values()) == pytest.approx(672 * MN)
    assert sum(CDB_LOANS.values()) == pytest.approx(2045 * MN)
    assert pytest.approx(2.717 * BN) == CONTAINED


def test_bounds_count_each_dollar_once(huawei):
    bounds = _bounds(huawei)
    assert bounds["conservative"] == pytest.approx(CONSERVATIVE, abs=1e5)
    assert bounds["upper"] == pytest.approx(UPPER, abs=1e5)
    # The single headline the figure used to print added the limit, the loans drawn under it
    # and the contained loans together; each bound is below it by the overlap it removes.
    old_headline = UPPER + DRAWN
    assert old_headline == pytest.approx(59.1244 * BN)
    assert old_headline - bounds["upper"] == pytest.approx(DRAWN, abs=1e5)
    assert bounds["upper"] - bounds["conservative"] == pytest.approx(
        CREDIT_LINE - DRAWN + CONTAINED, abs=1e5)


def test_the_default_selection_is_the_conservative_total(huawei):
    default = figure_data.select_support(huawei, **SPAN)
    assert default["counted_usd"].sum() == pytest.approx(CONSERVATIVE, abs=1e5)


@pytest.mark.parametrize("limits, customers, derived, fines",
                         list(itertools.product([True, False], repeat=4)))
def test_a_limit_is_never_added_to_the_loans_drawn_under_it(huawei, limits, customers, derived,
                                                             fines):
    rules = {"include_credit_lines": limits, "include_customer_financing": customers,
             "include_derived": derived, "include_fines": fines}
    for bound in figure_data.BOUNDS:
        counted = _counted(huawei, bound=bound, **rules)
        assert not (pd.notna(counted["A04"]) and pd.notna(counted["A07"])), (bound, rules)
        # Repeats (Figure 1's boxes of the same money) never count.
        assert not {"F1-01", "F1-02", "F1-03", "F1-08", "F1-10", "F1-11"} & set(counted)


def test_the_credit_line_rule_moves_the_totals_by_the_printed_amounts(huawei):
    counted = _counted(huawei, bound="upper")
    assert counted["A04"] == CREDIT_LINE and math.isnan(counted["A07"])
    counted = _counted(huawei, bound="conservative")
    assert math.isnan(counted["A04"]) and counted["A07"] == DRAWN
    without = _bounds(huawei, include_credit_lines=False)
    # Without limits the upper total counts the $10 billion lent instead of the $30 billion line.
    assert without["upper"] == pytest.approx(UPPER - CREDIT_LINE + DRAWN, abs=1e5)
    assert without["conservative"] == pytest.approx(CONSERVATIVE, abs=1e5)


def test_possible_overlaps_are_the_single_2013_2018_loans(huawei):
    low = _counted(huawei, bound="conservative")
    high = _counted(huawei, bound="upper")
    for item, amount in {**EXIM_LOANS, **CDB_LOANS}.items():
        assert math.isnan(low[item]), item
        assert high[item] == pytest.approx(amount), item
    assert low["A08"] == EXIM_TOTAL and low["A09"] == CDB_TOTAL
    # The 2009-2010 loans fall before the 2012-2018 span and stand alone in both bounds.
    for item in ("A02", "A03", "A06"):
        assert low[item] == high[item] > 0


def test_a_fine_on_a_competitor_is_not_support(huawei):
    for bound in figure_data.BOUNDS:
        assert math.isnan(_counted(huawei, bound=bound)["A17"])
    items = figure_data.select_support(huawei, **SPAN)
    assert items.set_index("item_id").loc["A17", "counted_reason"].startswith("not money")
    h = huawei.set_index("item_id")
    assert h.loc["A17", "amount_usd"] == FINE
    assert h.loc["A17", "relation_kind"] == h.loc["F1-08", "relation_kind"] == "not_to_firm"
    # Asked for explicitly, the fine is added to both bounds and nothing else changes.
    with_fine = _bounds(huawei, include_fines=True)
    assert with_fine["upper"] == pytest.approx(UPPER + FINE, abs=1e5)
    assert with_fine["conservative"] == pytest.approx(CONSERVATIVE + FINE, abs=1e5)


def test_fines_default_to_excluded_in_the_library_and_the_notebook():
    default = inspect.signature(figure_data.select_support).parameters["include_fines"].default
    notebook = json.loads((ROOT / "notebooks" / "fig1_huawei_support.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert default is False
    assert "include_fines: bool = False" in "".join(cell["source"])


def test_sensitivity_rows(frames, huawei):
    table = figure_data.support_sensitivity(huawei, frames["state_support_estimates"], **SPAN)
    rows = table.set_index("label")
    expected = {
        "as chosen": (CONSERVATIVE, UPPER),
        "without credit-line limits": (CONSERVATIVE, UPPER - CREDIT_LINE + DRAWN),
        "without customer financing": (GRANTS + DERIVED, GRANTS + DERIVED),
        "without derived amounts": (CONSERVATIVE - DERIVED, UPPER - DERIVED),
    }
    totals = table[table["kind"] == "itemised total"]
    assert list(totals["label"]) == list(expected)
    for label, (low, high) in expected.items():
        assert rows.loc[label, "low_usd_bn"] * BN == pytest.approx(low, abs=1e5), label
        assert rows.loc[label, "high_usd_bn"] * BN == pytest.approx(high, abs=1e5), label
    # The overlap rule alone: the seven single 2013-2018 loans, in every row that keeps them.
    assert rows.loc["as chosen", "possible_overlaps_usd_bn"] * BN == pytest.approx(CONTAINED)
    assert rows.loc["without customer financing", "possible_overlaps_usd_bn"] == 0
    estimates = table[table["kind"] == "text estimate"].set_index("setting")
    # "as much as $25 billion" has no low end; the WSJ's $75 billion is one value.
    assert math.isnan(estimates.loc["upper bound", "low_usd_bn"])
    assert estimates.loc["upper bound", "high_usd_bn"] == 25
    assert estimates.loc["point", "low_usd_bn"] == estimates.loc["point", "high_usd_bn"] == 75


def test_no_group_without_a_counted_amount(huawei):
    table = figure_data.support_totals(huawei, "channel", **SPAN)
    # A21, the only Unassigned item, has no amount: no empty bar.
    assert "Unassigned" not in set(table["group"])
    assert table["conservative_usd_bn"].sum() * BN == pytest.approx(CONSERVATIVE, abs=1e6)
    assert table["upper_usd_bn"].sum() * BN == pytest.approx(UPPER, abs=1e6)


# ------------------------------------------------------------------------- bad relations


def _edit_coding(root: Path, rewrite_raw, old: str, new: str) -> None:
    relpath = "report/state_support_coding.csv"
    text = (root / "data" / "raw" / relpath).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    rewrite_raw(root, relpath, text.replace(old, new).encode("utf-8"))


@pytest.mark.parametrize("old, new, field, expected", [
    # Loans drawn under a total rather than a limit.
    (",drawn_under:A04,\"$10 billion total", ",drawn_under:A08,\"$10 billion total",
     "relation", "a target coded 'limit'"),
    # A 2009 loan cannot sit in a 2012-2018 total.
    ("stands alone\",none,,\nA03", "stands alone\",contained_in:A09,$500 million loan,\nA03",
     "relation", "whose period holds the item's period"),
    # Evidence must be the report's words.
    ("not_to_firm,$975 million fine extracted from Qualcomm,",
     "not_to_firm,$975 million fine paid to Huawei,", "relation_evidence", "verbatim"),
    ("drawn_under:A04,\"$10 billion total", "drawn_undr:A04,\"$10 billion total", "relation",
     "one of 'none'"),
])
def test_bad_relations_are_refused(project_copy, rewrite_raw, old, new, field, expected):
    _edit_coding(project_copy, rewrite_raw, old, new)
    with pytest.raises(InputError) as info:
        support.state_support("huawei")
    message = str(info.value)
    assert "state_support_coding.csv" in message and f"'{field}'" in message
    assert expected in message
