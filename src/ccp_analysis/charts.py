"""Drawing the project's charts from the tables of figure_data, in the project style.

Charts take the annotations they show as arguments: which year's drop or which day's peak to
mark is the notebook's finding, computed from data there, not decided here.
"""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ccp_analysis.errors import CcpError
from ccp_analysis.style import PALETTE, after_layout


def _bn(value: float) -> str:
    return f"${value:,.1f} bn" if value >= 0.1 or value == 0 else f"${value * 1000:,.0f} mn"


def _range_text(low: float, high: float) -> str:
    text = _bn(low) if round(low, 1) == round(high, 1) else f"{_bn(low)} to {_bn(high)}"
    return _plain(text)


# Labels sit on a white box so a gridline behind them never runs through the text.
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}


def _plain(text: str) -> str:
    """Dollar signs as text, not as matplotlib's math delimiters."""
    return text.replace("$", r"\$")


def support_bars(by_channel: pd.DataFrame, sensitivity: pd.DataFrame, *, title: str) -> Figure:
    """Left: the itemised total as a range under each inclusion rule, the text's estimates
    below it. Right: the chosen range per Figure 1 channel.

    One colour per meaning in both panels: counted in the conservative total, added in the upper
    total, stated by the text. Labels stand right of their bar inside a widened axis and no
    reference line crosses the panels, so no label is crossed.
    """
    low_colour, extra_colour, text_colour = PALETTE[0], PALETTE[5], PALETTE[1]
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2), width_ratios=[1.15, 1])
    left, right = axes
    rows = sensitivity.iloc[::-1].reset_index(drop=True)
    top = float(rows["high_usd_bn"].max())
    for y, row in rows.iterrows():
        low, high = row["low_usd_bn"], row["high_usd_bn"]
        if row["kind"] == "text estimate":
            upper_only = pd.isna(low)
            left.barh(y, high, color=text_colour, hatch="//" if upper_only else None,
                      edgecolor="white", linewidth=0)
            text = _plain(f"as much as {_bn(high)}") if upper_only else _range_text(low, high)
        else:
            left.barh(y, low, color=low_colour)
            left.barh(y, high - low, left=low, color=extra_colour)
            text = _range_text(low, high)
        left.text(high + top * 0.015, y, text, va="center", fontsize=8, bbox=_LABEL_BOX)
    labels = [r["label"] if r["kind"] == "text estimate" else f"Itemised, {r['label']}"
              for _, r in rows.iterrows()]
    left.set_yticks(range(len(rows)), labels, fontsize=8)
    left.set_xlim(0, top * 1.4)
    left.set_title("Total under each inclusion rule, and the text's estimates", fontsize=10)
    chan = by_channel.iloc[::-1].reset_index(drop=True)
    chan_top = float(chan["upper_usd_bn"].max())
    for y, row in chan.iterrows():
        low, high = row["conservative_usd_bn"], row["upper_usd_bn"]
        right.barh(y, low, color=low_colour)
        right.barh(y, high - low, left=low, color=extra_colour)
        right.text(high + chan_top * 0.015, y, _range_text(low, high), va="center", fontsize=8,
                   bbox=_LABEL_BOX)
    ticks = [row["group"].replace(" and ", " and\n", 1) + f"\n({row['n_items']} items"
             + (f", {row['n_unquantified']} without amount)" if row["n_unquantified"] else ")")
             for _, row in chan.iterrows()]
    right.set_yticks(range(len(chan)), ticks, fontsize=8)
    right.set_xlim(0, chan_top * 1.8)
    right.set_title("As chosen, by Figure 1 channel", fontsize=10)
    for ax in axes:
        ax.set_axisbelow(True)
        ax.set_xlabel("USD billion")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
    handles = [Patch(color=low_colour, label="conservative total: each dollar once for certain"),
               Patch(color=extra_colour, label="added in the upper total: every stated "
                     "amount once"),
               Patch(color=text_colour, label="estimate stated in the text (hatched: "
                     "'as much as')")]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8)
    fig.suptitle(_plain(title), x=0.01, ha="left", fontweight="bold")
    return fig


# Levels of government, each with one colour wherever it appears in Figure 2.
LEVEL_COLOURS = {"central": PALETTE[0], "provincial": PALETTE[1], "municipal": PALETTE[2],
                 "provincial and municipal": PALETTE[4]}


def _level_colour(level: str) -> str:
    return LEVEL_COLOURS.get(level, PALETTE[5])


def alibaba_support(items: pd.DataFrame, *, title: str, standard_rate: float) -> Figure:
    """Left: each measure by year and place. Right: stated tax rates. Colour = level, in both."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8), width_ratios=[1.6, 1])
    levels = sorted(items["government_level"].unique())
    places = sorted(items["place"].unique())
    for level in levels:
        rows = items[items["government_level"] == level]
        left.scatter(rows["year"], [places.index(p) for p in rows["place"]], s=90,
                     color=_level_colour(level), label=level, zorder=3)
        for _, row in rows.iterrows():
            label = row["instrument"].replace("regulatory or policy measure", "regulatory") + (
                f" ({_bn(row['amount_usd'] / 1e9)})" if pd.notna(row["amount_usd"]) else "")
            left.annotate(label, (row["year"], places.index(row["place"])), xytext=(0, 8),
                          textcoords="offset points", fontsize=7, ha="center")
    left.set_yticks(range(len(places)), places)
    years = sorted(items["year"].unique())
    left.set_xticks(years, [str(y) for y in years])
    left.set_xlim(min(years) - 0.7, max(years) + 0.7)
    left.set_ylim(-0.6, len(places) - 0.3)
    left.legend(title="Level of government (both panels)", loc="upper center",
                bbox_to_anchor=(0.5, -0.1), ncols=4, fontsize=8, title_fontsize=8)
    left.set_title("Measures by place and year", fontsize=10)
    rates = items[items["tax_rate_pct"].notna()]
    labels = [f"{r['year']} {r['place']}" for _, r in rates.iterrows()]
    right.bar(labels, rates["tax_rate_pct"],
              color=[_level_colour(level) for level in rates["government_level"]])
    # The standard rate is a reference, not a level: black, dashed.
    right.axhline(standard_rate, color=PALETTE[7], linestyle="--", linewidth=1)
    right.text(max(len(rates), 1) - 0.5, standard_rate, f"standard rate {standard_rate:g}%",
               color=PALETTE[7], ha="right", va="bottom", fontsize=8)
    for x, value in enumerate(rates["tax_rate_pct"]):
        right.text(x, value, f"{value:g}%", ha="center", va="bottom", fontsize=8)
    if rates.empty:
        right.text(0.5, 0.5, "no stated tax rate in these years", transform=right.transAxes,
                   ha="center", va="center", fontsize=9, color="#555555")
    right.set_ylim(0, standard_rate * 1.25)
    right.set_ylabel("Tax rate, percent")
    right.set_title("Stated tax rates against the standard rate", fontsize=10)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    return fig


def ai_park(edges: pd.DataFrame, positions: dict[str, tuple[float, float]],
            kinds: dict[str, str], *, title: str) -> Figure:
    """The AI-park microcosm at fixed node positions, coloured by kind of node."""
    fig, ax = plt.subplots(figsize=(9, 6))
    kind_colours = {kind: PALETTE[i] for i, kind in enumerate(sorted(set(kinds.values())))}
    pairs = edges.assign(label=edges["relation"] + " (" + edges["date_text"] + ")")
    pairs["label"] = pairs["label"].str.replace(" ()", "", regex=False)
    grouped = pairs.groupby(["source", "target"], sort=True)["label"].agg("\n".join)
    for (source, target), label in grouped.items():
        (x0, y0), (x1, y1) = positions[source], positions[target]
        ax.plot([x0, x1], [y0, y1], color="#999999", linewidth=1, zorder=1)
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, label, fontsize=6.5, ha="center", va="center",
                color="#444444", bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    for node, (x, y) in positions.items():
        ax.scatter([x], [y], s=900, color=kind_colours[kinds[node]], zorder=2,
                   label=kinds[node])
        ax.text(x, y - 0.09, node, ha="center", va="top", fontsize=9, fontweight="bold")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="upper left", markerscale=0.4)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(-0.2, 1.12)
    ax.axis("off")
    ax.set_title(title)
    return fig


def deal_network(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str) -> Figure:
    """Chinese companies (left) linked to their counterparts (right); arcs join co-parties."""
    height = max(6.0, 0.16 * max((nodes["side"] == "counterpart").sum(), 1) + 1.5)
    fig, ax = plt.subplots(figsize=(10, height))
    pos = {row["node"]: (row["x"], row["y"]) for _, row in nodes.iterrows()}
    for _, edge in edges.iterrows():
        (x0, y0), (x1, y1) = pos[edge["company"]], pos[edge["counterpart"]]
        if edge["edge_kind"] == "co-party":
            # Both ends stand in the left column, labels to their left: bend the arc to the
            # right (arc3 puts its control point at rad * dy to the right of the chord).
            rad = 0.5 if y1 > y0 else -0.5
            ax.annotate("", (x1, y1), (x0, y0), arrowprops={
                "arrowstyle": "-", "color": PALETTE[1], "linewidth": 0.8 + 0.6 * edge["n_deals"],
                "connectionstyle": f"arc3,rad={rad}", "shrinkA": 3, "shrinkB": 3})
        else:
            ax.plot([x0, x1], [y0, y1], color=PALETTE[0], alpha=0.35,
                    linewidth=0.6 + 0.6 * edge["n_deals"], zorder=1)
    for _, node in nodes.iterrows():
        left = node["side"] == "chinese company"
        ax.scatter([node["x"]], [node["y"]], s=12 + 10 * node["degree"],
                   color=PALETTE[3] if left else PALETTE[2], zorder=2)
        ax.text(node["x"] + (-0.02 if left else 0.02), node["y"],
                f"{node['node']} ({node['degree']})", ha="right" if left else "left",
                va="center", fontsize=7.5 if left else 6.5)
    from matplotlib.lines import Line2D

    ax.legend(handles=[
        Line2D([], [], marker="o", linestyle="", color=PALETTE[3], label="Chinese company"),
        Line2D([], [], marker="o", linestyle="", color=PALETTE[2], label="Counterpart"),
        Line2D([], [], color=PALETTE[0], alpha=0.35, label="Deal with a counterpart"),
        Line2D([], [], color=PALETTE[1], label="Chinese companies stated to deal with each other"),
    ], loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=4, fontsize=7.5,
        title="(n) = number of links", title_fontsize=7.5)
    ax.set_xlim(-0.95, 1.5)  # room for the longest company names, left of their nodes
    ax.set_ylim(-0.02, 1.02)
    ax.axis("off")
    ax.set_title(title)
    return fig


def _keep_inside(ax: plt.Axes, label, x: float, y: float) -> None:
    """Centre a label over its bar, or align it with the bar's outer edge where centred it
    would run past the axes (over the tick labels): the first or last of many narrow bars."""
    renderer = ax.figure.canvas.get_renderer()
    area = ax.get_window_extent(renderer)
    for position, align in ((x, "center"), (x - 0.4, "left"), (x + 0.4, "right")):
        label.set_position((position, y))
        label.set_horizontalalignment(align)
        box = Text.get_window_extent(label, renderer)
        if box.x0 >= area.x0 and box.x1 <= area.x1:
            return


def revenue_bars(table: pd.DataFrame, *, title: str, ylabel: str, highlight_year: int | None,
                 highlight_text: str) -> Figure:
    fig, ax = plt.subplots()
    colours = [PALETTE[3] if y == highlight_year else PALETTE[0] for y in table["year"]]
    ax.bar(table["year"].astype(str), table["revenue_bn"], color=colours)
    for x, value in enumerate(table["revenue_bn"]):
        ax.text(x, value, f"{value:,.1f}", ha="center", va="bottom", fontsize=8)
    top = table["revenue_bn"].max()
    ax.set_ylim(0, top * 1.35)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if highlight_year is not None and highlight_year in set(table["year"]):
        x = list(table["year"]).index(highlight_year)
        value = table.loc[table["year"] == highlight_year, "revenue_bn"].iloc[0]
        # Above the tallest bar and its value label, on white so no gridline runs through it;
        # the arrow stops above the highlighted bar's own value label.
        label = ax.annotate(highlight_text, (x, value + top * 0.07), xytext=(x, top * 1.2),
                            textcoords="data", ha="center", va="bottom", fontsize=9,
                            color=PALETTE[3], fontweight="bold", zorder=4,
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
                            arrowprops={"arrowstyle": "->", "color": PALETTE[3]})
        after_layout(fig, lambda: _keep_inside(ax, label, x, top * 1.2))
    return fig


# Where a point's label may stand, in points from the point: nearest first, and at each
# distance up and to the right first, so a label reads after its point where there is room.
_OFFSETS = tuple(
    (round(r * math.cos(math.radians(a))), round(r * math.sin(math.radians(a))))
    for r in (14, 24, 36, 52, 72, 96, 125, 160)
    for a in (45, 90, 0, 135, 315, 270, 180, 225, 20, 70, 110, 160, 200, 250, 290, 340))
# Headroom above the highest value, tried in turn until every label finds a free place.
_HEADROOM = (1.18, 1.35, 1.6, 1.9, 2.3, 2.8)
_CLEAR = 2.0  # pixels kept between a label and the line, another label or the axes' edge


def _line_pixels(ax: plt.Axes, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The line in display coordinates, with points every pixel or so along each segment, so
    a label between two distant days still meets the segment joining them."""
    points = ax.transData.transform(np.column_stack([x, y]))
    if len(points) < 2:
        return points
    steps = np.maximum(np.ceil(np.hypot(*np.diff(points, axis=0).T)), 1).astype(int)
    parts = [np.linspace(a, b, n, endpoint=False) for a, b, n in
             zip(points[:-1], points[1:], steps, strict=True)]
    return np.vstack(parts + [points[-1:]])


def _free(box: Bbox, area: Bbox, taken: list[Bbox], line: np.ndarray) -> bool:
    if not (box.x0 >= area.x0 + _CLEAR and box.x1 <= area.x1 - _CLEAR
            and box.y0 >= area.y0 + _CLEAR and box.y1 <= area.y1 - _CLEAR):
        return False
    grown = box.expanded(1, 1).padded(_CLEAR)
    if any(grown.overlaps(other) for other in taken):
        return False
    inside = ((line[:, 0] >= grown.x0) & (line[:, 0] <= grown.x1)
              & (line[:, 1] >= grown.y0) & (line[:, 1] <= grown.y1))
    return not inside.any()


def place_labels(ax: plt.Axes, labels: list, x: np.ndarray, y: np.ndarray,
                 top: float) -> None:
    """Move each label (an annotation in offset points) to the nearest place where its words
    touch neither the line, another label nor the axes' edge (so never a tick label), raising
    the headroom above the line until every label has one. Call again after the layout
    changes: the places depend on the axes' size in pixels."""
    renderer = ax.figure.canvas.get_renderer()
    for headroom in _HEADROOM:
        ax.set_ylim(0, top * headroom)
        line = _line_pixels(ax, x, y)
        area = ax.get_window_extent(renderer)
        taken: list[Bbox] = []
        for label in labels:
            for dx, dy in _OFFSETS:
                label.set_position((dx, dy))
                label.set_horizontalalignment("left" if dx > 0 else "right" if dx < 0
                                                 else "center")
                label.set_verticalalignment("bottom" if dy > 0 else "top" if dy < 0
                                            else "center")
                box = Text.get_window_extent(label, renderer)  # the words, not the arrow
                if _free(box, area, taken, line):
                    taken.append(box)
                    break
            else:
                break  # no place for this label: more headroom
        else:
            return
    raise CcpError(f"no free place for the labels {[t.get_text() for t in labels]} even with "
                   f"{_HEADROOM[-1]}x headroom")


def stock_line(table: pd.DataFrame, *, title: str, ylabel: str,
               marks: list[tuple[pd.Timestamp, float, str]]) -> Figure:
    """A daily line with marked points (date, value, label); each label is placed where it
    clears the line, the other labels and the axes (see place_labels), again once the
    figure's final layout is fixed."""
    fig, ax = plt.subplots()
    ax.plot(table["date"], table["value"], color=PALETTE[0], linewidth=1)
    top = float(table["value"].max())
    labels = []
    for date, value, text in marks:
        ax.scatter([date], [value], color=PALETTE[3], zorder=3, s=18)
        labels.append(ax.annotate(
            text, (date, value), xytext=(0, 0), textcoords="offset points", fontsize=8,
            color=PALETTE[3], zorder=4,
            arrowprops={"arrowstyle": "-", "color": PALETTE[3], "linewidth": 0.6,
                        "shrinkA": 1, "shrinkB": 3}))
    # Concise dates (2015, 2016 ... or Oct, Nov, with the year once): short enough that the
    # tick labels of a span of days stand apart as well as those of a span of years.
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    x = mdates.date2num(table["date"])
    y = table["value"].to_numpy(dtype=float)
    after_layout(fig, lambda: place_labels(ax, labels, x, y, top))
    return fig


def deals_stacked(table: pd.DataFrame, *, title: str, highlight_year: int | None,
                  highlight_text: str) -> Figure:
    fig, ax = plt.subplots()
    pivot = table.pivot(index="year", columns="company_group", values="mentions")
    order = [c for c in table["company_group"].drop_duplicates()]
    pivot = pivot[order]
    bottom = pd.Series(0, index=pivot.index)
    # PALETTE[3] marks the highlighted year's text, and black the totals: companies get the
    # other colours, so no colour means two things.
    company_colours = [c for i, c in enumerate(PALETTE) if i not in (3, 7)]
    for i, company in enumerate(order):
        ax.bar(pivot.index.astype(str), pivot[company], bottom=bottom,
               color=company_colours[i % len(company_colours)] if company != "Other"
               else "#bbbbbb", label=company)
        bottom = bottom + pivot[company]
    entries = table.drop_duplicates("year").set_index("year")["entries_in_year"]
    for x, year in enumerate(pivot.index):
        ax.text(x, bottom[year], f"{entries[year]}", ha="center", va="bottom", fontsize=8)
    if highlight_year is not None and highlight_year in pivot.index:
        ax.text(0.99, 0.95, highlight_text, transform=ax.transAxes, ha="right", va="top",
                fontsize=10, color=PALETTE[3], fontweight="bold")
    ax.set_ylim(0, bottom.max() * 1.3)
    ax.set_ylabel("Company mentions (number over bar: entries)")
    ax.legend(ncols=2, loc="upper left")
    ax.set_title(title)
    return fig
