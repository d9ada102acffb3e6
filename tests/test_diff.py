"""`ccp-analysis diff`: what differs between two versions, by figure, by table row (matched
on each table's key), by claim verdict, parameter and input; and the side-by-side page.

The committed as-published and updated editions are compared as published; other cases edit a
copy of a committed version (never the checkout's reports/).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from ccp_analysis import cli
from ccp_analysis.errors import CcpError
from ccp_analysis.pipeline import versions
from ccp_analysis.publish import diff, diffpage, drift

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REPORT_DATE = "2022-12-16"


def _latest() -> dict[str, Path]:
    pointers = json.loads((PROJECT_ROOT / "reports" / "LATEST.json").read_text("utf-8"))
    return {edition: PROJECT_ROOT / "reports" / v for edition, v in pointers.items()}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def editions() -> diff.VersionDiff:
    latest = _latest()
    return diff.compare(diff.Side.load(latest["as-published"]), diff.Side.load(latest["updated"]))


def test_editions_differ_by_the_years_and_days_after_the_report(editions):
    # Huawei's years after 2021 (ECB series, the one Figure 4 plots) come in as added rows.
    revenue = _rows(PROJECT_ROOT / "data" / "processed" / "huawei_revenue.csv")
    later_years = sorted(r["year"] for r in revenue if r["fx_series"] == "ecb"
                         and int(r["year"]) > 2021)
    # BABA trading days after the report's date come in as added rows of Figure 5's table.
    later_days = [r["date"] for r in _rows(PROJECT_ROOT / "data" / "raw" / "market"
                                           / "baba_daily.csv") if r["date"] > REPORT_DATE]
    tables = {t.name: t for t in editions.tables}

    fig4 = tables["fig4_huawei_revenue"]
    assert fig4.key == ("year",)
    assert sorted(r.key["year"] for r in fig4.added) == later_years
    assert fig4.removed == [] and fig4.changed == []
    fig5 = tables["fig5_alibaba_stock"]
    assert sorted(r.key["date"] for r in fig5.added) == later_days
    assert fig5.removed == []
    assert {f.name for f in editions.figures if f.status == "changed"} >= {
        "fig4_huawei_revenue", "fig5_alibaba_stock"}
    assert all(f.status == "changed" for f in editions.figures)

    parameters = {v.where: (v.old, v.new) for v in editions.parameters}
    assert parameters["fig4_huawei_revenue.year_end"] == (2021, int(later_years[-1]))
    assert parameters["fig5_alibaba_stock.date_end"] == (REPORT_DATE, later_days[-1])


def test_verdicts_that_flip_between_editions_are_exactly_those_of_the_audits(editions):
    latest = _latest()
    old = {r["claim_id"]: r["verdict"]
           for r in _rows(latest["as-published"] / "tables" / "claims_audit.csv")}
    new = {r["claim_id"]: r["verdict"]
           for r in _rows(latest["updated"] / "tables" / "claims_audit.csv")}
    flipped = sorted(k for k in old if k in new and old[k] != new[k])
    assert [v.where for v in editions.verdicts] == flipped
    # The audit is keyed by claim id: the 62 claims are matched one to one, none added.
    audit = next(t for t in editions.tables if t.name == "claims_audit")
    assert audit.added == [] and audit.removed == []
    # K55 (Figure 5's caption dates the peak to September 2020) differs in both editions.
    assert old["K55"] == new["K55"] == "differs"


@pytest.fixture
def edited(tmp_path) -> tuple[Path, Path]:
    """(old, new): two copies of the committed as-published version; `new` is edited by the
    tests."""
    source = _latest()["as-published"]
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(source, old)
    shutil.copytree(source, new)
    return old, new


def test_rows_are_matched_by_key_not_by_line(edited):
    old, new = edited
    path = new / "tables" / "fig1_huawei_support.csv"
    rows = _rows(path)
    loans = next(r for r in rows if r["panel"] == "measure"
                 and r["row"] == "loans to Huawei's customers" and r["bound"] == "upper")
    before = loans["usd_bn"]
    loans["usd_bn"] = "1.0"
    dropped = rows.pop()
    rows.reverse()  # reordered: no row may show as changed for that alone
    _write_rows(path, rows)

    result = diff.compare(diff.Side.load(old), diff.Side.load(new))

    (table,) = result.tables
    assert table.key == ("panel", "row", "bound")
    assert [(c.key, c.columns, c.old["usd_bn"], c.new["usd_bn"]) for c in table.changed] == [
        ({"panel": "measure", "row": "loans to Huawei's customers", "bound": "upper"},
         ["usd_bn"], before, "1.0")]
    assert [r.key for r in table.removed] == [{"panel": dropped["panel"], "row": dropped["row"],
                                               "bound": dropped["bound"]}]
    assert table.added == []
    assert result.figures == [] and result.verdicts == []


def test_flipped_verdict_parameter_and_input_are_named(edited, capsys):
    old, new = edited
    audit = new / "tables" / "claims_audit.csv"
    rows = _rows(audit)
    k55 = next(r for r in rows if r["claim_id"] == "K55")
    k55["verdict"] = "reproduced"
    _write_rows(audit, rows)
    manifest = json.loads((new / "manifest.json").read_text("utf-8"))
    manifest["parameters"]["fig4_huawei_revenue"]["fx_series"] = "fed"
    manifest["inputs"]["data/raw/market/baba_daily.csv"] = "0" * 64
    manifest["version"] = "edited"
    (new / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    status = cli.main(["diff", str(old), str(new)])

    out = capsys.readouterr().out
    assert status == 1
    assert "verdicts flipped:\n  K55: differs -> reproduced" in out
    assert "fig4_huawei_revenue.fx_series: ecb -> fed" in out
    assert "data/raw/market/baba_daily.csv:" in out
    assert out.splitlines()[0] == f"{json.loads((old / 'manifest.json').read_text())['version']}" \
        " -> edited"


def test_identical_versions_exit_zero(edited, capsys):
    old, new = edited
    assert cli.main(["diff", str(old), str(new)]) == 0
    assert "identical" in capsys.readouterr().out


def test_unknown_version_is_a_clear_error(capsys):
    assert cli.main(["diff", "no-such-version", "another"]) == 2
    assert "'no-such-version' is neither a version under reports/" in capsys.readouterr().err


def _paint(png: Path, box: tuple[int, int, int, int]) -> int:
    """Paint a black rectangle on a PNG; return how many pixels it changed."""
    with Image.open(png) as image:
        before = image.convert("RGB")
    after = before.copy()
    ImageDraw.Draw(after).rectangle(box, fill=(0, 0, 0))
    after.save(png)
    changed = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v else 0)
    return changed.histogram()[255]


def test_page_shows_old_new_and_the_pixel_difference(edited, tmp_path):
    old, new = edited
    name = "fig4_huawei_revenue"
    changed = _paint(new / "figures" / f"{name}.png", (100, 100, 139, 119))
    result = diff.compare(diff.Side.load(old), diff.Side.load(new))
    assert [(f.name, f.status, f.files) for f in result.figures] == [(name, "changed", ("png",))]

    page = diffpage.write(result, tmp_path / "out" / "diff.html")

    html = page.read_text(encoding="utf-8")
    assert f"{changed} of " in html and "within the box left 100, top 100, right 140, " \
        "bottom 120" in html
    assets = page.with_name("diff_files")
    for suffix in ("old", "new", "diff"):
        assert f'src="diff_files/{name}.{suffix}.png"' in html
        assert (assets / f"{name}.{suffix}.png").is_file()
    with Image.open(assets / f"{name}.diff.png") as image:
        marked = image.convert("RGB").getpixel((120, 110))
    assert marked == (230, 0, 126)
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in assets.iterdir()}
    first_page = page.read_bytes()
    diffpage.write(result, page)  # same comparison, same bytes
    assert page.read_bytes() == first_page
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in assets.iterdir()} == first


def test_gate_writes_the_drift_page_for_a_rebuild_that_differs(tmp_path, monkeypatch):
    root = tmp_path / "project"
    version = _latest()["as-published"].name
    shutil.copytree(PROJECT_ROOT / "reports" / version, root / "reports" / version)
    monkeypatch.setenv("CCP_ANALYSIS_ROOT", str(root))
    # A rebuild laid out as the gate leaves it: <tmp>/<version>/<notebook>/, one run each.
    rebuilt = tmp_path / "gate"
    run = rebuilt / version / "fig4_huawei_revenue"
    (run / "tables").mkdir(parents=True)
    table = root / "reports" / version / "tables" / "fig4_huawei_revenue.csv"
    rows = _rows(table)
    rows[-1]["revenue_bn"] = "1.0"
    _write_rows(run / "tables" / "fig4_huawei_revenue.csv", rows)

    lines = drift.pages(rebuilt, [version])

    page = versions.reports() / drift.FOLDER / f"{version}.html"
    assert lines == [f"drift page: {page}"]
    html = page.read_text(encoding="utf-8")
    assert f"year={rows[-1]['year']}" in html and "revenue_bn" in html
    # Nothing else differs: the notebooks not rebuilt are the committed ones.
    assert "Figures" not in html
    assert drift.pages(rebuilt, []) == []


def test_a_table_whose_key_repeats_is_named_with_file_line_and_key(edited):
    old, new = edited
    path = new / "tables" / "fig4_huawei_revenue.csv"
    rows = _rows(path)
    rows.append(dict(rows[0]))
    _write_rows(path, rows)
    with pytest.raises(CcpError) as caught:
        diff.compare(diff.Side.load(old), diff.Side.load(new))
    assert str(caught.value) == (f"{path}, line {len(rows) + 1}: key {{'year': "
                                 f"'{rows[0]['year']}'}} appears twice; the table's key must "
                                 "be unique")


def test_a_broken_manifest_is_named_with_its_line(edited):
    old, new = edited
    (new / "manifest.json").write_text('{\n  "version": "x",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(CcpError, match=r"manifest\.json, line 3: not valid JSON"):
        diff.Side.load(new)


def test_appended_days_are_one_range_and_absent_columns_print_nothing(editions, capsys):
    """As-published against updated: Figure 5's trading days after the report are one line,
    with the first and last day and their number, in the text, the summary and the page."""
    later_days = [r["date"] for r in _rows(PROJECT_ROOT / "data" / "raw" / "market"
                                           / "baba_daily.csv") if r["date"] > REPORT_DATE]
    line = f"rows added: {later_days[0]} to {later_days[-1]}, {len(later_days)} rows"
    text = diff.report(editions)
    assert f"  {line}" in text
    assert not any(t.startswith("  added date=") for t in text)
    assert f"Table fig5_alibaba_stock: {line}." in diff.summary(editions)
    assert not any("'' -> ''" in t for t in text)


def test_a_column_only_one_side_has_is_no_row_change(edited, capsys):
    """A column added to a table is named once; rows that differ in nothing else are not
    changed rows, so nothing prints as '' -> ''."""
    old, new = edited
    path = old / "tables" / "claims_audit.csv"
    rows = _rows(path)
    for row in rows:
        del row["reading"]  # an older audit, without the column
    _write_rows(path, rows)
    result = diff.compare(diff.Side.load(old), diff.Side.load(new))
    (table,) = result.tables
    assert table.columns_added == ["reading"] and table.changed == []
    assert cli.main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "  columns added: reading" in out and "->" not in "".join(out.splitlines()[1:])


def test_a_default_clamped_to_the_data_is_no_parameter_change(edited, capsys):
    """Figure 1's year_start default 1995 is drawn from the data's first year; a manifest
    recording 1995 and one recording the clamped year publish the same figure."""
    from ccp_analysis.figures import checks

    old, new = edited
    manifest = json.loads((old / "manifest.json").read_text("utf-8"))
    values = manifest["parameters"]["fig1_huawei_support"]
    clamped = checks.on_data("fig1_huawei_support", {**values, "year_start": 1995},
                             check_table=False)[0]["year_start"]
    assert clamped > 1995  # the data start later: the default is clamped
    for folder, year in ((old, 1995), (new, clamped)):
        data = json.loads((folder / "manifest.json").read_text("utf-8"))
        data["parameters"]["fig1_huawei_support"]["year_start"] = year
        (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert diff.compare(diff.Side.load(old), diff.Side.load(new)).parameters == []
    data["parameters"]["fig1_huawei_support"]["year_start"] = clamped + 1  # a real change
    (new / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (change,) = diff.compare(diff.Side.load(old), diff.Side.load(new)).parameters
    assert (change.where, change.old, change.new) == (
        "fig1_huawei_support.year_start", 1995, clamped + 1)


def test_versions_by_prefix_edition_name_and_latest_against_previous(tmp_path, monkeypatch,
                                                                      capsys):
    from ccp_analysis.publish import history

    root = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "reports", root / "reports",
                    ignore=shutil.ignore_patterns(".lock", ".staging", ".failures", ".drift"))
    monkeypatch.setenv("CCP_ANALYSIS_ROOT", str(root))
    latest = _latest()
    new = latest["updated"].name
    previous = next(e.previous for e in history.ordered() if e.version == new)
    assert previous  # the committed record holds an updated version before the latest

    assert cli.main(["diff", "--edition", "updated"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == f"{previous} -> {new}"
    # The hash's first characters, an id's first characters, an edition's name (its latest).
    assert cli.main(["diff", previous[:len("updated-") + 6], new.split("-")[-1][:6]]) == 1
    assert capsys.readouterr().out.splitlines()[0] == f"{previous} -> {new}"
    assert cli.main(["diff", "as-published", "updated"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{latest['as-published'].name} -> {new}")
    assert cli.main(["diff", "updated-", new]) == 2
    assert "is the start of" in capsys.readouterr().err
    assert cli.main(["diff", "--edition", "updated", new]) == 2
    assert "give no OLD or NEW" in capsys.readouterr().err


def test_site_comparison_page_links_the_versions_figures(editions, tmp_path):
    """The site's comparison pages copy nothing: old and new are the versions' own PNGs."""
    page = PROJECT_ROOT / "reports" / "changes" / "x.html"
    text = diffpage.render_page(editions, page)
    old, new = editions.old.name, editions.new.name
    assert f'<a href="../{old}/figures/fig4_huawei_revenue.png"><img ' \
        f'src="../{old}/figures/fig4_huawei_revenue.png"' in text
    assert f'<img class="over" src="../{new}/figures/fig4_huawei_revenue.png"' in text
    assert "_files/" not in text and not page.exists()


def test_a_table_whose_declared_key_is_new_is_compared_on_shared_columns(tmp_path):
    # Figure 1's table before it was keyed by (panel, row, bound): no crash on the old rows.
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("dimension,group,n_items\nchannel,Policy Banks,14\nchannel,Other,3\n",
                   encoding="utf-8")
    new.write_text("panel,row,bound,n_items\nmeasure,loans,upper,15\n", encoding="utf-8")
    table = diff.compare_table("fig1_huawei_support", old, new)
    assert table.key == ("n_items",)
    assert table.columns_added == ["panel", "row", "bound"]
    assert table.columns_removed == ["dimension", "group"]
    assert [r.key for r in table.added] == [{"n_items": "15"}]
    assert sorted(r.key["n_items"] for r in table.removed) == ["14", "3"]
