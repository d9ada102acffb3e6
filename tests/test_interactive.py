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
import subprocess
import sys

import altair as alt
import pandas as pd
import pytest

import ccp_analysis
from ccp_analysis import figure_data, figures, interactive
from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import vega_runtime
from ccp_analysis.publish import charts

FIG4, FIG5, DEALS = "fig4_huawei_revenue", "fig5_alibaba_stock", "deals_timeline"


def _tables() -> dict[str, pd.DataFrame]:
    """The tables the default notebooks export, from the same table functions."""
    tables = {FIG4: figures.start(FIG4, {}).table(), FIG5: figures.start(FIG5, {}).table(),
              DEALS: figures.start(DEALS, {}).table()}
    support = ccp_analysis.load("alibaba_state_support")
    tables["fig2_alibaba_support"] = figure_data.alibaba_support_table(
        support, year_start=2011, year_end=2016)
    return tables


def _spec(name: str, tables: dict[str, pd.DataFrame]) -> str:
    return interactive.dumps(interactive.spec(name, tables, alt_text="alt", source_note="note"))


def test_every_declared_figure_has_an_interactive_chart():
    assert set(interactive.CHARTS) == set(figures.by_output())


def test_vega_lite_version_is_the_one_altair_writes_and_the_runtime_bundles():
    assert alt.SCHEMA_VERSION.startswith(f"v{interactive.VEGA_LITE}.")
    spec = json.loads(_spec(FIG4, _tables()))
    assert spec["$schema"] == alt.SCHEMA_URL
    record = vega_runtime.record()
    assert record["vega_lite"] == interactive.VEGA_LITE
    text, sha = vega_runtime.bundle()
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == sha == record["sha256"]
    assert record["path"] == f"assets/vega-{sha[:16]}.js"
    assert "window.vegaEmbed=" in text and "import(" not in text and "XMLHttpRequest" not in text


def test_fig5_spec_holds_the_days_and_says_the_source_in_words():
    spec = json.loads(_spec(FIG5, _tables()))
    days = {row["date"]: row["value"] for row in spec["data"]["values"]}
    assert days["2020-10-27"] == 317.14 and days["2014-09-19"] == 93.89
    assert len(days) == 2077  # every trading day 2014-09-19 to 2022-12-16, once
    assert [layer.get("data") for layer in spec["layer"][:2]] == [None, None]
    assert spec["layer"][2]["data"]["values"] == [
        {"date": "2014-09-19", "mark": "first close 93.89", "value": 93.89},
        {"date": "2020-10-27", "mark": "peak 317.14 (2020-10-27)", "value": 317.14},
        {"date": "2022-10-24", "mark": "low 63.15 (2022-10-24)", "value": 63.15}]
    calculated = {c["as"]: c["calculate"] for c in spec["layer"][1]["transform"]}
    assert "Yahoo Finance, BABA daily history (unadjusted close)" in calculated["source"]
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


def test_same_tables_give_the_same_bytes_in_any_order_and_any_process():
    tables = _tables()
    first = {name: _spec(name, tables) for name in (FIG4, FIG5, DEALS)}
    again = {name: _spec(name, tables) for name in (DEALS, FIG5, FIG4, FIG4)}
    assert first == again
    code = ("import sys; from tests.test_interactive import _spec, _tables; "
            "sys.stdout.write(_spec(sys.argv[1], _tables()))")
    other = subprocess.run([sys.executable, "-c", code, FIG4], capture_output=True, text=True,
                           check=True, cwd=str(interactive.paths.package_dir().parents[1]),
                           env={"PYTHONHASHSEED": "7", "PATH": "/usr/bin:/bin"})
    assert other.stdout == first[FIG4]
    assert "param_" not in first[FIG4] and "view_" not in first[FIG4]  # named, not numbered


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
