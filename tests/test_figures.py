"""One declaration per figure, read by every client (no kernels here; see test_notebook_clients).

The build's `-p` and the notebooks' hand-off cell must refuse the same values with the same
message; `edition` alone must give an edition's spans; text must follow the plotted table;
the library API, the CLI's `params`/`--version`, the index order and the figures' own number,
title, source line and alt text are checked against the report's and the data's values.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from papermill.cli import _resolve_type
from updated_edition import last_price_day, last_results_year

import ccp_analysis
from ccp_analysis import cli, figures, paths
from ccp_analysis.data.sources import fx
from ccp_analysis.errors import CcpError, MissingDataWarning, ParameterError
from ccp_analysis.figures import charts, figure_data, style, texts
from ccp_analysis.pipeline import params, runner
from ccp_analysis.publish import site

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
FIG4, FIG5, FIG1, DEALS = ("fig4_huawei_revenue", "fig5_alibaba_stock", "fig1_huawei_support",
                           "deals_timeline")

# The task's list of bad parameters, as a user types them on either command line.
BAD = [
    (FIG4, "curency", "CNY", "unknown parameter 'curency'"),
    (FIG1, "include_fines", "maybe", "expected bool"),
    (DEALS, "top_companies", "-1", "expected a whole number of 1 or more"),
    (FIG4, "year_end", "twenty", "expected int"),
    (DEALS, "top_companies", "2.5", "expected int"),
    (FIG5, "date_start", "2019-13-45", "expected a date as YYYY-MM-DD"),
    (FIG4, "year_start", "1990", "the range holds no data in the as-published edition"),
    (FIG4, "currency", "EUR", "expected one of USD, CNY"),
    (FIG4, "fx_series", "irs", "expected one of ecb, oecd_imf, fed, pboc"),
    (FIG5, "measure", "volume", "expected one of price, market_value"),
    (FIG4, "fx_series", "fed", "has no rate for [2016]"),
]
EXTRA = {("year_start", "1990"): {"year_end": "1995"}}


def build_refusal(notebook: str, name: str, text: str) -> str:
    overrides = [f"{name}={text}"] + [f"{k}={v}" for k, v in EXTRA.get((name, text), {}).items()]
    with pytest.raises(ParameterError) as exc:
        runner.plan(["as-published"], [notebook], overrides, {}, "")
    return str(exc.value)


def handoff_refusal(notebook: str, name: str, text: str) -> str:
    # What papermill's `-p NAME TEXT` puts in the namespace: its own parsing of the text,
    # after the parameters cell's defaults.
    namespace = {p.name: p.default for p in figures.by_notebook()[notebook].parameters}
    namespace[name] = _resolve_type(text)
    for key, value in EXTRA.get((name, text), {}).items():
        namespace[key] = _resolve_type(value)
    with pytest.raises(ParameterError) as exc:
        figures.start(notebook, namespace)
    return str(exc.value)


@pytest.mark.parametrize("notebook, name, text, part", BAD, ids=lambda v: str(v))
def test_handoff_refuses_what_the_build_refuses_with_the_same_message(notebook, name, text,
                                                                      part):
    from_build = build_refusal(notebook, name, text)
    assert part in from_build
    assert f"notebook {notebook}" in from_build
    assert handoff_refusal(notebook, name, text) == from_build


def test_unknown_name_on_a_one_notebook_build_is_the_notebooks_message():
    message = build_refusal(FIG4, "curency", "CNY")
    assert message == ("notebook fig4_huawei_revenue: unknown parameter 'curency'; accepted: "
                       "edition, year_start, year_end, currency, fx_series")


def test_handoff_ignores_what_is_not_a_parameter():
    # IPython's own names, modules, functions, underscored names: none is a parameter.
    namespace = {"edition": "as-published", "figures": figures, "display": print, "_": 3,
                 "__name__": "__main__"}
    run = figures.start(FIG4, namespace)
    assert run.values["year_end"] == 2021


# The as-published spans are the report's; the updated ones are the last year and day of
# data/raw, whatever imports have brought.
@pytest.mark.parametrize("edition, year_end, date_end",
                         [("as-published", 2021, "2022-12-16"),
                          ("updated", last_results_year(ROOT), last_price_day(ROOT))])
def test_edition_alone_gives_the_editions_spans_in_every_client(edition, year_end, date_end):
    # The hand-off (papermill -p edition E, JupyterLab) ...
    fig4 = {"edition": edition}
    figures.start(FIG4, fig4)
    fig5 = {"edition": edition}
    figures.start(FIG5, fig5)
    assert (fig4["year_start"], fig4["year_end"]) == (2013, year_end)
    assert (fig5["date_start"], fig5["date_end"]) == ("2014-09-19", date_end)
    # ... the build ...
    items = {i.notebook: i.parameters for i in runner.plan([edition], [FIG4, FIG5], [], {}, "")}
    assert items[FIG4]["year_end"] == year_end
    assert items[FIG5]["date_end"] == date_end
    # ... and the edition presets the benchmark reads.
    assert runner.edition_presets(edition) == {FIG4: {"year_end": year_end},
                                               FIG5: {"date_end": date_end}}


def test_range_beyond_the_data_is_clamped_and_the_text_says_the_years_plotted(capsys):
    # The README's example: CNY to 2024, in the as-published edition (data end 2021).
    namespace = {"currency": "CNY", "year_end": 2024}
    run = figures.start(FIG4, namespace)
    note = capsys.readouterr().out
    assert "year_end 2024 is beyond the data" in note and "ends at 2021" in note
    assert namespace["year_end"] == 2021
    table = run.table()
    assert table["year"].tolist() == list(range(2013, 2022))
    text = run.text(table)
    for field in (text.title, text.caption, text.alt_text, text.finding):
        assert "2024" not in field
    assert "2013-2021" in text.title and "2013-2021" in text.caption
    # Huawei's 2021 CNY change, as the report quotes it: 28.6 percent.
    assert "28.6% in 2021" in text.caption


def test_year_before_the_data_prints_no_nan():
    namespace = {"year_start": 2000, "edition": "updated"}
    run = figures.start(FIG4, namespace)
    assert namespace["year_start"] == 2008  # Huawei's first year in the data
    table = run.table()
    assert pd.isna(table.loc[0, "change_pct"])
    text = run.text(table)
    joined = " ".join(vars(text).values())
    assert "nan" not in joined.lower()
    assert texts.pct(table.loc[0, "change_pct"]) == "no change on record (first year of the series)"


FX_WORDS = re.compile(r"ECB|OECD|IMF|Federal Reserve|PBoC|exchange|rate", re.IGNORECASE)


def test_no_exchange_rate_is_named_on_a_cny_chart_and_usd_names_its_series_in_words():
    cny = {"currency": "CNY"}
    run = figures.start(FIG4, cny)
    text = run.text(run.table())
    for field in (text.title, text.caption, text.alt_text, text.source_note):
        assert not FX_WORDS.search(field), field
    assert set(texts.FX_WORDS) == set(fx.SERIES)  # every series has its words
    usd = {"fx_series": "oecd_imf", "year_start": 2017}
    run = figures.start(FIG4, usd)
    text = run.text(run.table())
    assert "OECD/IMF yearly average rates" in text.source_note
    assert "oecd_imf" not in text.source_note and "ecb" not in text.source_note.lower()


def test_fig2_text_follows_the_plotted_years():
    # 2011-2013 holds no tax rate: neither 9.9% (2014) nor 15% (2016) may be mentioned.
    namespace = {"year_start": 2011, "year_end": 2013}
    run = figures.start("fig2_alibaba_support", namespace)
    table = run.table()
    assert sorted(table["year"].unique()) == [2011, 2013]
    text = run.text(table)
    assert "9.9%" not in text.alt_text and "15%" not in text.alt_text
    assert "no stated tax rate" in text.alt_text
    full = figures.start("fig2_alibaba_support", {})
    full_text = full.text(full.table())
    assert "9.9% (2014, Beijing)" in full_text.alt_text


def test_fig2_caption_says_the_measures_are_appendix_bs_and_gives_both_amounts():
    """The chart plots Appendix B's ten rows, of which the report's Figure 2 maps four; its one
    amount is Appendix B's $798.21 million, which Figure 2's box prints as $789.21 million."""
    run = figures.start("fig2_alibaba_support", {})
    text = run.text(run.table())
    assert text.caption.startswith("Appendix B's 10 measures of state support for Alibaba, "
                                   "2011-2016 (Figure 2 maps 4 of them), by place")
    assert ("the stated amount is $798.21 million (B02; Figure 2 prints $789.21 million)"
            in text.finding)
    # Appendix B row 10: "Effective PRC tax rate for Alibaba once again roughly 10%".
    assert ("stated tax rates 9.9% (2014, Beijing), 15% (2016, Shenzhen) and about 10% (2016, "
            "Beijing)") in text.finding
    # Four levels, one of them "provincial and municipal": listed apart, not run together as
    # "provincial and provincial and municipal".
    assert ("coloured by level of government (central; municipal; provincial; provincial and "
            "municipal)") in text.alt_text
    # Before 2013 the one plotted measure (B01, 2011) has no box in Figure 2.
    early = figures.start("fig2_alibaba_support", {"year_start": 2011, "year_end": 2012})
    early_text = early.text(early.table())
    assert early_text.caption.startswith("Appendix B's 1 measure of state support for Alibaba, "
                                         "2011 (none in Figure 2's boxes)")


def test_fig5_text_follows_the_data():
    run = figures.start(FIG5, {})
    text = run.text(run.table())
    # The highest close is 317.14 on 2020-10-27 (not September, as the report's caption says).
    assert "peak 317.14 on 2020-10-27" in text.caption
    early = figures.start(FIG5, {"date_end": "2019-12-31"})
    early_text = early.text(early.table())
    assert "317.14" not in early_text.caption
    assert "to 2019-12-31" in early_text.title
    # The report's caption dates the peak to September 2020; the caption says where it is.
    assert text.caption.endswith(" The report's caption dates the peak to September 2020; the "
                                 "highest close shown is in October 2020.")
    assert "September" not in early_text.caption  # the span holds no September 2020
    # A span whose highest close is in September 2020 agrees with the report: nothing to say.
    september = figures.start(FIG5, {"date_start": "2020-08-01", "date_end": "2020-09-30"})
    september_table = september.table()
    assert september_table.loc[september_table["value"].idxmax(), "date"].month == 9
    assert "report's caption" not in september.text(september_table).caption


def test_fig5_finding_says_how_far_below_the_first_close():
    # As published: 86.79 on 2022-12-16 against 93.89 on 2014-09-19 is -7.6%: more than the
    # whole gain lost, and the finding says by how much.
    text = figures.start(FIG5, {}).text(figures.start(FIG5, {}).table())
    change = (86.79 / 93.89 - 1) * 100
    assert f"{change:+.1f}% on the first value shown" in text.finding
    assert text.finding.endswith(f"had lost the whole gain to the peak and {-change:.1f}% of "
                                 "the first value besides.")
    # A span ending above its first close says nothing of losses.
    early = figures.start(FIG5, {"date_end": "2019-12-31"})
    assert "lost" not in early.text(early.table()).finding


def test_deals_finding_is_computed():
    run = figures.start(DEALS, {})
    text = run.text(figure_data.deals_per_year(
        ccp_analysis.load("malaysia_deals"), year_start=2011, year_end=2020, top_companies=6))
    # Appendix C: one entry in 2011, 18 at the 2019 peak, 5 in 2020 ("single digits").
    assert text.finding.startswith("Entries went from 1 in 2011 to 18 in 2019")
    assert "5 in 2020 (in single digits)" in text.finding
    assert "1 entry in 2011" in text.alt_text
    # C10 (ZTE and Huawei), C51 (Huawei and three other groups), C59 (Tencent and CCB).
    assert "3 entries name several groups" in text.caption
    # Ant Financial, an affiliate (not a subsidiary) of Alibaba, counts with Alibaba too.
    assert "(subsidiaries, affiliates and products with their parent;" in text.caption
    assert "Alibaba" in ccp_analysis.load("malaysia_deals").set_index("entry_id").at[
        "C37", "chinese_groups"]


# ------------------------------------------------------------------ the one declaration

def test_every_notebook_is_declared_and_agrees_with_its_declaration():
    files = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert files == sorted(figures.report_order())
    for name in figures.report_order():
        spec = figures.declarations()[name]
        cell = params.cell_parameters(ROOT / "notebooks" / f"{name}.ipynb")  # papermill's reader
        assert [(p.name, p.type_name, p.default) for p in cell.values()] == \
            [(p.name, p.type_name, p.default) for p in spec.parameters]


def test_a_parameters_cell_that_disagrees_is_refused(tmp_path):
    nb = json.loads((ROOT / "notebooks" / f"{FIG4}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = "".join(cell["source"]).replace('currency: str = "USD"',
                                                     'currency: str = "CNY"')
    path = tmp_path / f"{FIG4}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ParameterError, match="disagrees with the declaration"):
        params.check_cell(path)


def test_each_notebook_hands_its_parameters_over_right_after_them():
    for name in figures.report_order():
        nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0]["metadata"].get("tags", []), name
        assert f'figures.start("{name}", globals())' in "".join(code[1]["source"]), name


def test_readme_parameter_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert figures.parameter_table() in readme
    # As the report's spans: Figure 4 2013-2021 as published; the update to the data's end.
    assert "| `fig4_huawei_revenue` | `year_end` | int |" in readme
    assert f"2021 as-published, {last_results_year(ROOT)} updated" in readme


def test_docs_params_write_makes_the_readme_table(tmp_path, monkeypatch, capsys):
    # A README whose table is stale (as after an import) is rewritten by the command, and
    # only the table moves.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = readme.replace(figures.parameter_table(), figures.parameter_table().replace(
        f"{last_results_year(ROOT)} updated", "1999 updated"))
    assert stale != readme
    (tmp_path / "README.md").write_text(stale, encoding="utf-8")
    monkeypatch.setattr("ccp_analysis.readme.readme_path", lambda: tmp_path / "README.md")
    assert cli.main(["docs", "params", "--write"]) == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == readme
    assert cli.main(["docs", "params", "--write"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("already current")
    assert cli.main(["docs", "params"]) == 0
    assert capsys.readouterr().out.strip() == figures.parameter_table()


def test_figures_in_the_report_order_with_the_reports_titles():
    assert [s.heading() for s in figures.FIGURES[:5]] == [
        "Figure 1: A Snapshot of Huawei's State Support",
        "Figure 2: A Snapshot of Alibaba's State Support during Its Rise",
        "Figure 3: A CCP Inc. Microcosm in Malaysia",
        "Figure 4: Huawei's Annual Revenue",
        "Figure 5: Alibaba's Stock Value",
    ]
    assert figures.by_output()["fig3_deal_network"].label == "Figure 3"
    # The project's own charts carry no report figure number: the deal network drawn in
    # Figure 3's notebook, and the deals timeline (the report has five figures).
    assert figures.by_output()["fig3_deal_network"].heading("fig3_deal_network") == \
        "Project chart from Appendix C: Who Dealt with Whom in Malaysia"
    assert figures.by_output()["fig3_ai_park"].heading("fig3_ai_park") == \
        "Figure 3: A CCP Inc. Microcosm in Malaysia"
    assert figures.by_notebook()["deals_timeline"].heading() == \
        "Project chart from Appendix C: Timeline Entries per Year"
    numbered = [spec.label for spec in figures.FIGURES if spec.label.startswith("Figure")]
    assert numbered == [f"Figure {i}" for i in range(1, 6)]
    # A heading is fixed text: it may not state a span, which parameters can change.
    for spec in figures.FIGURES:
        assert not re.search(r"\b(19|20)\d\d\b", spec.title), spec.title


def test_stray_notebook_is_ignored_with_a_note(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    for name in figures.report_order():
        (tmp_path / "notebooks" / f"{name}.ipynb").symlink_to(
            ROOT / "notebooks" / f"{name}.ipynb")
    (tmp_path / "notebooks" / f"{FIG4}.nbconvert.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))
    notes: list[str] = []
    found = runner.discover([], note=notes.append)
    assert list(found) == figures.report_order()
    assert notes == [f"note: notebooks/{FIG4}.nbconvert.ipynb is not a declared report "
                     "notebook (ccp_analysis.figures); ignored"]
    (tmp_path / "notebooks" / f"{FIG5}.ipynb").unlink()
    with pytest.raises(CcpError, match=f"notebooks/{FIG5}.ipynb is missing"):
        runner.discover([], note=notes.append)


# ------------------------------------------------------------------ the library API and CLI

def test_load_returns_one_row_per_key():
    revenue = ccp_analysis.load("huawei_revenue", edition="updated")
    assert revenue["year"].is_unique
    assert set(revenue["fx_series"]) == {"ecb"}
    # Huawei's 2021 revenue, CNY 636,807 million (annual report), once.
    assert revenue.loc[revenue["year"] == 2021, "revenue_cny_mn"].tolist() == [636807]
    stacked = ccp_analysis.load("huawei_revenue", edition="updated", fx_series=None)
    assert len(stacked) == 4 * len(revenue)
    assert ccp_analysis.load("huawei_revenue")["year"].max() == 2021  # as published
    with pytest.warns(MissingDataWarning, match="rate for 2008, 2009, 2010, 2011, 2016, so"):
        fed = ccp_analysis.load("fx_rates", fx_series="fed")  # a series lacking years
    assert set(fed["fx_series"]) == {"fed"} and fed["year"].is_unique
    stock = ccp_analysis.load("alibaba_stock")
    assert stock["date"].max() == pd.Timestamp("2022-12-16")
    with pytest.raises(ParameterError, match="frame 'revenue' is not known"):
        ccp_analysis.load("revenue")
    with pytest.raises(ParameterError, match="'irs' is not known"):
        ccp_analysis.load("huawei_revenue", fx_series="irs")


def test_frames_lists_every_frame_with_its_description():
    listing = ccp_analysis.frames()
    assert "huawei_revenue" in set(listing["name"])
    row = listing.set_index("name").loc["huawei_revenue"]
    assert row["key"] == "year" and "revenue" in row["description"].lower()
    assert listing["description"].str.len().min() > 10


def test_build_version_is_refused_naming_label_and_top_level_version_is_the_package(capsys):
    """One option name, one meaning: `--version` is the package version; the build's version
    label is `--label`, and the old spelling is refused with the new name, before any run."""
    assert cli.main(["build", "--version", "fig4-cny", "--only", "fig9"]) == 2
    err = capsys.readouterr().err
    assert "build --version is no longer an option: name the version with --label fig4-cny" in err
    assert cli.main(["build", "--version"]) == 2
    assert "with --label LABEL" in capsys.readouterr().err
    build_help = next(a for a in cli.parser()._subparsers._group_actions[0].choices["build"]
                      ._actions if "--label" in a.option_strings)
    assert build_help.metavar == "LABEL"
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--label LABEL" in out and "--version" not in out


def test_cli_version_and_params(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"ccp-analysis {ccp_analysis.__version__}"
    assert cli.main(["params", "notebooks/fig4_huawei_revenue.ipynb"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Figure 4: Huawei's Annual Revenue")
    assert "reads: huawei_revenue; outputs: fig4_huawei_revenue" in out
    assert (f"year_end: int = 0 = end of the data (2021 as-published, "
            f"{last_results_year(ROOT)} updated)") in out
    assert "accepts one of ecb, oecd_imf, fed, pboc" in out
    assert cli.main(["params", "fig9"]) == 2


# ------------------------------------------------------------------ publication

def test_index_follows_the_report_order_with_its_titles(tmp_path):
    (tmp_path / "figures").mkdir()
    for name in ("deals_timeline", "fig4_huawei_revenue", "fig1_huawei_support",
                 "fig3_ai_park", "fig3_deal_network"):
        (tmp_path / "figures" / f"{name}.json").write_text(json.dumps(
            {"name": name, "caption": "c", "alt_text": "a", "source_note": "s"}),
            encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"edition": "as-published", "version": "v", "package": {"version": "0"},
         "parameters": {}}), encoding="utf-8")
    page = site.version_readme(tmp_path)
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## Figure 1: A Snapshot of Huawei's State Support",
                        "## Figure 3: A CCP Inc. Microcosm in Malaysia",
                        "## Figure 4: Huawei's Annual Revenue",
                        "## Project chart from Appendix C: Timeline Entries per Year",
                        "## Parameters"]
    # Figure 3's notebook draws the report's figure and a project chart, each under its own name.
    assert [line for line in page.splitlines() if line.startswith("### ")] == [
        "### fig3_ai_park",
        "### Project chart from Appendix C: Who Dealt with Whom in Malaysia (fig3_deal_network)"]


def _revenue_figure():
    run = figures.start(FIG4, {})
    table = run.table()
    fig = charts.revenue_bars(table, title="t", ylabel="USD billion", highlight_year=2021,
                              highlight_text="-23.6% in 2021")
    return fig, table


def test_export_numbers_titles_sources_and_shows_with_alt_text(monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda data, **kw: shown.append((data, kw)))
    monkeypatch.setenv(paths.OUTPUT_ENV, str(tmp_path))
    # The PNG alone: that a build writes the SVG and PDF beside it is test_build's
    # (FIG4_FILES), through a real kernel.
    monkeypatch.setattr(style, "FORMATS", ("png",))
    fig, table = _revenue_figure()
    style.export_table(table, FIG4)  # as the notebook does, before the figure
    style.export(fig, FIG4, caption="cap", alt_text="Bar chart <of> revenue",
                 source_note="Source: Huawei annual reports")
    texts_in_image = [t.get_text() for t in fig.texts] + [fig.get_suptitle()]
    assert "Figure 4: Huawei's Annual Revenue" in texts_in_image
    assert "Source: Huawei annual reports" in texts_in_image
    (data, kw), = shown
    assert kw["metadata"] == {"image/png": {"alt": "Bar chart <of> revenue"}}
    assert data["text/plain"] == "Bar chart <of> revenue"
    assert data["text/html"].startswith('<img alt="Bar chart &lt;of&gt; revenue" ')
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "figures" / f"{FIG4}.png").is_file()
    # Its interactive twin, drawn from the exported table: the 2021 bar with its CNY source.
    spec = json.loads((tmp_path / "figures" / f"{FIG4}.vl.json").read_text(encoding="utf-8"))
    bar = next(row for row in spec["data"]["values"] if row["year"] == 2021)
    assert (bar["revenue_bn"], bar["revenue_cny_bn"], bar["cny_per_usd"]) == (
        98.744, 636.807, 6.4491)
    assert bar["value"] == "98.7 USD bn" and bar["source"].startswith("Huawei annual report")
    assert spec["description"] == "Bar chart <of> revenue"
    # Closed, so an inline backend does not draw it a second time.
    assert not matplotlib.pyplot.fignum_exists(fig.number)


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_fig4_drop_label_is_clear_of_every_bar_and_hidden_gridline():
    fig, _ = _revenue_figure()
    fig.draw_without_rendering()  # laid out and measured, no pixel painted
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    label = next(t for t in ax.texts if t.get_text() == "-23.6% in 2021")
    box = matplotlib.text.Text.get_window_extent(label, renderer)  # the words, not the arrow
    assert not any(_overlaps(box, bar.get_window_extent(renderer)) for bar in ax.patches)
    assert not any(_overlaps(box, t.get_window_extent(renderer)) for t in ax.texts
                   if t is not label)
    # Drawn on white above the gridlines: a gridline behind it does not show through.
    assert label.get_bbox_patch().get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert label.get_zorder() > max(line.get_zorder() for line in ax.get_ygridlines())


def test_fig3_arcs_stay_clear_of_the_labels_and_the_chart_has_a_legend():
    nodes, links = figure_data.network_layout(ccp_analysis.load("malaysia_deal_edges"),
                                              ccp_analysis.load("malaysia_deal_parties"),
                                              year_start=2011, year_end=2020, min_degree=1)
    fig = charts.deal_network(nodes, links, title="t")
    fig.draw_without_rendering()  # laid out and measured, no pixel painted
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    left_labels = [t.get_window_extent(renderer) for t in ax.texts
                   if t.get_horizontalalignment() == "right"]
    arcs = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation)]
    assert len(arcs) == int((links["ends"] == "co-party").sum()) > 0
    for arc in arcs:
        path = arc.arrow_patch.get_path()  # display coordinates
        column_x = ax.transData.transform((0, 0))[0]
        assert path.vertices[:, 0].min() >= column_x - 2  # never bends back over the labels
        assert not any(_overlaps(arc.arrow_patch.get_window_extent(renderer), label)
                       for label in left_labels)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "Chinese company", "Chinese subsidiary or affiliate", "Chinese product",
        "counterpart: company", "counterpart: government body", "contract", "agreement",
        "joint venture", "cooperation", "MOU", "letter of intent", "award (not a deal)",
        "visit (not a deal)", "intra-group (not a deal)"]


def test_fig2_colours_mean_one_level_in_both_panels():
    table = figure_data.alibaba_support_table(ccp_analysis.load("alibaba_state_support"),
                                              year_start=2011, year_end=2016)
    fig = charts.alibaba_support(table, title="t", standard_rate=25)
    left, right = fig.axes[:2]
    # seaborn's legend: a marker per level, coloured as its dots.
    legend = {t.get_text(): matplotlib.colors.to_rgb(h.get_markerfacecolor())
              for t, h in zip(left.get_legend().get_texts(), left.get_legend().legend_handles,
                              strict=True)}
    dots = left.collections[0]
    for colour, level in zip(dots.get_facecolors(), table["government_level"], strict=True):
        assert tuple(round(c, 6) for c in colour[:3]) == \
            tuple(round(c, 6) for c in legend[level]), level
    rates = table[table["tax_rate_pct"].notna()]
    assert len(right.patches) == len(rates) == 3
    for bar, level in zip(right.patches, rates["government_level"], strict=True):
        assert tuple(round(c, 6) for c in bar.get_facecolor()[:3]) == \
            tuple(round(c, 6) for c in legend[level]), level
    # 9.9% in 2014 and about 10% in 2016 are central measures (State Administration of Taxation).
    assert list(rates["government_level"]) == ["central", "municipal", "central"]


def test_source_line_clears_legends_placed_below_the_chart():
    # Drawn in the project style (its constrained layout places the outside legend), as
    # every notebook draws after the hand-off; rc_context restores the defaults after.
    with matplotlib.rc_context(fname=str(style.STYLE)):
        _source_line_clears_legends()


def _source_line_clears_legends() -> None:
    fig, ax = matplotlib.pyplot.subplots(figsize=(8, 4.5))
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set_xlabel("x label")
    fig.legend(loc="outside lower center", title="Legend below")
    style.frame(fig, FIG4, "Source: a source line long enough to matter " * 3)
    fig.draw_without_rendering()  # laid out and measured, no pixel painted
    source = next(t for t in fig.texts if t.get_text().startswith("Source:"))
    box = source.get_window_extent()
    legend = fig.legends[0].get_window_extent()
    assert not _overlaps(box, legend)
    assert not _overlaps(box, ax.get_tightbbox())
    assert not _overlaps(legend, ax.get_tightbbox())  # nor the legend over the x label
    assert box.y1 < legend.y0
    matplotlib.pyplot.close(fig)


def test_handoff_in_an_ipython_shell_reads_the_cells_run_before_it():
    """JupyterLab and papermill run cells in an IPython shell: the names the parameters and
    injected cells set are checked; names later cells set are not parameters, so re-running
    the hand-off after the rest of the notebook works."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        source = json.loads((ROOT / "notebooks" / f"{FIG4}.ipynb").read_text(encoding="utf-8"))
        cells = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
        parameters, handoff = cells[0], cells[1]

        def run(code: str):
            return shell.run_cell(code, store_history=True)

        run(parameters)
        run('# Parameters\ncurency = "CNY"\n')  # what papermill injects for -p curency CNY
        result = run(handoff)
        assert isinstance(result.error_in_exec, ParameterError)
        assert str(result.error_in_exec) == build_refusal(FIG4, "curency", "CNY")

        run(parameters)
        run('# Parameters\nedition = "updated"\n')
        assert run(handoff).success
        assert shell.user_ns["year_end"] == last_results_year(ROOT)  # the update's last year
        run('unit = "USD billion"\nlabel = "x"')  # a later cell's names
        run("text = unit.upper()")
        assert run(handoff).success, "re-running the hand-off after later cells"
        assert shell.user_ns["year_end"] == last_results_year(ROOT)
    finally:
        InteractiveShell.clear_instance()


def test_deals_chart_colours_mean_one_thing():
    table = figure_data.deals_per_year(ccp_analysis.load("malaysia_deals"), year_start=2011,
                                       year_end=2020, top_companies=6)
    fig = charts.deals_stacked(table, title="t", highlight_year=2020,
                               highlight_text="2020: 5 entries")
    ax = fig.axes[0]
    highlight = next(t for t in ax.texts if t.get_text() == "2020: 5 entries").get_color()
    legend = ax.get_legend()
    colours = [tuple(h.get_facecolor()) for h in legend.legend_handles]
    # Huawei, Alibaba, ZTE and Tencent (the groups with two entries or more), "Other" and
    # "Several groups".
    assert [t.get_text() for t in legend.get_texts()] == [
        "Huawei", "Alibaba", "ZTE", "Tencent", "Other", "Several groups"]
    assert len(set(colours)) == len(colours) == 6
    assert matplotlib.colors.to_rgba(highlight) not in colours
    matplotlib.pyplot.close(fig)


# ------------------------------------------------------------------ Figure 4's caption

def _fig4_text(**values):
    run = figures.start(FIG4, values)
    table = run.table()
    return table, run.text(table)


def test_fig4_caption_names_the_reports_rates_and_the_series_used():
    _, text = _fig4_text()
    # The report's note, verbatim (Figure 4): the project holds no IRS rates.
    assert '"yearly average exchange rates, as listed by the IRS and OECD"' in text.caption
    assert "holds no IRS rates" in text.caption
    assert "fx_series=oecd_imf" in text.caption
    assert "ECB" in text.caption
    _, oecd = _fig4_text(fx_series="oecd_imf")
    assert "these bars use the OECD/IMF yearly averages" in oecd.caption
    _, cny = _fig4_text(currency="CNY")
    assert "IRS" not in cny.caption  # nothing converted, no rates to name


def test_fig4_fall_wording_follows_the_plotted_years():
    # As published (2013-2021, ECB rates) 2021 is the only year revenue fell: 129.2 -> 98.7
    # USD bn, not "the largest fall".
    table, text = _fig4_text()
    assert list(table.loc[table["change_pct"] < 0, "year"]) == [2021]
    assert "the only year-on-year fall in USD in 2013-2021 is 23.6% in 2021." in text.caption
    assert "largest" not in text.caption + text.finding
    # Updated (to 2024): 2022 fell too in USD (98.7 -> 95.4), so 2021 is the largest of two;
    # but in CNY 2022 rose (636,807 -> 642,338 mn, +0.87%): the yuan fell, not the revenue.
    table, text = _fig4_text(edition="updated")
    assert list(table.loc[table["change_pct"] < 0, "year"]) == [2021, 2022]
    assert ("the largest of 2 year-on-year falls in USD in 2013-2024 is 23.6% in 2021; 2022's "
            "fall is the exchange rate's alone: in CNY, Huawei's reporting currency, revenue "
            "rose 0.9%.") in text.caption
    assert round((642338 / 636807 - 1) * 100, 1) == 0.9
    # In CNY the bars show what Huawei reported: 2021 is the one fall, and nothing is "in USD".
    table, text = _fig4_text(edition="updated", currency="CNY")
    assert "the only year-on-year fall in 2013-2024 is 28.6% in 2021." in text.caption
    assert "USD" not in text.caption
    # A span without a fall says so.
    table, text = _fig4_text(year_start=2014, year_end=2020)
    assert "revenue did not fall in any year of 2014-2020 in USD" in text.caption


def test_fig2_labels_a_rate_the_report_gives_roughly_as_approximate():
    # Appendix B row 10: "Effective PRC tax rate for Alibaba once again roughly 10%"; row 5
    # states 9.9% exactly and row 9 15%: only row 10's bar may say "about".
    table = figure_data.alibaba_support_table(
        ccp_analysis.load("alibaba_state_support"), year_start=2011, year_end=2016)
    rates = table.set_index("item_id")["tax_rate_approximate"]
    assert rates["B10"] and not rates["B05"] and not rates["B09"]
    fig = charts.alibaba_support(table, title="t", standard_rate=25)
    labels = {t.get_text() for t in fig.axes[1].texts}
    assert {"9.9%", "15%", "about 10%"} <= labels and "10%" not in labels
