"""A figure's declaration holds its output tables (columns and key) and its parameters; every
client reads them: the export check, `ccp-analysis diff`, the gate, the build, the hand-off cell,
the command line and the Python API, each refusing the same values with the same words."""

from __future__ import annotations

import pandas as pd
import pytest

from ccp_analysis import claims, figures, style
from ccp_analysis.figures import tables
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
    for spec in figures.FIGURES:
        run = figures.start(spec.notebook, {"edition": edition})
        built = {name: run.data(name) for name in spec.data}
        if spec.table is not None and spec.notebook != "deals_timeline":
            name = spec.notebook if spec.notebook != "fig3_malaysia_network" else \
                "fig3_deal_network"
            built[name] = run.table()
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
    monkeypatch.setenv(style.OUTPUT_ENV, str(tmp_path))
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
