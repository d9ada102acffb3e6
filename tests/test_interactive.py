"""The interactive twins: Vega-Lite specs from the plotted tables, and the vendored runtime.

Every declared figure has a chart; a spec holds the table's own values and says each mark's
source in words; the same tables give the same bytes in any order and in another process; a
missing table or column is refused naming the figure, table and column; the runtime is the
Vega-Lite version Altair writes, bundled with no address to fetch, and a file changed by hand
is refused.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys

import altair as alt
import declared_tables
import pandas as pd
import pytest

import ccp_analysis
from ccp_analysis import figures
from ccp_analysis.errors import CcpError
from ccp_analysis.figures import figure_data, interactive
from ccp_analysis.pipeline import vega_runtime
from ccp_analysis.publish import charts

FIG1, FIG3, FIG4, FIG5, DEALS = ("fig1_huawei_support", "fig3_deal_network",
                                 "fig4_huawei_revenue", "fig5_alibaba_stock", "deals_timeline")
PARK = "fig3_ai_park"


def _tables(edition: str = "as-published") -> dict[str, pd.DataFrame]:
    """The tables the default notebooks export, from the same table and data functions: made
    once per edition and process (the checkout's data do not change under these tests), each
    caller given its own copies."""
    if edition not in _MADE:
        _MADE[edition] = _make_tables(edition)
    return {name: table.copy() for name, table in _MADE[edition].items()}


_MADE: dict[str, dict[str, pd.DataFrame]] = {}


def _make_tables(edition: str) -> dict[str, pd.DataFrame]:
    tables = {}
    made = declared_tables.built(edition)  # the build test_declarations checks
    for spec in figures.FIGURES:
        table, data = made[spec.notebook]
        tables[spec.outputs[-1]] = table
        tables.update(data)
    park = ccp_analysis.load("ai_park_network")
    tables[PARK] = park[["edge_id", "source", "source_kind", "target", "target_kind",
                         "relation", "date_text", "quote"]]
    return tables


# The words every spec of these tests is made with.
ALT, NOTE = "alt", "note"


def _spec(name: str, tables: dict[str, pd.DataFrame]) -> str:
    return interactive.dumps(interactive.spec(name, tables, alt_text=ALT, source_note=NOTE))


def test_every_declared_figure_has_an_interactive_chart():
    assert set(interactive.CHARTS) == set(figures.by_output())


def test_every_declared_data_table_is_keyed_and_its_key_is_unique():
    """A figure's data tables are compared by key in `ccp-analysis diff`: each declared one has
    a key in its figure's declaration, and no two of its rows share it (both editions)."""
    from ccp_analysis.figures import tables as declared_tables

    declared = {name: spec for spec in figures.FIGURES for name in spec.data}
    assert set(declared) == {"fig1_huawei_support_items", "fig1_huawei_support_sensitivity",
                             "fig3_deal_network_nodes", "fig3_deal_network_entries"}
    for edition in ("as-published", "updated"):
        tables = _tables(edition)
        for name in declared:
            key = list(declared_tables.key_of(name))
            assert not tables[name].duplicated(key).any(), (edition, name)
            assert len(tables[name]) > 0


def test_vega_lite_version_is_the_one_altair_writes_and_the_runtime_bundles():
    assert alt.SCHEMA_VERSION.startswith(f"v{interactive.VEGA_LITE}.")
    spec = json.loads(_spec(FIG4, _tables()))
    assert spec["$schema"] == alt.SCHEMA_URL
    # Bundled as a build bundles it: in a background process started before the notebooks
    # run, whose text `bundle` takes; the bytes are those of the runtime the versions load.
    vega_runtime.bundle.cache_clear()
    vega_runtime.prefetch()
    process, target = vega_runtime._prefetch
    text, sha = vega_runtime.bundle()
    assert process.returncode == 0 and not target.parent.exists()
    record = vega_runtime.record()
    assert record["vega_lite"] == interactive.VEGA_LITE
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == sha == record["sha256"]
    assert record["path"] == f"assets/vega-{sha[:16]}.js"
    assert text.encode("utf-8") == vega_runtime.verify(record).read_bytes()
    assert "window.vegaEmbed=" in text and "import(" not in text and "XMLHttpRequest" not in text


def test_fig5_spec_holds_the_days_and_says_the_source_in_words():
    spec = json.loads(_spec(FIG5, _tables()))
    days = {row["date"]: row["value"] for row in spec["data"]["values"]}
    assert days["2020-10-27"] == 317.14 and days["2014-09-19"] == 93.89
    assert len(days) == 2077  # every trading day 2014-09-19 to 2022-12-16, once
    assert [layer.get("data") for layer in spec["layer"][:2]] == [None, None]
    assert spec["layer"][2]["data"]["values"] == [
        {"date": "2014-09-19", "mark": "first close 93.89", "src": 0, "value": 93.89},
        {"date": "2020-10-27", "mark": "peak 317.14 (2020-10-27)", "src": 0, "value": 317.14},
        {"date": "2022-10-24", "mark": "low 63.15 (2022-10-24)", "src": 0, "value": 63.15}]
    lookup = next(t for t in spec["layer"][1]["transform"] if "lookup" in t)
    assert lookup["from"]["data"]["values"] == [{
        "src": 0, "source": "BABA daily prices (unadjusted close): Yahoo Finance history via "
                           "dieperdev/yfinance-stock-data"}]
    assert {row["src"] for row in spec["data"]["values"]} == {0}
    tooltip = spec["layer"][1]["encoding"]["tooltip"]
    assert [t["title"] for t in tooltip] == ["date", "close", "source"]


def test_fig2_and_deals_specs_carry_their_rows_sources():
    tables = _tables()
    rows = json.loads(_spec("fig2_alibaba_support", tables))["vconcat"][0]["data"]["values"]
    b02 = next(r for r in rows if r["item_id"] == "B02")
    assert b02["amount"] == "$798.21 million"
    assert b02["source"] == "CSIS, CCP Inc. in Malaysia (2022), Appendix B, row 2"
    deals = json.loads(_spec(DEALS, tables))["data"]["values"]
    assert {r["year"]: r["entries_in_year"] for r in deals}[2019] == 18
    # Entries, the unit the bars measure: 2019's groups add up to its 18 entries.
    assert sum(r["entries"] for r in deals if r["year"] == 2019) == 18
    assert all(r["entries"] > 0 for r in deals)


def test_fig5_names_each_days_own_source_in_words():
    """A day from an imported file says that file's --source, not a fixed string."""
    table = _tables()[FIG5].copy()
    table.loc[table["date"] >= "2022-01-03", "price_source"] = "Example Exchange daily file"
    spec = json.loads(interactive.dumps(interactive.spec(
        FIG5, {FIG5: table}, alt_text="a", source_note="n")))
    lookup = next(t for t in spec["layer"][1]["transform"] if "lookup" in t)
    words = {r["src"]: r["source"] for r in lookup["from"]["data"]["values"]}
    days = {r["date"]: words[r["src"]] for r in spec["data"]["values"]}
    assert days["2021-12-31"].endswith("Yahoo Finance history via dieperdev/yfinance-stock-data")
    assert days["2022-01-03"] == ("BABA daily prices (unadjusted close): Example Exchange "
                                  "daily file")


def _segments(spec: dict) -> list[dict]:
    return spec["vconcat"][0]["data"]["values"]


def test_fig1_hover_gives_each_item_its_words_bounds_and_relation_coding():
    tables = _tables()
    spec = json.loads(_spec(FIG1, tables))
    segments = _segments(spec)
    a07 = [s for s in segments if s["item_id"] == "A07"]
    assert {s["bound"] for s in a07} == {"conservative", "upper"}
    a07 = a07[0]
    assert a07["counted"] == "$10 bn in the conservative bar"
    assert a07["amount"] == "$10 billion" and a07["from"] == "China Development Bank, 2011"
    assert a07["words"] == "$10 billion total loans to various Huawei customers for the year"
    assert a07["source"] == "CSIS, CCP Inc. in Malaysia (2022), Appendix A, row 7"
    assert a07["measure"] == "loans to Huawei's customers"
    assert a07["relations"] == ("credit line (inferred): may be drawn under A04\n"
                                "to date (inferred): may hold A02, A03, A06")
    assert a07["relation_words"].startswith("credit line: $10 billion has been loaned to "
                                            "Huawei's customers from the China Development")
    # A02 is left out of the conservative bar by the 'to date' reading: only its upper
    # segment is drawn, and it says why.
    a02 = [s for s in segments if s["item_id"] == "A02"]
    assert [s["bound"] for s in a02] == ["upper"]
    assert a02[0]["conservative"] == "may be inside A07, read as loaned to date"
    assert a02[0]["upper"] == "counted, $0.5 bn"
    assert "to date (inferred): may be inside A07" in a02[0]["relations"]
    # A06's part tied to Huawei, in the report's words.
    a06 = next(s for s in segments if s["item_id"] == "A06")
    assert "partly linked (stated): only partly tied to Huawei (part tied to Huawei: $600 " \
           "million)" in a06["relations"]
    tips = [t["title"] for t in spec["vconcat"][0]["vconcat"][0]["encoding"]["tooltip"]]
    assert tips[:5] == ["item", "source", "measure", "amount (report's words)",
                        "report's words"]


def test_fig1_segments_add_up_to_the_bars_of_the_static_figure():
    """Both editions: each measure's and each total's items add up to the figure table's bar,
    and the items each bar counts are the ids the table names."""
    for edition in ("as-published", "updated"):
        tables = _tables(edition)
        segments = _segments(json.loads(_spec(FIG1, tables)))
        figure = tables[FIG1]
        for _, bar in figure[figure["panel"] != "text estimate"].iterrows():
            key = "measure" if bar["panel"] == "measure" else "total"
            mine = [s for s in segments if s[key] == bar["row"] and s["bound"] == bar["bound"]]
            assert round(sum(s["usd_bn"] for s in mine), 4) == bar["usd_bn"], (edition, bar)
            assert " ".join(sorted(s["item_id"] for s in mine)) == bar["item_ids"]


def test_fig3_network_links_entry_by_entry_with_date_and_words():
    tables = _tables()
    spec = json.loads(_spec(FIG3, tables))
    lines = spec["layer"][0]["data"]["values"]
    links = tables[FIG3]
    # One line per entry of each drawn link: as many as the links table's entries.
    assert len(lines) == links["n_entries"].sum() == 68
    c55 = next(r for r in lines if r["entry_id"] == "C55")
    assert (c55["company"], c55["counterpart"], c55["kind"]) == ("Huawei", "U Mobile",
                                                                 "letter of intent")
    assert c55["evidence"] == "Huawei signs a letter of intent with U Mobile"
    assert c55["date_text"] and c55["text"].startswith("Huawei signs a letter of intent")
    c42 = next(r for r in lines if r["entry_id"] == "C42")
    assert c42["kind"] == "visit (not a deal)"
    tips = [t["title"] for t in spec["layer"][0]["encoding"]["tooltip"]]
    assert tips[:2] == ["entry", "date (report's words)"]
    # Parties where the static figure puts them, marked by kind.
    nodes = tables["fig3_deal_network_nodes"]
    parties = spec["layer"][1]["data"]["values"]
    assert [(p["node"], p["x"], p["y"]) for p in parties] == list(
        zip(nodes["node"], nodes["x"], nodes["y"], strict=True))
    shape = spec["layer"][1]["layer"][0]["encoding"]["shape"]["scale"]
    assert dict(zip(shape["domain"], shape["range"], strict=True))["government body"] == "square"


def test_ai_park_links_at_the_static_positions_with_the_reports_words():
    tables = _tables()
    spec = json.loads(_spec(PARK, tables))
    lines = spec["layer"][0]["data"]["values"]
    n09 = next(r for r in lines if r["edge_id"] == "N09")
    assert n09["when"] == "October 2019"
    assert n09["quote"].startswith("In October of 2019, G3 secured a piece of land")
    n04 = next(r for r in lines if r["edge_id"] == "N04")
    assert n04["when"] == "no date stated"
    parties = {p["node"]: (p["x"], p["y"]) for p in spec["layer"][1]["data"]["values"]}
    assert parties == {n: tuple(xy) for n, xy in figure_data.AI_PARK_POSITIONS.items()}


def test_same_tables_give_the_same_bytes_in_any_order_and_any_process(tmp_path):
    tables = _tables()
    first = {name: _spec(name, tables) for name in (FIG1, FIG3, FIG4, FIG5, DEALS)}
    assert _spec(FIG4, tables) == first[FIG4]  # again, in this process
    # Another process, with another hash seed and only the chart module imported, given the
    # very same tables (pickled with their dtypes), makes the charts in another order, one of
    # them twice: rebuilding the tables there would only repeat what the other tests check.
    pickled = tmp_path / "tables.pickle"
    pickled.write_bytes(pickle.dumps(tables))
    code = ("import json, pickle, sys\n"
            "from ccp_analysis.figures import interactive\n"
            "with open(sys.argv[1], 'rb') as f: tables = pickle.load(f)\n"
            "sys.stdout.write(json.dumps([[n, interactive.dumps(interactive.spec(\n"
            f"    n, tables, alt_text={ALT!r}, source_note={NOTE!r}))] for n in sys.argv[2:]]))")
    order = [DEALS, FIG5, FIG3, FIG1, FIG4, FIG4]
    other = subprocess.run([sys.executable, "-c", code, str(pickled), *order],
                           capture_output=True, text=True, check=True,
                           cwd=str(interactive.paths.package_dir().parents[1]),
                           env={"PYTHONHASHSEED": "7", "PATH": "/usr/bin:/bin"})
    made = json.loads(other.stdout)
    assert [name for name, _ in made] == order
    for name, text in made:
        assert text == first[name], name
    for text in first.values():  # named, not numbered
        assert "param_" not in text and "view_" not in text


def test_a_missing_table_or_column_is_refused_with_names():
    with pytest.raises(CcpError, match="figure fig4_huawei_revenue: its interactive chart "
                                       "reads table 'fig4_huawei_revenue', which the notebook "
                                       "did not export"):
        interactive.spec(FIG4, {}, alt_text="a", source_note="s")
    table = _tables()[FIG4].drop(columns=["cny_per_usd"])
    with pytest.raises(CcpError, match="table 'fig4_huawei_revenue' has no column "
                                       "'cny_per_usd'"):
        interactive.spec(FIG4, {FIG4: table}, alt_text="a", source_note="s")


def test_page_text_of_a_spec_cannot_close_its_script_element(tmp_path):
    (tmp_path / "figures").mkdir()
    spec = {"$schema": alt.SCHEMA_URL, "description": "a </script><!-- b", "mark": "bar"}
    (tmp_path / "figures" / "x.vl.json").write_text(json.dumps(spec), encoding="utf-8")
    text = charts.spec_text(tmp_path, "x")
    assert "<" not in text and "https://" not in text
    assert json.loads(text) == {"description": "a </script><!-- b", "mark": "bar"}


def test_a_runtime_changed_by_hand_is_refused(tmp_path):
    record = vega_runtime.record()
    target = tmp_path / record["path"]
    target.parent.mkdir(parents=True)
    target.write_text("window.vegaEmbed = null;", encoding="utf-8")
    with pytest.raises(CcpError, match="sha256 .* the manifest records"):
        vega_runtime.verify(record, tmp_path)
