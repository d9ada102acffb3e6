"""An extension of every source, imported into a project copy, then built: the data-derived
checks pass without editing a test, the as-published edition keeps the bytes it was published
with and the updated one gets a new version whose Figures 4 and 5 name the imported files'
sources.

The extensions are real rows: the copy is cut back first (as if the newest rows had not been
downloaded yet) and the rows come back in the formats a user downloads.
"""

from __future__ import annotations

import json

import pytest
from conftest import PROJECT_ROOT, copy_project, point_at
from test_imports import ECB_ZIP, WDI, cut_back, raw_text, rows, yahoo
from updated_edition import check_log, check_prices, check_results

from ccp_analysis import cli, figures
from ccp_analysis.data import frame_builders
from ccp_analysis.pipeline import runner

FIG4 = "fig4_huawei_revenue"
FIG5 = "fig5_alibaba_stock"
SOURCE = "Yahoo Finance BABA history (test download of 2026-03-26)"


def _import(*args: str) -> None:
    assert cli.main(["data", "import", *args]) == 0, args


@pytest.mark.slow
def test_extension_of_every_source_builds_a_new_updated_version_only(tmp_path, monkeypatch):
    # With the committed versions, as a user's clone has them (none was made from these data:
    # nothing is seeded), and so with the vendored chart runtime, which no build bundles again.
    root = copy_project(tmp_path / "project", reports=True)
    point_at(monkeypatch, root)
    prices = rows(raw_text(root, "market/baba_daily.csv"))
    cut_back(root, "market/baba_daily.csv", 10)
    huawei_2024 = cut_back(root, "market/huawei_financials.csv", 1)
    cut_back(root, "market/cny_per_usd_annual.csv", 1)  # 2025
    shares_last = cut_back(root, "market/alibaba_shares_outstanding.csv", 1)
    frame_builders.build()

    download = tmp_path / "BABA.csv"
    download.write_text(yahoo(prices[-12:]))
    _import("prices", str(download), "--source", SOURCE, "--accessed", "2026-03-26")
    results = tmp_path / "huawei.csv"
    header = raw_text(root, "market/huawei_financials.csv").splitlines(keepends=True)[0]
    results.write_text(header + huawei_2024[0])
    _import("huawei", str(results), "--source", "Huawei 2024 annual report")
    _import("fx-ecb", str(ECB_ZIP), "--source", "ECB euro reference rates")
    _import("fx-worldbank", str(WDI), "--source", "World Bank WDI PA.NUS.FCRF",
            "--status", "one source: WDI PA.NUS.FCRF, stored vintage 2026-07-13")
    counts = tmp_path / "shares.csv"
    header = raw_text(root, "market/alibaba_shares_outstanding.csv").splitlines(True)[0]
    counts.write_text(header + shares_last[0])
    _import("shares", str(counts), "--source", "marketcap.company")
    notes = tmp_path / "SOURCES.md"
    notes.write_text(raw_text(root, "market/SOURCES.md") + "\nImported in a test.\n")
    _import("sources", str(notes), "--source", "test", "--revise", "a note")

    # The data-derived checks hold on the copy as on the checkout.
    check_log(root)
    frames = frame_builders.build_frames()
    check_prices(root, frames["alibaba_stock"])
    check_results(root, frames["huawei_revenue"])
    frame_builders.build()
    # Figure 4 names the source of the year it was given, beside Huawei's annual reports.
    run = figures.start(FIG4, {"edition": "updated"})
    assert run.text(run.table()).source_note.startswith(
        "Source: Huawei annual reports; 2024: Huawei 2024 annual report (revenue in CNY)")
    # The ECB file and the World Bank file rebuilt the cut 2025 row exactly as held.
    assert raw_text(root, "market/cny_per_usd_annual.csv") == raw_text(
        PROJECT_ROOT, "market/cny_per_usd_annual.csv")

    # The notebooks the imported data feed, Figure 5 (prices, shares) and Figure 4 (results,
    # rates), in both editions, in one build (--only: published only on request).
    lines = runner.build(editions=["as-published", "updated"], only=[FIG4, FIG5], overrides=[],
                         jobs=2, label=None, progress=lambda _: None, publish=True)
    built = dict(line.split(": built reports/") for line in lines)
    assert set(built) == {"as-published", "updated"}, lines
    # As-published: the bytes it was published with (the committed latest version, made from
    # the data before any of this), every figure, table and executed notebook; the data
    # imported lie after its cut.
    published = json.loads((root / "reports" / "LATEST.json").read_text())
    committed = json.loads((root / "reports" / published["as-published"] / "manifest.json")
                           .read_text())["outputs"]
    outputs = json.loads((root / "reports" / built["as-published"] / "manifest.json")
                         .read_text())["outputs"]
    assert len(outputs) == 14  # 7 files of each notebook
    assert outputs == {rel: committed[rel] for rel in outputs}
    # Updated: a new version, whose figures name the imported sources.
    figures_dir = root / "reports" / built["updated"] / "figures"
    assert built["updated"] not in published.values()
    fig5 = json.loads((figures_dir / f"{FIG5}.json").read_text())
    assert SOURCE in fig5["source_note"]
    assert "to 2026-03-25" in fig5["caption"]
    fig4 = json.loads((figures_dir / f"{FIG4}.json").read_text())
    assert "2024: Huawei 2024 annual report" in fig4["source_note"]
    assert "2013-2024" in fig4["caption"]
