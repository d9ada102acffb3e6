"""A figure's declaration holds its output tables (columns and key) and its parameters; every
client reads them: the export check, `ccp-analysis diff`, the gate, the build, the hand-off cell,
the command line and the Python API, each refusing the same values with the same words."""

from __future__ import annotations

import warnings

import declared_tables
import pandas as pd
import pytest

import ccp_analysis
from ccp_analysis import claims, figures, paths
from ccp_analysis.data import spans
from ccp_analysis.errors import MissingDataWarning, ParameterError
from ccp_analysis.figures import checks, figure_data, style, tables
from ccp_analysis.figures.parameters import Param
from ccp_analysis.publish import diff
from ccp_analysis.publish import tables as published

FIG4, FIG1, AUDIT = "fig4_huawei_revenue", "fig1_huawei_support", "claims_audit"


def _fig4_table() -> pd.DataFrame:
    return figures.start(FIG4, {"edition": "as-published"}).table()


# ---- tables: declared with the figure, checked at export --------------------------------------

def test_every_exported_table_is_declared_once_with_its_key():
    found = tables.declared()
    assert found[FIG4] == (FIG4, found[FIG4][1])
    assert found[FIG4][1].key == ("year",)
    assert found["fig5_alibaba_stock"][1].key == ("date",)
    assert found["fig3_deal_network"][1].key == ("company", "counterpart", "edge_kind")
    # The claims audit's key is declared once too, and the audit builds exactly its columns.
    assert found[AUDIT] == (AUDIT, found[AUDIT][1]) and found[AUDIT][1].key == ("claim_id",)
    assert list(found[AUDIT][1].columns) == claims.AUDIT_COLUMNS
    # A figure's data tables (what its interactive twin draws) are among its declared tables.
    for spec in figures.FIGURES:
        assert set(spec.data) <= {t.name for t in spec.tables}, spec.notebook
    assert len(found) == 12


def test_diff_and_gate_key_rows_by_the_declaration():
    assert published.key_columns(FIG4, ["year", "currency", "revenue_bn"]) == ("year",)
    assert published.key_columns(AUDIT, ["claim_id", "verdict"]) == ("claim_id",)
    # A table no figure declares (an older version's) is keyed by all its columns.
    assert published.key_columns("fig9_gone", ["a", "b"]) == ("a", "b")
    assert not hasattr(published, "TABLE_KEYS")


def test_diff_matches_a_changed_row_by_its_declared_key(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("year,currency,revenue_bn\n2020,USD,129.2\n2021,USD,98.743\n")
    new.write_text("year,currency,revenue_bn\n2020,USD,129.2\n2021,USD,98.7\n")
    result = diff.compare_table(FIG4, old, new)
    assert result is not None and result.key == ("year",)
    assert [c.key for c in result.changed] == [{"year": "2021"}]
    assert not result.added and not result.removed


@pytest.mark.parametrize("edition", ["as-published", "updated"])
def test_the_declared_functions_build_exactly_the_declared_tables(edition):
    # Built by the hand-off's declared functions once per process (test_interactive's specs
    # are drawn from the same build).
    made = declared_tables.built(edition)
    for spec in figures.FIGURES:
        table, built = made[spec.notebook]
        if table is not None and spec.notebook != "deals_timeline":
            name = spec.notebook if spec.notebook != "fig3_malaysia_network" else \
                "fig3_deal_network"
            built[name] = table
        for name, frame in built.items():
            tables.check(spec.notebook, name, frame)  # passes: columns and key as declared


def test_a_table_with_a_missing_column_is_refused_naming_figure_table_and_column():
    table = _fig4_table().drop(columns="revenue_status")
    with pytest.raises(tables.TableError) as exc:
        tables.check(FIG4, FIG4, table)
    assert str(exc.value).startswith(f"notebook {FIG4}, table '{FIG4}': column "
                                     "'revenue_status' is declared but missing")


def test_a_table_with_an_extra_column_is_refused():
    table = _fig4_table().assign(revenue_usd_mn=1.0)
    with pytest.raises(tables.TableError, match="column 'revenue_usd_mn' is not declared"):
        tables.check(FIG4, FIG4, table)


def test_a_table_with_a_duplicate_key_is_refused_naming_the_key_value():
    table = _fig4_table()
    assert list(table["year"]) == list(range(2013, 2022))
    twice = pd.concat([table, table[table["year"] == 2021]], ignore_index=True)
    with pytest.raises(tables.TableError) as exc:
        tables.check(FIG4, FIG4, twice)
    assert f"notebook {FIG4}, table '{FIG4}': key year=2021 appears in 2 rows" in str(exc.value)


def test_a_table_the_figure_does_not_declare_is_refused():
    with pytest.raises(tables.TableError) as exc:
        tables.check(FIG4, "fig4_extra", _fig4_table())
    assert f"notebook {FIG4}, table 'fig4_extra': not declared by the figure" in str(exc.value)
    assert "declared: fig4_huawei_revenue" in str(exc.value)


def test_the_notebooks_export_goes_through_the_check(tmp_path, monkeypatch):
    """`style.export_table`, as a notebook calls it after the hand-off, refuses a table that
    differs from the declaration, in a build and outside one, and writes a good one."""
    monkeypatch.setenv(paths.OUTPUT_ENV, str(tmp_path))
    good = _fig4_table()
    style.export_table(good, FIG4)
    assert (tmp_path / "tables" / f"{FIG4}.csv").read_text().startswith(
        "year,currency,fx_series,cny_per_usd,revenue_bn,revenue_cny_bn,change_pct,"
        "revenue_status\n2013,USD,ecb,")
    with pytest.raises(tables.TableError, match="column 'currency' is declared but missing"):
        style.export_table(good.drop(columns="currency"), FIG4)
    # Another notebook's hand-off checks against its own declaration.
    figures.start(FIG1, {"edition": "as-published"})
    with pytest.raises(tables.TableError, match=f"notebook {FIG1}, table '{FIG4}': not declared"):
        style.export_table(good, FIG4)


# ---- parameters: one resolver for the build, the hand-off, the command line and the API -----

FIG5 = "fig5_alibaba_stock"
# (notebook, parameters as typed on a command line, what the refusal says)
REFUSED = [
    (FIG4, {"year_start": "2030"}, "notebook fig4_huawei_revenue: parameters year_start=2030, "
     "year_end=0: the range holds no data in the as-published edition"),
    (FIG4, {"year_start": "2015", "year_end": "2014"}, "notebook fig4_huawei_revenue: parameter "
     "'year_end' value 2014 is before 'year_start' 2015"),
    (FIG4, {"currency": "CNY", "fx_series": "fed"}, "notebook fig4_huawei_revenue: parameter "
     "'fx_series' value 'fed': ignored when currency is 'CNY' (it applies only with "
     "currency='USD'); leave fx_series out"),
    (FIG4, {"fx_series": "fed"}, "notebook fig4_huawei_revenue: fx_series 'fed' has no rate for "
     "[2016]; choose another series or year range"),
    (FIG4, {"curency": "CNY"}, "notebook fig4_huawei_revenue: unknown parameter 'curency'; "
     "accepted: edition, year_start, year_end, currency, fx_series"),
    (FIG5, {"date_end": "2014-01-01"}, "notebook fig5_alibaba_stock: parameter 'date_end' value "
     "'2014-01-01' is before 'date_start' '2014-09-19'"),
    (FIG5, {"date_start": "2023-01-03"}, "notebook fig5_alibaba_stock: parameters "
     "date_start='2023-01-03', date_end='': the range holds no data in the as-published "
     "edition"),
    (FIG5, {"date_start": "2019-13-45"}, "notebook fig5_alibaba_stock: parameter 'date_start' "
     "value '2019-13-45': expected a date as YYYY-MM-DD"),
    ("fig1_huawei_support", {"year_end": "0"}, "notebook fig1_huawei_support: parameter "
     "'year_end' value 0 is before 'year_start' 1995"),
]


def _refusals(notebook: str, given: dict[str, str]) -> list[str]:
    from papermill.cli import _resolve_type

    from ccp_analysis.pipeline import runner

    found = []
    with pytest.raises(ParameterError) as exc:  # the build: ccp-analysis build -p NAME=TEXT
        runner.plan(["as-published"], [notebook], [f"{k}={v}" for k, v in given.items()], {}, "")
    found.append(str(exc.value))
    parsed = {k: _resolve_type(v) for k, v in given.items()}  # papermill -p NAME TEXT
    namespace = {p.name: p.default for p in figures.by_notebook()[notebook].parameters}
    with pytest.raises(ParameterError) as exc:
        figures.start(notebook, {**namespace, **parsed})
    found.append(str(exc.value))
    with pytest.raises(ParameterError) as exc:  # the Python API
        ccp_analysis.figure_table(notebook, **parsed)
    found.append(str(exc.value))
    return found


@pytest.mark.parametrize("notebook, given, message", REFUSED, ids=lambda v: str(v)[:40])
def test_every_client_refuses_the_same_values_with_the_same_message(notebook, given, message):
    assert _refusals(notebook, given) == [message] * 3


def test_an_ignored_parameter_at_its_default_passes_everywhere_and_is_not_recorded():
    from ccp_analysis.pipeline import runner

    (item,) = runner.plan(["as-published"], [FIG4], ["currency=CNY", "fx_series=ecb"], {}, "")
    assert "fx_series" not in item.parameters and item.parameters["currency"] == "CNY"
    table = ccp_analysis.figure_table(FIG4, currency="CNY", fx_series="ecb")
    # Huawei's 2021 revenue in CNY as its annual report gives it: 636.807 bn.
    assert table.loc[table["year"] == 2021, "revenue_bn"].item() == 636.807
    assert (table["fx_series"] == "").all()


def test_the_open_end_is_computed_once_and_every_client_gets_it():
    assert checks.open_ends(FIG4, "as-published") == {"year_end": 2021}
    assert checks.open_ends(FIG5, "as-published") == {"date_end": "2022-12-16"}
    assert checks.open_ends("fig1_huawei_support", "as-published") == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an open end is no clamping: nothing to warn about
        table = ccp_analysis.figure_table(FIG4)
        stock = ccp_analysis.figure_table(FIG5)
    assert table["year"].tolist() == list(range(2013, 2022))
    assert stock["date"].iloc[-1] == pd.Timestamp("2022-12-16")
    assert stock["value"].iloc[-1] == 86.79  # BABA's close on the report's date
    # The library's own table function, on the frame given, reads the open end the same way.
    revenue = ccp_analysis.load("huawei_revenue")
    direct = figure_data.revenue_table(revenue, year_start=2013, year_end=0, currency="USD",
                                       fx_series="ecb")
    assert direct.equals(table)
    # Huawei's 2021 revenue, CNY 636,807 mn at the ECB-derived 6.4491 per USD: 98,743.5 mn.
    assert direct.loc[direct["year"] == 2021, "revenue_bn"].item() == 98.744


def test_a_range_past_the_data_is_clamped_with_the_same_note_in_every_client(capsys):
    note = ("notebook fig4_huawei_revenue: year_end 2030 is beyond the data: the as-published "
            "edition ends at 2021; plotting 2013 to 2021")
    figures.start(FIG4, {"year_end": 2030})
    assert capsys.readouterr().out == note + "\n"
    with pytest.warns(MissingDataWarning) as caught:
        table = ccp_analysis.figure_table(FIG4, year_end=2030)
    assert [str(w.message) for w in caught] == [note]
    assert caught[0].filename == __file__
    assert table["year"].tolist() == list(range(2013, 2022))


def test_revenue_table_called_directly_never_returns_a_short_or_empty_table_silently():
    revenue = ccp_analysis.load("huawei_revenue")
    kwargs = {"currency": "USD", "fx_series": "ecb"}
    with pytest.warns(MissingDataWarning) as caught:
        table = figure_data.revenue_table(revenue, year_start=2013, year_end=2030, **kwargs)
    assert str(caught[0].message) == ("year_end 2030 is beyond the data: the huawei_revenue "
                                      "frame given ends at 2021; the table holds 2013 to 2021")
    assert table["year"].tolist() == list(range(2013, 2022))
    with pytest.raises(ParameterError, match="year_start=2030, year_end=2035: the range holds "
                       "no data in the huawei_revenue frame given"):
        figure_data.revenue_table(revenue, year_start=2030, year_end=2035, **kwargs)
    # A year missing inside the range (a frame filtered by the caller) is named, not skipped.
    holed = revenue[revenue["year"] != 2016]
    with pytest.raises(ParameterError, match="has no row for 2016, inside the range 2013-2021"):
        figure_data.revenue_table(holed, year_start=2013, year_end=0, **kwargs)
    # A series the loaded frame lacks is refused, naming what it holds.
    with pytest.raises(ParameterError, match="holds ecb only"):
        figure_data.revenue_table(revenue, year_start=2013, year_end=0, currency="USD",
                                  fx_series="fed")


def test_stock_table_called_directly_reads_the_open_end_and_refuses_an_empty_range():
    stock = ccp_analysis.load("alibaba_stock")
    table = figure_data.stock_table(stock, date_start="2020-10-27", date_end="", measure="price")
    assert table["date"].iloc[-1] == pd.Timestamp("2022-12-16")
    assert table["value"].iloc[0] == 317.14  # the peak close the report dates to October 2020
    with pytest.warns(MissingDataWarning, match="date_end '2030-01-01' is beyond the data"):
        figure_data.stock_table(stock, date_start="2022-12-01", date_end="2030-01-01",
                                measure="price")
    with pytest.raises(ParameterError, match="the range holds no trading day"):  # a weekend
        figure_data.stock_table(stock, date_start="2020-10-24", date_end="2020-10-25",
                                measure="price")


def test_one_param_type():
    from ccp_analysis.pipeline import params

    assert not hasattr(params, "Parameter") and not hasattr(params, "APPLIES_ONLY")
    cell = params.cell_parameters(paths.notebooks_dir() / f"{FIG4}.ipynb")
    assert all(isinstance(p, Param) for p in cell.values())
    assert spans.is_open(0) and spans.is_open("") and not spans.is_open(False)


def test_a_parameters_cell_in_another_order_than_the_declaration_is_refused(tmp_path):
    import json

    from ccp_analysis.pipeline import params

    nb = json.loads((paths.notebooks_dir() / f"{FIG4}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    lines = "".join(cell["source"]).splitlines()
    lines[3], lines[4] = lines[4], lines[3]  # currency and fx_series swapped
    cell["source"] = "\n".join(lines)
    path = tmp_path / f"{FIG4}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        params.check_cell(path)
    assert str(exc.value).endswith(
        "the order: cell edition, year_start, year_end, fx_series, currency; declared edition, "
        "year_start, year_end, currency, fx_series")


def test_deals_per_year_past_appendix_c_is_clamped_not_shown_as_years_without_deals():
    deals = ccp_analysis.load("malaysia_deals")
    asked = figure_data.deals_per_year(deals, year_start=2011, year_end=2020, top_companies=6)
    with pytest.warns(MissingDataWarning, match="year_end 2024 is beyond the data: the "
                      "malaysia_deals frame given ends at 2020"):
        past = figure_data.deals_per_year(deals, year_start=2011, year_end=2024, top_companies=6)
    assert past.equals(asked) and past["year"].max() == 2020
    # Appendix C: 18 entries in 2019, its peak.
    assert asked.loc[asked["year"] == 2019, "entries_in_year"].iloc[0] == 18
    with pytest.raises(ParameterError, match="year_start=2021, year_end=2024: the range holds "
                       "no data in the malaysia_deals frame given"):
        figure_data.deals_per_year(deals, year_start=2021, year_end=2024, top_companies=6)


def test_params_lists_each_table_with_its_declared_key(capsys):
    from ccp_analysis import cli

    assert cli.main(["params", "fig3_malaysia_network"]) == 0
    assert ("  tables: fig3_ai_park (key edge_id); fig3_deal_network (key company, counterpart, "
            "edge_kind); fig3_deal_network_nodes (key node); fig3_deal_network_entries (key "
            "entry_id, company, counterpart, edge_kind)\n") in capsys.readouterr().out
    assert cli.main(["params", AUDIT]) == 0
    assert "  tables: claims_audit (key claim_id)\n" in capsys.readouterr().out


def test_each_notebook_exports_exactly_the_tables_it_declares():
    """Read from the notebooks' source: a declared table no notebook writes, or a written one
    not declared, is found without running a kernel."""
    import json
    import re

    for spec in figures.declarations().values():
        nb = json.loads((paths.notebooks_dir() / f"{spec.notebook}.ipynb").read_text("utf-8"))
        source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        exported = re.findall(r"style\.export_table\(\s*\w+,\s*\"(\w+)\"\)", source)
        assert sorted(exported) == sorted(t.name for t in spec.tables), spec.notebook


def test_a_numpy_integer_outside_a_kernel_is_used_not_dropped_for_the_default():
    """Outside a kernel the hand-off reads the caller's namespace: a declared parameter holding
    a numpy integer (what a year taken from a frame is) is the span drawn, not the default."""
    import numpy as np

    namespace = {"edition": "as-published", "year_start": np.int64(2016), "year_end": 2021,
                 "currency": "USD", "fx_series": "ecb"}
    run = figures.start("fig4_huawei_revenue", namespace)
    assert run.values["year_start"] == 2016
    assert list(run.table()["year"]) == [2016, 2017, 2018, 2019, 2020, 2021]
    namespace["year_start"] = [2016]
    with pytest.raises(ParameterError, match="year_start"):
        figures.start("fig4_huawei_revenue", namespace)
