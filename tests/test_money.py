"""Amounts and percentages in the forms the report prints them, and near misses refused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ccp_analysis.data.parsing import money

REPORT = Path(__file__).resolve().parents[1] / "data" / "raw" / "report"


def _rows(name: str) -> list[dict[str, str]]:
    with (REPORT / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CODING_AMOUNTS = sorted({r["amount_text"] for r in _rows("state_support_coding.csv")
                         if r["amount_text"]})
ESTIMATES = _rows("state_support_estimates.csv")


@pytest.mark.parametrize(
    ("text", "usd"),
    [
        ("$500 million", 5e8),
        ("$1 billion", 1e9),
        ("$30 billion", 3e10),
        ("$1.1 billion", 1.1e9),
        ("$1.2 billion", 1.2e9),
        ("$2.8 billion", 2.8e9),
        ("$68 million", 68e6),
        ("$31 million", 31e6),
        ("$471 million", 471e6),
        ("$798.21 million", 798.21e6),
        ("$789.21 million", 789.21e6),
        ("$50,000", 50_000.0),
        ("$25 billion", 25e9),
        ("$75 billion", 75e9),
    ],
)
def test_stated_usd_amounts(text, usd):
    assert money.parse_usd(text) == pytest.approx(usd, rel=1e-12)
    amount = money.parse_amount(text)
    assert amount.usd == pytest.approx(usd, rel=1e-12)
    assert amount.basis == money.STATED
    assert amount.formula == text


@pytest.mark.parametrize(
    "text",
    [
        "57.2% of state-owned China Mobile's $5.2 billion",  # Appendix A, row 23
        "57.2 percent of a China Mobile $5.2 billion",  # Figure 1's wording
    ],
)
def test_derived_share_of_an_amount(text):
    amount = money.parse_amount(text)
    assert amount.basis == money.DERIVED
    assert amount.usd == pytest.approx(2.9744e9, rel=1e-12)
    assert amount.usd == pytest.approx(0.572 * 5.2e9, rel=1e-12)
    assert "57.2" in amount.formula


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("10 percent", 10.0, 10.0), ("20 to 30 percent", 20.0, 30.0), ("57.2%", 57.2, 57.2)],
)
def test_percent_and_percent_ranges(text, low, high):
    assert money.parse_pct_range(text) == (low, high)
    assert money.parse_value(text, "pct") == (low, high)


def test_single_percent():
    assert money.parse_pct("45 percent") == 45.0
    assert money.parse_pct("9.9%") == 9.9


def test_usd_value_is_a_degenerate_range():
    assert money.parse_value("$25 billion", "usd") == (25e9, 25e9)


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unit"):
        money.parse_value("$25 billion", "eur")


@pytest.mark.parametrize(
    "text",
    [
        "500 million",  # no dollar sign
        "$ 500 million",  # space after the sign
        "$1.1.1 billion",  # two decimal points
        "€5 million",  # another currency
        "$5 millions",  # plural scale
        "$1.1billion",  # no space before the scale
        " $5 million",  # leading space
        "$5 million ",  # trailing space
        "$5 Million",  # capitalised scale
        "$1,00 million",  # bad thousands grouping
        "120% of $5 billion",  # share above 100%
        "0% of $5 billion",  # empty share
        "",
    ],
)
def test_amount_near_misses_raise(text):
    with pytest.raises(ValueError):
        money.parse_amount(text)


@pytest.mark.parametrize("text", ["500 million", "$ 500 million", "$1.1.1 billion", "€5 million",
                                  "$5 millions", "$1.1billion", " $5 million", ""])
def test_usd_near_misses_raise(text):
    with pytest.raises(ValueError, match="not a USD amount"):
        money.parse_usd(text)


@pytest.mark.parametrize(
    "text", ["30 to 20 percent", "20 to 30", "20 - 30 percent", "ten percent", "10 per cent", ""]
)
def test_percent_near_misses_raise(text):
    with pytest.raises(ValueError):
        money.parse_pct_range(text)


def test_backwards_range_says_so():
    with pytest.raises(ValueError, match="backwards"):
        money.parse_pct_range("30 to 20 percent")


def test_share_above_100_percent_says_so():
    with pytest.raises(ValueError, match="outside 0-100"):
        money.parse_amount("120% of $5 billion")


def test_coding_file_has_the_amount_forms_tested_here():
    # The hand-picked cases above cover every distinct amount_text of the coding file.
    expected = {
        "$500 million", "$1 billion", "$30 billion", "$150 million", "$1.1 billion",
        "$10 billion", "$2.8 billion", "$7 billion", "$68 million", "$214 million",
        "$222 million", "$1.2 billion", "$31 million", "$600 million", "$975 million",
        "$190 million", "$382 million", "57.2% of state-owned China Mobile's $5.2 billion",
        "$798.21 million", "$471 million", "57.2 percent of a China Mobile $5.2 billion",
        "$789.21 million",
    }
    assert sorted(expected) == CODING_AMOUNTS


@pytest.mark.parametrize("text", CODING_AMOUNTS)
def test_every_coded_amount_parses(text):
    amount = money.parse_amount(text)
    assert amount.usd > 0
    # A stated amount is the printed number times its scale.
    if amount.basis == money.STATED:
        number, _, scale = text[1:].partition(" ")
        factor = {"": 1.0, "million": 1e6, "billion": 1e9}[scale]
        assert amount.usd == pytest.approx(float(number.replace(",", "")) * factor, rel=1e-12)
    else:
        assert amount.basis == money.DERIVED
        assert amount.usd == pytest.approx(2.9744e9, rel=1e-12)


@pytest.mark.parametrize("row", ESTIMATES, ids=[r["estimate_id"] for r in ESTIMATES])
def test_every_estimate_value_parses(row):
    expected = {
        "E01": (25e9, 25e9),
        "E02": (75e9, 75e9),
        "E03": (10.0, 10.0),
        "E04": (20.0, 30.0),
    }[row["estimate_id"]]
    assert money.parse_value(row["value_text"], row["unit"]) == expected
