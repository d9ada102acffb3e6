"""The claims audit: every claim's verdict on the as-published data, the rules claims.csv states,
every row true on its own (both editions), one counted reading per statement, quotes verbatim in
the report, and verdicts that flip when the input they rest on changes: in memory on small frames
(the frames read once, changed in a copy, only the claims concerned judged), a few end to end
through a throw-away copy of data/raw."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from report_text import report_text_path

from ccp_analysis import claims
from ccp_analysis.data import editions, frame_builders
from ccp_analysis.data.sources import claimsfile
from ccp_analysis.errors import ChecksumError, InputError
from ccp_analysis.paths import ROOT_ENV

ROOT = Path(__file__).resolve().parents[1]
CLAIMS_FILE = "report/claims.csv"


def _audit_copy() -> pd.DataFrame:
    """Rebuild the frames of the project copy CCP_ANALYSIS_ROOT points at, and audit them."""
    frame_builders.build()
    return claims.audit(editions.frames("as-published")).set_index("claim_id")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        return editions.frames("as-published")


@pytest.fixture(scope="module")
def updated_frames() -> dict[str, pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        return editions.frames("updated")


@pytest.fixture(scope="module")
def listed(frames) -> pd.DataFrame:
    return frames["report_claims"].set_index("claim_id")


@pytest.fixture(scope="module")
def table(frames) -> pd.DataFrame:
    return claims.audit(frames)


@pytest.fixture(scope="module")
def by_id(table) -> pd.DataFrame:
    return table.set_index("claim_id")


# ------------------------------------------------------------------------------ the table


def test_audit_columns_order_and_verdicts(table):
    assert list(table.columns) == claims.AUDIT_COLUMNS
    assert table["claim_id"].is_unique
    numbers = [int(c[1:]) for c in table["claim_id"]]
    assert numbers == sorted(numbers)
    assert set(table["verdict"]) == set(claims.VERDICTS)
    assert claims.VERDICTS == ("reproduced", "differs", "internal inconsistency", "stated only")
    assert set(table["checked_against"]) == set(claims.CHECKED_AGAINST)


def test_every_explanation_is_one_line_and_says_something(table):
    for _, row in table.iterrows():
        assert row["explanation"].strip(), row["claim_id"]
        assert "\n" not in row["explanation"], row["claim_id"]


def test_stated_only_rows_have_no_recomputation(table):
    stated_only = table[table["verdict"] == "stated only"]
    assert (stated_only["recomputed_value"] == "").all()
    assert stated_only["difference"].isna().all()
    assert (stated_only["checked_against"] == "nothing").all()
    others = table[table["verdict"] != "stated only"]
    assert (others["recomputed_value"] != "").all()


def test_every_row_has_a_method_or_a_stated_only_reason(listed):
    for claim_id, row in listed.iterrows():
        assert row["method"] in claims.METHODS or row["method"] == "stated_only", claim_id
        assert row["note"].strip(), claim_id  # the rule, or why it is stated only
        if row["method"] == "stated_only":
            assert "no " in row["note"] or "not " in row["note"], (claim_id, row["note"])


def test_every_registered_method_is_used_by_a_claim(listed):
    used = set(listed["method"])
    assert set(claims.METHODS) <= used
    assert used - set(claims.METHODS) == {"stated_only"}


def test_the_registry_refuses_a_name_twice():
    name = next(iter(claims.METHODS))
    before = claims.METHODS[name]
    with pytest.raises(ValueError, match="registered twice"):
        claims.register(name, lambda frames: claims.Recomputed(None))
    with pytest.raises(ValueError, match="registered twice"):
        claims.register("stated_only", lambda frames: claims.Recomputed(None))
    assert claims.METHODS[name] is before
    with pytest.raises(TypeError):
        claims.METHODS[name] = before  # no way around register


def test_claims_are_read_from_data_processed(frames, listed):
    assert "report_claims" in frames
    assert (listed["raw_line"] >= 2).all()
    # the raw file has one record per line: line n holds the (n-1)th record
    rows = _claims_rows(ROOT)
    assert len(rows) - 1 == len(listed)
    for claim_id, row in listed.iterrows():
        assert rows[row["raw_line"] - 1][0] == claim_id


def test_the_notebook_reads_no_raw_file():
    notebook = json.loads((ROOT / "notebooks" / "claims_audit.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "data/raw" not in code and "read_csv" not in code and "raw" not in code
    assert "claims.audit(editions.frames(edition))" in code


# ------------------------------------------------------------------------ each verdict

# Every claim a method judges: (method, verdict, checked against, recomputed value: a number
# (checked to 0.01), a month/year text, or None where a test of its own checks it). Every other
# row of claims.csv is stated only.
EXPECTED: dict[str, tuple[str, str, str, float | str | None]] = {
    "K01": ("huawei_years_in_malaysia", "reproduced", "report", 10),
    "K02": ("alibaba_years_in_malaysia", "reproduced", "report", 5),
    "K04": ("huawei_cdb_customer_loans_vs_appendix_a", "internal inconsistency", "report",
            11.5),
    "K06": ("huawei_cdb_credit_line_amount_vs_appendix_a", "reproduced", "report", 30),
    "K07": ("huawei_cdb_credit_line_year_vs_appendix_a", "internal inconsistency", "report",
            "2010"),
    "K10": ("huawei_america_movil_loan_vs_appendix_a", "reproduced", "report", 1),
    "K11": ("huawei_rcomm_loan_vs_appendix_a", "reproduced", "report", 1.1),
    "K12": ("huawei_qualcomm_fine_vs_appendix_a", "reproduced", "report", 975),
    "K13": ("huawei_policy_bank_loans_2012_2018_at_most", "reproduced", "report", 7),
    "K14": ("huawei_exim_loans_as_printed_at_most", "internal inconsistency", "report", 3.472),
    "K15": ("huawei_cdb_loans_as_printed_at_most", "internal inconsistency", "report", 9.045),
    "K21": ("alibaba_tax_benefit_vs_appendix_b", "internal inconsistency", "report", 798.21),
    "K22": ("alibaba_shenzhen_rate_vs_appendix_b", "reproduced", "report", 15),
    "K23": ("alibaba_effective_rate_vs_appendix_b", "reproduced", "report", 9.9),
    "K24": ("alibaba_effective_tax_rate_below", "reproduced", "report", 10),
    "K28": ("huawei_malaysia_entry_year", "reproduced", "report", "2001"),
    "K29": ("huawei_first_malaysia_deal_year", "reproduced", "report", "2011"),
    "K30": ("huawei_altel_4g_year", "reproduced", "report", "2014"),
    "K31": ("huawei_u_mobile_4g_year", "reproduced", "report", "2014"),
    "K33": ("alibaba_ecommerce_hub_month", "reproduced", "report", "2017-03"),
    "K35": ("fiberhome_mou_year", "reproduced", "report", "2019"),
    "K36": ("chinese_players_at_least", "stated only", "nothing", None),
    "K37": ("huawei_maxis_mou_month", "reproduced", "report", "2019-02"),
    "K39": ("tencent_ccb_mou_year", "reproduced", "report", "2020"),
    "K40": ("deals_trailing_12m_peak_year", "reproduced", "report", "2020"),
    "K41": ("deals_2020_count_below", "reproduced", "report", 5),
    "K42": ("huawei_revenue_change_2021_cny", "reproduced", "data", -28.56),
    "K43": ("huawei_revenue_change_2021_usd", "differs", "data", -23.56),
    "K47": ("huawei_first_revenue_decline_year", "reproduced", "data", "2021"),
    "K48": ("alibaba_oct2020_value_20f_range", "reproduced", "data", 840.33),
    "K50": ("alibaba_peak_month", "reproduced", "data", "2020-10"),
    "K51": ("alibaba_nov2022_high_value_below", "differs", "data", 233.76),
    "K52": ("alibaba_decline_to_nov2022_high_above", "differs", "data", 72.56),
    "K53": ("alibaba_ipo_gain_lost_offer_nearly", "reproduced", "data", 92.46),
    "K54": ("alibaba_ipo_year", "reproduced", "data", "2014"),
    "K55": ("alibaba_peak_month", "differs", "data", "2020-10"),
    "K56": ("huawei_china_mobile_award", "reproduced", "report", 2.97),
    "K63": ("alibaba_oct2020_value_in_force", "differs", "data", 852),
    "K64": ("alibaba_nov2022_low_value_below", "reproduced", "data", 172.73),
    "K65": ("alibaba_decline_to_nov2022_low_above", "reproduced", "data", 79.73),
    "K66": ("alibaba_decline_report_numbers_above", "reproduced", "report", 76.13),
    "K67": ("alibaba_ipo_gain_lost_first_close_nearly", "differs", "data", 103.18),
    "K68": ("alibaba_yearly_rises_after_peak", "reproduced", "data", 0),
    "K69": ("alibaba_months_falling_after_peak_above", "reproduced", "data", 65.38),
    "K71": ("huawei_net_profit_2021_below", "differs", "data", 113718),
    "K72": ("huawei_revenue_falls_2014_2020_cny", "reproduced", "data", 0),
    "K73": ("huawei_revenue_falls_2014_2020_usd", "reproduced", "data", 0),
    "K74": ("huawei_revenue_falls_2014_2020_usd", "reproduced", "data", 0),
    "K75": ("huawei_revenue_ratio_2019_2010_at_least", "reproduced", "data", 4.64),
    "K80": ("huawei_china_mobile_award_at_least", "reproduced", "report", 2.97),
    "K81": ("honor_sale_year_in_chapter3", "reproduced", "report", "2020"),
    "K86": ("huawei_lucent_lab_in_appendix_a_span", "reproduced", "report", "2000"),
    "K88": ("huawei_china_mobile_award_vs_appendix_a", "reproduced", "report", 2.97),
    "K89": ("huawei_shenzhen_bonus_year_vs_appendix_a", "reproduced", "report", "2018"),
    "K90": ("huawei_shenzhen_engineers_vs_appendix_a", "reproduced", "report", 100),
    "K91": ("alibaba_hangzhou_box_vs_appendix_b", "reproduced", "report", "2016; $50000"),
    "K92": ("alibaba_shenzhen_box_vs_appendix_b", "reproduced", "report", "2016; 15%; 70%"),
    "K93": ("alibaba_chongqing_box_vs_appendix_b", "reproduced", "report", "2016"),
    "K99": ("timeline_span_years_at_least", "reproduced", "report", 10),
    "K102": ("zte_u_mobile_months_after_huawei_below", "reproduced", "report", 2),
    "K103": ("years_huawei_before_alibaba_at_least", "reproduced", "report", 5),
    "K104": ("alibaba_lazada_first_year_at_least", "reproduced", "report", "2016"),
    "K105": ("alibaba_first_malaysia_deal_year", "reproduced", "report", "2016"),
    "K106": ("alibaba_cloud_data_center_year", "reproduced", "report", "2017"),
    "K107": ("alibaba_ehubs_year", "reproduced", "report", "2017"),
    "K108": ("dftz_launch_year", "reproduced", "report", "2017"),
    "K109": ("najib_hangzhou_visit_year", "reproduced", "report", "2017"),
    "K113": ("chinese_players_at_least", "stated only", "nothing", None),
    "K114": ("arrival_order_breaks", "reproduced", "report", 0),
    "K115": ("deals_busiest_year_in_2018_2020", "reproduced", "report", "2019"),
    "K116": ("deals_new_companies_2016_2019_above", "reproduced", "report", None),
    "K117": ("deals_mean_2018_2019_over_2016_2017_above", "reproduced", "report", 5),
    "K119": ("city_brain_kl_year", "reproduced", "report", "2018"),
    "K120": ("city_brain_intersections_at_least", "reproduced", "report", 281),
    "K121": ("ant_financial_banks_at_least", "reproduced", "report", 6),
    "K124": ("deals_growth_change_2019_above", "reproduced", "report", 10),
    "K125": ("deals_yearly_falls_2016_2019", "internal inconsistency", "report", 1),
    "K132": ("ai_park_renewal_month", "reproduced", "report", "2022-04"),
    "K133": ("deals_12_months_after_peak_below", "reproduced", "report", 4),
    "K134": ("deals_entries_2021_2022", "stated only", "nothing", None),
    "K137": ("honor_sale_year_in_chapter1", "reproduced", "report", "2020"),
    "K139": ("huawei_5g_mous_2018_2019_at_least", "reproduced", "report", 3),
    "K175": ("entries_before_huawei", "reproduced", "report", 0),
    "K181": ("huawei_maxis_5g_steps_at_least", "reproduced", "report", 3),
    "K183": ("huawei_exim_loans_in_total_at_most", "reproduced", "report", 0.67),
    "K184": ("huawei_cdb_loans_in_total_at_most", "reproduced", "report", 2.04),
    "K185": ("huawei_shenzhen_bonus_size_vs_appendix_a", "reproduced", "report", 200000),
}


def _first_audit(table: pd.DataFrame, listed: pd.DataFrame
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows K01-K185; the rest of the report (K200 on) is held by test_claims_coverage.py."""
    first = table["claim_id"].str[1:].astype(int) < 200
    return table[first], listed[listed.index.str[1:].astype(int) < 200]


def test_every_judged_claim_has_an_expected_verdict(table, listed):
    table, listed = _first_audit(table, listed)
    judged = table[table["verdict"] != "stated only"]
    assert set(judged["claim_id"]) == {c for c, e in EXPECTED.items() if e[1] != "stated only"}
    # every row left out of EXPECTED is stated only because claims.csv says so; the methods'
    # own "stated only" verdicts (a selection cannot refute; a timeline's end) are listed
    left = set(listed.index) - set(EXPECTED)
    assert set(listed.loc[sorted(left), "method"]) == {"stated_only"}


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_verdict(claim_id, by_id, listed):
    method, verdict, against, value = EXPECTED[claim_id]
    row = by_id.loc[claim_id]
    assert listed.at[claim_id, "method"] == method
    assert row["verdict"] == verdict, row["explanation"]
    assert row["checked_against"] == against
    if value is None and verdict == "stated only":
        assert row["recomputed_value"] == ""
        assert "not decidable from the data" in row["explanation"]
    elif value is None:
        assert row["recomputed_value"] != ""
    elif isinstance(value, str):
        assert row["recomputed_value"] == value
    else:
        assert float(row["recomputed_value"]) == pytest.approx(value, abs=0.01)
    if against == "report":
        assert "report's own numbers only" in row["explanation"]


def test_verdict_counts_follow_from_the_rows(table, listed):
    table, listed = _first_audit(table, listed)
    expected = Counter(verdict for _, verdict, _, _ in EXPECTED.values())
    expected["stated only"] += int((listed["method"] == "stated_only").sum())
    counts = claims.verdict_counts(table, counted_only=False)
    assert counts.to_dict() == {v: expected.get(v, 0) for v in claims.VERDICTS}
    assert counts.sum() == len(listed) == len(table)
    # the summary counts one row per statement: the rows no other row names in reading_of
    counted = claims.verdict_counts(table)
    not_counted = Counter(by for by in listed["reading_of"] if by)
    assert counted.sum() == len(table) - sum(not_counted.values())
    kept = Counter(table.loc[table["reading_of"] == "", "verdict"])
    assert counted.to_dict() == {v: kept.get(v, 0) for v in claims.VERDICTS}
    against = Counter(a for _, verdict, a, _ in EXPECTED.values())
    assert (table["checked_against"] == "data").sum() == against["data"]
    assert (table["checked_against"] == "report").sum() == against["report"]


def test_the_whole_report_is_covered(listed):
    assert len(listed) > 100
    places = listed["location"].str.split(",").str[0]
    for place in ("Introduction", "Chapter 1", "Chapter 2", "Chapter 3", "Conclusion",
                  "Figure 1", "Figure 2", "Figure 4", "Figure 5", "Appendix A", "Appendix B",
                  "Appendix C"):
        assert (places == place).any(), place


def test_the_28_6_percent_is_judged_once_per_reading(listed, by_id):
    quote = "All told, Huawei's revenue dropped by 28.6 percent in 2021"
    rows = listed[(listed["quote"] == quote) & (listed["stated_value"] == "-28.6")]
    assert sorted(rows.index) == ["K42", "K43"]
    assert by_id.loc["K42", "difference"] == pytest.approx(
        (636807 / 891368 - 1) * 100 + 28.6, abs=1e-6)
    assert "CNY" in listed.at["K42", "reading"] and "USD" in listed.at["K43", "reading"]
    # the other series are told, not judged again (OECD/IMF 2021: 6.4490, corrected from WDI
    # PA.NUS.FCRF in the import of 2026-12-04; 2020: 6.9008)
    assert round((636807 / 6.4490) / (891368 / 6.9008) * 100 - 100, 2) == -23.55
    assert "oecd_imf -23.55%" in by_id.loc["K43", "explanation"]


def test_november_claims_follow_their_rule_under_both_readings(listed, by_id):
    # K51's rule is the month's high, the second reading the month's low
    assert "highest" in listed.at["K51", "note"] and "high" in listed.at["K51", "reading"]
    assert "lowest" in listed.at["K64", "note"] and "low" in listed.at["K64", "reading"]
    assert listed.at["K64", "quote"] == listed.at["K51", "quote"]
    # 87.56 USD on 2022-11-30 and 64.70 on 2022-11-02, times the 2022-03-31 count
    count = 2669665389
    assert float(by_id.loc["K51", "recomputed_value"]) == pytest.approx(87.56 * count / 1e9,
                                                                        abs=1e-3)
    assert float(by_id.loc["K64", "recomputed_value"]) == pytest.approx(64.70 * count / 1e9,
                                                                        abs=1e-3)
    assert "highest" in listed.at["K52", "note"] and "lowest" in listed.at["K65", "note"]


def test_ipo_gains_from_the_offer_price_and_from_the_first_close(by_id, listed):
    offer = (317.14 - 86.79) / (317.14 - 68.00) * 100
    first = (317.14 - 86.79) / (317.14 - 93.89) * 100
    assert float(by_id.loc["K53", "recomputed_value"]) == pytest.approx(offer, abs=1e-4)
    assert float(by_id.loc["K67", "recomputed_value"]) == pytest.approx(first, abs=1e-4)
    assert "offer price" in listed.at["K53", "reading"]
    assert "first close" in listed.at["K67", "reading"]
    assert "IPO offer price 68.00 USD per ADS" in by_id.loc["K53", "explanation"]


def test_october_value_within_the_spread_of_the_20f_counts(by_id, listed):
    low, high = (317.14 * c / 1e9 for c in (2587059572, 2712378931))
    row = by_id.loc["K48"]
    assert f"{low:.1f} to {high:.1f} bn" in row["explanation"]
    # the spread as the row's own value and tolerance: its middle, and half its width
    assert float(row["recomputed_value"]) == pytest.approx((low + high) / 2, abs=1e-3)
    assert row["tolerance"] == pytest.approx((high - low) / 2, abs=1e-6)
    assert abs(row["difference"]) <= row["tolerance"]
    assert "any 20-F count dated within two years" in listed.at["K48", "reading"]
    assert by_id.loc["K63", "difference"] == pytest.approx(317.14 * 2686499368 / 1e9 - 837.84,
                                                           abs=1e-3)


def test_figure1_totals_compare_like_periods(by_id):
    # as printed: row 8's $2.8 bn of 2012 and the single Exim loans of 2013-2018 are all inside
    # the 2012-2018 total, and together exceed it
    assert by_id.loc["K14", "difference"] == pytest.approx(0.068 + 0.222 + 0.382, abs=1e-9)
    assert "A08 2012 2800 mn, A10 2013 68 mn, A13 2014 222 mn, A22 2018 382 mn" in by_id.loc[
        "K14", "explanation"]
    assert by_id.loc["K15", "difference"] == pytest.approx(0.214 + 1.2 + 0.031 + 0.6, abs=1e-9)
    # the cumulative $10 billion against CDB's own loans cumulated to 2011, the earlier ones
    # named; A06, lent by China Exim Bank, CDB and ICBC with no CDB part stated, named apart
    explanation = by_id.loc["K04", "explanation"]
    assert "and before it A02 2009 0.5 bn, A03 2009 1 bn; not added" in explanation
    assert "A06 2010 1.1 bn (China Exim Bank, CDB, ICBC)" in explanation
    assert by_id.loc["K04", "difference"] == pytest.approx(0.5 + 1, abs=1e-9)


def test_a_wider_range_of_companies_after_2015(by_id, frames):
    # Company groups, not names: 2011-2015 names only the Huawei group (Huawei Marine is its
    # subsidiary) and ZTE; 2016-2019 adds Alibaba (Ant Financial, Lazada and Alipay counted in
    # its group, not beside it), Tencent, UnionPay, FiberHome and others
    text = by_id.loc["K116", "explanation"]
    assert "company groups named 2011-2015: 2 (Huawei, ZTE)" in text
    deals = frames["malaysia_deals"]
    late = {n for names in deals.loc[deals["year"].between(2016, 2019), "chinese_groups"]
            for n in names.split("; ")}
    assert {"Alibaba", "Tencent", "Wuhan FiberHome Technologies"} <= late
    assert not {"Ant Financial", "Lazada", "Alipay", "WeChat Pay"} & late
    assert int(by_id.loc["K116", "recomputed_value"]) == len(late) - 2


def test_dozens_of_players_stands_in_the_introduction(listed):
    assert listed.at["K36", "location"] == "Introduction, text"
    chapter2 = listed[listed["quote"].str.startswith("now there are dozens of Chinese players")]
    assert list(chapter2["location"]) == ["Chapter 2, text"]


def test_threshold_differences_tolerances_and_ranges(by_id):
    assert math.isnan(by_id.loc["K51", "tolerance"])
    assert (by_id.loc["K51", "range_low"], by_id.loc["K51", "range_high"],
            by_id.loc["K51", "range_bounds"]) == (-math.inf, 200, "()")
    assert by_id.loc["K64", "difference"] == pytest.approx(-27.27, abs=0.01)
    assert by_id.loc["K42", "tolerance"] == 0.05
    # "nearly all": at least 75% and less than all, written out as the row's range
    assert math.isnan(by_id.loc["K53", "tolerance"])
    assert (by_id.loc["K53", "range_low"], by_id.loc["K53", "range_high"],
            by_id.loc["K53", "range_bounds"]) == (75, 100, "[)")
    assert (by_id.loc["K115", "range_low"], by_id.loc["K115", "range_high"],
            by_id.loc["K115", "range_bounds"]) == (2018, 2020, "[]")
    assert math.isnan(by_id.loc["K55", "difference"])  # months are not subtracted
    assert by_id.loc["K07", "difference"] == 1.0
    assert by_id.loc["K07", "tolerance"] == 0  # years must be equal


# ----------------------------------------------------------------- bad input in claims.csv


def _claims_rows(root: Path) -> list[list[str]]:
    text = (root / "data" / "raw" / CLAIMS_FILE).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def _write_claims(root: Path, rows: list[list[str]], rewrite_raw) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    rewrite_raw(root, CLAIMS_FILE, out.getvalue().encode("utf-8"))


def _set_field(root: Path, rewrite_raw, claim_id: str, field: str, value: str) -> int:
    """Set one field of one claim in the copy; returns the claim's line in the file."""
    rows = _claims_rows(root)
    column = rows[0].index(field)
    index = next(i for i, r in enumerate(rows) if r and r[0] == claim_id)
    rows[index][column] = value
    _write_claims(root, rows, rewrite_raw)
    return index + 1  # one record per physical line: no quoted newlines in claims.csv


def _processed_bytes(root: Path) -> dict[str, bytes]:
    folder = root / "data" / "processed"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _build_the_claims_frame() -> None:
    """What the data build does with claims.csv, without building every other frame: read it,
    validate the frame against its schema, then the claims layer's check of the build."""
    frame = frame_builders.BUILDERS["report_claims"]({})
    claims.check_frames({"report_claims": frame_builders.validate(
        "report_claims", frame.reset_index(drop=True))})


# The first case runs the whole data build as the command line does (the error is found
# after every other frame is built, and nothing built before is lost); the others read the
# claims file as that build reads it.
@pytest.mark.parametrize(("claim", "field", "value", "expected"), [
    ("K42", "method", "no_such_method", "a method of ccp_analysis.claims"),
    ("K42", "stated_value", "about 28.6", "a plain decimal number"),
    ("K42", "unit", "percent", "one of pct"),
    ("K50", "stated_value", "October 2020", "a month as YYYY-MM"),
    ("K42", "tolerance", "", "an absolute tolerance"),
    ("K51", "tolerance", "5", "empty for stated_only"),
    ("K42", "claim_id", "K41", "a unique id"),
    ("K42", "claim_id", "K9", "a unique id"),
    ("K43", "claim_id", "K43a", "a unique id"),
    ("K48", "claim_id", "K44", "ids in ascending order"),
    ("K03", "note", " ", "the rule the verdict follows"),
])
def test_bad_claims_are_input_errors(project_copy, rewrite_raw, claim, field, value, expected):
    line = _set_field(project_copy, rewrite_raw, claim, field, value)
    end_to_end = (claim, field) == ("K42", "method")
    before = _processed_bytes(project_copy)
    with pytest.raises(InputError) as caught:
        if end_to_end:
            frame_builders.build(check=claims.check_frames)  # as the command line runs it
        else:
            _build_the_claims_frame()
    error = caught.value
    assert error.file == "data/raw/report/claims.csv"
    assert (error.line, error.field, error.value) == (line, field, value)
    assert expected in error.expected
    assert _processed_bytes(project_copy) == before  # nothing already built is lost


@pytest.mark.parametrize(("claim", "field", "value", "expected"), [
    ("K53", "range_low", "", "the lower end of 'nearly'"),
    ("K53", "tolerance", "25", "empty for stated_only"),
    ("K115", "range_high", "", "both ends of the range"),
    ("K115", "range_high", "2017", "an upper end >= range_low"),
    ("K51", "range_low", "150", "empty for stated_only and for thresholds"),
    ("K43", "reading_of", "K999", "the claim_id of the row the verdict summary counts"),
    ("K43", "reading_of", "K63", "a counted row (K63 itself names another)"),
    ("K43", "counted_reason", "because", "empty on a row the summary does not count"),
    ("K42", "counted_reason", "", "why this reading is the one the verdict summary counts"),
    ("K43", "reading", "change in CNY, the currency Huawei reports in", "a reading of its own"),
    ("K03", "counted_reason", "because", "empty unless another row names this one"),
])
def test_bad_ranges_and_readings_are_input_errors(project_copy, rewrite_raw, claim, field, value,
                                                  expected):
    # read as the data build reads it, without building every other frame
    line = _set_field(project_copy, rewrite_raw, claim, field, value)
    with pytest.raises(InputError) as caught:
        claims.table.check(claimsfile.read())
    error = caught.value
    assert error.file == "data/raw/report/claims.csv"
    assert error.field == field and expected in error.expected
    if field != "reading":  # a repeated reading is reported on the row that repeats it
        assert (error.line, error.value) == (line, value)


def test_an_edited_claims_file_fails_its_checksum(project_copy):
    path = project_copy / "data" / "raw" / CLAIMS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("-28.6", "-27.6"),
                    encoding="utf-8")
    with pytest.raises(ChecksumError, match="claims.csv"):
        frame_builders.build()


def test_a_text_claim_disagreeing_with_appendix_c_is_internal(project_copy, rewrite_raw):
    _set_field(project_copy, rewrite_raw, "K37", "stated_value", "2019-03")
    row = _audit_copy().loc["K37"]
    assert row["verdict"] == "internal inconsistency"
    assert row["checked_against"] == "report"


def test_threshold_verdict_follows_the_stated_bound(project_copy, rewrite_raw):
    _set_field(project_copy, rewrite_raw, "K64", "stated_value", "150")
    assert _audit_copy().loc["K64", "verdict"] == "differs"


# ------------------------------------------------------------- every row true on its own


@pytest.mark.parametrize("edition", ["as-published", "updated"])
def test_every_row_reads_true_on_its_own(edition, table, updated_frames):
    """The invariant over the whole audit: a number is "reproduced" if and only if its
    |difference| is within the row's tolerance, or its value within the row's range; no row has
    both; a month if and only if it is equal; anything else not reproduced is "differs" against
    data and "internal inconsistency" against the report."""
    audited = table if edition == "as-published" else claims.audit(updated_frames)
    checked = 0
    for _, row in audited.iterrows():
        tolerance, low, high = row["tolerance"], row["range_low"], row["range_high"]
        reproduced = row["verdict"] == "reproduced"
        assert math.isnan(tolerance) or math.isnan(low), row["claim_id"]
        if not math.isnan(tolerance) and not math.isnan(row["difference"]):
            assert reproduced == (abs(row["difference"]) <= tolerance + 1e-9), row["claim_id"]
            checked += 1
        elif not math.isnan(low):
            value = float(row["recomputed_value"])
            bounds = row["range_bounds"]
            inside = ((value >= low if bounds[0] == "[" else value > low)
                      and (value <= high if bounds[1] == "]" else value < high))
            assert reproduced == inside, row["claim_id"]
            checked += 1
        elif row["unit"] == "month" and row["recomputed_value"]:
            assert reproduced == (row["recomputed_value"] == row["stated_value"]), row["claim_id"]
            checked += 1
        else:  # stated only, or a text compared by its method (a year with its numbers)
            assert row["verdict"] == "stated only" or not re.fullmatch(
                r"-?[\d.]+", row["recomputed_value"]), row["claim_id"]
        if row["verdict"] in ("differs", "internal inconsistency"):
            expected = "differs" if row["checked_against"] == "data" else "internal inconsistency"
            assert row["verdict"] == expected, row["claim_id"]
    assert checked > 80


def test_a_method_cannot_contradict_its_row(listed):
    claim = listed.loc["K10"].copy()
    claim["claim_id"] = "K10"
    with pytest.raises(ValueError, match="where its row's rule gives 'reproduced'"):
        claims.judge(claim, claims.Recomputed(1.0, "", "report", "internal inconsistency"))
    assert claims.judge(claim, claims.Recomputed(1.2, "", "report")).verdict == (
        "internal inconsistency")


def test_the_named_contradictions_are_gone(by_id, listed):
    # K48: the $837.84 bn lies within the spread of the counts, as value and tolerance say;
    # K63 reads the count in force, another reading the summary does not count
    k48, k63 = by_id.loc["K48"], by_id.loc["K63"]
    assert k48["verdict"] == "reproduced" and abs(k48["difference"]) <= k48["tolerance"]
    assert k63["verdict"] == "differs" and abs(k63["difference"]) > k63["tolerance"]
    assert (k63["reading_of"], k48["counted"], k63["counted"]) == ("K48", True, False)
    # K49 (the share basis taken from the claim) and K58 (25 - 9.9, printed nowhere) are gone
    assert "K49" not in listed.index and "K58" not in listed.index
    assert not {"alibaba_oct2020_value_report_basis", "alibaba_tax_rate_gap_2014"} & set(
        claims.METHODS)
    # K134: the timeline's end cannot tell a freeze from its coverage
    assert by_id.loc["K134", "verdict"] == "stated only"
    assert "cannot tell a freeze from the end of its coverage" in by_id.loc[
        "K134", "explanation"]
    # K139: C51 (the industrial park, no Malaysian provider a party) is not counted
    text = by_id.loc["K139", "explanation"]
    assert "C41 (February 2019), C53 (October 2019), C55 (October 2019);" in text
    assert "no such provider a party: C51 (August 2019)" in text


# ------------------------------------------------------------------ readings of one statement

# statement: (the counted row, the other readings)
READINGS = {
    "28.6% drop": ("K42", ["K43"]),
    "$837.84 billion": ("K48", ["K63"]),
    "below $200 billion": ("K64", ["K51"]),
    "more than three-quarters": ("K65", ["K52", "K66"]),
    "nearly all of their gains": ("K53", ["K67"]),
    "accelerating": ("K124", ["K125"]),
    "single digits": ("K41", ["K133"]),
    "steadily declined": ("K69", ["K68"]),
    "quarterly losses": ("K70", ["K71"]),
    "years of steady growth": ("K72", ["K73"]),
    "$2.8 billion in total": ("K14", ["K183"]),
    "$7 billion in total": ("K15", ["K184"]),
}


def test_each_statement_counts_one_reading(listed, by_id):
    groups: dict[str, list[str]] = {}
    for claim_id, by in listed["reading_of"].items():
        if by:
            groups.setdefault(by, []).append(claim_id)
    assert groups == {counted: others for counted, others in READINGS.values()}
    for counted, others in groups.items():
        assert listed.at[counted, "counted_reason"].strip(), counted
        assert by_id.loc[counted, "counted"] and not by_id.loc[others, "counted"].any()
        readings = listed.loc[[counted, *others], "reading"]
        assert readings.str.strip().ne("").all() and readings.is_unique, counted
    # no two rows judge the same reading of the same words, at one place, by the same method
    # (a sentence the report prints twice, as K206 and K249, is two statements)
    keys = listed[["location", "quote", "stated_value", "method", "reading"]]
    assert not keys[listed["method"] != "stated_only"].duplicated().any()


# ------------------------------------------------------------------------- verbatim quotes

_SOFT = "\x00"  # where the extraction broke a word across lines with a hyphen
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_LIGATURES = ("ffi", "ffl", "ff", "fi", "fl")  # longest first
_LOST = "\ufffd"  # what the extraction left of a ligature


def flatten_report(text: str) -> str:
    """The report text as one line: typographic quotes as plain ones, a hyphen ending a line
    marked (it may be a real hyphen or a word broken across lines), whitespace collapsed."""
    text = text.translate(_QUOTES)
    text = re.sub(r"-[ \t]*\n\s*", _SOFT, text)
    return " ".join(text.split())


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A quote as it may stand in the flattened text: any word may be broken at a line end, a
    hyphen may be the one that ends a line, a ligature (ff, fi, fl, ffi, ffl) may be lost."""
    quote = " ".join(quote.translate(_QUOTES).split())
    parts, i = [], 0
    while i < len(quote):
        lig = next((g for g in _LIGATURES if quote.startswith(g, i)), None)
        if lig is not None:
            parts.append(f"(?:{lig}|{_LOST}|f{_LOST}|{_LOST}{lig[-1]}){_SOFT}?")
            i += len(lig)
            continue
        char = quote[i]
        if char == "-":
            parts.append(f"(?:-|{_SOFT})")
        elif char == " ":
            parts.append(" ")
        else:
            parts.append(re.escape(char) + f"{_SOFT}?")
        i += 1
    return re.compile("".join(parts))


def _report_text() -> Path | None:
    return report_text_path()


@pytest.mark.parametrize(("printed", "quote", "found"), [
    ("Huawei\u2019s customers from the China Devel-\nopment Bank", "Huawei's customers from "
     "the China Development Bank", True),
    ("leveraged tech-\nrelated tax incentives", "leveraged tech-related tax incentives", True),
    ("government o\ufffdered a discounted \n\n15% local", "government offered a discounted 15% "
     "local", True),
    ("technical sta\ufffd for large-scale", "technical staff for large-scale", True),
    ("the first \u201cElectronic World Trade Platform,\u201d a", 'the first "Electronic World '
     'Trade Platform,"', True),
    # a quote that drops words, or leaves out a comma, is not verbatim
    ("Corporation (MDEC)\u2014which already had a track \nrecord\u2014announced the City",
     "Corporation (MDEC)... announced the City", False),
    ("the first \u201cElectronic World Trade Platform,\u201d a", 'the first "Electronic World '
     'Trade Platform""', False),
    ("a 28.6 percent drop", "a 28.5 percent drop", False),
])
def test_the_quote_normaliser(printed, quote, found):
    assert (quote_pattern(quote).search(flatten_report(printed)) is not None) == found


def test_every_quote_stands_verbatim_in_the_report(listed):
    # No quote elides words: "..." is never verbatim.
    assert not listed["quote"].str.contains(r"\.\.\.|\u2026").any()
    path = _report_text()
    if path is None:  # warned (failed on CI) by report_text_path
        return
    flat = flatten_report(path.read_text(encoding="utf-8"))
    missing = [c for c, q in listed["quote"].items() if not quote_pattern(q).search(flat)]
    assert missing == []


# ------------------------------------------------------------- the summary, computed


def test_the_summary_in_the_docs_and_readme_is_the_computed_one(table, updated_frames):
    from ccp_analysis.claims import summary

    block = summary.summary({"as-published": table,
                             "updated": claims.audit(updated_frames)})
    for page in summary.PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        assert summary.replace_block(text, block, page) == text, (
            f"{page}: run python -m ccp_analysis.claims.summary")
    counts = claims.verdict_counts(table)
    assert f"{counts['reproduced']} reproduced" in block


# ------------------------------------------- changed inputs flip the verdicts, end to end


def test_huawei_2021_revenue_flips_the_cny_drop(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K42", "verdict"] == "reproduced"
    _replace_raw(project_copy, rewrite_raw, "market/huawei_financials.csv",
                 "2021,636807,", "2021,700000,")
    after = _audit_copy()
    assert after.loc["K42", "verdict"] == "differs"
    assert float(after.loc["K42", "recomputed_value"]) == pytest.approx(-21.47, abs=0.01)


def _replace_raw(root: Path, rewrite_raw, relpath: str, old: str, new: str,
                 count: int = 1) -> None:
    text = (root / "data" / "raw" / relpath).read_text(encoding="utf-8")
    assert text.count(old) == count, (relpath, old)
    rewrite_raw(root, relpath, text.replace(old, new).encode("utf-8"))


# --------------------------------------------- changed inputs flip the verdicts, in memory


def _judge(frames: dict[str, pd.DataFrame], ids: list[str],
           *changes: Callable[[dict[str, pd.DataFrame]], None]) -> pd.DataFrame:
    """Judge only `ids`, on the frames with `changes` applied to copies (the frames read once
    by the module fixture are never changed)."""
    changed = dict(frames)
    for change in changes:
        change(changed)
    return claims.audit(changed, only=ids).set_index("claim_id")


def _set(name: str, where: Callable[[pd.DataFrame], pd.Series], **values):
    """A change: `values` set on the rows of frame `name` that `where` selects."""

    def change(frames: dict[str, pd.DataFrame]) -> None:
        frame = frames[name].copy()
        rows = where(frame)
        assert rows.any(), (name, values)
        for column, value in values.items():
            frame.loc[rows, column] = value
        frames[name] = frame

    return change


def _row(column: str, value) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame[column] == value


def _verdicts(judged: pd.DataFrame) -> dict[str, str]:
    return judged["verdict"].to_dict()


def test_a_weaker_2021_yuan_flips_the_usd_reading(frames, by_id):
    assert (by_id.loc["K43", "verdict"], by_id.loc["K42", "verdict"]) == ("differs",
                                                                          "reproduced")
    rev = frames["huawei_revenue"]
    rate_2020 = rev.loc[(rev["fx_series"] == "ecb") & (rev["year"] == 2020), "cny_per_usd"]
    # 2021 at 2020's rate: the USD fall is the CNY one, 28.56%
    after = _judge(frames, ["K42", "K43"], _set(
        "huawei_revenue", lambda f: (f["fx_series"] == "ecb") & (f["year"] == 2021),
        cny_per_usd=float(rate_2020.iloc[0])))
    assert _verdicts(after) == {"K42": "reproduced", "K43": "reproduced"}
    assert float(after.loc["K43", "recomputed_value"]) == pytest.approx(
        (636807 / 891368 - 1) * 100, abs=1e-4)


def test_a_2021_loss_flips_the_annual_losses_reading(frames, by_id):
    assert by_id.loc["K71", "verdict"] == "differs"
    after = _judge(frames, ["K70", "K71"], _set("huawei_revenue", _row("year", 2021),
                                                net_profit_cny_mn=-5000.0))
    assert _verdicts(after) == {"K70": "stated only", "K71": "reproduced"}


def _close(date: str, close: float):
    return _set("alibaba_stock", _row("date", pd.Timestamp(date)), close_usd=close)


def test_a_september_high_flips_both_peak_month_claims(frames, by_id):
    assert (by_id.loc["K50", "verdict"], by_id.loc["K55", "verdict"]) == ("reproduced",
                                                                          "differs")
    after = _judge(frames, ["K50", "K55"], _close("2020-10-27", 300.0),
                   _close("2020-09-02", 320.0))
    assert _verdicts(after) == {"K50": "differs", "K55": "reproduced"}
    assert after.loc["K55", "recomputed_value"] == "2020-09"


def _count(as_of: str, shares: float):
    """The 20-F count of `as_of` changed, with the market values it gives."""

    def change(frames: dict[str, pd.DataFrame]) -> None:
        stock = frames["alibaba_stock"].copy()
        rows = stock["shares_as_of"] == pd.Timestamp(as_of)
        assert rows.any()
        stock.loc[rows, "shares_ads_equivalent"] = shares
        stock.loc[rows, "market_value_usd_bn"] = stock.loc[rows, "close_usd"] * shares / 1e9
        frames["alibaba_stock"] = stock

    return change


NOVEMBER = ["K51", "K52", "K64", "K65", "K66"]


def test_a_smaller_share_count_flips_the_november_high_readings(frames, by_id):
    assert _verdicts(by_id.loc[NOVEMBER]) == {
        "K51": "differs", "K52": "differs", "K64": "reproduced", "K65": "reproduced",
        "K66": "reproduced"}
    # The 2022-03-31 count (in force in November 2022) down to 2.2 bn ADS: the month's high,
    # 87.56 x 2.2 = 192.6 bn, is below 200 and 77.4% under October 2020's 852.0 bn.
    after = _judge(frames, NOVEMBER, _count("2022-03-31", 2.2e9))
    assert set(_verdicts(after).values()) == {"reproduced"}
    assert float(after.loc["K51", "recomputed_value"]) == pytest.approx(87.56 * 2.2, abs=1e-3)


def test_higher_november_values_flip_the_counted_readings(frames):
    november = lambda f: f["date"].dt.strftime("%Y-%m") == "2022-11"  # noqa: E731
    stock = frames["alibaba_stock"]
    after = _judge(frames, NOVEMBER, _set(
        "alibaba_stock", november,
        market_value_usd_bn=stock.loc[november(stock), "market_value_usd_bn"] * 1.25))
    # the low, 172.7 x 1.25 = 215.9 bn, is no longer below 200 nor 75% under 852.0 bn; the
    # report's own two numbers do not move
    assert _verdicts(after) == {"K51": "differs", "K52": "differs", "K64": "differs",
                                "K65": "differs", "K66": "reproduced"}


def test_a_larger_2019_count_moves_the_october_value_out_of_the_spread(frames, by_id):
    assert by_id.loc["K48", "verdict"] == "reproduced"
    # The 2019-03-31 count up to 2.7 bn: the lowest count of the window is now 2022's 2.670 bn,
    # 317.14 x 2.670 = 846.7 bn, above 837.84.
    after = _judge(frames, ["K48", "K63"], _count("2019-03-31", 2.7e9))
    assert _verdicts(after) == {"K48": "differs", "K63": "differs"}
    low, high = (317.14 * c / 1e9 for c in (2669665389, 2712378931))
    assert f"{low:.1f} to {high:.1f} bn" in after.loc["K48", "explanation"]
    assert abs(after.loc["K48", "difference"]) > after.loc["K48", "tolerance"]


def test_the_reported_count_in_force_flips_the_count_in_force_reading(frames, by_id):
    assert by_id.loc["K63", "verdict"] == "differs"
    after = _judge(frames, ["K48", "K63"], _count("2020-03-31", 837.84e9 / 317.14))
    assert _verdicts(after) == {"K48": "reproduced", "K63": "reproduced"}


def test_the_offer_price_flips_the_gains_claim(frames, by_id):
    assert (by_id.loc["K53", "verdict"], by_id.loc["K67", "verdict"]) == ("reproduced",
                                                                          "differs")
    # From an offer of 5.00 USD, 317.14 -> 86.79 loses 73.8% of the gain: under 75%.
    after = _judge(frames, ["K53", "K67"], _set("alibaba_ipo", _row("field", "ipo_offer_price"),
                                                value="5.00"))
    assert _verdicts(after) == {"K53": "differs", "K67": "differs"}
    assert float(after.loc["K53", "recomputed_value"]) == pytest.approx(
        (317.14 - 86.79) / (317.14 - 5.00) * 100, abs=1e-4)


def test_a_lower_first_close_flips_the_first_close_reading(frames):
    after = _judge(frames, ["K53", "K67"], _close("2014-09-19", 60.0))
    assert _verdicts(after) == {"K53": "reproduced", "K67": "reproduced"}


def _entries(ids: list[str], year: int):
    """A change: Appendix C entries `ids` moved to `year` (same month)."""

    def change(frames: dict[str, pd.DataFrame]) -> None:
        deals = frames["malaysia_deals"].copy()
        rows = deals["entry_id"].isin(ids)
        assert rows.sum() == len(ids)
        deals.loc[rows, "event_date"] = deals.loc[rows, "event_date"].map(
            lambda d: d.replace(year=year))
        deals.loc[rows, "year"] = year
        frames["malaysia_deals"] = deals

    return change


def test_ten_entries_in_2020_flip_single_digits(frames, by_id):
    assert by_id.loc["K41", "verdict"] == "reproduced"
    after = _judge(frames, ["K41", "K124"], _entries(["C53", "C54", "C55", "C56", "C57"], 2020))
    assert after.loc["K41", "recomputed_value"] == "10"
    assert after.loc["K41", "verdict"] == "internal inconsistency"
    # 2019 loses five entries (18 -> 13): its rise over 2018 is +4, still above 2018's -1
    assert after.loc["K124", "recomputed_value"] == "5"


def _year_entries(frames, year: int) -> list[str]:
    deals = frames["malaysia_deals"].sort_values(["event_date", "entry_id"])
    return list(deals.loc[deals["year"] == year, "entry_id"])


def test_entries_rising_every_year_flip_the_loose_reading(frames, by_id):
    assert (by_id.loc["K124", "verdict"], by_id.loc["K125", "verdict"]) == (
        "reproduced", "internal inconsistency")
    # one 2019 entry in 2018: 10, 10, 17 from 2017, no year with fewer entries than the last
    after = _judge(frames, ["K124", "K125"], _entries(_year_entries(frames, 2019)[:1], 2018))
    assert _verdicts(after) == {"K124": "reproduced", "K125": "reproduced"}
    # ten 2019 entries in 2020: 2019's rise (8 - 9 = -1) equals 2018's, no acceleration
    after = _judge(frames, ["K124"], _entries(_year_entries(frames, 2019)[:10], 2020))
    assert _verdicts(after) == {"K124": "internal inconsistency"}


def test_one_tax_benefit_amount_flips_the_inconsistency(frames, by_id):
    assert by_id.loc["K21", "verdict"] == "internal inconsistency"
    after = _judge(frames, ["K21"], _set("alibaba_state_support", _row("item_id", "B02"),
                                         amount_usd=789.21e6))
    assert after.loc["K21", "verdict"] == "reproduced"
    assert after.loc["K21", "difference"] == 0


def test_one_credit_line_year_flips_the_inconsistency(frames, by_id):
    assert by_id.loc["K07", "verdict"] == "internal inconsistency"
    # Appendix A row 4 printing 2009, the year the claim states
    after = _judge(frames, ["K07"], _set("huawei_state_support", _row("item_id", "A04"),
                                         year_text="2009"))
    assert after.loc["K07", "verdict"] == "reproduced"


def test_customer_loans_agree_when_nothing_was_lent_before(frames, by_id):
    assert by_id.loc["K04", "verdict"] == "internal inconsistency"
    # Appendix A row 7 dated 2008: no CDB loan to a Huawei customer precedes it.
    after = _judge(frames, ["K04"], _set("huawei_state_support", _row("item_id", "A07"),
                                         year_text="2008", period_start_year=2008))
    assert after.loc["K04", "verdict"] == "reproduced"
    assert float(after.loc["K04", "recomputed_value"]) == 10


def test_a_loan_cdb_shared_with_other_lenders_is_not_counted_as_cdbs(frames, by_id):
    # A06 ($1.1 billion from China Exim Bank, CDB and ICBC) states no CDB part: the 2.6 bn it
    # would add to 10 bn is 1.5 bn without it, and it moves nothing until CDB lends it alone.
    assert float(by_id.loc["K04", "recomputed_value"]) == pytest.approx(11.5)
    after = _judge(frames, ["K04"], _set("huawei_state_support", _row("item_id", "A06"),
                                         entity="China Development Bank"))
    assert float(after.loc["K04", "recomputed_value"]) == pytest.approx(12.6)
    assert "not added" not in after.loc["K04", "explanation"]


def test_single_loans_above_the_total_flip_the_in_total_check(frames, by_id):
    assert by_id.loc["K183", "verdict"] == "reproduced"
    # Nigeria's 2018 Exim loan at $3.82 billion: with A10 and A13 the single loans of
    # 2012-2018 come to 4.11 bn, more than the $2.8 billion "in total".
    after = _judge(frames, ["K14", "K183"], _set("huawei_state_support", _row("item_id", "A22"),
                                                 amount_usd=3.82e9))
    assert _verdicts(after) == {"K14": "internal inconsistency",
                                "K183": "internal inconsistency"}
    assert float(after.loc["K183", "recomputed_value"]) == pytest.approx(
        (68 + 222 + 3820) / 1000, abs=1e-9)


def test_like_periods_make_the_exim_total_agree(frames, by_id):
    assert by_id.loc["K14", "verdict"] == "internal inconsistency"
    # Appendix A printing row 8 for the total's own 2012-2018: it is the total itself
    after = _judge(frames, ["K14", "K15"], _set("huawei_state_support", _row("item_id", "A08"),
                                                year_text="between 2012 and 2018"))
    assert _verdicts(after) == {"K14": "reproduced", "K15": "internal inconsistency"}
    assert float(after.loc["K14", "recomputed_value"]) == pytest.approx(0.672, abs=1e-9)


def test_more_single_loans_than_cases_flip_the_32_cases(frames, by_id):
    assert by_id.loc["K13", "verdict"] == "reproduced"
    support = frames["huawei_state_support"]
    a10 = support[support["item_id"] == "A10"]
    extra = pd.concat([a10.assign(item_id=f"A9{i:02d}") for i in range(26)])

    def add(changed):
        changed["huawei_state_support"] = pd.concat([support, extra], ignore_index=True)

    after = _judge(frames, ["K13"], add)  # 7 + 26 = 33 single loans of 2012-2018
    assert (after.loc["K13", "verdict"], after.loc["K13", "recomputed_value"]) == (
        "internal inconsistency", "33")


def test_an_appendix_b_rate_far_from_ten_flips_the_consistent_rate(frames, by_id):
    assert by_id.loc["K23", "verdict"] == "reproduced"
    after = _judge(frames, ["K23"], _set("alibaba_state_support", _row("item_id", "B05"),
                                         tax_rate_pct=8.9))
    assert after.loc["K23", "verdict"] == "internal inconsistency"


def test_enough_firms_make_dozens_of_players(frames, by_id):
    assert by_id.loc["K36", "verdict"] == by_id.loc["K113", "verdict"] == "stated only"
    named = int(re.search(r"Figure 3 name (\d+) \(", by_id.loc["K36", "explanation"]).group(1))
    assert named < 24
    # the firms the selection lacks for "dozens" (at least 24), added to one entry
    deals = frames["malaysia_deals"]
    c62 = deals.loc[deals["entry_id"] == "C62", "chinese_companies"].iloc[0]
    extra = "".join(f"; Firm {i}" for i in range(24 - named))
    after = _judge(frames, ["K36", "K113"], _set(
        "malaysia_deals", _row("entry_id", "C62"), chinese_companies=c62 + extra))
    assert _verdicts(after) == {"K36": "reproduced", "K113": "reproduced"}
    assert after.loc["K36", "recomputed_value"] == "24"


def test_chapters_dating_the_honor_sale_apart_flip_both(frames, by_id):
    assert (by_id.loc["K81", "verdict"], by_id.loc["K137", "verdict"]) == ("reproduced",
                                                                           "reproduced")
    after = _judge(frames, ["K81", "K137"], _set("report_claims", _row("claim_id", "K137"),
                                                 stated_value="2021"))
    assert _verdicts(after) == {"K81": "internal inconsistency",
                                "K137": "internal inconsistency"}


def test_a_lucent_lab_outside_appendix_a_span_flips(frames, by_id):
    assert by_id.loc["K86", "verdict"] == "reproduced"
    after = _judge(frames, ["K86"], _set("huawei_state_support", _row("item_id", "A01"),
                                         period_start_year=2001, period_end_year=2005))
    assert (after.loc["K86", "verdict"], after.loc["K86", "recomputed_value"]) == (
        "internal inconsistency", "2001")


def _a20(frames, old: str, new: str):
    text = frames["huawei_state_support"].set_index("item_id").at["A20", "raw_text"]
    assert old in text
    return _set("huawei_state_support", _row("item_id", "A20"), raw_text=text.replace(old, new))


def test_appendix_a_row_20_flips_the_bonus_claims(frames, by_id):
    assert (by_id.loc["K90", "verdict"], by_id.loc["K185", "verdict"]) == ("reproduced",
                                                                           "reproduced")
    after = _judge(frames, ["K90", "K185"], _a20(frames, "over 100", "over 50"))
    assert _verdicts(after) == {"K90": "internal inconsistency", "K185": "reproduced"}
    after = _judge(frames, ["K90", "K185"], _a20(
        frames, "Multi-hundred-thousand-dollar bonuses", "Bonuses of $50,000"))
    assert _verdicts(after) == {"K90": "reproduced", "K185": "internal inconsistency"}
    assert after.loc["K185", "recomputed_value"] == "50000"


def test_lazada_with_alibaba_before_2016_flips_the_acquisition_year(frames, by_id):
    assert by_id.loc["K104", "verdict"] == "reproduced"
    after = _judge(frames, ["K104"], _entries(["C20"], 2015))
    assert after.loc["K104", "verdict"] == "internal inconsistency"


def test_a_busiest_year_outside_the_heading_flips_the_pinnacle(frames, by_id):
    assert by_id.loc["K115", "verdict"] == "reproduced"
    after = _judge(frames, ["K115"], _entries(_year_entries(frames, 2019), 2016))
    assert (after.loc["K115", "verdict"], after.loc["K115", "recomputed_value"]) == (
        "internal inconsistency", "2016")


def test_another_renewal_month_flips_the_conclusion(frames, by_id):
    assert by_id.loc["K132", "verdict"] == "reproduced"
    after = _judge(frames, ["K132"], _set("ai_park_network", _row("edge_id", "N11"),
                                          date_text="May 2022"))
    assert after.loc["K132", "verdict"] == "internal inconsistency"


def test_an_entry_in_2021_contradicts_the_freeze(frames, by_id):
    assert by_id.loc["K134", "verdict"] == "stated only"
    after = _judge(frames, ["K134"], _entries(["C62"], 2021))
    assert (after.loc["K134", "verdict"], after.loc["K134", "recomputed_value"]) == (
        "internal inconsistency", "1")


def test_only_mous_with_malaysian_providers_count(frames, by_id):
    assert by_id.loc["K139", "verdict"] == "reproduced"
    deals = frames["malaysia_deals"].set_index("entry_id")
    c53, c51 = deals.at["C53", "text"], deals.at["C51", "text"]
    after = _judge(frames, ["K139"], _set(
        "malaysia_deals", _row("entry_id", "C53"),
        text=c53.replace("Telekom Malaysia", "Beibu Gulf")))
    assert (after.loc["K139", "verdict"], after.loc["K139", "recomputed_value"]) == (
        "internal inconsistency", "2")
    after = _judge(frames, ["K139"], _set("malaysia_deals", _row("entry_id", "C51"),
                                          text=c51.replace("Jianhui Paper", "Maxis")))
    assert after.loc["K139", "recomputed_value"] == "4"


def test_two_maxis_steps_are_not_several(frames, by_id):
    assert by_id.loc["K181", "verdict"] == "reproduced"

    def drop_k123(changed):
        claims_frame = changed["report_claims"]
        changed["report_claims"] = claims_frame[claims_frame["claim_id"] != "K123"]

    after = _judge(frames, ["K181"], drop_k123)
    assert (after.loc["K181", "verdict"], after.loc["K181", "recomputed_value"]) == (
        "internal inconsistency", "2")


def test_the_october_2020_month_names_its_reading(by_id):
    """K50 judges the month by the highest close: it reads the $837.84 billion as the peak's
    value, as K48 does, and the row says so."""
    assert by_id.loc["K50", "reading"] == (
        "the $837.84 billion read as Alibaba's peak value, as K48 reads it: its month is the "
        "month of the highest close")
    assert "highest October 2020 close" in by_id.loc["K48", "explanation"]


def test_the_numerous_mous_row_says_it_counts_a_letter_of_intent(by_id, frames):
    """K139 counts C55, a letter of intent (Appendix C's edge kind), among the "MOUs": the row's
    reading says so, and strictly the MOUs are 2 (C41 with Maxis, C53 with Telekom Malaysia)."""
    edges = frames["malaysia_deal_edges"]
    kinds = dict(zip(edges["entry_id"], edges["edge_kind"], strict=False))
    assert (kinds["C41"], kinds["C53"], kinds["C55"]) == ("MOU", "MOU", "letter of intent")
    assert "a 5G MOU, agreement or letter of intent counts" in by_id.loc["K139", "reading"]
    assert "strictly, Appendix C's MOUs with such providers in 2018-2019 are 2" in by_id.loc[
        "K139", "reading"]
