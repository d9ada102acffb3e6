"""The frame registry: one entry per frame of data/processed, a builder attached to each, and
no notebook importing the builders or the cleaning code only they use (docs/frames.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import ccp_analysis
from ccp_analysis import paths
from ccp_analysis.data import editions, frame_builders, schemas
from ccp_analysis.data.sources import claimsfile, deals, fx, huawei, stock, support
from ccp_analysis.errors import ParameterError
from ccp_analysis.pipeline import fingerprint

# The builders and the cleaning modules only they run: a change to any of them that leaves
# data/processed as it is must rerun no notebook.
BUILD_ONLY = ("data/frame_builders", "data/sources/support", "data/sources/huawei",
              "data/sources/fx", "data/sources/stock", "data/sources/deals",
              "data/sources/claimsfile", "data/parsing/raw", "data/parsing/money",
              "data/parsing/revisions")
NOTEBOOKS = sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb"))


def test_every_notebook_is_checked():
    assert NOTEBOOKS == ["claims_audit.ipynb", "deals_timeline.ipynb", "fig1_huawei_support.ipynb",
                         "fig2_alibaba_support.ipynb", "fig3_malaysia_network.ipynb",
                         "fig4_huawei_revenue.ipynb", "fig5_alibaba_stock.ipynb"]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_notebook_runs_the_builders_or_the_cleaning_code(tmp_path, monkeypatch, notebook):
    alone = tmp_path / "notebooks"
    alone.mkdir()
    shutil.copy(paths.notebooks_dir() / notebook, alone / notebook)
    monkeypatch.setattr(paths, "notebooks_dir", lambda: alone)
    files = set(fingerprint.code_files())
    for module in BUILD_ONLY:
        assert (paths.package_dir() / f"{module}.py").is_file()  # a module that exists
        assert f"src/ccp_analysis/{module}.py" not in files, (notebook, module)
    # what the notebook does read: the registry and the reader of data/processed
    assert {"src/ccp_analysis/data/schemas.py", "src/ccp_analysis/data/processed.py",
            "src/ccp_analysis/data/editions.py"} <= files


def test_the_union_over_the_notebooks_holds_no_build_only_module():
    files = set(fingerprint.code_files())
    assert not {f"src/ccp_analysis/{m}.py" for m in BUILD_ONLY} & files
    # the claims audit judges a claims.csv row by the rules the reader applies (claim_rules)
    # and parses the support items' printed periods (periods): both are needed, and in
    assert {"src/ccp_analysis/data/parsing/claim_rules.py",
            "src/ccp_analysis/data/parsing/periods.py"} <= files


def test_the_registry_covers_exactly_the_processed_files():
    written = {p.stem for p in paths.processed_dir().glob("*.csv")}
    assert written == set(schemas.FRAMES)
    assert list(frame_builders.BUILDERS) == list(schemas.FRAMES)  # built in the registry's order


def test_every_source_is_a_raw_file_of_the_manifest():
    manifest = json.loads(paths.raw_manifest().read_text(encoding="utf-8"))
    held = {entry["path"] for entry in manifest["files"]} | {"REVISIONS.jsonl"}
    named = {s for frame in schemas.FRAMES.values() for s in frame.sources}
    assert named <= held
    # every raw file a cleaning module reads is some frame's source
    read = {support.APPENDIX_A, support.APPENDIX_B, support.FIGURE_1, support.FIGURE_2,
            support.CODING, support.RELATIONS, support.ESTIMATES, fx.FILE, huawei.FILE,
            stock.PRICES, stock.SHARES, stock.IPO, deals.TIMELINE, deals.PARTIES, deals.EDGES,
            deals.NETWORK, claimsfile.CLAIMS}
    assert read <= named
    assert schemas.FRAMES["huawei_revenue"].sources == (
        "market/huawei_financials.csv", "market/cny_per_usd_annual.csv", "REVISIONS.jsonl")


def test_a_frame_without_a_builder_or_a_builder_without_a_frame_is_refused():
    builders = dict(frame_builders.BUILDERS)
    del builders["alibaba_ipo"]
    builders["alibaba_options"] = lambda _: pd.DataFrame()
    with pytest.raises(TypeError) as caught:
        frame_builders.attach(builders)
    said = str(caught.value)
    assert "registered frame(s) without a builder: alibaba_ipo" in said
    assert "builder(s) for no registered frame: alibaba_options" in said
    with pytest.raises(TypeError, match="without a builder: alibaba_ipo"):
        frame_builders.build_frames(builders={k: v for k, v in frame_builders.BUILDERS.items()
                                              if k != "alibaba_ipo"})


def test_an_entry_without_a_builder_fails_the_import_of_the_builders():
    code = ("from ccp_analysis.data import schemas\n"
            "schemas._register(schemas.Frame(name='alibaba_options', description='x', "
            "key=('date',), sort=('date',), columns=(schemas.Col('date', 'date', 'Day.'),), "
            "sources=('market/baba_daily.csv',)))\n"
            "import ccp_analysis.data.frame_builders\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 1
    assert "registered frame(s) without a builder: alibaba_options" in result.stderr


def _entry(**changes) -> schemas.Frame:
    fields = {"name": "prices", "description": "x", "key": ("date",), "sort": ("date",),
              "columns": (schemas.Col("date", "date", "Day."), schemas.Col("note", "str", "N.")),
              "sources": ("market/baba_daily.csv",)}
    return schemas.Frame(**{**fields, **changes})


@pytest.mark.parametrize(("changes", "said"), [
    ({"cut": schemas.Cut("note", schemas.PUBLICATION_DATE)}, "cut column 'note' is not a date"),
    ({"cut": schemas.Cut("date", "report date")}, "cut bound 'report date' is not one of"),
    ({"per_series": True}, "per_series needs fx_series in its key"),
    ({"key": ("day",)}, "key or sort column(s) ['day']"),
    ({"sources": ()}, "no sources"),
])
def test_a_malformed_entry_is_refused(changes, said):
    with pytest.raises(ValueError) as caught:
        _entry(**changes)
    assert said in str(caught.value)


def test_a_frame_is_registered_once():
    with pytest.raises(ValueError, match="'alibaba_ipo' is registered twice"):
        schemas._register(schemas.FRAMES["alibaba_ipo"])


def test_the_edition_cut_is_the_entry_s_rule():
    # the rules as data, as the report's dates give them
    cuts = {name: frame.cut for name, frame in schemas.FRAMES.items() if frame.cut}
    assert cuts == {
        "fx_rates": schemas.Cut("year", schemas.LAST_RESULTS_YEAR),
        "huawei_revenue": schemas.Cut("year", schemas.LAST_RESULTS_YEAR),
        "alibaba_stock": schemas.Cut("date", schemas.PUBLICATION_DATE),
        "malaysia_deals": schemas.Cut("year", schemas.PUBLICATION_YEAR),
        "malaysia_deal_edges": schemas.Cut("year", schemas.PUBLICATION_YEAR),
    }
    years = pd.DataFrame({"year": [2021, 2022, 2023]})
    assert editions.cut("huawei_revenue", years, "as-published")["year"].tolist() == [2021]
    assert editions.cut("malaysia_deals", years, "as-published")["year"].tolist() == [2021, 2022]
    assert editions.cut("malaysia_deals", years, "updated")["year"].tolist() == [2021, 2022, 2023]
    days = pd.DataFrame({"date": pd.to_datetime(["2022-12-16", "2022-12-19"])})
    assert editions.cut("alibaba_stock", days, "as-published")["date"].tolist() == [
        pd.Timestamp("2022-12-16")]
    # a frame without a cut is the same in both editions
    assert len(editions.cut("report_claims", years, "as-published")) == 3
    with pytest.raises(ParameterError, match="frame 'alibaba_options' is not known"):
        editions.cut("alibaba_options", years, "as-published")


def test_per_series_frames_are_the_entries_that_say_so():
    assert [n for n, f in schemas.FRAMES.items() if f.per_series] == ["fx_rates", "huawei_revenue"]
    # load() returns one series of them, so their key drops fx_series; no other key does
    keys = dict(zip(ccp_analysis.frames()["name"], ccp_analysis.frames()["key"], strict=True))
    assert keys["fx_rates"] == keys["huawei_revenue"] == "year"
    assert keys["malaysia_deal_edges"] == "entry_id, company, counterpart"
    assert ccp_analysis.load("fx_rates", fx_series=None)["fx_series"].nunique() == 4
