"""Which library draws what (docs/drawing.md): seaborn draws the statistical layers of every
figure on the tables the figures plot, the theme is set once through seaborn from ccp.mplstyle,
and the figures drawn that way are the same bytes in two processes.

Each chart function is called as its notebook calls it while seaborn's plotting functions are
wrapped to record what they were given and which artists they added: every bar, line and dot
of those layers must be one seaborn drew, from rows carrying the report's and the sources'
values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import seaborn

import ccp_analysis
from ccp_analysis import figures, paths
from ccp_analysis.figures import charts, figure_data, style
from ccp_analysis.figures.palette import PALETTE

matplotlib.use("Agg")
ROOT = paths.package_dir().parents[1]
SEABORN_FUNCTIONS = ("barplot", "lineplot", "scatterplot", "histplot")


@dataclass
class Call:
    function: str
    data: pd.DataFrame
    kwargs: dict
    added: list  # the artists the call put on its axes


def _recording(name: str, draw, calls: list[Call]):
    """`draw` (a seaborn function), recording each call and the artists it added."""
    def wrapper(*args, **kwargs):
        ax = kwargs.get("ax") or plt.gca()
        before = ax.get_children()
        result = draw(*args, **kwargs)
        added = [a for a in ax.get_children() if not any(a is b for b in before)]
        calls.append(Call(name, kwargs["data"].copy(), kwargs, added))
        return result
    return wrapper


@pytest.fixture
def drawn(monkeypatch) -> list[Call]:
    """seaborn's plotting functions, each wrapped to record its calls (and still draw)."""
    calls: list[Call] = []
    for name in SEABORN_FUNCTIONS:
        monkeypatch.setattr(seaborn, name, _recording(name, getattr(seaborn, name), calls))
    return calls


def _by_seaborn(artists, calls: list[Call]) -> bool:
    made = [a for call in calls for a in call.added]
    return bool(artists) and all(any(a is m for m in made) for a in artists)


def _bars(ax) -> list:
    return [p for p in ax.patches if p.get_width() > 0 and p.get_height() > 0]


def _rgb(colour) -> tuple[float, ...]:
    return tuple(round(c, 6) for c in matplotlib.colors.to_rgb(colour))


def test_figure_1_bars_are_seaborns(drawn):
    table = figures.start("fig1_huawei_support", {}).table()
    fig = charts.support_bars(table, title="t", bound_labels=figure_data.bound_labels())
    assert [c.function for c in drawn] == ["barplot"] * 3
    measures, totals, estimates = (c.data for c in drawn)
    # As published (1997-2020): the conservative total $23.8 billion, the upper $59.1 billion
    # (README, Figure 1); the text's estimates $25 billion of tax saved and $75 billion.
    assert totals.set_index("bound")["usd_bn"].round(1).to_dict() == {
        "conservative": 23.8, "upper": 59.1}
    assert sorted(estimates["usd_bn"]) == [25.0, 75.0]
    assert set(measures["panel"]) == {"measure"}
    for ax in fig.axes:
        assert _by_seaborn(_bars(ax), drawn)
    plt.close(fig)


def test_figure_2_dots_and_rate_bars_are_seaborns(drawn):
    table = figures.start("fig2_alibaba_support", {}).table()
    fig = charts.alibaba_support(table, title="t", standard_rate=25)
    assert [c.function for c in drawn] == ["scatterplot", "barplot"]
    dots, rates = drawn
    assert dots.kwargs["hue"] == "government_level" and len(dots.data) == len(table)
    # Appendix B: 9.9% (2014, Beijing), 15% (2016, Shenzhen), roughly 10% (2016, Beijing).
    assert list(zip(rates.data["label"], rates.data["tax_rate_pct"], strict=True)) == [
        ("2014 Beijing", 9.9), ("2016 Shenzhen", 15.0), ("2016 Beijing", 10.0)]
    left, right = fig.axes[:2]
    assert _by_seaborn(left.collections, drawn)
    assert _by_seaborn(_bars(right), drawn) and len(_bars(right)) == 3
    # The standard rate is matplotlib's reference line, not a data layer.
    assert not _by_seaborn(right.lines, drawn)
    plt.close(fig)


def test_figure_4_bars_are_seaborns(drawn):
    table = figures.start("fig4_huawei_revenue", {}).table()
    fig = charts.revenue_bars(table, title="t", ylabel="USD billion", highlight_year=2021,
                              highlight_text="-23.6% in 2021")
    (call,) = drawn
    assert call.function == "barplot"
    ax = fig.axes[0]
    bars = _bars(ax)
    assert _by_seaborn(bars, drawn) and len(bars) == len(table)
    # 2021: 98.7 USD bn at the ECB's yearly average (README, "Tracing a number"), the one bar
    # in the highlight colour, standing last.
    heights = {round(b.get_x() + b.get_width() / 2): b.get_height() for b in bars}
    assert round(heights[len(table) - 1], 1) == 98.7
    colours = [_rgb(b.get_facecolor()) for b in sorted(bars, key=lambda b: b.get_x())]
    assert colours == [_rgb(PALETTE[0])] * (len(table) - 1) + [_rgb(PALETTE[3])]
    # The annotations stay matplotlib's: the value over each bar and the arrow.
    assert not _by_seaborn(ax.texts, drawn)
    plt.close(fig)


def test_figure_5_line_and_points_are_seaborns(drawn):
    table = figures.start("fig5_alibaba_stock", {}).table()
    marks = figure_data.stock_marks(table)
    fig = charts.stock_line(table, title="t", ylabel="y", marks=marks)
    assert [c.function for c in drawn] == ["lineplot", "scatterplot"]
    line, points = drawn
    # Every day as it is: no estimator, no interval (nothing drawn at random).
    assert line.kwargs["estimator"] is None and line.kwargs["errorbar"] is None
    ax = fig.axes[0]
    (drawn_line,) = ax.lines
    assert _by_seaborn([drawn_line], drawn) and len(drawn_line.get_xdata()) == len(table)
    assert _by_seaborn(ax.collections, drawn)
    # The marked days: the first close, the peak and the low after it.
    assert [(f"{d:%Y-%m-%d}", v) for d, v in zip(points.data["date"], points.data["value"],
                                                strict=True)] == [
        ("2014-09-19", 93.89), ("2020-10-27", 317.14), ("2022-10-24", 63.15)]
    plt.close(fig)


def test_ai_park_nodes_are_seaborns_and_the_network_stays_matplotlibs(drawn):
    park = ccp_analysis.load("ai_park_network")
    kinds = dict(zip(park["source"], park["source_kind"], strict=True))
    kinds.update(dict(zip(park["target"], park["target_kind"], strict=True)))
    fig = charts.ai_park(park, figure_data.AI_PARK_POSITIONS, kinds, title="t")
    (call,) = drawn
    assert call.function == "scatterplot"
    assert dict(zip(call.data["node"], zip(call.data["x"], call.data["y"], strict=True),
                    strict=True)) == figure_data.AI_PARK_POSITIONS
    ax = fig.axes[0]
    assert _by_seaborn(ax.collections, drawn)
    assert not _by_seaborn(ax.lines, drawn)  # the edges: matplotlib's
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(
        dict.fromkeys(kinds[n] for n in figure_data.AI_PARK_POSITIONS))
    plt.close(fig)


def test_deals_timeline_bars_are_seaborns(drawn):
    table = figure_data.deals_per_year(ccp_analysis.load("malaysia_deals"), year_start=2011,
                                       year_end=2020, top_companies=6)
    fig = charts.deals_stacked(table, title="t", highlight_year=2020,
                               highlight_text="2020: 5 entries")
    (call,) = drawn
    assert call.function == "histplot" and call.kwargs["weights"] == "entries"
    # Appendix C: 18 entries in 2019, 5 in 2020.
    per_year = call.data.groupby("year")["entries"].sum()
    assert (per_year[2019], per_year[2020]) == (18, 5)
    assert _by_seaborn(_bars(fig.axes[0]), drawn)
    plt.close(fig)


# ------------------------------------------------------------------------------ the theme

def test_the_theme_is_set_once_through_seaborn_from_the_project_style(monkeypatch):
    themes, styles = [], []

    def set_theme(*args, _set=seaborn.set_theme, **kwargs):
        themes.append(kwargs)
        _set(*args, **kwargs)

    monkeypatch.setattr(seaborn, "set_theme", set_theme)
    monkeypatch.setattr(matplotlib.style, "use", lambda *a, **k: styles.append(a))
    with matplotlib.rc_context():
        # What an earlier cell may have left: undone by the hand-off's theme.
        matplotlib.rcParams["lines.linewidth"] = 9.5
        matplotlib.rcParams["axes.titlelocation"] = "center"
        figures.start("fig4_huawei_revenue", {})
        assert len(themes) == 1 and styles == []
        assert themes[0]["rc"] == style.rc()
        # Values of ccp.mplstyle in effect, the rest matplotlib's defaults.
        rc = matplotlib.rcParams
        assert rc["axes.titlelocation"] == "left"
        assert rc["svg.hashsalt"] == "ccp-analysis"
        assert rc["svg.fonttype"] == "none" and rc["savefig.dpi"] == 300
        assert rc["axes.spines.top"] is False and rc["axes.grid.axis"] == "y"
        assert rc["lines.linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"] != 9.5
        assert all(rc[key] == value for key, value in style.rc().items())
        # seaborn's default palette is the project's Okabe-Ito cycle.
        assert [_rgb(c) for c in seaborn.color_palette()] == [_rgb(c) for c in PALETTE]
        assert [_rgb(c) for c in rc["axes.prop_cycle"].by_key()["color"]] == \
            [_rgb(c) for c in PALETTE]


# Calls that set matplotlib's settings; only style.py may make them.
SETS_RC = re.compile(r"rcParams\b|rcdefaults\(|rc_context\(|\b(?:plt|mpl|matplotlib)\.rc\(|"
                     r"\b(?:plt|mpl|matplotlib)\.style\.use\(|\bset_(?:theme|style|context|"
                     r"palette)\(|\bsns\.set\(")


def test_nothing_but_style_py_sets_the_theme():
    package = paths.package_dir()
    setters = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if SETS_RC.search(p.read_text(encoding="utf-8")))
    assert setters == ["figures/style.py"]
    # Every notebook takes its theme from the hand-off (figures.start) and sets none itself.
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert not SETS_RC.search(code), notebook.name
        assert "style.use(" not in code, notebook.name


# ------------------------------------------------------------------------- determinism


# Byte-determinism of the drawn figures is not tested here: the gate through nbval (make test's
# check 3) redraws every figure of both editions in a fresh kernel, with the determinism
# environment every kernel gets (PYTHONHASHSEED among it), and compares each PNG, SVG and PDF
# with the bytes the build's forked kernels wrote.
