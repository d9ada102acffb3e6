"""The claims audit: every claim's verdict on the as-published data, the rules claims.csv states,
and verdicts that flip when the input they rest on changes (in a throw-away copy of the data)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from ccp_analysis import claims, editions, processed
from ccp_analysis.errors import ChecksumError, InputError
from ccp_analysis.paths import ROOT_ENV

ROOT = Path(__file__).resolve().parents[1]
CLAIMS_FILE = "report/claims.csv"


def _audit_copy() -> pd.DataFrame:
    """Rebuild the frames of the project copy CCP_ANALYSIS_ROOT points at, and audit them."""
    processed.build()
    return claims.audit(editions.frames("as-published")).set_index("claim_id")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        return editions.frames("as-published")


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
    "K04": ("huawei_cdb_customer_loans_vs_appendix_a", "internal inconsistency", "report", 10),
    "K06": ("huawei_cdb_credit_line_amount_vs_appendix_a", "reproduced", "report", 30),
    "K07": ("huawei_cdb_credit_line_year_vs_appendix_a", "internal inconsistency", "report",
            "2010"),
    "K10": ("huawei_america_movil_loan_vs_appendix_a", "reproduced", "report", 1),
    "K11": ("huawei_rcomm_loan_vs_appendix_a", "reproduced", "report", 1.1),
    "K12": ("huawei_qualcomm_fine_vs_appendix_a", "reproduced", "report", 975),
    "K14": ("huawei_exim_total_vs_appendix_a", "internal inconsistency", "report", 2.8),
    "K15": ("huawei_cdb_total_vs_appendix_a", "internal inconsistency", "report", 7),
    "K21": ("alibaba_tax_benefit_vs_appendix_b", "internal inconsistency", "report", 798.21),
    "K22": ("alibaba_shenzhen_rate_vs_appendix_b", "reproduced", "report", 15),
    "K24": ("alibaba_effective_tax_rate_below", "reproduced", "report", 10),
    "K28": ("huawei_malaysia_entry_year", "reproduced", "report", "2001"),
    "K29": ("huawei_first_malaysia_deal_year", "reproduced", "report", "2011"),
    "K30": ("huawei_altel_4g_year", "reproduced", "report", "2014"),
    "K31": ("huawei_u_mobile_4g_year", "reproduced", "report", "2014"),
    "K33": ("alibaba_ecommerce_hub_month", "reproduced", "report", "2017-03"),
    "K35": ("fiberhome_mou_year", "reproduced", "report", "2019"),
    "K37": ("huawei_maxis_mou_month", "reproduced", "report", "2019-02"),
    "K39": ("tencent_ccb_mou_year", "reproduced", "report", "2020"),
    "K40": ("deals_trailing_12m_peak_year", "reproduced", "report", "2020"),
    "K41": ("deals_2020_count_below", "reproduced", "report", 5),
    "K42": ("huawei_revenue_change_2021_cny", "reproduced", "data", -28.56),
    "K43": ("huawei_revenue_change_2021_usd", "differs", "data", -23.56),
    "K47": ("huawei_first_revenue_decline_year", "reproduced", "data", "2021"),
    "K48": ("alibaba_oct2020_value_20f_range", "reproduced", "data", 852),
    "K49": ("alibaba_oct2020_value_report_basis", "reproduced", "data", 837.84),
    "K50": ("alibaba_peak_month", "reproduced", "data", "2020-10"),
    "K51": ("alibaba_nov2022_high_value_below", "differs", "data", 233.76),
    "K52": ("alibaba_decline_to_nov2022_high_above", "differs", "data", 72.56),
    "K53": ("alibaba_ipo_gain_lost_offer_nearly", "reproduced", "data", 92.46),
    "K54": ("alibaba_ipo_year", "reproduced", "data", "2014"),
    "K55": ("alibaba_peak_month", "differs", "data", "2020-10"),
    "K56": ("huawei_china_mobile_award", "reproduced", "report", 2.97),
    "K58": ("alibaba_tax_rate_gap_2014", "reproduced", "report", 15.1),
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
    "K86": ("huawei_lucent_lab_in_appendix_a_span", "reproduced", "report", "2000"),
    "K88": ("huawei_china_mobile_award_vs_appendix_a", "reproduced", "report", 2.97),
    "K89": ("huawei_shenzhen_bonus_year_vs_appendix_a", "reproduced", "report", "2018"),
    "K91": ("alibaba_hangzhou_box_vs_appendix_b", "reproduced", "report", "2016"),
    "K92": ("alibaba_shenzhen_box_vs_appendix_b", "reproduced", "report", "2016"),
    "K93": ("alibaba_chongqing_box_vs_appendix_b", "reproduced", "report", "2016"),
    "K99": ("timeline_span_years_at_least", "reproduced", "report", 10),
    "K102": ("zte_u_mobile_months_after_huawei_below", "reproduced", "report", 2),
    "K103": ("years_huawei_before_alibaba_at_least", "reproduced", "report", 5),
    "K105": ("alibaba_first_malaysia_deal_year", "reproduced", "report", "2016"),
    "K106": ("alibaba_cloud_data_center_year", "reproduced", "report", "2017"),
    "K107": ("alibaba_ehubs_year", "reproduced", "report", "2017"),
    "K108": ("dftz_launch_year", "reproduced", "report", "2017"),
    "K109": ("najib_hangzhou_visit_year", "reproduced", "report", "2017"),
    "K114": ("arrival_order_breaks", "reproduced", "report", 0),
    "K115": ("deals_busiest_year_in_2018_2020", "reproduced", "report", "2019"),
    "K116": ("deals_new_companies_2016_2019_above", "reproduced", "report", None),
    "K117": ("deals_mean_2018_2019_over_2016_2017_above", "reproduced", "report", 5),
    "K119": ("city_brain_kl_year", "reproduced", "report", "2018"),
    "K120": ("city_brain_intersections_at_least", "reproduced", "report", 281),
    "K121": ("ant_financial_banks_at_least", "reproduced", "report", 6),
    "K124": ("deals_growth_change_2019_above", "reproduced", "report", 10),
    "K125": ("deals_yearly_falls_2016_2019", "internal inconsistency", "report", 1),
    "K133": ("deals_12_months_after_peak_below", "reproduced", "report", 4),
    "K134": ("deals_entries_2021_2022", "reproduced", "report", 0),
    "K139": ("huawei_5g_mous_2018_2019_at_least", "reproduced", "report", 4),
    "K175": ("entries_before_huawei", "reproduced", "report", 0),
    "K183": ("huawei_exim_loans_in_total_at_most", "reproduced", "report", 0.67),
    "K184": ("huawei_cdb_loans_in_total_at_most", "reproduced", "report", 2.04),
}


def test_every_judged_claim_has_an_expected_verdict(table, listed):
    judged = table[table["verdict"] != "stated only"]
    assert sorted(judged["claim_id"]) == sorted(EXPECTED)
    # every row left out of EXPECTED is stated only because claims.csv says so (no method of
    # the as-published edition lacks its data)
    left = set(listed.index) - set(EXPECTED)
    assert set(listed.loc[sorted(left), "method"]) == {"stated_only"}


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_verdict(claim_id, by_id, listed):
    method, verdict, against, value = EXPECTED[claim_id]
    row = by_id.loc[claim_id]
    assert listed.at[claim_id, "method"] == method
    assert row["verdict"] == verdict, row["explanation"]
    assert row["checked_against"] == against
    if value is None:
        assert row["recomputed_value"] != ""
    elif isinstance(value, str):
        assert row["recomputed_value"] == value
    else:
        assert float(row["recomputed_value"]) == pytest.approx(value, abs=0.01)
    if against == "report":
        assert "report's own numbers only" in row["explanation"]


def test_verdict_counts_follow_from_the_rows(table, listed):
    expected = Counter(verdict for _, verdict, _, _ in EXPECTED.values())
    expected["stated only"] = int((listed["method"] == "stated_only").sum())
    counts = claims.verdict_counts(table)
    assert counts.to_dict() == {v: expected.get(v, 0) for v in claims.VERDICTS}
    assert counts.sum() == len(listed) == len(table)
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
    text = by_id.loc["K48", "explanation"]
    assert f"{low:.1f} to {high:.1f} bn" in text
    assert "only the spread of the share counts" in text
    assert "range of Alibaba's 20-F counts" in listed.at["K48", "reading"]
    assert by_id.loc["K63", "difference"] == pytest.approx(317.14 * 2686499368 / 1e9 - 837.84,
                                                           abs=1e-3)


def test_figure1_totals_compare_like_periods(by_id):
    assert "for 2012-2018" in by_id.loc["K14", "explanation"]
    assert "for 2012" in by_id.loc["K15", "explanation"]
    # the cumulative $10 billion against 2011's loans, with the earlier CDB loans named
    assert "A02 2009 0.5 bn, A03 2009 1 bn, A06 2010 1.1 bn" in by_id.loc["K04", "explanation"]


def test_a_wider_range_of_companies_after_2015(by_id, frames):
    # 2011-2015 names only Huawei, Huawei Marine and ZTE; 2016-2019 adds Alibaba and its
    # affiliates, Tencent, UnionPay, FiberHome and others
    text = by_id.loc["K116", "explanation"]
    assert "2011-2015: 3 (Huawei, Huawei Marine, ZTE)" in text
    deals = frames["malaysia_deals"]
    late = {n for names in deals.loc[deals["year"].between(2016, 2019), "chinese_companies"]
            for n in names.split("; ")}
    assert {"Alibaba", "Ant Financial", "Tencent", "Wuhan FiberHome Technologies"} <= late
    assert int(by_id.loc["K116", "recomputed_value"]) == len(late) - 3


def test_dozens_of_players_stands_in_the_introduction(listed):
    assert listed.at["K36", "location"] == "Introduction, text"
    chapter2 = listed[listed["quote"].str.startswith("now there are dozens of Chinese players")]
    assert list(chapter2["location"]) == ["Chapter 2, text"]


def test_threshold_differences_and_tolerances(by_id):
    assert math.isnan(by_id.loc["K51", "tolerance"])
    assert by_id.loc["K64", "difference"] == pytest.approx(-27.27, abs=0.01)
    assert by_id.loc["K42", "tolerance"] == 0.05
    assert by_id.loc["K53", "tolerance"] == 25
    assert math.isnan(by_id.loc["K55", "difference"])  # months are not subtracted
    assert by_id.loc["K07", "difference"] == 1.0


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


@pytest.mark.parametrize(("claim", "field", "value", "expected"), [
    ("K42", "method", "no_such_method", "a method of ccp_analysis.claims"),
    ("K42", "stated_value", "about 28.6", "a plain decimal number"),
    ("K42", "unit", "percent", "one of pct"),
    ("K50", "stated_value", "October 2020", "a month as YYYY-MM"),
    ("K42", "tolerance", "", "an absolute tolerance"),
    ("K53", "tolerance", "", "an absolute tolerance"),
    ("K51", "tolerance", "5", "empty for stated_only"),
    ("K42", "claim_id", "K41", "a unique id"),
    ("K42", "claim_id", "K9", "a unique id"),
    ("K43", "claim_id", "K43a", "a unique id"),
    ("K48", "claim_id", "K44", "ids in ascending order"),
    ("K03", "note", " ", "the rule the verdict follows"),
])
def test_bad_claims_are_input_errors(project_copy, rewrite_raw, claim, field, value, expected):
    line = _set_field(project_copy, rewrite_raw, claim, field, value)
    before = _processed_bytes(project_copy)
    with pytest.raises(InputError) as caught:
        processed.build()
    error = caught.value
    assert error.file == "data/raw/report/claims.csv"
    assert (error.line, error.field, error.value) == (line, field, value)
    assert expected in error.expected
    assert _processed_bytes(project_copy) == before  # nothing already built is lost


def test_an_edited_claims_file_fails_its_checksum(project_copy):
    path = project_copy / "data" / "raw" / CLAIMS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("-28.6", "-27.6"),
                    encoding="utf-8")
    with pytest.raises(ChecksumError, match="claims.csv"):
        processed.build()


def test_a_text_claim_disagreeing_with_appendix_c_is_internal(project_copy, rewrite_raw):
    _set_field(project_copy, rewrite_raw, "K37", "stated_value", "2019-03")
    row = _audit_copy().loc["K37"]
    assert row["verdict"] == "internal inconsistency"
    assert row["checked_against"] == "report"


def test_threshold_verdict_follows_the_stated_bound(project_copy, rewrite_raw):
    _set_field(project_copy, rewrite_raw, "K64", "stated_value", "150")
    assert _audit_copy().loc["K64", "verdict"] == "differs"


# --------------------------------------------------- changed inputs flip the verdicts


def _replace_raw(root: Path, rewrite_raw, relpath: str, old: str, new: str,
                 count: int = 1) -> None:
    text = (root / "data" / "raw" / relpath).read_text(encoding="utf-8")
    assert text.count(old) == count, (relpath, old)
    rewrite_raw(root, relpath, text.replace(old, new).encode("utf-8"))


def test_huawei_2021_revenue_flips_the_cny_drop(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K42", "verdict"] == "reproduced"
    _replace_raw(project_copy, rewrite_raw, "market/huawei_financials.csv",
                 "2021,636807,", "2021,700000,")
    after = _audit_copy()
    assert after.loc["K42", "verdict"] == "differs"
    assert float(after.loc["K42", "recomputed_value"]) == pytest.approx(-21.47, abs=0.01)


def test_a_weaker_2021_yuan_flips_the_usd_reading(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K43", "verdict"] == "differs"
    # At 6.9043 CNY per USD in 2021 (instead of 6.4491) the USD fall is the CNY one, 28.6%.
    _replace_raw(project_copy, rewrite_raw, "market/cny_per_usd_annual.csv",
                 "2021,6.4491,", "2021,6.9043,")
    after = _audit_copy()
    assert after.loc["K43", "verdict"] == "reproduced"
    assert float(after.loc["K43", "recomputed_value"]) == pytest.approx(
        ((636807 / 6.9043) / (891368 / 6.9003) - 1) * 100, abs=1e-4)
    assert after.loc["K42", "verdict"] == "reproduced"  # the CNY reading does not move


def test_a_2021_loss_flips_the_annual_losses_reading(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K71", "verdict"] == "differs"
    _replace_raw(project_copy, rewrite_raw, "market/huawei_financials.csv",
                 "2021,636807,113718,", "2021,636807,-5000,")
    after = _audit_copy()
    assert after.loc["K71", "verdict"] == "reproduced"
    assert after.loc["K70", "verdict"] == "stated only"  # quarters stay out of reach


def test_a_september_high_flips_both_peak_month_claims(project_copy, rewrite_raw, by_id):
    assert (by_id.loc["K50", "verdict"], by_id.loc["K55", "verdict"]) == ("reproduced",
                                                                          "differs")
    # 2020-10-27 down to 300 and 2020-09-02 up to 320: the peak moves to September.
    _replace_raw(project_copy, rewrite_raw, "market/baba_daily.csv",
                 "2020-10-27,307.75,319.32,305.61,317.14,", "2020-10-27,307.75,319.32,305.61,300,")
    _replace_raw(project_copy, rewrite_raw, "market/baba_daily.csv",
                 "2020-09-02,299,299,289.79,296.07,", "2020-09-02,299,299,289.79,320,")
    after = _audit_copy()
    assert after.loc["K50", "verdict"] == "differs"
    assert after.loc["K55", "verdict"] == "reproduced"
    assert after.loc["K55", "recomputed_value"] == "2020-09"
    # The report-implied basis now meets October's new high, 312.56 on 2020-10-29.
    assert after.loc["K49", "verdict"] == "differs"


def test_a_smaller_share_count_flips_the_november_high_readings(project_copy, rewrite_raw,
                                                                by_id):
    assert (by_id.loc["K51", "verdict"], by_id.loc["K52", "verdict"]) == ("differs", "differs")
    # The 2022-03-31 count (in force in November 2022) down to 2.2 bn ADS: the month's high,
    # 87.56 x 2.2 = 192.6 bn, is below 200 and 77.4% under October 2020's 852.0 bn.
    _replace_raw(project_copy, rewrite_raw, "market/alibaba_shares_outstanding.csv",
                 "2022-03-31,21357323112,2669665389,", "2022-03-31,17600000000,2200000000,")
    after = _audit_copy()
    assert after.loc["K51", "verdict"] == "reproduced"
    assert float(after.loc["K51", "recomputed_value"]) == pytest.approx(87.56 * 2.2, abs=1e-3)
    assert after.loc["K52", "verdict"] == "reproduced"


def test_a_larger_2019_count_moves_the_october_value_out_of_the_spread(project_copy,
                                                                       rewrite_raw, by_id):
    assert by_id.loc["K48", "verdict"] == "reproduced"
    # The 2019-03-31 count up to 2.7 bn: the lowest count of the window is now 2022's 2.670 bn,
    # 317.14 x 2.670 = 846.7 bn, above 837.84.
    _replace_raw(project_copy, rewrite_raw, "market/alibaba_shares_outstanding.csv",
                 "2019-03-31,20696476576,2587059572,", "2019-03-31,21600000000,2700000000,")
    after = _audit_copy()
    assert after.loc["K48", "verdict"] == "differs"
    low, high = (317.14 * c / 1e9 for c in (2669665389, 2712378931))
    assert f"outside {low:.1f}-{high:.1f}" in after.loc["K48", "explanation"]


def test_the_offer_price_flips_the_gains_claim(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K53", "verdict"] == "reproduced"
    # From an offer of 5.00 USD, 317.14 -> 86.79 loses (317.14 - 86.79) / 312.14 = 73.8% of
    # the gain: not "nearly all" under the 75% reading.
    _replace_raw(project_copy, rewrite_raw, "market/alibaba_ipo.csv",
                 "ipo_offer_price,68.00,", "ipo_offer_price,5.00,")
    after = _audit_copy()
    assert after.loc["K53", "verdict"] == "differs"
    assert float(after.loc["K53", "recomputed_value"]) == pytest.approx(
        (317.14 - 86.79) / (317.14 - 5.00) * 100, abs=1e-4)
    assert after.loc["K67", "verdict"] == "differs"  # the first-close reading does not move


def test_a_lower_first_close_flips_the_first_close_reading(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K67", "verdict"] == "differs"
    _replace_raw(project_copy, rewrite_raw, "market/baba_daily.csv",
                 "2014-09-19,92.7,99.7,89.95,93.89,", "2014-09-19,92.7,99.7,60,60,")
    after = _audit_copy()
    assert after.loc["K67", "verdict"] == "reproduced"
    assert after.loc["K53", "verdict"] == "reproduced"


def test_ten_entries_in_2020_flip_single_digits(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K41", "verdict"] == "reproduced"
    for entry, month in (("C53", "October"), ("C54", "October"), ("C55", "October"),
                         ("C56", "November"), ("C57", "December")):
        _replace_raw(project_copy, rewrite_raw, "report/appendix_c_timeline.csv",
                     f"{entry},{month} 2019,", f"{entry},{month} 2020,")
    after = _audit_copy()
    assert after.loc["K41", "recomputed_value"] == "10"
    assert after.loc["K41", "verdict"] == "internal inconsistency"
    # 2019 loses five entries (18 -> 13): its rise over 2018 is +4, still above 2018's -1
    assert after.loc["K124", "recomputed_value"] == "5"


def test_one_tax_benefit_amount_flips_the_inconsistency(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K21", "verdict"] == "internal inconsistency"
    _replace_raw(project_copy, rewrite_raw, "report/appendix_b_alibaba.csv",
                 "$798.21 million", "$789.21 million")
    # The coding names the amount's words (B02) and quotes both prints (F2-01's note).
    _replace_raw(project_copy, rewrite_raw, "report/state_support_coding.csv",
                 "$798.21 million", "$789.21 million", count=2)
    after = _audit_copy()
    assert after.loc["K21", "verdict"] == "reproduced"
    assert after.loc["K21", "difference"] == 0


def test_one_credit_line_year_flips_the_inconsistency(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K07", "verdict"] == "internal inconsistency"
    _replace_raw(project_copy, rewrite_raw, "report/figure1_items.csv",
                 "F1-03,Policy Banks,2009,", "F1-03,Policy Banks,2010,")
    after = _audit_copy()
    assert after.loc["K07", "verdict"] == "reproduced"


def test_customer_loans_agree_when_nothing_was_lent_before(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K04", "verdict"] == "internal inconsistency"
    # Appendix A row 7 dated 2008: no CDB loan to a Huawei customer precedes it.
    _replace_raw(project_copy, rewrite_raw, "report/appendix_a_huawei.csv",
                 "A07,2011,", "A07,2008,")
    after = _audit_copy()
    assert after.loc["K04", "verdict"] == "reproduced"


def test_single_loans_above_the_total_flip_the_in_total_check(project_copy, rewrite_raw,
                                                              by_id):
    assert by_id.loc["K183", "verdict"] == "reproduced"
    # Nigeria's 2018 Exim loan at $3.82 billion: with A10 and A13 the single loans of
    # 2012-2018 come to 4.11 bn, more than the $2.8 billion "in total".
    _replace_raw(project_copy, rewrite_raw, "report/appendix_a_huawei.csv", "$382 million",
                 "$3.82 billion")
    # The coding quotes the amount twice: as the amount and in the relation's evidence.
    _replace_raw(project_copy, rewrite_raw, "report/state_support_coding.csv",
                 "$382 million", "$3.82 billion", count=2)
    after = _audit_copy()
    assert after.loc["K183", "verdict"] == "internal inconsistency"
    assert float(after.loc["K183", "recomputed_value"]) == pytest.approx(
        (68 + 222 + 3820) / 1000, abs=1e-9)


def test_like_periods_make_the_exim_total_agree(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K14", "verdict"] == "internal inconsistency"
    _replace_raw(project_copy, rewrite_raw, "report/appendix_a_huawei.csv",
                 "A08,2012,", "A08,between 2012 and 2018,")
    after = _audit_copy()
    assert after.loc["K14", "verdict"] == "reproduced"
    assert after.loc["K15", "verdict"] == "internal inconsistency"
