"""The library as an analyst calls it from a notebook of their own: no silently empty or partly
missing result, and a clear word when the project cannot be found."""

from __future__ import annotations

import csv
import warnings

import pytest

import ccp_analysis
from ccp_analysis import paths
from ccp_analysis.errors import MissingDataWarning, ParameterError
from ccp_analysis.figures import figure_data
from ccp_analysis.paths import ROOT_ENV


def test_a_revenue_table_of_a_series_the_frame_lacks_is_refused_naming_what_it_holds():
    revenue = ccp_analysis.load("huawei_revenue", edition="updated")  # the ECB series only
    with pytest.raises(ParameterError) as caught:
        figure_data.revenue_table(revenue, year_start=2013, year_end=2024, currency="USD",
                                  fx_series="oecd_imf")
    assert "'oecd_imf'" in str(caught.value)
    assert "holds ecb only" in str(caught.value)
    # Loaded with that series, the same call gives its years at its rates (2021's as the raw
    # file records it, column oecd_imf_annual_avg).
    oecd = ccp_analysis.load("huawei_revenue", edition="updated", fx_series="oecd_imf")
    table = figure_data.revenue_table(oecd, year_start=2013, year_end=2024, currency="USD",
                                      fx_series="oecd_imf")
    assert table["year"].tolist() == list(range(2013, 2025))
    with (paths.raw_dir() / "market" / "cny_per_usd_annual.csv").open(encoding="utf-8") as f:
        rate_2021 = next(r for r in csv.DictReader(f) if r["year"] == "2021")
    assert table.loc[table["year"] == 2021, "cny_per_usd"].item() == float(
        rate_2021["oecd_imf_annual_avg"])


@pytest.mark.parametrize(("name", "edition", "missing"), [
    ("huawei_revenue", "updated", "2008, 2009, 2010, 2011, 2016, 2024"),
    ("huawei_revenue", "as-published", "2008, 2009, 2010, 2011, 2016"),
    ("fx_rates", "updated", "2008, 2009, 2010, 2011, 2016, 2024"),
])
def test_a_series_without_every_year_warns_naming_the_years(name, edition, missing):
    with pytest.warns(MissingDataWarning) as caught:
        frame = ccp_analysis.load(name, edition=edition, fx_series="fed")
    message = str(caught[0].message)
    assert f"fx_series 'fed' has no CNY per USD rate for {missing}," in message
    assert caught[0].filename == __file__  # points at the caller's line
    if name == "huawei_revenue":  # the rows stay, their USD value empty
        years = [int(y) for y in missing.split(", ")]
        assert frame.loc[frame["year"].isin(years), "revenue_usd_mn"].isna().all()


def test_a_series_with_every_year_loads_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        revenue = ccp_analysis.load("huawei_revenue", edition="updated")
    assert revenue["revenue_usd_mn"].notna().all()
    assert revenue["year"].tolist() == list(range(2008, 2025))


def test_outside_the_project_load_names_the_root_override(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError) as caught:
        ccp_analysis.load("huawei_revenue")
    message = str(caught.value)
    assert f"{ROOT_ENV} names {tmp_path.resolve()}" in message
    assert f"set {ROOT_ENV} to the folder of a checkout of the project" in message
    assert "data build" not in message


def test_a_project_not_built_yet_says_to_build_it(tmp_path, monkeypatch):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "MANIFEST.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="run 'ccp-analysis data build' first"):
        ccp_analysis.load("huawei_revenue")
