"""Figure 1's bounds by their written rules (docs/figure1.md): each reading applied to every
item it can touch, each label true of the number it labels. Expected totals are worked out here
by hand from the amounts Appendix A and Figure 1 print, not by the library."""

from __future__ import annotations

import csv
import inspect
import itertools
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from ccp_analysis.data.sources import support
from ccp_analysis.errors import InputError, ParameterError
from ccp_analysis.figures import figure_data, texts

ROOT = Path(__file__).resolve().parents[1]
BN = 1e9
MN = 1e6
SPAN = {"year_start": 1995, "year_end": 2020}

# The amounts as Appendix A and Figure 1 print them.
CREDIT_LINE = 30 * BN  # A04 "$30 billion credit line"
A07 = 10 * BN  # "$10 billion total loans to various Huawei customers for the year"
EXIM_TOTAL, CDB_TOTAL = 2.8 * BN, 7 * BN  # A08/A09, "In total" for the 32 cases of 2012-2018
EXIM_LOANS = {"A10": 68 * MN, "A13": 222 * MN, "A22": 382 * MN}  # 2013, 2014, 2018
CDB_LOANS = {"A12": 214 * MN, "A14": 1.2 * BN, "A15": 31 * MN, "A16": 600 * MN}  # 2014-2015
# CDB loans to Huawei's customers before A07's 2011 ("has been loaned", read as to date).
EARLY = {"A02": 500 * MN, "A03": 1 * BN, "A06": 1.1 * BN}
A06_LINKED = 600 * MN  # "required RComm to spend $600 million ... from Huawei and ZTE"
CCB_1998 = 471 * MN  # F1-04, China Construction Bank, the only commercial-bank amount
FINE = 975 * MN  # A17, paid by Qualcomm
CONTRACTS = 0.572 * 5.2 * BN  # A23 "57.2% of ... $5.2 billion"
GRANTS = (150 + 190 + 222) * MN  # A05, A18, A19
CONTAINED = sum(EXIM_LOANS.values()) + sum(CDB_LOANS.values())

LOANS_UPPER = sum(EARLY.values()) + A07 + EXIM_TOTAL + CDB_TOTAL + CONTAINED + CCB_1998
LOANS_CONSERVATIVE = A07 + EXIM_TOTAL + CDB_TOTAL + CCB_1998
UPPER = LOANS_UPPER + GRANTS + CONTRACTS + CREDIT_LINE
CONSERVATIVE = LOANS_CONSERVATIVE + GRANTS + CONTRACTS

# The items each reading can touch, listed by hand from the report's lenders and dates.
DRAWN_UNDER_A04 = {"A02", "A03", "A06", "A07", "A09", "A12", "A14", "A15", "A16"}  # CDB, 2004 on
INSIDE_A07_TO_DATE = {"A02", "A03", "A06"}  # CDB loans before 2011
INSIDE_IN_TOTAL = set(EXIM_LOANS) | set(CDB_LOANS)  # single loans of 2012-2018, same lender
# "Chinese vendors like Huawei", "Huawei and ZTE", "refinancing of its previous debt".
PARTLY_LINKED = {"A03", "A06", "A14"}


@pytest.fixture(scope="module")
def huawei(frames) -> pd.DataFrame:
    return frames["huawei_state_support"]


@pytest.fixture(scope="module")
def relations(frames) -> pd.DataFrame:
    return frames["state_support_relations"]


def _counted(frame, relations, **kwargs) -> dict[str, float]:
    items = figure_data.select_support(frame, relations, **SPAN, **kwargs)
    return dict(zip(items["item_id"], items["counted_usd"].fillna(0.0), strict=True))


def _bounds(frame, relations, **rules) -> dict[str, float]:
    table = figure_data.support_bounds(frame, relations, **SPAN, **rules)
    return dict(zip(table["bound"], table["total_usd_bn"] * BN, strict=True))


def _moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {i: after[i] - before[i] for i in before if not math.isclose(after[i], before[i])}


def test_hand_sums():
    assert pytest.approx(2.717 * BN) == CONTAINED
    assert pytest.approx(59.1244 * BN) == UPPER
    assert pytest.approx(23.8074 * BN) == CONSERVATIVE


def _every_stated_support_amount() -> float:
    """Every USD amount the report states for an item of Huawei's support, once: Appendix A's
    rows and the Figure 1 items Appendix A does not repeat, read from the raw CSVs here; the
    fine NDRC extracted from Qualcomm is not support to Huawei."""
    raw = ROOT / "data" / "raw" / "report"
    amount = re.compile(r"\$(\d+(?:\.\d+)?) (million|billion)")
    scale = {"million": MN, "billion": BN}
    total = 0.0
    with (raw / "appendix_a_huawei.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row["support_text"]
            if "fine extracted from Qualcomm" in text:
                continue
            if start := re.match(amount.pattern, text):
                total += float(start[1]) * scale[start[2]]
            elif share := re.match(r"(\d+(?:\.\d+)?)% of .*?" + amount.pattern, text):
                total += float(share[1]) / 100 * float(share[2]) * scale[share[3]]
    with (raw / "state_support_coding.csv").open(encoding="utf-8") as f:
        own = {r["item_id"] for r in csv.DictReader(f)
               if r["item_id"].startswith("F1-") and not r["same_item_as"]}
    with (raw / "figure1_items.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["item_id"] in own:
                # F1-04 states "$471 million" and no other amount.
                total += sum(float(n) * scale[s] for n, s in amount.findall(row["item_text"]))
    return total


def test_the_upper_label_is_true_every_stated_amount_once(huawei, relations):
    hand = _every_stated_support_amount()
    assert hand == pytest.approx(UPPER, abs=1e3)
    assert _bounds(huawei, relations)["upper"] == pytest.approx(hand, abs=1e5)
    assert figure_data.bound_labels()["upper"] == (
        "upper: every stated amount once, except the fine on Qualcomm, which is not support")
    # With the fine chosen, the label says every stated amount once and the total is just that.
    assert figure_data.bound_labels(include_fines=True)["upper"] == (
        "upper: every stated amount once")
    assert _bounds(huawei, relations, include_fines=True)["upper"] == pytest.approx(
        hand + FINE, abs=1e5)
    assert hand + FINE == pytest.approx(60.0994 * BN, abs=1e3)
    # Each rule that takes amounts out says so in the label.
    assert figure_data.bound_labels(include_credit_lines=False, include_fines=True)["upper"] == (
        "upper: every stated amount once, except credit-line ceilings")
    # Every primary item with an amount, but the fine, counts in full.
    counted = _counted(huawei, relations, bound="upper")
    h = huawei.set_index("item_id")
    for item, value in counted.items():
        amount = h.loc[item, "amount_usd"]
        assert value == (0.0 if item == "A17" or pd.isna(amount) else amount), item


def test_the_conservative_label_is_true_money_only_each_dollar_once(huawei, relations):
    assert "no ceiling" in figure_data.BOUND_LABELS["conservative"]
    assert _bounds(huawei, relations)["conservative"] == pytest.approx(CONSERVATIVE, abs=1e5)
    counted = _counted(huawei, relations, bound="conservative")
    assert counted["A04"] == 0  # the ceiling
    # No two counted items are joined by any coded relation.
    positive = {i for i, v in counted.items() if v > 0}
    for _, rel in relations.iterrows():
        assert not (rel["item_id"] in positive and rel["target"] in positive), rel.to_dict()
    # The default selection is the conservative bound.
    default = figure_data.select_support(huawei, relations, **SPAN)
    assert default["counted_usd"].sum() == pytest.approx(CONSERVATIVE, abs=1e5)


def test_missing_and_inferred_relations_are_coded(relations):
    rel = relations.set_index(["item_id", "relation"])
    # Every CDB loan to a Huawei customer from 2004 on may be drawn under the line, not only
    # A07; none is stated to be, so every one is inferred.
    drawn = relations[relations["relation"] == "drawn_under"]
    assert set(drawn["item_id"]) == DRAWN_UNDER_A04
    assert set(drawn["target"]) == {"A04"} and set(drawn["basis"]) == {"inferred"}
    assert "CDB offered a $10 billion buyer's credit line in 2004" in rel.loc[
        ("A07", "drawn_under"), "evidence"]
    inside_a07 = relations[(relations["relation"] == "contained_in")
                           & (relations["target"] == "A07")]
    assert set(inside_a07["item_id"]) == INSIDE_A07_TO_DATE
    assert set(inside_a07["reading"]) == {"to date"}
    assert "has been loaned to Huawei's customers" in rel.loc[("A02", "contained_in"), "evidence"]
    partly = relations[relations["relation"] == "partly_linked"]
    assert set(partly["item_id"]) == PARTLY_LINKED
    assert rel.loc[("A06", "partly_linked"), "linked_usd"] == A06_LINKED
    assert "$600 million of the funds on equipment purchases from Huawei and ZTE" in rel.loc[
        ("A06", "partly_linked"), "evidence"]


# Each reading alone against none applied: the items it moves and by how much, by hand.
READING_MOVES = {
    "to date": {i: -v for i, v in EARLY.items()},
    "in total": {i: -v for i, v in {**EXIM_LOANS, **CDB_LOANS}.items()},
    "partly linked": {"A03": -EARLY["A03"], "A06": A06_LINKED - EARLY["A06"],
                      "A14": -CDB_LOANS["A14"]},
}


@pytest.mark.parametrize("reading", list(READING_MOVES))
def test_each_reading_moves_every_item_it_touches_together(huawei, relations, reading):
    none = _counted(huawei, relations, bound="conservative", readings=())
    alone = _counted(huawei, relations, bound="conservative", readings=(reading,))
    moved = _moved(none, alone)
    assert set(moved) == set(READING_MOVES[reading])
    for item, change in READING_MOVES[reading].items():
        assert moved[item] == pytest.approx(change), item
    # The upper bound reads nothing: every stated amount once, whatever the readings.
    assert _bounds(huawei, relations)["upper"] == pytest.approx(UPPER, abs=1e5)


def test_the_credit_line_reading_moves_every_loan_drawn_under_it(huawei, relations):
    none = _counted(huawei, relations, bound="conservative", readings=())
    # The other choice: the ceiling counted in place of every loan that may be drawn under it.
    ceiling = _counted(huawei, relations, bound="conservative", readings=("credit line",),
                       ceiling_in_place=True)
    moved = _moved(none, ceiling)
    assert set(moved) == DRAWN_UNDER_A04 | {"A04"}
    assert moved["A04"] == CREDIT_LINE
    assert moved["A07"] == -A07 and moved["A09"] == -CDB_TOTAL and moved["A02"] == -EARLY["A02"]
    # Without the reading the ceiling stands beside the loans: nothing but A04 moves.
    beside = _counted(huawei, relations, bound="conservative", readings=(),
                      ceiling_in_place=True)
    assert set(_moved(none, beside)) == {"A04"}
    # The limit counted or not (include_credit_lines): the upper total moves by the limit alone.
    without = _bounds(huawei, relations, include_credit_lines=False)
    assert without["upper"] == pytest.approx(UPPER - CREDIT_LINE, abs=1e5)
    assert without["conservative"] == pytest.approx(CONSERVATIVE, abs=1e5)


@pytest.mark.parametrize("limits, customers, derived, fines",
                         list(itertools.product([True, False], repeat=4)))
def test_no_rule_counts_a_repeat_or_a_limit_beside_its_loans(huawei, relations, limits,
                                                            customers, derived, fines):
    rules = {"include_credit_lines": limits, "include_customer_financing": customers,
             "include_derived": derived, "include_fines": fines}
    counted = _counted(huawei, relations, bound="conservative", **rules)
    assert counted["A04"] == 0
    # Figure 1's boxes that repeat an appendix row never count.
    assert not {"F1-01", "F1-02", "F1-03", "F1-06", "F1-07", "F1-08", "F1-10",
                "F1-11"} & set(counted)


def test_sensitivity_rows(huawei, relations):
    table = figure_data.support_sensitivity(huawei, relations, **SPAN).set_index("label")
    expected = {
        "as chosen": (CONSERVATIVE, UPPER, set()),
        "without credit-line ceilings": (CONSERVATIVE, UPPER - CREDIT_LINE, {"A04"}),
        "without customer financing": (GRANTS + CONTRACTS, GRANTS + CONTRACTS,
                                       DRAWN_UNDER_A04 | INSIDE_IN_TOTAL
                                       | {"A04", "A08", "F1-04"}),
        "without derived amounts": (CONSERVATIVE - CONTRACTS, UPPER - CONTRACTS, {"A23"}),
        # A03 stays out: its words tie no part to Huawei alone.
        "A07's $10 billion read as for 2011 only, not as loaned to date": (
            CONSERVATIVE + EARLY["A02"] + A06_LINKED, UPPER, {"A02", "A06"}),
        # A14 stays out: partly linked, the part for Huawei equipment is not stated.
        "the 'in total' amounts not taken to hold the single loans of their span": (
            CONSERVATIVE + CONTAINED - CDB_LOANS["A14"], UPPER,
            INSIDE_IN_TOTAL - {"A14"}),
        # Every partly linked item may sit inside a counted total already.
        "partly linked loans counted in full": (CONSERVATIVE, UPPER, set()),
        "the ceiling counted in place of every loan that may be drawn under it": (
            CONSERVATIVE + CREDIT_LINE - A07 - CDB_TOTAL, UPPER, {"A04", "A07", "A09"}),
    }
    assert list(table.index) == list(expected)
    for label, (low, high, moved) in expected.items():
        row = table.loc[label]
        assert row["low_usd_bn"] * BN == pytest.approx(low, abs=1e5), label
        assert row["high_usd_bn"] * BN == pytest.approx(high, abs=1e5), label
        assert set(row["moved_item_ids"].split()) == moved, label


def test_a_fine_on_a_competitor_is_not_support(huawei, relations):
    for bound in figure_data.BOUNDS:
        assert _counted(huawei, relations, bound=bound)["A17"] == 0
    items = figure_data.select_support(huawei, relations, **SPAN).set_index("item_id")
    assert items.loc["A17", "counted_reason"].startswith("not money")
    h = huawei.set_index("item_id")
    assert h.loc["A17", "amount_usd"] == FINE
    assert h.loc["A17", "amount_kind"] == h.loc["F1-08", "amount_kind"] == "not_to_firm"
    with_fine = _bounds(huawei, relations, include_fines=True)
    assert with_fine["upper"] == pytest.approx(UPPER + FINE, abs=1e5)
    assert with_fine["conservative"] == pytest.approx(CONSERVATIVE + FINE, abs=1e5)


def test_fines_default_to_excluded_in_the_library_and_the_notebook():
    default = inspect.signature(figure_data.select_support).parameters["include_fines"].default
    notebook = json.loads((ROOT / "notebooks" / "fig1_huawei_support.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert default is False
    assert "include_fines: bool = False" in "".join(cell["source"])


# ------------------------------------------------------------------ measures kept apart


@pytest.fixture(scope="module")
def figure_table(frames, huawei, relations) -> pd.DataFrame:
    return figure_data.support_figure_table(huawei, relations, frames["state_support_estimates"],
                                            **SPAN)


def test_measures_are_kept_apart_and_totals_say_what_they_add_up(figure_table):
    measures = figure_table[figure_table["panel"] == "measure"].set_index(["row", "bound"])
    expected = {
        ("loans to Huawei's customers", "conservative"): LOANS_CONSERVATIVE,
        ("loans to Huawei's customers", "upper"): LOANS_UPPER,
        ("transfers to Huawei", "conservative"): GRANTS,
        ("transfers to Huawei", "upper"): GRANTS,
        ("contract value Huawei won", "conservative"): CONTRACTS,
        ("contract value Huawei won", "upper"): CONTRACTS,
        ("credit-line ceilings", "conservative"): 0,
        ("credit-line ceilings", "upper"): CREDIT_LINE,
    }
    assert set(measures.index) == set(expected)
    for key, value in expected.items():
        assert measures.loc[key, "usd_bn"] * BN == pytest.approx(value, abs=1e5), key
    totals = figure_table[figure_table["panel"] == "total"].set_index("bound")
    assert totals.loc["conservative", "usd_bn"] * BN == pytest.approx(CONSERVATIVE, abs=1e5)
    assert totals.loc["upper", "usd_bn"] * BN == pytest.approx(UPPER, abs=1e5)
    assert totals.loc["conservative", "what"].startswith(
        "this project's sum of loans to Huawei's customers + transfers to Huawei + contract "
        "value Huawei won:")
    assert totals.loc["upper", "what"].startswith(
        "this project's sum of loans to Huawei's customers + transfers to Huawei + contract "
        "value Huawei won + credit-line ceilings:")
    # The text's estimates are rows of their own, marked as a different measure.
    estimates = figure_table[figure_table["panel"] == "text estimate"].set_index("item_ids")
    assert estimates.loc["E01", "usd_bn"] == 25 and estimates.loc["E01", "bound"] == "as much as"
    assert estimates.loc["E02", "usd_bn"] == 75 and estimates.loc["E02", "bound"] == "point"
    assert all(w.startswith("a different measure") for w in estimates["what"])


@pytest.mark.parametrize("by", ["measure", "channel"])
def test_no_group_without_a_counted_amount(huawei, relations, by):
    table = figure_data.support_totals(huawei, relations, by, **SPAN)
    # A21, the only Unassigned item, has no amount; the fine counts nowhere by default.
    assert not {"Unassigned", "fines on competitors"} & set(table["group"])
    assert table["conservative_usd_bn"].sum() * BN == pytest.approx(CONSERVATIVE, abs=1e6)
    assert table["upper_usd_bn"].sum() * BN == pytest.approx(UPPER, abs=1e6)


def test_the_sensitivity_table_and_the_figure_table_agree(huawei, relations, figure_table):
    chosen = figure_data.support_sensitivity(huawei, relations, **SPAN).iloc[0]
    totals = figure_table[figure_table["panel"] == "total"].set_index("bound")
    assert chosen["label"] == "as chosen"
    assert chosen["low_usd_bn"] == totals.loc["conservative", "usd_bn"]
    assert chosen["high_usd_bn"] == totals.loc["upper", "usd_bn"]
    assert chosen["conservative_item_ids"] == totals.loc["conservative", "item_ids"]
    assert chosen["upper_item_ids"] == totals.loc["upper", "item_ids"]
    # The measure rows hold exactly the items their total counts.
    measures = figure_table[figure_table["panel"] == "measure"]
    for bound in figure_data.BOUNDS:
        ids = " ".join(measures.loc[measures["bound"] == bound, "item_ids"]).split()
        assert sorted(ids) == totals.loc[bound, "item_ids"].split()


def test_caption_alt_text_and_finding_agree_with_the_table(figure_table):
    text = texts.huawei_support(figure_table, {"year_start": 1997, "year_end": 2020},
                                unquantified=6)
    # The report never totals Figure 1: the caption says whose sum it is, from what.
    assert '("representative examples")' in text.caption
    assert '("a sample")' in text.caption
    assert "the report gives no total" in text.caption
    assert "this project's construction" in text.caption
    for words in ("$23.8 billion", "$59.1 billion", "loans to Huawei's customers $20.3 billion "
                  "to $25.6 billion", "credit-line ceilings $30.0 billion (upper total only)"):
        assert words in text.caption and words in text.alt_text, words
    assert figure_data.BOUND_RULES["upper"] in text.caption
    assert figure_data.BOUND_RULES["conservative"] in text.caption
    assert "The text's estimates measure other things, drawn apart on their own axis" in (
        text.caption)
    # 20.271 of 23.8074 bn is loans to customers.
    assert "85% of the conservative total is the face value of loans" in text.finding
    # The upper total leaves out the fine: the alt text says so, as the legend does.
    assert ("contract value Huawei won + credit-line ceilings, every stated amount once, except "
            "the fine on Qualcomm, which is not support)") in text.alt_text
    # The conservative total adds up 3 measures (no ceiling), the upper 4.
    assert "sums of 3 (conservative) and 4 (upper) unlike measures" in text.finding
    assert round(LOANS_CONSERVATIVE / CONSERVATIVE * 100) == 85
    assert "$3.0 billion the value of contracts Huawei won" in text.finding


def test_each_estimate_label_says_what_it_measures(figure_table, frames):
    """"$25 billion" is tax saved via tax incentives and "$75 billion" the Wall Street Journal's
    total state support: a label naming only who estimated it would read as another total of
    Figure 1's items."""
    estimates = figure_table[figure_table["panel"] == "text estimate"].set_index("item_ids")
    assert estimates.loc["E01", "row"] == (
        "tax saved via tech-related tax incentives (One prominent study, between 2008 and 2018)")
    assert estimates.loc["E02", "row"] == (
        "total state support, mainly credit facilities and tax breaks (Wall Street Journal, 2019)")
    # Each measure is the quote's own words.
    quotes = frames["state_support_estimates"].set_index("estimate_id")["quote"]
    assert "tech-related tax incentives" in quotes["E01"]
    assert "total state support" in quotes["E02"] and "credit facilities and tax breaks" in (
        quotes["E02"])
    text = texts.huawei_support(figure_table, {"year_start": 1997, "year_end": 2020},
                                unquantified=6)
    for words in ("tax saved via tech-related tax incentives (One prominent study, between 2008 "
                  "and 2018): as much as $25.0 billion", "total state support, mainly credit "
                  "facilities and tax breaks (Wall Street Journal, 2019): $75.0 billion"):
        assert words in text.caption and words in text.alt_text, words
    # An estimate without a coded measure is refused, not drawn unlabelled.
    unknown = frames["state_support_estimates"].iloc[[0]].assign(estimate_id="E99")
    with pytest.raises(ParameterError, match="E99"):
        figure_data.estimate_label(unknown.iloc[0])


def test_the_transfers_label_names_exactly_what_they_hold(huawei, relations, figure_table):
    """The transfers are grants, land, bonuses, technology transfer and a loan to Huawei; no
    item is a tax relief, so the label does not say "tax"."""
    items = figure_data.select_support(huawei, relations, **SPAN, bound="upper")
    held = set(items.loc[items["measure"] == figure_data.TRANSFERS, "instrument"])
    assert held == {"grant", "land", "personnel bonus", "joint venture/technology transfer",
                    "loan to the firm"}
    note = figure_table.loc[figure_table["row"] == figure_data.TRANSFERS, "what"].iloc[0]
    named = {"grant": "grants", "land": "land", "personnel bonus": "bonuses",
             "joint venture/technology transfer": "technology transfer",
             "loan to the firm": "a loan to Huawei itself"}
    assert all(named[i] in note for i in held)
    assert "tax" not in note


def test_the_chart_labels_clear_each_other_and_the_bars(figure_table):
    import matplotlib

    matplotlib.use("Agg")
    from ccp_analysis.figures import charts, style

    with matplotlib.rc_context(fname=str(style.STYLE)):
        fig = charts.support_bars(figure_table, title="t",
                                  bound_labels=figure_data.bound_labels())
        style.frame(fig, "fig1_huawei_support", "Source: s")
        fig.draw_without_rendering()  # laid out and measured, no pixel painted
        renderer = fig.canvas.get_renderer()
        labels, bars = [], []
        for ax in fig.axes:
            labels += [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
            bars += [p.get_window_extent(renderer) for p in ax.patches if p.get_width() > 0]
        # One label per bar drawn (zero-length bars say so in words), every one clear.
        assert len(labels) == len(figure_table)
        for a, b in itertools.combinations(labels, 2):
            assert not _overlaps(a, b)
        for label in labels:
            assert not any(_overlaps(label, bar) for bar in bars)
        # The estimates stand on an axis of their own.
        assert len(fig.axes) == 3
        texts_drawn = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert r"as much as \$25.0 bn" in texts_drawn and r"\$59.1 bn" in texts_drawn
        assert "not in the conservative total" in texts_drawn
        matplotlib.pyplot.close(fig)


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


# ------------------------------------------------------------------------- bad relations


def _edit_raw(root: Path, rewrite_raw, relpath: str, old: str, new: str) -> None:
    text = (root / "data" / "raw" / relpath).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    rewrite_raw(root, relpath, text.replace(old, new).encode("utf-8"))


CODING = "report/state_support_coding.csv"
RELATIONS = "report/state_support_relations.csv"


@pytest.mark.parametrize("relpath, old, new, field, expected", [
    # A loan drawn under a total rather than a limit.
    (RELATIONS, "A07,drawn_under,A04,", "A07,drawn_under,A08,", "target",
     "coded 'limit'"),
    # A 2009 loan cannot sit in a 2012-2018 total.
    (RELATIONS, "A02,contained_in,A07,to date,", "A02,contained_in,A09,in total,", "target",
     "holds the item's period"),
    # An Exim loan is no part of a CDB total.
    (RELATIONS, "A10,contained_in,A08,", "A10,contained_in,A09,", "target",
     "of a lender the item names"),
    # Evidence must be the report's words.
    (RELATIONS, "required RComm to spend $600 million", "required RComm to spend $700 million",
     "evidence", "verbatim"),
    (RELATIONS, "A14,partly_linked,,partly linked,stated,", "A14,partly_linked,,to date,stated,",
     "reading", "one of 'partly linked'"),
    (CODING, "not_to_firm,$975 million fine extracted from Qualcomm,",
     "not_to_firm,$975 million fine paid to Huawei,", "amount_kind_evidence", "verbatim"),
    (CODING, ",aggregate,\"identified 32 cases between 2012 and 2018 wherein either China Exim "
     "bank or China Development Bank funded Huawei projects | In total, China Exim bank has "
     "provided $2.8 billion in funding for Huawei's overseas projects\",between 2012 and 2018\n"
     "A09", ",limit,x,between 2012 and 2018\nA09", "instrument", "'credit line'"),
])
def test_bad_relations_are_refused(project_copy, rewrite_raw, relpath, old, new, field,
                                   expected):
    _edit_raw(project_copy, rewrite_raw, relpath, old, new)
    with pytest.raises(InputError) as info:
        items = pd.concat([support.state_support("huawei"), support.state_support("alibaba")],
                          ignore_index=True)
        support.relations(items)
    message = str(info.value)
    assert relpath.split("/")[1] in message and f"'{field}'" in message
    assert expected in message
