"""The tidy frames, built from the real data/raw, give back the numbers of the report and of
the sources."""

from __future__ import annotations

import csv
import hashlib
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from updated_edition import check_prices, last_results_year

from ccp_analysis.data import frame_builders, schemas
from ccp_analysis.errors import InputError
from ccp_analysis.paths import ROOT_ENV

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "data" / "raw" / "report"


def _csv(name: str) -> list[dict[str, str]]:
    with (REPORT / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _by_id(frame: pd.DataFrame, key: str = "item_id") -> pd.DataFrame:
    indexed = frame.set_index(key)
    assert indexed.index.is_unique
    return indexed


# ---------------------------------------------------------------- Appendix C: Malaysia deals


def test_appendix_c_has_62_entries(frames):
    deals = frames["malaysia_deals"]
    assert len(deals) == 62
    assert sorted(deals["entry_id"]) == [f"C{i:02d}" for i in range(1, 63)]


def test_appendix_c_deals_per_year(frames):
    counts = frames["malaysia_deals"]["year"].value_counts().sort_index().to_dict()
    assert counts == {2011: 1, 2012: 2, 2013: 4, 2014: 3, 2015: 3, 2016: 7, 2017: 10,
                      2018: 9, 2019: 18, 2020: 5}


def test_2019_is_the_peak_and_2020_drops_into_single_digits(frames):
    counts = frames["malaysia_deals"]["year"].value_counts()
    assert counts.idxmax() == 2019
    assert (counts.drop(2019) < counts[2019]).all()
    assert counts[2020] < 10  # "dropped into the single digits"
    assert counts[2020] < counts[2019] / 3


def test_deal_dates_follow_the_printed_text(frames):
    deals = _by_id(frames["malaysia_deals"], "entry_id")
    assert deals.loc["C02", "event_date"] == pd.Timestamp("2012-06-01")
    assert deals.loc["C20", "event_date"] == pd.Timestamp("2016-07-01")
    assert deals.loc["C20", "date_precision"] == "half-year"
    assert deals.loc["C26", "date_precision"] == "year"
    assert deals.loc["C28", "event_date"] == pd.Timestamp("2017-09-01")  # "Late 2017"
    assert deals.loc["C28", "date_precision"] == "late-year"
    assert deals.loc["C33", "event_date"] == pd.Timestamp("2018-01-01")


def test_every_edge_company_is_a_chinese_company_of_its_deal(frames):
    deals = _by_id(frames["malaysia_deals"], "entry_id")
    edges = frames["malaysia_deal_edges"]
    assert len(edges) > 0
    for edge in edges.itertuples():
        companies = deals.loc[edge.entry_id, "chinese_companies"].split("; ")
        assert edge.company in companies
        assert edge.year == deals.loc[edge.entry_id, "year"]
        if edge.ends == "co-party":
            assert edge.counterpart in companies
        else:
            assert edge.counterpart in deals.loc[edge.entry_id, "counterparts"].split("; ")


def test_edges_are_the_coded_pairs_not_every_pair(frames):
    # One edge per row of the coded edge list; naming several parties links only the pairs
    # the entry states, so there are fewer edges than companies x counterparts plus pairs.
    coded = _csv("appendix_c_edges.csv")
    edges = frames["malaysia_deal_edges"]
    assert len(edges) == len(coded)
    every_pair = 0
    for row in _csv("appendix_c_timeline.csv"):
        n = len(row["chinese_companies"].split("; "))
        m = len(row["counterparts"].split("; ")) if row["counterparts"] else 0
        every_pair += n * m + n * (n - 1) // 2
    assert len(edges) < every_pair


# ---------------------------------------------------------------- Appendix A/B, Figures 1/2


def test_appendix_rows(frames):
    huawei = frames["huawei_state_support"]
    alibaba = frames["alibaba_state_support"]
    a_rows = huawei[huawei["source_ref"].str.startswith("Appendix A")]
    b_rows = alibaba[alibaba["source_ref"].str.startswith("Appendix B")]
    assert list(a_rows["item_id"]) == [f"A{i:02d}" for i in range(1, 24)]
    assert list(b_rows["item_id"]) == [f"B{i:02d}" for i in range(1, 11)]
    assert a_rows["is_primary"].all() and b_rows["is_primary"].all()
    assert len(huawei) == 23 + 13
    assert len(alibaba) == 10 + 4


def _differing_repeats(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    by_id = _by_id(frame)
    out = {}
    for item_id, row in by_id[by_id["same_item_as"] != ""].iterrows():
        own, other = row["amount_usd"], by_id.loc[row["same_item_as"], "amount_usd"]
        same = (math.isnan(own) and math.isnan(other)) or own == other
        if not same:
            out[item_id] = (own, other)
    return out


def test_figure_repeats_match_their_appendix_row_amounts(frames):
    # Huawei: only F1-02, the 2004 $10 billion level of the credit line that A04 records at
    # $30 billion; every other repeat carries its appendix row's amount.
    assert _differing_repeats(frames["huawei_state_support"]) == {"F1-02": (10e9, 30e9)}
    # Alibaba: Figure 2 prints $789.21 million where Appendix B prints $798.21 million.
    differ = _differing_repeats(frames["alibaba_state_support"])
    assert list(differ) == ["F2-01"]
    fig, app = differ["F2-01"]
    assert fig == pytest.approx(789.21e6) and app == pytest.approx(798.21e6)
    assert app - fig == pytest.approx(9e6, abs=1e-3)


def test_figure_1_policy_bank_totals_equal_the_appendix_rows_over_2012_2018(frames):
    h = _by_id(frames["huawei_state_support"])
    figure = h.loc["F1-10", "amount_usd"] + h.loc["F1-11", "amount_usd"]
    appendix = h.loc["A08", "amount_usd"] + h.loc["A09", "amount_usd"]
    assert figure == pytest.approx(9.8e9)
    assert appendix == pytest.approx(9.8e9)
    # Appendix A prints 2012; Figure 1 gives the same amounts "in total" for the 32 cases
    # "between 2012 and 2018", so the totals span those years.
    for item in ("A08", "A09", "F1-10", "F1-11"):
        assert (h.loc[item, "period_start_year"], h.loc[item, "period_end_year"]) == (2012, 2018)
        assert h.loc[item, "amount_kind"] == "aggregate"
    assert (h.loc["A08", "year_text"], h.loc["A08", "period_text"]) == ("2012",
                                                                       "between 2012 and 2018")


def test_relations_join_items_of_one_lender_in_the_periods_their_reading_allows(frames):
    h = _by_id(frames["huawei_state_support"])
    rel = frames["state_support_relations"]
    # 22 relations: 9 loans that may be drawn under CDB's line (A04), 3 CDB loans of 2009-2010
    # that A07's $10 billion read as loaned to date may hold, 7 single loans of 2013-2018
    # inside the 'in total' amounts, 3 items tied only partly to Huawei.
    assert len(rel) == 22
    assert rel["relation"].value_counts().to_dict() == {
        "contained_in": 10, "drawn_under": 9, "partly_linked": 3}
    for _, r in rel[rel["reading"] == "in total"].iterrows():
        item, total = h.loc[r["item_id"]], h.loc[r["target"]]
        assert (total["period_start_year"], total["period_end_year"]) == (2012, 2018)
        assert 2012 <= item["period_start_year"] <= item["period_end_year"] <= 2018
        assert item["entity"] == total["entity"]
    for _, r in rel[rel["reading"] == "to date"].iterrows():
        assert h.loc[r["item_id"], "period_end_year"] < h.loc["A07", "period_start_year"] == 2011
    assert set(h.loc[rel.loc[rel["relation"] == "drawn_under", "target"], "amount_kind"]) == {
        "limit"}


def test_a23_is_derived(frames):
    a23 = _by_id(frames["huawei_state_support"]).loc["A23"]
    assert a23["amount_basis"] == "derived"
    assert a23["amount_usd"] == pytest.approx(0.572 * 5.2e9, rel=1e-12)
    assert a23["period_start_year"] == 2020


def test_a01_period(frames):
    a01 = _by_id(frames["huawei_state_support"]).loc["A01"]
    assert (a01["period_start_year"], a01["period_end_year"]) == (1997, 2003)
    assert a01["period_precision"] == "approximate span"
    assert a01["amount_basis"] == "unquantified"
    assert math.isnan(a01["amount_usd"])


def test_credit_line_counts_once(frames):
    h = _by_id(frames["huawei_state_support"])
    assert h.loc["F1-02", "same_item_as"] == "A04"
    assert h.loc["F1-03", "same_item_as"] == "A04"
    assert not h.loc["F1-02", "is_primary"] and not h.loc["F1-03", "is_primary"]
    assert h.loc["A04", "is_primary"]
    credit = h[(h["instrument"] == "credit line") & h["is_primary"]]
    assert list(credit.index) == ["A04"]
    assert credit["amount_usd"].sum() == pytest.approx(30e9)


_AMOUNT = re.compile(r"\$(\d+(?:\.\d+)?) (million|billion)")
_SCALE = {"million": 1e6, "billion": 1e9}


def _hand_total() -> float:
    """Primary quantified Huawei support, straight from the CSVs (not via the library)."""
    total = 0.0
    for row in _csv("appendix_a_huawei.csv"):
        text = row["support_text"]
        if start := re.match(r"\$(\d+(?:\.\d+)?) (million|billion)", text):
            total += float(start[1]) * _SCALE[start[2]]
        elif share := re.match(r"(\d+(?:\.\d+)?)% of .*?" + _AMOUNT.pattern, text):
            total += float(share[1]) / 100 * float(share[2]) * _SCALE[share[3]]
    figure_only = {r["item_id"] for r in _csv("state_support_coding.csv")
                   if r["item_id"].startswith("F1-") and r["same_item_as"] == ""}
    for row in _csv("figure1_items.csv"):
        if row["item_id"] in figure_only:
            amounts = _AMOUNT.findall(row["item_text"])
            assert len(amounts) <= 1, row["item_id"]
            total += sum(float(n) * _SCALE[s] for n, s in amounts)
    return total


def test_primary_total_equals_hand_total(frames):
    h = frames["huawei_state_support"]
    total = h.loc[h["is_primary"], "amount_usd"].sum()
    hand = _hand_total()
    assert hand == pytest.approx(60.0994e9, rel=1e-12)
    assert total == pytest.approx(hand, rel=1e-12)
    # Counting the repeats too would overstate the total.
    assert h["amount_usd"].sum() > total + 60e9


def test_alibaba_tax_rates(frames):
    b = _by_id(frames["alibaba_state_support"])
    assert b.loc["B05", "tax_rate_pct"] == 9.9
    assert b.loc["B05", "standard_tax_rate_pct"] == 25.0
    assert b.loc["B09", "tax_rate_pct"] == 15.0
    assert b.loc["B10", "tax_rate_pct"] == 10.0
    assert math.isnan(b.loc["B02", "tax_rate_pct"])


def test_estimates(frames):
    e = _by_id(frames["state_support_estimates"], "estimate_id")
    # "as much as $25 billion" and "as much as 10 percent" are ceilings, not point values.
    assert (e.loc["E01", "bound"], e.loc["E01", "value_high"]) == ("upper bound", 25e9)
    assert math.isnan(e.loc["E01", "value_low"])
    assert (e.loc["E03", "bound"], e.loc["E03", "value_high"]) == ("upper bound", 10.0)
    assert math.isnan(e.loc["E03", "value_low"])
    assert (e.loc["E02", "bound"], e.loc["E02", "value_low"], e.loc["E02", "value_high"]) == (
        "point", 75e9, 75e9)
    assert (e.loc["E04", "bound"], e.loc["E04", "value_low"], e.loc["E04", "value_high"]) == (
        "range", 20.0, 30.0)


# ---------------------------------------------------------------- Huawei revenue


def _revenue(frames, series: str) -> pd.DataFrame:
    r = frames["huawei_revenue"]
    return r[r["fx_series"] == series].set_index("year")


def test_2021_revenue_drop(frames):
    ecb = _revenue(frames, "ecb")
    assert round(ecb.loc[2021, "revenue_change_pct_cny"], 1) == -28.6
    assert ecb.loc[2021, "revenue_cny_mn"] == 636807
    assert ecb.loc[2020, "revenue_cny_mn"] == 891368
    change = (636807 / 891368 - 1) * 100
    assert ecb.loc[2021, "revenue_change_pct_cny"] == pytest.approx(change, abs=0.005)


def test_revenue_series_present(frames):
    r = frames["huawei_revenue"]
    assert set(r["fx_series"]) == {"ecb", "oecd_imf", "fed", "pboc"}
    # One row per year of Huawei's results (2008 to the last year in data/raw) per series.
    years = last_results_year(ROOT) - 2008 + 1
    assert (r.groupby("fx_series").size() == years).all()
    # CNY values do not depend on the series.
    assert r.groupby("year")["revenue_cny_mn"].nunique().eq(1).all()


def test_revenue_usd_is_cny_over_rate(frames):
    r = frames["huawei_revenue"]
    with_rate = r[r["cny_per_usd"].notna()]
    assert len(with_rate) > 40
    for row in with_rate.itertuples():
        assert row.revenue_usd_mn == pytest.approx(
            round(row.revenue_cny_mn / row.cny_per_usd, 1), abs=1e-6)
    assert r.loc[r["cny_per_usd"].isna(), "revenue_usd_mn"].isna().all()
    assert _revenue(frames, "ecb").loc[2021, "revenue_usd_mn"] == pytest.approx(98743.5)


def test_fed_has_no_usd_before_2012(frames):
    fed = _revenue(frames, "fed")
    assert fed.loc[2008:2011, "revenue_usd_mn"].isna().all()
    assert fed.loc[2008:2011, "cny_per_usd"].isna().all()
    assert fed.loc[2012:2015, "revenue_usd_mn"].notna().all()
    assert fed.loc[2018, "cny_per_usd"] == 6.6090


# ---------------------------------------------------------------- Alibaba stock


def test_alibaba_stock_key_values(frames):
    s = frames["alibaba_stock"]
    # Every NYSE trading day to the last day of data/raw (the updated edition grows with each
    # import); the as-published edition's 2,077 days are fixed.
    check_prices(ROOT, s)
    first = s.iloc[0]
    assert first["date"] == pd.Timestamp("2014-09-19") and first["close_usd"] == 93.89
    top = s.loc[s["close_usd"].idxmax()]
    assert top["date"] == pd.Timestamp("2020-10-27") and top["close_usd"] == 317.14
    y2022 = s[s["date"].dt.year == 2022]
    low = y2022.loc[y2022["close_usd"].idxmin()]
    assert low["date"] == pd.Timestamp("2022-10-24") and low["close_usd"] == 63.15
    assert s.set_index("date").loc["2022-11-30", "close_usd"] == 87.56
    assert s["close_usd"].min() == 57.39


def test_market_value_uses_share_count_in_force(frames):
    s = frames["alibaba_stock"].set_index("date")
    day = s.loc["2020-10-27"]
    assert day["shares_as_of"] == pd.Timestamp("2020-03-31")
    assert day["shares_ads_equivalent"] == 2686499368
    assert day["market_value_usd_bn"] == round(317.14 * 2686499368 / 1e9, 3)
    ipo = s.loc["2014-09-19"]
    assert ipo["shares_as_of"] == pd.Timestamp("2016-03-31")
    assert ipo["shares_basis"].startswith("first count after")
    assert s.loc["2016-03-31", "shares_basis"] == "latest count on or before the date"


# ---------------------------------------------------------------- FX rates


def test_fx_rates(frames):
    fx = frames["fx_rates"].set_index(["fx_series", "year"])
    assert fx.loc[("ecb", 2021), "cny_per_usd"] == 6.4491
    assert fx.loc[("fed", 2018), "cny_per_usd"] == 6.6090
    assert fx.loc[("pboc", 2015), "cny_per_usd"] == 6.2284
    assert set(frames["fx_rates"]["fx_series"]) == {"ecb", "oecd_imf", "fed", "pboc"}
    assert "irs" not in set(frames["fx_rates"]["fx_series"])
    assert frames["fx_rates"]["cny_per_usd"].notna().all()


# ---------------------------------------------------------------- determinism, schemas


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_build_is_deterministic(project_copy, tmp_path, monkeypatch):
    second = tmp_path / "second"
    shutil.copytree(project_copy / "data", second / "data")
    hashes = []
    for root in (project_copy, second):
        monkeypatch.setenv(ROOT_ENV, str(root))
        assert frame_builders.build() == root / "data" / "processed"
        hashes.append(_hashes(root / "data" / "processed"))
        assert sorted(p.name for p in (root / "data").iterdir()) == ["processed", "raw"]
    assert hashes[0] == hashes[1]
    assert set(hashes[0]) == {f"{n}.csv" for n in schemas.FRAMES} | {"DATA_DICTIONARY.md"}
    dictionary = (root / "data" / "processed" / "DATA_DICTIONARY.md").read_text("utf-8")
    for name in schemas.FRAMES:
        assert f"## `{name}.csv`" in dictionary
    # The committed data/processed is what a build of the committed data/raw writes.
    assert _hashes(ROOT / "data" / "processed") == hashes[0]


@pytest.mark.parametrize("name", list(schemas.FRAMES))
def test_schema_rejects_duplicate_key(frames, name):
    frame = frames[name]
    doubled = pd.concat([frame.iloc[[0]], frame], ignore_index=True)
    with pytest.raises(InputError) as info:
        frame_builders.validate(name, doubled)
    # Named as the raw input it comes from, not as a row of the processed frame.
    assert info.value.file.startswith("data/raw/"), str(info.value)
    assert "not repeated" in info.value.expected
    if "raw_line" in frame:
        assert info.value.line == frame["raw_line"].iloc[0]


@pytest.mark.parametrize("name", list(schemas.FRAMES))
def test_schema_rejects_unsorted_rows(frames, name):
    frame = frames[name]
    order = np.arange(len(frame))
    order[[0, -1]] = order[[-1, 0]]
    swapped = frame.iloc[order].reset_index(drop=True)
    with pytest.raises(InputError, match="rows sorted by"):
        frame_builders.validate(name, swapped)


@pytest.mark.parametrize("name", list(schemas.FRAMES))
def test_schema_accepts_the_built_frame(frames, name):
    assert len(frame_builders.validate(name, frames[name].copy())) == len(frames[name])
