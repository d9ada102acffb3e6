"""Appendix C as the entries state it: parties as named, edges only between the parties an entry
says dealt with each other, deal types and date precisions as the wording gives them."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from ccp_analysis import deals
from ccp_analysis.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "data" / "raw" / "report"


@pytest.fixture(scope="module")
def entries(frames) -> pd.DataFrame:
    return frames["malaysia_deals"].set_index("entry_id")


@pytest.fixture(scope="module")
def edges(frames) -> pd.DataFrame:
    return frames["malaysia_deal_edges"]


def _pairs(edges: pd.DataFrame, entry: str) -> set[tuple[str, str, str]]:
    rows = edges[edges["entry_id"] == entry]
    return set(zip(rows["company"], rows["counterpart"], rows["edge_kind"], strict=True))


def _csv(name: str) -> list[dict[str, str]]:
    with (REPORT / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_c21_has_exactly_the_stated_edges(edges):
    # "a collaboration between Alibaba and the Malaysian government ... Ant Financial partners
    # with Malaysia's CIMB and Maybank": no Alibaba-CIMB, Alibaba-Maybank or Ant
    # Financial-government link.
    assert _pairs(edges, "C21") == {
        ("Alibaba", "Government of Malaysia", "counterpart"),
        ("Ant Financial", "CIMB", "counterpart"),
        ("Ant Financial", "Maybank", "counterpart"),
    }


def test_c15_huawei_and_ericsson_are_not_a_deal(entries, edges):
    assert "Ericsson Malaysia" in entries.loc["C15", "counterparts"].split("; ")
    assert _pairs(edges, "C15") == {("Huawei", "Celcom Axiata", "counterpart")}
    assert "Ericsson Malaysia" not in set(edges["counterpart"])


def test_joint_signatories_are_co_parties(edges):
    assert _pairs(edges, "C10") == {("ZTE", "U Mobile", "counterpart"),
                                    ("Huawei", "U Mobile", "counterpart"),
                                    ("Huawei", "ZTE", "co-party")}
    # Four companies "sign an MOU" together: every pair of the four, 4 * 3 / 2.
    c51 = _pairs(edges, "C51")
    assert len(c51) == 6 and {k for _, _, k in c51} == {"co-party"}
    # Tencent's MOU is with China Construction Bank's Labuan Branch, a Chinese bank.
    assert _pairs(edges, "C59") == {("China Construction Bank", "Tencent", "co-party")}


def test_parties_named_by_the_entries(entries, edges):
    for entry in ("C20", "C25"):
        assert "Lazada" in entries.loc[entry, "chinese_companies"].split("; ")
    assert _pairs(edges, "C20") == {("Cainiao", "Lazada", "co-party")}
    assert ("Lazada", "MDEC", "counterpart") in _pairs(edges, "C25")
    assert "China Unicom" in entries.loc["C56", "chinese_companies"].split("; ")
    assert ("China Information Technology Designing & Consulting Institute", "China Unicom",
            "co-party") in _pairs(edges, "C56")
    # C45 names WeChat Pay only; Tencent is not in it.
    assert entries.loc["C45", "chinese_companies"] == "WeChat Pay"
    assert _pairs(edges, "C45") == {("WeChat Pay", "Ambank Group", "counterpart")}


def test_every_edge_is_stated_by_its_entry():
    # Independently of the library: from the two CSVs.
    timeline = {r["entry_id"]: r for r in _csv("appendix_c_timeline.csv")}
    rows = _csv("appendix_c_edges.csv")
    assert len(rows) == len({(r["entry_id"], r["company"], r["counterpart"]) for r in rows})
    for row in rows:
        entry = timeline[row["entry_id"]]
        companies = entry["chinese_companies"].split("; ")
        counterparts = entry["counterparts"].split("; ") if entry["counterparts"] else []
        assert row["company"] in companies, row
        others = companies if row["edge_kind"] == "co-party" else counterparts
        assert row["counterpart"] in others, row
        for quote in row["evidence"].split(" | "):
            assert quote in entry["text"], row


def test_parties_without_an_edge_are_the_ones_the_text_links_to_no_one(entries, edges):
    unlinked = set()
    for entry, row in entries.iterrows():
        named = row["chinese_companies"].split("; ") + (
            row["counterparts"].split("; ") if row["counterparts"] else [])
        rows = edges[edges["entry_id"] == entry]
        linked = set(rows["company"]) | set(rows["counterpart"])
        unlinked |= {(entry, name) for name in named if name not in linked}
    assert unlinked == {
        ("C15", "Ericsson Malaysia"),  # Celcom's other partner
        ("C20", "Alibaba"),  # expands its own Cainiao network
        ("C37", "Alipay"),  # "Alipay promotions ramp up nationally"
        # Entries naming one party only.
        ("C19", "Huawei"), ("C24", "Alibaba Cloud"), ("C28", "Alibaba"), ("C33", "Alibaba"),
        ("C34", "Alibaba"), ("C35", "Alibaba Cloud"), ("C36", "Alibaba"),
    }


def test_deal_types_follow_the_wording(entries):
    assert entries.loc["C42", "deal_type"] == "visit"  # a delegation's pilgrimage
    assert entries.loc["C26", "deal_type"] == "agreement"  # Najib's cooperation agreement
    assert entries.loc["C27", "deal_type"] == "joint venture"
    assert deals.deal_type("A delegation of officials visits the partner") == "visit"


def test_date_precisions(entries):
    c28 = entries.loc["C28"]
    assert (c28["date_text"], c28["date_precision"]) == ("Late 2017", "late-year")
    assert c28["event_date"] == pd.Timestamp(dt.date(2017, 9, 1))
    assert c28["event_date_end"] == pd.Timestamp(dt.date(2017, 12, 31))
    assert entries.loc["C20", "date_precision"] == "half-year"
    assert entries.loc["C20", "event_date_end"] == pd.Timestamp(dt.date(2016, 12, 31))
    assert entries.loc["C26", "date_precision"] == "year"
    assert (entries["event_date"] <= entries["event_date_end"]).all()


def test_figure_3_names_sensetime_in_g3s_2021_report(frames):
    park = frames["ai_park_network"]
    row = park[park["quote"].str.contains("in G3's 2021 annual report, the company names "
                                          "SenseTime as an important partner")]
    assert len(row) == 1
    assert (row.iloc[0]["source"], row.iloc[0]["target"], row.iloc[0]["date_text"]) == (
        "SenseTime", "G3 Global", "2021")
    text = (ROOT.parent / "shared" / "report" / "ccp-inc-in-malaysia.txt")
    if text.is_file():
        flat = " ".join(text.read_text(encoding="utf-8").split()).replace("\u2019", "'")
        assert "in G3's 2021 annual report, the company names SenseTime" in flat


# ------------------------------------------------------------------------- bad edges


@pytest.mark.parametrize("old, new, field, expected", [
    ("C21,Ant Financial,CIMB,counterpart,Ant Financial partners",
     "C21,Alibaba,CIMB,counterpart,Ant Financial partners", "evidence",
     "words naming both Alibaba and CIMB"),
    ("C45,WeChat Pay,Ambank Group,counterpart,",
     "C45,Tencent,Ambank Group,counterpart,", "company", "a Chinese company that C45 names"),
    ("C62,Huawei,Aladdin Group,counterpart,Huawei signs an MOU with the Aladdin Group",
     "C62,Huawei,Aladdin Group,counterpart,Huawei signs a contract with the Aladdin Group",
     "evidence", "verbatim in the text of C62"),
])
def test_bad_edges_are_refused(project_copy, rewrite_raw, old, new, field, expected):
    relpath = "report/appendix_c_edges.csv"
    text = (project_copy / "data" / "raw" / relpath).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    rewrite_raw(project_copy, relpath, text.replace(old, new).encode("utf-8"))
    with pytest.raises(InputError) as info:
        deals.deal_edges()
    message = str(info.value)
    assert "appendix_c_edges.csv, line" in message and f"'{field}'" in message
    assert expected in message
