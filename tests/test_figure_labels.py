"""Labels never collide with data, ticks or each other, for the extremes of every parameter.

Figures 2, 4 and 5 are drawn as their notebooks draw them (the declared table for the
parameters, the chart function, then `style.finish`: number, title, source line, the final
layout and the label placement made against it) for the ends of their declared ranges in both
editions: the whole span, its first and last year or day alone, the first and last two, ranges
that start or end on Figure 5's peak, both currencies and every exchange-rate series, both
measures. Every label's box, as the renderer measures it, must stay clear of the other labels,
of every tick label and axis label, of the bars, dots and the line's points (the line sampled
every pixel along each segment), and inside its axes. SVG keeps its text as text.

Every parameter set is a test of its own, but a figure is drawn once per test process: sets
that hand the chart the very same table (a span both editions hold alike) draw the very same
figure, so a later one takes the outcome of the first (a failure too, naming the set that drew
it). The checks read only the boxes the renderer measures, and the charts and `style.finish`
measure their layout without painting pixels (`Figure.draw_without_rendering`): every artist's
state and box is what a full drawing gives, which
`test_layout_draws_without_pixels_measure_every_box_as_a_full_drawing` proves for each chart.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

import ccp_analysis
from ccp_analysis import figures
from ccp_analysis.errors import MissingDataWarning, ParameterError
from ccp_analysis.figures import charts, figure_data, style

matplotlib.use("Agg")
EDITIONS = ("as-published", "updated")


def _overlap(a: Bbox, b: Bbox, slack: float = 0.5) -> bool:
    """Boxes that share more than `slack` pixels each way (a label standing on its bar's top
    edge touches it, which is not a collision)."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack
            and min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def _words(text: Text, renderer) -> Bbox:
    """The box of a label's words (and its white box, if it has one), not its arrow."""
    box = Text.get_window_extent(text, renderer)
    patch = text.get_bbox_patch()
    if patch is not None:
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    return box


def _ticks(fig) -> list[tuple[str, Bbox]]:
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        for tick in ax.get_xticklabels() + ax.get_yticklabels():
            if tick.get_visible() and tick.get_text():
                found.append((f"tick {tick.get_text()!r}", tick.get_window_extent(renderer)))
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            if label.get_text():
                found.append((f"axis text {label.get_text()!r}",
                              label.get_window_extent(renderer)))
    return found


def check(fig, labels: list[Text], data: list[tuple[str, Bbox]],
          line: np.ndarray | None = None) -> None:
    """Every label clear of the others, the ticks, the data boxes and the line's pixels, and
    inside its axes."""
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), _words(t, renderer), t.axes) for t in labels]
    ticks = _ticks(fig)
    for i, (text, box, ax) in enumerate(boxes):
        area = ax.get_window_extent(renderer)
        assert area.x0 - 0.5 <= box.x0 and box.x1 <= area.x1 + 0.5, (text, "outside its axes")
        assert area.y0 - 0.5 <= box.y0 and box.y1 <= area.y1 + 0.5, (text, "outside its axes")
        for other, other_box, _ in boxes[i + 1:]:
            assert not _overlap(box, other_box), (text, "collides with label", other)
        for what, tick in ticks:
            assert not _overlap(box, tick), (text, "collides with", what)
        for what, shape in data:
            assert not _overlap(box, shape), (text, "collides with", what)
        if line is not None:
            inside = ((line[:, 0] > box.x0) & (line[:, 0] < box.x1)
                      & (line[:, 1] > box.y0) & (line[:, 1] < box.y1))
            assert not inside.any(), (text, "lies on the line at", line[inside][0])
    # Tick labels of one axis clear of each other.
    for ax in fig.axes:
        for ticks_of_axis in (ax.get_xticklabels(), ax.get_yticklabels()):
            shown = [t.get_window_extent(renderer) for t in ticks_of_axis
                     if t.get_visible() and t.get_text()]
            for a, b in zip(shown, shown[1:], strict=False):
                assert not _overlap(a, b), "tick labels collide"


# The outcome of each figure drawn and checked in this process, by what the chart was given:
# (the parameter set that drew it, its failure or None).
_CHECKED: dict[tuple[str, ...], tuple[str, Exception | None]] = {}


def _given(table: pd.DataFrame, *args: object) -> tuple[str, ...]:
    """What a chart function is given, as text that is equal only for equal inputs (floats
    written to round-trip, dtypes included)."""
    return (table.to_csv(), repr(table.dtypes.to_dict()), *map(repr, args))


def _once(figure: str, given: tuple[str, ...], case: str, draw_and_check: Callable[[], None],
          ) -> None:
    """Draw and check a figure once per test process: the chart functions and `style.finish`
    draw the same inputs to the same figure, so a parameter set handing over what an earlier
    one did takes that one's outcome."""
    key = (figure, *given)
    if key not in _CHECKED:
        try:
            draw_and_check()
        except Exception as failure:
            _CHECKED[key] = (case, failure)
            raise
        finally:
            matplotlib.pyplot.close("all")
        _CHECKED[key] = (case, None)
        return
    first, failure = _CHECKED[key]
    if failure is not None:
        raise AssertionError(f"the same figure as for {first}, which failed: "
                             f"{failure!r}") from failure


def _start(notebook: str, values: dict):
    try:
        return figures.start(notebook, dict(values))
    except ParameterError:
        return None  # a combination the declaration refuses (no data, no rate): not drawn


# ------------------------------------------------------------------------------ Figure 5

def _stock_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for edition in EDITIONS:
        stock = ccp_analysis.load("alibaba_stock", edition=edition)
        days = [f"{d:%Y-%m-%d}" for d in stock["date"]]
        peak = f"{stock.loc[stock['close_usd'].idxmax(), 'date']:%Y-%m-%d}"
        for measure in ("price", "market_value"):
            for start, end in ((days[0], ""), (days[0], days[0]), (days[-1], days[-1]),
                               (days[0], days[1]), (days[-2], days[-1]), (peak, ""),
                               (days[0], peak), (peak, peak), ("2020-10-20", "2020-11-03"),
                               ("2015-09-01", "2015-10-31"), ("2016-01-01", "2018-01-01"),
                               ("2022-01-01", "")):
                cases.append((edition, measure, start, end))
    return cases


@pytest.mark.parametrize("edition, measure, start, end", _stock_cases(), ids=str)
def test_fig5_labels_clear_the_line_the_ticks_and_each_other(edition, measure, start, end):
    run = _start("fig5_alibaba_stock", {"edition": edition, "measure": measure,
                                        "date_start": start, "date_end": end})
    table = run.table()
    marks = figure_data.stock_marks(table)
    assert [m[2].split(" ")[0] for m in marks][:2] == ["first", "peak"]

    def draw_and_check() -> None:
        fig = _fig5(table, marks)
        ax = fig.axes[0]
        labels = [t for t in ax.texts if isinstance(t, Annotation)]
        assert [t.get_text() for t in labels] == [m[2] for m in marks]
        line = charts._line_pixels(ax, matplotlib.dates.date2num(table["date"]),
                                   table["value"].to_numpy(dtype=float))
        check(fig, labels, [], line)

    _once("fig5", _given(table), str((edition, measure, start, end)), draw_and_check)


def _fig5(table: pd.DataFrame, marks: list) -> matplotlib.figure.Figure:
    fig = charts.stock_line(table, title="t", ylabel="y", marks=marks)
    style.finish(fig, "fig5_alibaba_stock", "Source: a source line")
    return fig


def test_fig5_default_marks_are_the_reports_days():
    run = _start("fig5_alibaba_stock", {})
    marks = figure_data.stock_marks(run.table())
    assert [(f"{d:%Y-%m-%d}", v) for d, v, _ in marks] == [
        ("2014-09-19", 93.89), ("2020-10-27", 317.14), ("2022-10-24", 63.15)]
    assert marks[1][2] == "peak 317.14 (2020-10-27)"


# ------------------------------------------------------------------------------ Figure 4

def _revenue_cases() -> list[tuple[str, str, str, int, int]]:
    cases = []
    for edition in EDITIONS:
        years = sorted(ccp_analysis.load("huawei_revenue", edition=edition)["year"])
        first, last = years[0], years[-1]
        spans = [(first, last), (first, first), (last, last), (first, first + 1),
                 (last - 1, last), (2013, last), (2020, 2021), (2021, 2021)]
        for start, end in dict.fromkeys(spans):  # as-published ends in 2021: spans repeat
            cases.append((edition, "CNY", "ecb", start, end))
            for series in ("ecb", "oecd_imf", "fed", "pboc"):
                cases.append((edition, "USD", series, start, end))
    return cases


@pytest.mark.parametrize("edition, currency, series, start, end", _revenue_cases(), ids=str)
def test_fig4_labels_clear_the_bars_the_ticks_and_each_other(edition, currency,
                                                             series, start, end):
    try:
        run = figures.start("fig4_huawei_revenue", {"edition": edition, "currency": currency,
                                                    "fx_series": series, "year_start": start,
                                                    "year_end": end})
    except ParameterError as refused:
        # Refused only where the series has no rate for a year of the span, naming those years
        with pytest.warns(MissingDataWarning):
            held = ccp_analysis.load("huawei_revenue", edition=edition, fx_series=series)
        span = held[held["year"].between(start, end)]
        missing = [int(y) for y in span.loc[span["cny_per_usd"].isna(), "year"]]
        assert currency == "USD" and missing, refused
        assert f"fx_series {series!r} has no rate for {missing}" in str(refused)
        return
    table = run.table()
    changes = table[table["change_pct"].notna()]
    worst = changes.loc[changes["change_pct"].idxmin()] if len(changes) else None
    fell = worst is not None and worst["change_pct"] < 0
    ylabel = f"{currency} billion"
    highlight_year = int(worst["year"]) if fell else None
    highlight_text = f"{worst['change_pct']:.1f}% in {int(worst['year'])}" if fell else ""

    def draw_and_check() -> None:
        fig = _fig4(table, ylabel, highlight_year, highlight_text)
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        labels = list(ax.texts)  # the value over each bar, then the drop's label
        assert len(labels) == len(table) + (1 if fell else 0)
        # A value stands on its own bar's top edge, touching it: no label may enter any bar.
        bars = [(f"bar {i}", b.get_window_extent(renderer)) for i, b in enumerate(ax.patches)]
        check(fig, labels, bars)

    _once("fig4", _given(table, ylabel, highlight_year, highlight_text),
          str((edition, currency, series, start, end)), draw_and_check)


def _fig4(table: pd.DataFrame, ylabel: str, highlight_year: int | None,
          highlight_text: str) -> matplotlib.figure.Figure:
    fig = charts.revenue_bars(table, title="t", ylabel=ylabel, highlight_year=highlight_year,
                              highlight_text=highlight_text)
    style.finish(fig, "fig4_huawei_revenue", "Source: a source line")
    return fig


# ------------------------------------------------------------------------------ Figure 2

def _support_cases() -> list[tuple[str, int, int]]:
    cases = []
    for edition in EDITIONS:
        frame = ccp_analysis.load("alibaba_state_support", edition=edition)
        # Plain ints: the hand-off takes literals only, and would draw the default span for
        # numpy's integers.
        years = sorted(int(y) for y in frame.loc[frame["is_primary"], "period_start_year"]
                       .dropna().unique())
        for start in years:  # every range with data: a handful of years
            for end in years:
                if end >= start:
                    cases.append((edition, start, end))
    return cases


@pytest.mark.parametrize("edition, start, end", _support_cases(), ids=str)
def test_fig2_labels_clear_the_dots_the_ticks_and_each_other(edition, start, end):
    run = _start("fig2_alibaba_support", {"edition": edition, "year_start": start,
                                          "year_end": end})
    if run is None:
        return
    table = run.table()
    support = ccp_analysis.load("alibaba_state_support", edition=edition)
    standard = support["standard_tax_rate_pct"].dropna().iloc[0]

    def draw_and_check() -> None:
        fig = _fig2(table, standard)
        left, right = fig.axes[:2]
        renderer = fig.canvas.get_renderer()
        dots = []
        for collection in left.collections:
            radius = np.sqrt(collection.get_sizes()[0]) / 2 * fig.dpi / 72
            for x, y in left.transData.transform(collection.get_offsets()):
                dots.append(("dot", Bbox([[x - radius, y - radius], [x + radius, y + radius]])))
        bars = [(f"bar {i}", b.get_window_extent(renderer)) for i, b in enumerate(right.patches)]
        check(fig, list(left.texts), dots)
        # Rate labels stand on their own bars; the standard-rate words clear every bar.
        check(fig, list(right.texts), [])
        standard_words = [t for t in right.texts if t.get_text().startswith("standard rate")]
        for text in standard_words:
            assert not any(_overlap(_words(text, renderer), box) for _, box in bars)

    _once("fig2", _given(table, standard), str((edition, start, end)), draw_and_check)


def _fig2(table: pd.DataFrame, standard: float) -> matplotlib.figure.Figure:
    fig = charts.alibaba_support(table, title="t", standard_rate=standard)
    style.finish(fig, "fig2_alibaba_support", "Source: a source line")
    return fig


# ------------------------------------------------------------------------------ SVG

def test_svg_keeps_its_text_as_text_and_names_a_generic_family():
    run = _start("fig4_huawei_revenue", {})
    fig = charts.revenue_bars(run.table(), title="Huawei revenue", ylabel="USD billion",
                              highlight_year=2021, highlight_text="-23.6% in 2021")
    style.finish(fig, "fig4_huawei_revenue", "Source: Huawei annual reports")
    svgs = []
    for _ in range(2):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata=style.METADATA["svg"])
        svgs.append(buffer.getvalue())
    matplotlib.pyplot.close(fig)
    assert svgs[0] == svgs[1]  # same figure, same bytes
    svg = svgs[0].decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "-23.6% in 2021" in texts and "Source: Huawei annual reports" in texts
    assert "Figure 4: Huawei's Annual Revenue" in [t.replace("&#39;", "'") for t in texts]
    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families and all(f.rstrip().endswith("sans-serif") for f in families), families
    assert "'DejaVu Sans'" in next(iter(families))


# ------------------------------------------------------------------------------ no pixels

def _measured(fig: matplotlib.figure.Figure) -> list[tuple[str, tuple[float, ...]]]:
    """What the checks above read, and more: every artist's box as the renderer measures it
    (the words of each text with its white box), each axes' place and limits."""
    renderer = fig.canvas.get_renderer()
    found = [(f"{type(artist).__name__} {artist.get_label()!r}",
              tuple(artist.get_window_extent(renderer).bounds)) for artist in fig.findobj()]
    found += [(f"words {text.get_text()!r}", tuple(_words(text, renderer).bounds))
              for text in fig.findobj(Text)]
    found += [(f"axes {i}", (*ax.get_position().bounds, *ax.get_xlim(), *ax.get_ylim()))
              for i, ax in enumerate(fig.axes)]
    return found


def _painted(fig: matplotlib.figure.Figure) -> None:
    """A layout draw that paints every pixel (`canvas.draw()`), as the charts' and
    `style.finish`'s measuring draws once were."""
    fig.canvas.draw()


def test_layout_draws_without_pixels_measure_every_box_as_a_full_drawing(monkeypatch):
    """The library measures its layout with `Figure.draw_without_rendering` (every artist's
    state and box updated, no pixel painted): Figures 2, 4 and 5 (their defaults) and the AI
    park's diagram, drawn so and drawn with every measuring draw painting its pixels, give
    every artist the same box, to the last bit."""
    revenue = _start("fig4_huawei_revenue", {}).table()
    stock = _start("fig5_alibaba_stock", {}).table()
    support = _start("fig2_alibaba_support", {}).table()
    park = ccp_analysis.load("ai_park_network")
    kinds = dict(zip(park["source"], park["source_kind"], strict=True))
    kinds.update(dict(zip(park["target"], park["target_kind"], strict=True)))
    draws = {"fig2": lambda: _fig2(support, 25.0),
             "fig3 AI park": lambda: charts.ai_park(park, figure_data.AI_PARK_POSITIONS,
                                                    kinds, title="t"),
             "fig4": lambda: _fig4(revenue, "USD billion", 2021, "-23.6% in 2021"),
             "fig5": lambda: _fig5(stock, figure_data.stock_marks(stock))}
    for name, draw in draws.items():
        bare = draw()
        with monkeypatch.context() as patch:
            patch.setattr(matplotlib.figure.Figure, "draw_without_rendering", _painted)
            full = draw()
        try:
            measured = _measured(full)
            assert len(measured) > 100, name
            assert _measured(bare) == measured, name
        finally:
            matplotlib.pyplot.close("all")
