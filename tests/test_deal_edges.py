"""Appendix C as the entries state it: parties with their node kinds, edges only between the
parties an entry's words say dealt with each other, each with the kind its words state; counts
in the network's texts recomputed from the raw files; the timeline's numbers are its bars'
heights; the AI-park chart's labels clear of its nodes and of each other."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from report_text import report_text_path

import ccp_analysis
from ccp_analysis import figures
from ccp_analysis.data.sources import deals
from ccp_analysis.errors import InputError
from ccp_analysis.figures import charts, figure_data, style

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "data" / "raw" / "report"
DEAL_KINDS = {"contract", "agreement", "joint venture", "cooperation", "MOU", "letter of intent"}


@pytest.fixture(scope="module")
def entries(frames) -> pd.DataFrame:
    return frames["malaysia_deals"].set_index("entry_id")


@pytest.fixture(scope="module")
def edges(frames) -> pd.DataFrame:
    return frames["malaysia_deal_edges"]


@pytest.fixture(scope="module")
def parties(frames) -> pd.DataFrame:
    return frames["malaysia_deal_parties"].set_index("party")


def _pairs(edges: pd.DataFrame, entry: str) -> set[tuple[str, str, str]]:
    rows = edges[edges["entry_id"] == entry]
    return set(zip(rows["company"], rows["counterpart"], rows["edge_kind"], strict=True))


def _csv(name: str) -> list[dict[str, str]]:
    with (REPORT / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------ node kinds


def test_lazada_alipay_and_wechat_pay_belong_to_their_parents(parties, entries):
    lazada = parties.loc["Lazada"]
    assert (lazada["kind"], lazada["parent"], lazada["group"]) == (
        "subsidiary", "Alibaba", "Alibaba")
    assert "Singapore-based Lazada" in lazada["words"]
    assert tuple(parties.loc["Alipay", ["kind", "parent"]]) == ("product", "Alibaba")
    assert tuple(parties.loc["WeChat Pay", ["kind", "parent"]]) == ("product", "Tencent")
    assert tuple(parties.loc["Cainiao", ["kind", "parent"]]) == ("subsidiary", "Alibaba")
    assert tuple(parties.loc["Huawei Marine", ["kind", "parent"]]) == ("subsidiary", "Huawei")
    # The timeline counts their entries with the parent's group, never as companies of
    # their own: C20 (Alibaba, Cainiao, Lazada) is one Alibaba entry, C45 a Tencent one.
    assert entries.loc["C20", "chinese_groups"] == "Alibaba"
    assert entries.loc["C45", "chinese_groups"] == "Tencent"
    assert entries.loc["C37", "chinese_groups"] == "Alibaba"  # Ant Financial and Alipay


def test_counterpart_kinds(parties):
    assert parties.loc["CyberSecurity Malaysia", "kind"] == "government body"  # "State agency"
    assert parties.loc["Government of Malaysia", "kind"] == "government body"
    assert parties.loc["Hangzhou Municipal Government", "side"] == "counterpart"
    assert parties.loc["U Mobile", "kind"] == "company"
    # Coded by the project, never silently: the note says why.
    coded = parties[parties["kind_basis"] == "coded"]
    assert set(coded.index) == {"MDEC", "Matrade", "SIRIM"}
    assert coded["note"].str.len().min() > 20


def test_party_names_are_printed_in_the_entries():
    # A kind read from a party's printed name ('Sdn Bhd', 'Government', 'University') or coded
    # by the project quotes the name as an entry prints it.
    texts = " ".join(r["text"] for r in _csv("appendix_c_timeline.csv"))
    for row in _csv("appendix_c_parties.csv"):
        if row["kind_basis"] != "report":
            assert row["words"] in texts, row["party"]


def test_party_words_and_entries_are_the_reports():
    path = report_text_path()
    if path is None:  # warned (failed on CI) by report_text_path
        return
    text = path.read_text(encoding="utf-8")
    flat = " ".join(text.replace("-\n", "-").split())
    flat = flat.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    for row in _csv("appendix_c_parties.csv"):
        for quote in row["words"].split(" | "):
            assert quote in flat, (row["party"], quote)
    for row in _csv("appendix_c_timeline.csv"):
        assert row["text"] in flat, row["entry_id"]


# ------------------------------------------------------------------ edge kinds


def test_china_unicom_is_not_a_party_to_its_subsidiarys_mou(edges, entries):
    # "OCK Group signs an MOU with China Information Technology Designing & Consulting
    # Institute Co., a subsidiary of China Unicom"
    citdci = "China Information Technology Designing & Consulting Institute"
    assert _pairs(edges, "C56") == {(citdci, "OCK Group", "MOU"),
                                    (citdci, "China Unicom", "intra-group")}
    unicom = edges[(edges["company"] == "China Unicom") | (edges["counterpart"] == "China Unicom")]
    assert not unicom["is_deal"].any()


def test_an_award_and_a_visit_are_not_deals(edges, entries):
    assert _pairs(edges, "C09") == {("Huawei", "CyberSecurity Malaysia", "award")}
    assert _pairs(edges, "C42") == {("Alibaba", "Government of Malaysia", "visit")}
    assert entries.loc["C09", "deal_type"] == "award"
    assert entries.loc["C42", "deal_type"] == "visit"
    assert not edges.loc[edges["entry_id"].isin(["C09", "C42"]), "is_deal"].any()


def test_inferred_edges_are_not_drawn(edges, entries):
    # C02: "a $30 million government project" names no counterpart.
    assert _pairs(edges, "C02") == set()
    assert entries.loc["C02", "counterparts"] == ""
    # C25: the zone is "structured around" platforms, whose owners are not parties.
    assert _pairs(edges, "C25") == set()
    # C16: a training centre "at" a university states no agreement with it.
    assert _pairs(edges, "C16") == set()
    # C20: Cainiao's expansion "to support Lazada" stays inside the Alibaba group.
    assert _pairs(edges, "C20") == {("Cainiao", "Lazada", "intra-group")}


def test_c55_is_a_letter_of_intent(edges, entries):
    assert entries.loc["C55", "deal_type"] == "letter of intent"
    assert _pairs(edges, "C55") == {("Huawei", "U Mobile", "letter of intent")}


def test_every_kind_is_stated_by_its_words():
    # Independently of the library's rules: the word each kind needs, in the edge's evidence.
    needs = {"MOU": "MOU", "letter of intent": "letter of intent",
             "joint venture": "joint venture", "visit": "pilgrimage", "award": "of the Year"}
    groups = {r["party"]: r["parent"] or r["party"] for r in _csv("appendix_c_parties.csv")}
    for row in _csv("appendix_c_edges.csv"):
        kind, evidence = row["edge_kind"], row["evidence"]
        if kind in needs:
            assert needs[kind] in evidence, row
        elif kind == "contract":
            assert any(w in evidence for w in ("contract", "selects", "is selected")), row
        elif kind == "intra-group":
            assert groups[row["company"]] == groups[row["counterpart"]], row
        else:
            assert "MOU" not in evidence and "letter of intent" not in evidence, row


def test_c21_has_exactly_the_stated_edges(edges):
    # "a collaboration between Alibaba and the Malaysian government ... Ant Financial partners
    # with Malaysia's CIMB and Maybank": no Alibaba-CIMB, Alibaba-Maybank or Ant
    # Financial-government link.
    assert _pairs(edges, "C21") == {
        ("Alibaba", "Government of Malaysia", "cooperation"),
        ("Ant Financial", "CIMB", "agreement"),
        ("Ant Financial", "Maybank", "agreement"),
    }


def test_c15_huawei_and_ericsson_are_not_a_deal(entries, edges):
    assert "Ericsson Malaysia" in entries.loc["C15", "counterparts"].split("; ")
    assert _pairs(edges, "C15") == {("Huawei", "Celcom Axiata", "agreement")}
    assert "Ericsson Malaysia" not in set(edges["counterpart"])


def test_joint_signatories_are_co_parties(edges):
    assert _pairs(edges, "C10") == {("ZTE", "U Mobile", "agreement"),
                                    ("Huawei", "U Mobile", "agreement"),
                                    ("Huawei", "ZTE", "agreement")}
    # Four companies "sign an MOU" together: every pair of the four, 4 * 3 / 2.
    c51 = edges[edges["entry_id"] == "C51"]
    assert len(c51) == 6 and set(c51["ends"]) == {"co-party"} and set(c51["edge_kind"]) == {"MOU"}
    # Tencent's MOU is with China Construction Bank's Labuan Branch, a Chinese bank.
    assert _pairs(edges, "C59") == {("China Construction Bank", "Tencent", "MOU")}


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
        assert row["counterpart"] in companies + counterparts, row
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
        ("C16", "ZTE"), ("C16", "Multimedia University"),  # a training centre "at" it
        ("C20", "Alibaba"),  # expands its own Cainiao network
        ("C25", "Alibaba"), ("C25", "Cainiao"), ("C25", "Lazada"), ("C25", "MDEC"),
        ("C37", "Alipay"),  # "Alipay promotions ramp up nationally"
        # Entries naming one party only.
        ("C02", "Huawei"), ("C19", "Huawei"), ("C24", "Alibaba Cloud"), ("C28", "Alibaba"),
        ("C33", "Alibaba"), ("C34", "Alibaba"), ("C35", "Alibaba Cloud"), ("C36", "Alibaba"),
    }


def test_deal_types_follow_the_wording(entries):
    assert entries.loc["C26", "deal_type"] == "agreement"  # Najib's cooperation agreement
    assert entries.loc["C27", "deal_type"] == "joint venture"
    assert entries.loc["C40", "deal_type"] == "cooperation"  # "will collaborate with"
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


def test_the_board_appointment_is_dated_as_the_text_dates_it(frames):
    """The text says only "A few months after the agreement" (April 2019): no year is stated,
    so the link does not print one."""
    park = frames["ai_park_network"].set_index("edge_id")
    assert park.loc["N08", "date_text"] == "a few months after April 2019"
    assert park.loc["N08", "quote"].startswith("A few months after the agreement")
    assert park.loc["N01", "date_text"] == "April 2019"


def test_the_ai_park_caption_counts_parties_apart_from_the_park(frames):
    """Seven nodes are drawn, but the AI park is the project the six parties link to, not a
    party of its own."""
    park = frames["ai_park_network"]
    table = park[["edge_id", "source", "source_kind", "target", "target_kind", "relation",
                  "date_text"]]
    text = figures.texts.ai_park(table, {})
    assert text.caption.endswith(": 6 parties and the project they link to (AI park), 13 "
                                 "links.")
    assert text.alt_text.startswith("Network diagram of 6 parties and the project they link to "
                                    "(AI park): ")
    assert "7 parties" not in text.caption + text.alt_text


# ------------------------------------------------------------------ texts follow the data


def _network(year_start: int = 2011, year_end: int = 2020):
    nodes, links = figure_data.network_layout(
        ccp_analysis.load("malaysia_deal_edges"), ccp_analysis.load("malaysia_deal_parties"),
        year_start=year_start, year_end=year_end, min_degree=1)
    run = figures.start("fig3_malaysia_network",
                        {"year_start": year_start, "year_end": year_end})
    return nodes, links, run.text(links, "fig3_deal_network", nodes=nodes)


def _counts_from_raw(year_start: int, year_end: int) -> dict[str, int]:
    """The network's counts from the three raw CSVs, without the library."""
    timeline = {r["entry_id"]: r for r in _csv("appendix_c_timeline.csv")}
    parties = {r["party"]: r for r in _csv("appendix_c_parties.csv")}
    year = {e: int(r["date_text"][-4:]) if r["date_text"][-4:].isdigit()
            else int(r["date_text"].split()[0]) for e, r in timeline.items()}
    rows = [r for r in _csv("appendix_c_edges.csv")
            if year_start <= year[r["entry_id"]] <= year_end]
    links = {(r["company"], r["counterpart"], r["edge_kind"]) for r in rows}
    chinese = {n for r in timeline.values() for n in r["chinese_companies"].split("; ")}
    ends = {n for c, p, _ in links for n in (c, p)}
    shown = {n for n in ends if n in chinese}
    shown |= {parties[n]["parent"] for n in shown if parties[n]["parent"]}
    counterparts = ends - chinese
    return {
        "chinese_companies": sum(parties[n]["kind"] == "company" for n in shown),
        "members": sum(bool(parties[n]["parent"]) for n in shown),
        "counterparts": len(counterparts),
        "government_bodies": sum(parties[n]["kind"] == "government body" for n in counterparts),
        "deal_links": sum(k in DEAL_KINDS for _, _, k in links),
        "deal_entries": len({r["entry_id"] for r in rows if r["edge_kind"] in DEAL_KINDS}),
        "award": sum(k == "award" for _, _, k in links),
        "visit": sum(k == "visit" for _, _, k in links),
        "intra-group": sum(k == "intra-group" for _, _, k in links),
    }


def test_network_counts_in_caption_alt_text_and_finding_are_the_datas():
    nodes, links, text = _network()
    counts = _counts_from_raw(2011, 2020)
    # As the report's 62 entries state them: 13 Chinese companies with 8 subsidiaries,
    # affiliates or products (Lazada, Alipay, WeChat Pay among them), 42 counterparts.
    assert counts == {"chinese_companies": 13, "members": 8, "counterparts": 42,
                      "government_bodies": 6, "deal_links": 60, "deal_entries": 49,
                      "award": 1, "visit": 1, "intra-group": 2}
    assert text.caption.endswith(
        "13 Chinese companies and 8 subsidiaries, affiliates or products of them, 42 "
        "counterparts, 6 of them government bodies; 60 deal links from 49 entries, and 1 award, "
        "1 visit and 2 intra-group links drawn apart as no deal.")
    assert "Lazada (subsidiary of Alibaba)" in text.alt_text
    assert "WeChat Pay (product of Tencent)" in text.alt_text
    kinds = links[links["is_deal"]]["edge_kind"].value_counts()
    assert sum(kinds) == counts["deal_links"]
    assert f"{kinds['MOU']} MOU" in text.alt_text and f"{kinds['contract']} contract" in \
        text.finding
    # Huawei: deals in 24 entries (its award, C09, and Huawei Marine's cables not counted).
    hub = nodes.set_index("node").loc["Huawei", "deals"]
    assert hub == 24 and text.finding.startswith("Huawei has deals in 24 entries")
    assert "data/" not in text.source_note and ".csv" not in text.source_note


def test_network_counts_follow_a_narrower_range():
    _, _, text = _network(2011, 2015)
    counts = _counts_from_raw(2011, 2015)
    assert counts["award"] == 1 and counts["visit"] == 0  # C09 in 2014, C42 in 2019
    # The one government body of 2011-2015 is the award's: State agency CyberSecurity Malaysia.
    assert counts["government_bodies"] == 1
    assert (f"{counts['counterparts']} counterparts, one of them a government body; "
            f"{counts['deal_links']} deal links from {counts['deal_entries']} entries, and "
            "1 award drawn apart as no deal.") in text.caption


def test_network_draws_each_kind_distinctly():
    nodes, links, _ = _network()
    fig = charts.deal_network(nodes, links, title="t")
    ax = fig.axes[0]
    styles = {(c, str(s)) for c, s in charts.EDGE_STYLES.values()}
    assert len(styles) == len(charts.EDGE_STYLES)  # no two kinds look alike
    markers = {m for k, m in charts.NODE_MARKERS.items() if k != "affiliate"}
    assert len(markers) == len(charts.NODE_MARKERS) - 1
    lines = [line for line in ax.get_lines()]
    assert len(lines) == int((links["ends"] == "counterpart").sum())
    matplotlib.pyplot.close(fig)


def test_timeline_prints_the_height_of_each_bar():
    table = figure_data.deals_per_year(ccp_analysis.load("malaysia_deals"), year_start=2011,
                                       year_end=2020, top_companies=6)
    with matplotlib.rc_context(fname=str(style.STYLE)):
        fig = charts.deals_stacked(table, title="t", highlight_year=2020,
                                   highlight_text="2020: 5 entries")
    ax = fig.axes[0]
    heights: dict[int, float] = {}
    for bar in ax.patches:
        year = round(bar.get_x() + bar.get_width() / 2)
        heights[year] = heights.get(year, 0) + bar.get_height()
    printed = {round(t.get_position()[0]): int(t.get_text()) for t in ax.texts
               if t.get_text().isdigit()}
    # Appendix C: 18 entries in 2019, 5 in 2020; each entry once, whatever it names.
    assert printed == {y: int(h) for y, h in heights.items()}
    assert printed[2019] == 18 and printed[2020] == 5 and sum(printed.values()) == 62
    matplotlib.pyplot.close(fig)


# ------------------------------------------------------------------ AI-park labels


def _ai_park_boxes():
    park = ccp_analysis.load("ai_park_network")
    kinds = dict(zip(park["source"], park["source_kind"], strict=True))
    kinds.update(dict(zip(park["target"], park["target_kind"], strict=True)))
    with matplotlib.rc_context(fname=str(style.STYLE)):
        fig = charts.ai_park(park, figure_data.AI_PARK_POSITIONS, kinds, title="t")
        style.frame(fig, "fig3_ai_park", "Source: a source note")
        fig.draw_without_rendering()  # as exported: the layout after the heading and source
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    nodes = [charts.node_box(ax, x, y) for x, y in figure_data.AI_PARK_POSITIONS.values()]
    nodes += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "node-name"]
    labels = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts
              if t.get_gid() == "edge-label"]
    matplotlib.pyplot.close(fig)
    return nodes, labels


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_ai_park_labels_clear_every_node_and_each_other():
    nodes, labels = _ai_park_boxes()
    assert len(labels) == 10  # 13 links, three pairs of them between the same two parties
    for i, label in enumerate(labels):
        assert not any(_overlaps(label, node) for node in nodes), i
        assert not any(_overlaps(label, other) for other in labels[i + 1:]), i


def test_labels_at_the_middle_of_their_edges_would_cut_into_the_ai_park(monkeypatch):
    # The check above can fail: with every label at its edge's middle (as before), the
    # SenseTime-G3 Global label covers the AI park node.
    monkeypatch.setattr(charts, "LABEL_STEPS", (0.5,))
    nodes, labels = _ai_park_boxes()
    assert any(_overlaps(label, node) for label in labels for node in nodes)


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("relpath, old, new, field, expected", [
    ("appendix_c_edges.csv", "C21,Ant Financial,CIMB,agreement,Ant Financial partners",
     "C21,Alibaba,CIMB,agreement,Ant Financial partners", "evidence",
     "words naming both Alibaba and CIMB"),
    ("appendix_c_edges.csv", "C45,WeChat Pay,Ambank Group,cooperation,",
     "C45,Tencent,Ambank Group,cooperation,", "company", "a Chinese company that C45 names"),
    ("appendix_c_edges.csv",
     "C62,Huawei,Aladdin Group,MOU,Huawei signs an MOU with the Aladdin Group",
     "C62,Huawei,Aladdin Group,MOU,Huawei signs a contract with the Aladdin Group",
     "evidence", "verbatim in the text of C62"),
    ("appendix_c_edges.csv", "C55,Huawei,U Mobile,letter of intent,",
     "C55,Huawei,U Mobile,MOU,", "edge_kind", "'letter of intent', the kind its evidence"),
    ("appendix_c_edges.csv", "C09,Huawei,CyberSecurity Malaysia,award,",
     "C09,Huawei,CyberSecurity Malaysia,contract,", "edge_kind", "'award'"),
    ("appendix_c_edges.csv", "C10,Huawei,ZTE,agreement,", "C10,Huawei,ZTE,intra-group,",
     "edge_kind", "a kind for parties of two groups (Huawei: Huawei, ZTE: ZTE)"),
    ("appendix_c_edges.csv", "C20,Cainiao,Lazada,intra-group,", "C20,Cainiao,Lazada,agreement,",
     "edge_kind", "'intra-group': Cainiao and Lazada are both of the Alibaba group"),
    ("appendix_c_parties.csv", "Lazada,subsidiary,Alibaba,", "Lazada,company,Alibaba,",
     "parent", "no parent for a company"),
    ("appendix_c_parties.csv", "WeChat Pay,product,Tencent,", "WeChat Pay,product,,",
     "parent", "a parent for a product"),
    ("appendix_c_parties.csv", "Alipay,product,Alibaba,", "Alipay,brand,Alibaba,",
     "kind", "one of 'company', 'subsidiary'"),
])
def test_bad_parties_and_edges_are_refused(project_copy, rewrite_raw, relpath, old, new, field,
                                           expected):
    relpath = f"report/{relpath}"
    text = (project_copy / "data" / "raw" / relpath).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    rewrite_raw(project_copy, relpath, text.replace(old, new).encode("utf-8"))
    with pytest.raises(InputError) as info:
        deals.deal_edges()
    message = str(info.value)
    assert f"{Path(relpath).name}, line" in message and f"'{field}'" in message, message
    assert expected in message, message


def test_a_party_no_entry_names_is_refused(project_copy, rewrite_raw):
    relpath = "report/appendix_c_parties.csv"
    text = (project_copy / "data" / "raw" / relpath).read_text(encoding="utf-8")
    text += "Ericsson Sweden,company,,name,Ericsson,\n"
    rewrite_raw(project_copy, relpath, text.encode("utf-8"))
    with pytest.raises(InputError, match=r"appendix_c_parties.csv, line 67, field 'party': "
                       r"value 'Ericsson Sweden': expected a party that an entry"):
        deals.deal_edges()
