"""The claims audit: every claim's verdict on the as-published data, and verdicts that flip
when the input they rest on changes (in a throw-away copy of the project's data)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest

from ccp_analysis import claims, processed, schemas
from ccp_analysis.errors import ChecksumError, InputError
from ccp_analysis.paths import ROOT_ENV

ROOT = Path(__file__).resolve().parents[1]
CLAIMS_FILE = "report/claims.csv"
PUBLISHED = pd.Timestamp("2022-12-16")


def _load_frames() -> dict[str, pd.DataFrame]:
    return {name: processed.load(name) for name in schemas.FRAMES}


def _as_published(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Frames cut to what existed when the report came out, as the as-published edition is."""
    out = dict(frames)
    out["alibaba_stock"] = frames["alibaba_stock"][frames["alibaba_stock"]["date"] <= PUBLISHED]
    out["huawei_revenue"] = frames["huawei_revenue"][frames["huawei_revenue"]["year"] <= 2022]
    return out


def _audit_copy() -> pd.DataFrame:
    """Rebuild the frames of the project copy CCP_ANALYSIS_ROOT points at, and audit them."""
    processed.build()
    return claims.audit(_as_published(_load_frames())).set_index("claim_id")


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        return _as_published(_load_frames())


@pytest.fixture(scope="module")
def table(frames) -> pd.DataFrame:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        return claims.audit(frames)


@pytest.fixture(scope="module")
def by_id(table) -> pd.DataFrame:
    return table.set_index("claim_id")


# ------------------------------------------------------------------------------ the table


def test_audit_columns_order_and_verdicts(table):
    assert list(table.columns) == claims.AUDIT_COLUMNS
    assert len(table) >= 30
    assert table["claim_id"].is_unique
    assert list(table["claim_id"]) == sorted(table["claim_id"])
    assert set(table["verdict"]) == set(claims.VERDICTS)
    assert claims.VERDICTS == ("reproduced", "differs", "internal inconsistency", "stated only")


def test_every_explanation_is_one_line_and_says_something(table):
    for _, row in table.iterrows():
        assert row["explanation"].strip(), row["claim_id"]
        assert "\n" not in row["explanation"], row["claim_id"]


def test_stated_only_rows_have_no_recomputation(table):
    stated_only = table[table["verdict"] == "stated only"]
    assert (stated_only["recomputed_value"] == "").all()
    assert stated_only["difference"].isna().all()
    others = table[table["verdict"] != "stated only"]
    assert (others["recomputed_value"] != "").all()


def test_every_registered_method_is_used_by_a_claim():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        used = set(claims.read_claims()["method"])
    assert set(claims.METHODS) <= used
    assert used - set(claims.METHODS) == {"stated_only"}


# ------------------------------------------------------------------------ each verdict

# claim_id: (method, stated_value, verdict, recomputed value: a number (checked to 0.01), a
# month/year text, or None where no value is recomputed)
EXPECTED: dict[str, tuple[str, str, str, float | str | None]] = {
    "K01": ("huawei_years_in_malaysia", "10", "reproduced", 10),
    "K02": ("alibaba_years_in_malaysia", "5", "reproduced", 5),
    "K03": ("stated_only", "35", "stated only", None),
    "K04": ("huawei_cdb_customer_loans_vs_appendix_a", "10", "reproduced", 10),
    "K05": ("stated_only", "10", "stated only", None),
    "K06": ("huawei_cdb_credit_line_amount_vs_appendix_a", "30", "reproduced", 30),
    "K07": ("huawei_cdb_credit_line_year_vs_appendix_a", "2009", "internal inconsistency",
            "2010"),
    "K08": ("stated_only", "471", "stated only", None),
    "K09": ("stated_only", "45", "stated only", None),
    "K10": ("huawei_america_movil_loan_vs_appendix_a", "1", "reproduced", 1),
    "K11": ("huawei_rcomm_loan_vs_appendix_a", "1.1", "reproduced", 1.1),
    "K12": ("huawei_qualcomm_fine_vs_appendix_a", "975", "reproduced", 975),
    "K13": ("stated_only", "32", "stated only", None),
    "K14": ("huawei_exim_total_vs_appendix_a", "2.8", "reproduced", 2.8),
    "K15": ("huawei_cdb_total_vs_appendix_a", "7", "reproduced", 7),
    "K16": ("stated_only", "25", "stated only", None),
    "K17": ("stated_only", "75", "stated only", None),
    "K18": ("stated_only", "10", "stated only", None),
    "K19": ("stated_only", "20", "stated only", None),
    "K20": ("stated_only", "40", "stated only", None),
    "K21": ("alibaba_tax_benefit_vs_appendix_b", "789.21", "internal inconsistency", 798.21),
    "K22": ("alibaba_shenzhen_rate_vs_appendix_b", "15", "reproduced", 15),
    "K23": ("stated_only", "10", "stated only", None),
    "K24": ("alibaba_effective_tax_rate_below", "25", "reproduced", 10),
    "K25": ("stated_only", "80", "stated only", None),
    "K26": ("stated_only", "56", "stated only", None),
    "K27": ("stated_only", "16", "stated only", None),
    "K28": ("huawei_malaysia_entry_year", "2001", "reproduced", "2001"),
    "K29": ("huawei_first_malaysia_deal_year", "2011", "reproduced", "2011"),
    "K30": ("huawei_altel_4g_year", "2014", "reproduced", "2014"),
    "K31": ("huawei_u_mobile_4g_year", "2014", "reproduced", "2014"),
    "K32": ("stated_only", "1", "stated only", None),
    "K33": ("alibaba_ecommerce_hub_month", "2017-03", "reproduced", "2017-03"),
    "K34": ("stated_only", "5", "stated only", None),
    "K35": ("fiberhome_mou_year", "2019", "reproduced", "2019"),
    "K36": ("stated_only", "24", "stated only", None),
    "K37": ("huawei_maxis_mou_month", "2019-02", "reproduced", "2019-02"),
    "K38": ("stated_only", "1", "stated only", None),
    "K39": ("tencent_ccb_mou_year", "2020", "reproduced", "2020"),
    "K40": ("deals_trailing_12m_peak_year", "2020", "reproduced", "2020"),
    "K41": ("deals_2020_count_below", "10", "reproduced", 5),
    "K42": ("huawei_revenue_change_2021_cny", "-28.6", "reproduced", -28.56),
    "K43": ("huawei_revenue_change_2021_usd_ecb", "-28.6", "differs", -23.56),
    "K44": ("huawei_revenue_change_2021_usd_oecd_imf", "-28.6", "differs", -23.56),
    "K45": ("huawei_revenue_change_2021_usd_fed", "-28.6", "differs", -23.54),
    "K46": ("huawei_revenue_change_2021_usd_pboc", "-28.6", "stated only", None),
    "K47": ("huawei_first_revenue_decline_year", "2021", "reproduced", "2021"),
    "K48": ("alibaba_oct2020_value_20f", "837.84", "differs", 852.00),
    "K49": ("alibaba_oct2020_value_report_basis", "837.84", "reproduced", 837.84),
    "K50": ("alibaba_peak_month", "2020-10", "reproduced", "2020-10"),
    "K51": ("alibaba_nov2022_value_below", "200", "reproduced", 172.73),
    "K52": ("alibaba_decline_oct2020_nov2022_above", "75", "reproduced", 79.73),
    "K53": ("alibaba_ipo_gain_lost_below", "100", "differs", 103.18),
    "K54": ("alibaba_ipo_year", "2014", "reproduced", "2014"),
    "K55": ("alibaba_peak_month", "2020-09", "differs", "2020-10"),
    "K56": ("huawei_china_mobile_award", "2.9744", "reproduced", 2.9744),
    "K57": ("stated_only", "9.9", "stated only", None),
    "K58": ("alibaba_tax_rate_gap_2014", "15.1", "reproduced", 15.1),
    "K59": ("stated_only", "10", "stated only", None),
    "K60": ("stated_only", "244", "stated only", None),
    "K61": ("stated_only", "3.45", "stated only", None),
    "K62": ("stated_only", "281", "stated only", None),
}


def test_every_claim_has_an_expected_verdict(table):
    assert sorted(EXPECTED) == list(table["claim_id"])


@pytest.mark.parametrize("claim_id", sorted(EXPECTED))
def test_claim_verdict(claim_id, by_id):
    method, stated, verdict, value = EXPECTED[claim_id]
    row = by_id.loc[claim_id]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ROOT_ENV, str(ROOT))
        listed = claims.read_claims().set_index("claim_id").loc[claim_id]
    assert listed["method"] == method
    assert row["stated_value"] == stated
    assert row["verdict"] == verdict, row["explanation"]
    if value is None:
        assert row["recomputed_value"] == ""
    elif isinstance(value, str):
        assert row["recomputed_value"] == value
    else:
        assert float(row["recomputed_value"]) == pytest.approx(value, abs=0.01)


def test_huawei_drop_is_the_cny_change_not_the_usd_one(by_id):
    cny, ecb = by_id.loc["K42"], by_id.loc["K43"]
    assert cny["quote"] == ecb["quote"]
    assert abs(cny["difference"]) <= 0.05
    assert ecb["difference"] == pytest.approx(5.04, abs=0.01)
    assert "CNY change" in ecb["explanation"]
    assert "no yearly average for 2020 or 2021" in by_id.loc["K46", "explanation"]


def test_alibaba_october_value_names_its_share_basis(by_id):
    assert "20-F count of 2020-03-31" in by_id.loc["K48", "explanation"]
    assert "837.84 bn / 317.14" in by_id.loc["K49", "explanation"]
    assert by_id.loc["K48", "difference"] == pytest.approx(14.16, abs=0.01)


def test_ipo_claim_uses_the_first_close_and_finds_all_gains_lost(by_id):
    text = by_id.loc["K53", "explanation"]
    assert "93.89 USD (2014-09-19)" in text
    assert "offer price is not in the data" in text


def test_threshold_differences_and_tolerances(by_id):
    assert math.isnan(by_id.loc["K51", "tolerance"])
    assert by_id.loc["K51", "difference"] == pytest.approx(-27.27, abs=0.01)
    assert by_id.loc["K42", "tolerance"] == 0.05
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


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("method", "no_such_method", "a method of ccp_analysis.claims"),
    ("stated_value", "about 28.6", "a plain decimal number"),
    ("unit", "percent", "one of pct"),
    ("stated_value", "October 2020", "a month as YYYY-MM"),
    ("tolerance", "", "an absolute tolerance"),
    ("claim_id", "K41", "a unique id"),
])
def test_bad_claims_are_input_errors(project_copy, rewrite_raw, frames, field, value,
                                     expected):
    claim = "K50" if value == "October 2020" else "K42"
    line = _set_field(project_copy, rewrite_raw, claim, field, value)
    with pytest.raises(InputError) as caught:
        claims.audit(frames)
    error = caught.value
    assert error.file == "data/raw/report/claims.csv"
    assert (error.line, error.field, error.value) == (line, field, value)
    assert expected in error.expected


def test_an_edited_claims_file_fails_its_checksum(project_copy, frames):
    path = project_copy / "data" / "raw" / CLAIMS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("-28.6", "-27.6"),
                    encoding="utf-8")
    with pytest.raises(ChecksumError, match="claims.csv"):
        claims.audit(frames)


def test_a_text_claim_disagreeing_with_appendix_c_is_internal(project_copy, rewrite_raw,
                                                               frames):
    _set_field(project_copy, rewrite_raw, "K37", "stated_value", "2019-03")
    row = claims.audit(frames).set_index("claim_id").loc["K37"]
    assert row["verdict"] == "internal inconsistency"


def test_threshold_verdict_follows_the_stated_bound(project_copy, rewrite_raw, frames):
    _set_field(project_copy, rewrite_raw, "K51", "stated_value", "150")
    assert claims.audit(frames).set_index("claim_id").loc["K51", "verdict"] == "differs"


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


def test_ten_entries_in_2020_flip_single_digits(project_copy, rewrite_raw, by_id):
    assert by_id.loc["K41", "verdict"] == "reproduced"
    for entry, month in (("C53", "October"), ("C54", "October"), ("C55", "October"),
                         ("C56", "November"), ("C57", "December")):
        _replace_raw(project_copy, rewrite_raw, "report/appendix_c_timeline.csv",
                     f"{entry},{month} 2019,", f"{entry},{month} 2020,")
    after = _audit_copy()
    assert after.loc["K41", "recomputed_value"] == "10"
    assert after.loc["K41", "verdict"] == "differs"


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
