"""Drawing the project's charts from the tables of figure_data, in the project style.

Charts take the annotations they show as arguments: which year's drop or which day's peak to
mark is the notebook's finding, computed from data there, not decided here.

seaborn draws the statistical layers (bars, lines, points) from the tidy tables; matplotlib the
annotations, labels, arrows, the deal network and the layout (docs/drawing.md). seaborn is
imported here at the top, so a forked kernel's template, which imports what the notebooks
import, has it loaded before a notebook draws.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ccp_analysis.errors import CcpError

# Figure 3's styles, shared with its interactive twin (palette.py).
from ccp_analysis.figures.palette import (
    CHINESE_COLOUR,
    COUNTERPART_COLOUR,
    EDGE_STYLES,
    NODE_MARKERS,
    NOT_A_DEAL,
)
from ccp_analysis.figures.style import PALETTE, after_layout


def _bn(value: float) -> str:
    return f"${value:,.1f} bn" if value >= 0.1 or value == 0 else f"${value * 1000:,.0f} mn"


# Labels sit on a white box so a gridline behind them never runs through the text.
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}


def _plain(text: str) -> str:
    """Dollar signs as text, not as matplotlib's math delimiters."""
    return text.replace("$", r"\$")


# Short names of Figure 1's measures, for labels that say what a total adds up.
SHORT_MEASURES = {
    "loans to Huawei's customers": "loans", "transfers to Huawei": "transfers",
    "contract value Huawei won": "contract value", "credit-line ceilings": "ceiling",
    "fines on competitors": "fines",
}


def _bound_label(row: pd.Series) -> str:
    if row["usd_bn"] == 0:
        return f"not in the {row['bound']} total"
    return _plain(_bn(row["usd_bn"]))


def support_bars(table: pd.DataFrame, *, title: str, bound_labels: dict[str, str]) -> Figure:
    """Figure 1 from its tidy table (figure_data.support_figure_table), bars drawn by seaborn.

    Top: each measure apart, a conservative and an upper bar. Bottom left: this project's two
    totals, each labelled with the measures it adds up. Bottom right, on an axis of its own: the
    text's estimates, a different measure. One colour per bound, another for the text's
    estimates (hatched: 'as much as'). Every label stands right of its bar inside a widened axis,
    on white so no gridline runs through it.
    """
    colours = {"conservative": PALETTE[0], "upper": PALETTE[5]}
    text_colour = PALETTE[1]
    fig = plt.figure(figsize=(11, 6.6))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1], height_ratios=[2.2, 1])
    top, totals_ax, text_ax = (fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 0]),
                               fig.add_subplot(grid[1, 1]))
    bounds = list(colours)

    measures = table[table["panel"] == "measure"]
    order = list(dict.fromkeys(measures["row"]))
    sns.barplot(data=measures, y="row", x="usd_bn", hue="bound", order=order,
                hue_order=bounds, palette=colours, orient="h", errorbar=None, saturation=1,
                legend=False, ax=top)
    for container, bound in zip(top.containers, bounds, strict=True):
        rows = measures[measures["bound"] == bound].set_index("row").loc[order]
        top.bar_label(container, labels=[_bound_label(r) for _, r in rows.iterrows()],
                      padding=3, fontsize=8, bbox=_LABEL_BOX)
    first = measures.drop_duplicates("row").set_index("row").loc[order]
    # The note in brackets is wrapped, so a long one never narrows the bars' axis.
    ticks = [f"{m[:1].upper()}{m[1:]}\n" + textwrap.fill(
        f"({r['what']}; " + (f"{r['n_items']} items" if r["n_items"] != 1 else "1 item")
        + (f", {r['n_unquantified']} without amount)" if r["n_unquantified"] else ")"), 56)
        for m, r in first.iterrows()]
    top.set_yticks(range(len(order)), ticks, fontsize=8)
    top.set_xlim(0, float(measures["usd_bn"].max()) * 1.15)
    top.set_title("Each measure apart (USD billion; not additive across measures)", fontsize=10)

    totals = table[table["panel"] == "total"].copy()
    sums = {row["bound"]: [SHORT_MEASURES[m] for m in row["what"].split(": ")[0]
                           .removeprefix("this project's sum of ").split(" + ")]
            for _, row in totals.iterrows()}
    totals["label"] = [f"{b.capitalize()} total\n= " + textwrap.fill(" + ".join(sums[b]), 26)
                       for b in totals["bound"]]
    sns.barplot(data=totals, y="label", x="usd_bn", hue="bound", hue_order=bounds,
                palette=colours, orient="h", errorbar=None, saturation=1, legend=False,
                dodge=False, width=0.6, ax=totals_ax)
    for container, bound in zip(totals_ax.containers, bounds, strict=True):
        value = float(totals.loc[totals["bound"] == bound, "usd_bn"].iloc[0])
        totals_ax.bar_label(container, labels=[_plain(_bn(value))], padding=3, fontsize=8,
                            bbox=_LABEL_BOX)
    totals_ax.set_xlim(0, float(totals["usd_bn"].max()) * 1.3)
    totals_ax.set_ylabel("")
    totals_ax.set_title("This project's totals:\nsums of unlike measures", fontsize=10)

    estimates = table[table["panel"] == "text estimate"].copy()
    estimates["label"] = [textwrap.fill(r[:1].upper() + r[1:], 26) for r in estimates["row"]]
    sns.barplot(data=estimates, y="label", x="usd_bn", color=text_colour, orient="h",
                errorbar=None, saturation=1, width=0.6, ax=text_ax)
    labels = []
    for patch, (_, row) in zip(text_ax.patches, estimates.iterrows(), strict=True):
        upper_only = row["bound"] == "as much as"
        if upper_only:
            patch.set_hatch("//")
            patch.set_edgecolor("white")
        labels.append(_plain(("as much as " if upper_only else "") + _bn(row["usd_bn"])))
    text_ax.bar_label(text_ax.containers[0], labels=labels, padding=3, fontsize=8,
                      bbox=_LABEL_BOX)
    text_ax.set_xlim(0, float(estimates["usd_bn"].max()) * 1.55)
    text_ax.set_ylabel("")
    text_ax.set_title("The text's estimates:\na different measure", fontsize=10)

    for ax in (top, totals_ax, text_ax):
        ax.set_axisbelow(True)
        ax.set_xlabel("USD billion")
        ax.set_ylabel("")
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", labelsize=8)
    handles = [Patch(color=colours[b], label=bound_labels[b]) for b in bounds]
    handles.append(Patch(facecolor=text_colour, label="estimate stated in the text "
                         "(hatched: 'as much as')"))
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
    fig.suptitle(_plain(title), x=0.01, ha="left", fontweight="bold")
    return fig


# Levels of government, each with one colour wherever it appears in Figure 2.
LEVEL_COLOURS = {"central": PALETTE[0], "provincial": PALETTE[1], "municipal": PALETTE[2],
                 "provincial and municipal": PALETTE[4]}


def _level_colour(level: str) -> str:
    return LEVEL_COLOURS.get(level, PALETTE[5])


def alibaba_support(items: pd.DataFrame, *, title: str, standard_rate: float) -> Figure:
    """Left: each measure by year and place. Right: stated tax rates. Colour = level, in both.

    The dots and the bars are drawn by seaborn on the tidy table (hue = level of government,
    one palette for both panels); labels, the reference line and the layout by matplotlib."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8), width_ratios=[1.6, 1])
    levels = sorted(items["government_level"].unique())
    places = sorted(items["place"].unique())
    palette = {level: _level_colour(level) for level in levels}
    # Places stand on rows of their own, alphabetical from the bottom.
    dots = items.assign(row=[places.index(p) for p in items["place"]])
    # Filled discs without a rim, as every scatter of the project style draws them.
    sns.scatterplot(data=dots, x="year", y="row", hue="government_level", hue_order=levels,
                    palette=palette, s=90, edgecolor="face", zorder=3, ax=left)
    for level in levels:
        for _, row in dots[dots["government_level"] == level].iterrows():
            label = row["instrument"].replace("regulatory or policy measure", "regulatory") + (
                f" ({_bn(row['amount_usd'] / 1e9)})" if pd.notna(row["amount_usd"]) else "")
            left.annotate(label, (row["year"], row["row"]), xytext=(0, 8),
                          textcoords="offset points", fontsize=7, ha="center")
    left.set_xlabel("")
    left.set_ylabel("")
    left.set_yticks(range(len(places)), places)
    years = sorted(items["year"].unique())
    left.set_xticks(years, [str(y) for y in years])
    left.set_xlim(min(years) - 0.7, max(years) + 0.7)
    left.set_ylim(-0.6, len(places) - 0.3)
    # seaborn's legend of the levels (its handles are its hue mapping), placed below.
    if left.get_legend() is not None:
        sns.move_legend(left, "upper center", bbox_to_anchor=(0.5, -0.1), ncols=4,
                        fontsize=8, title="Level of government (both panels)",
                        title_fontsize=8)
    left.set_title("Measures by place and year", fontsize=10)
    rates = items[items["tax_rate_pct"].notna()]
    bars = rates.assign(label=[f"{r['year']} {r['place']}" for _, r in rates.iterrows()])
    if len(bars):
        # One bar per stated rate, in the table's order, coloured by its level.
        sns.barplot(data=bars, x="label", y="tax_rate_pct", hue="label",
                    order=list(bars["label"]), hue_order=list(bars["label"]),
                    palette=dict(zip(bars["label"], bars["government_level"].map(palette),
                                     strict=True)),
                    errorbar=None, saturation=1, legend=False, ax=right)
        right.autoscale(axis="x")  # matplotlib's margins, as in Figure 4
    right.set_xlabel("")
    # The standard rate is a reference, not a level: black, dashed.
    right.axhline(standard_rate, color=PALETTE[7], linestyle="--", linewidth=1)
    # At the right end of the line whatever the number of bars (the x axis spans only the
    # bars drawn: one rate, or none, in a narrow year range).
    right.text(0.99, standard_rate, f"standard rate {standard_rate:g}%",
               transform=right.get_yaxis_transform(), color=PALETTE[7], ha="right",
               va="bottom", fontsize=8)
    for x, (value, approximate) in enumerate(
            zip(rates["tax_rate_pct"], rates["tax_rate_approximate"], strict=True)):
        right.text(x, value, f"{'about ' if approximate else ''}{value:g}%", ha="center",
                   va="bottom", fontsize=8)
    if rates.empty:
        right.text(0.5, 0.5, "no stated tax rate in these years", transform=right.transAxes,
                   ha="center", va="center", fontsize=9, color="#555555")
    right.set_ylim(0, standard_rate * 1.25)
    right.set_ylabel("Tax rate, percent")
    right.set_title("Stated tax rates against the standard rate", fontsize=10)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    return fig


NODE_SIZE = 900  # points squared: the AI-park chart's node discs
# Where along its edge a label may stand, nearest the middle first.
LABEL_STEPS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8)
LABEL_GAP = 3.0  # pixels kept free around every label box


def node_box(ax, x: float, y: float, size: float = NODE_SIZE):
    """The display box of a node disc of `size` points squared centred at (x, y)."""
    from matplotlib.transforms import Bbox

    cx, cy = ax.transData.transform((x, y))
    r = size ** 0.5 / 2 * ax.figure.dpi / 72
    return Bbox.from_extents(cx - r, cy - r, cx + r, cy + r)


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def ai_park(edges: pd.DataFrame, positions: dict[str, tuple[float, float]],
            kinds: dict[str, str], *, title: str) -> Figure:
    """The AI-park microcosm at fixed node positions, coloured by kind of node.

    Each edge's label stands on its edge at the first step from the middle where its box meets
    no node, node name, legend or label placed before it (measured by the renderer); with none
    free it takes the step that overlaps least. Names and labels carry gids ('node-name',
    'edge-label') so a test can find them.
    """
    fig, ax = plt.subplots(figsize=(9, 6))
    kind_colours = {kind: PALETTE[i] for i, kind in enumerate(sorted(set(kinds.values())))}
    pairs = edges.assign(label=edges["relation"] + " (" + edges["date_text"] + ")")
    pairs["label"] = pairs["label"].str.replace(" ()", "", regex=False)
    grouped = pairs.groupby(["source", "target"], sort=True)["label"].agg("\n".join)
    for (source, target), _ in grouped.items():
        (x0, y0), (x1, y1) = positions[source], positions[target]
        ax.plot([x0, x1], [y0, y1], color="#999999", linewidth=1, zorder=1)
    # The node discs by seaborn on a tidy table of the nodes (hue = kind of node, the legend
    # in the order the kinds first appear); names, edges and their labels by matplotlib.
    nodes = pd.DataFrame([(node, x, y, kinds[node]) for node, (x, y) in positions.items()],
                         columns=["node", "x", "y", "kind"])
    sns.scatterplot(data=nodes, x="x", y="y", hue="kind",
                    hue_order=list(dict.fromkeys(nodes["kind"])), palette=kind_colours,
                    s=NODE_SIZE, edgecolor="face", linewidth=0, zorder=2, ax=ax)
    for _, node in nodes.iterrows():
        ax.text(node["x"], node["y"] - 0.09, node["node"], ha="center", va="top", fontsize=9,
                fontweight="bold", gid="node-name")
    # Lower right, where no node stands: at the upper left it would touch SenseTime's disc.
    sns.move_legend(ax, "lower right", title=None, markerscale=0.4)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(-0.2, 1.12)
    ax.axis("off")
    ax.set_title(title)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    taken = [node_box(ax, x, y) for x, y in positions.values()]
    taken += [t.get_window_extent(renderer) for t in ax.texts]
    taken.append(ax.get_legend().get_window_extent(renderer))
    for (source, target), label in grouped.items():
        (x0, y0), (x1, y1) = positions[source], positions[target]
        text = ax.text(0, 0, label, fontsize=6.5, ha="center", va="center", color="#444444",
                       zorder=3, gid="edge-label",
                       bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        best = None
        for step in LABEL_STEPS:
            text.set_position((x0 + step * (x1 - x0), y0 + step * (y1 - y0)))
            box = text.get_window_extent(renderer).padded(LABEL_GAP)
            clash = sum(_overlap(box, other) for other in taken)
            if best is None or clash < best[0]:
                best = (clash, step, box)
            if clash == 0:
                break
        _, step, box = best
        text.set_position((x0 + step * (x1 - x0), y0 + step * (y1 - y0)))
        taken.append(box)
    return fig




def _kind_label(kind: str) -> str:
    return f"{kind} (not a deal)" if kind in NOT_A_DEAL else kind


def _bend(x0: float, y0: float, x1: float, y1: float, rad: float) -> tuple[list, list]:
    """Points of a quadratic curve from (x0, y0) to (x1, y1) bowed by rad times its length."""
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cx, cy = mx - rad * (y1 - y0), my + rad * (x1 - x0)
    ts = [i / 24 for i in range(25)]
    xs = [(1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1 for t in ts]
    ys = [(1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1 for t in ts]
    return xs, ys


def deal_network(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str) -> Figure:
    """Chinese parties (left) linked to their counterparts (right); arcs join two Chinese
    parties of one entry. Line colour and style = edge kind, marker = node kind; a pair linked
    by several kinds gets one bowed line per kind, so none hides another."""
    from matplotlib.lines import Line2D

    height = max(6.0, 0.16 * max((nodes["side"] == "counterpart").sum(), 1) + 1.5)
    fig, ax = plt.subplots(figsize=(10, height))
    pos = {row["node"]: (row["x"], row["y"]) for _, row in nodes.iterrows()}
    for (company, counterpart), pair in edges.groupby(["company", "counterpart"], sort=True):
        for i, (_, edge) in enumerate(pair.iterrows()):
            colour, style = EDGE_STYLES[edge["edge_kind"]]
            width = 0.7 + 0.5 * edge["n_entries"]
            (x0, y0), (x1, y1) = pos[company], pos[counterpart]
            if edge["ends"] == "co-party":
                # Both ends stand in the left column, labels to their left: bend the arc to
                # the right (arc3 puts its control point at rad * dy to the right of the chord).
                rad = (0.5 if y1 > y0 else -0.5) * (1 + 0.3 * i)
                ax.annotate("", (x1, y1), (x0, y0), arrowprops={
                    "arrowstyle": "-", "color": colour, "linewidth": width,
                    "linestyle": style, "connectionstyle": f"arc3,rad={rad}",
                    "shrinkA": 3, "shrinkB": 3})
            else:
                rad = 0.06 * (i - (len(pair) - 1) / 2)
                xs, ys = _bend(x0, y0, x1, y1, rad)
                ax.plot(xs, ys, color=colour, linestyle=style, linewidth=width, alpha=0.75,
                        zorder=1)
    for _, node in nodes.iterrows():
        left = node["side"] == "Chinese"
        colour = CHINESE_COLOUR if left else COUNTERPART_COLOUR
        ax.scatter([node["x"]], [node["y"]], s=14 + 9 * node["deals"], color=colour,
                   marker=NODE_MARKERS[node["kind"]], zorder=2, linewidths=0)
        label = node["node"] + (f" ({node['deals']})" if node["deals"] else "")
        if node["parent"]:
            label += f"\n{node['kind']} of {node['parent']}"
        ax.text(node["x"] + (-0.025 if left else 0.025), node["y"], label,
                ha="right" if left else "left", va="center", fontsize=7.5 if left else 6.5,
                linespacing=1.0, color="#222222" if not node["parent"] else "#555555",
                fontstyle="italic" if node["parent"] else "normal")
    kinds = [k for k in EDGE_STYLES if k in set(edges["edge_kind"])]
    chinese_kinds = [k for k in NODE_MARKERS
                     if k in set(nodes.loc[nodes["side"] == "Chinese", "kind"])]
    other_kinds = [k for k in NODE_MARKERS
                   if k in set(nodes.loc[nodes["side"] != "Chinese", "kind"])]
    words = {"subsidiary": "subsidiary or affiliate", "affiliate": "subsidiary or affiliate"}
    handles: list[Line2D] = []
    for k in chinese_kinds:
        label = f"Chinese {words.get(k, k)}"
        if label not in [h.get_label() for h in handles]:
            handles.append(Line2D([], [], marker=NODE_MARKERS[k], linestyle="",
                                  color=CHINESE_COLOUR, label=label))
    handles += [Line2D([], [], marker=NODE_MARKERS[k], linestyle="", color=COUNTERPART_COLOUR,
                       label=f"counterpart: {k}") for k in other_kinds]
    handles += [Line2D([], [], color=EDGE_STYLES[k][0], linestyle=EDGE_STYLES[k][1],
                       linewidth=1.4, label=_kind_label(k)) for k in kinds]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=4,
              fontsize=7, title="(n) = entries in which a party has a deal; line width = "
              "entries stating the link; a subsidiary, affiliate or product stands under its "
              "parent", title_fontsize=7)
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
    """Revenue per year (bars drawn by seaborn on the tidy table, one per year in the table's
    order), the value over each bar and the highlighted year's change marked by an arrow."""
    fig, ax = plt.subplots()
    bars = table.assign(year_label=table["year"].astype(str))
    order = list(bars["year_label"])
    # One hue level per year, in the bars' order: each bar its own colour (the highlighted
    # year's stands out), never dodged, the patches in the years' order.
    palette = {label: PALETTE[3] if year == highlight_year else PALETTE[0]
               for label, year in zip(order, bars["year"], strict=True)}
    sns.barplot(data=bars, x="year_label", y="revenue_bn", hue="year_label", order=order,
                hue_order=order, palette=palette, errorbar=None, saturation=1, legend=False,
                ax=ax)
    # seaborn ends a categorical axis at the outer bars' edges; matplotlib's margins give the
    # first and last bar's labels room to stand centred, as over every other bar.
    ax.autoscale(axis="x")
    ax.set_xlabel("")
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
    starts, delta = points[:-1], np.diff(points, axis=0)
    steps = np.maximum(np.ceil(np.hypot(*delta.T)), 1).astype(int)
    # What `np.linspace(start, stop, n, endpoint=False)` gives for each segment, to the last
    # bit, for all segments at once (a daily line has thousands): i * (delta / n) + start, or
    # (i / n) * delta + start where a component of the step is zero, as linspace computes it.
    segment = np.repeat(np.arange(len(steps)), steps)
    i = (np.arange(len(segment)) - np.repeat(np.cumsum(steps) - steps, steps)).astype(float)
    n = steps.astype(float)[:, None]
    step = delta / n
    flat = (step == 0).any(axis=1)[segment]
    along = np.where(flat[:, None], (i[:, None] / n[segment]) * delta[segment],
                     i[:, None] * step[segment])
    along += starts[segment]
    return np.vstack([along, points[-1:]])


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
    # The line and the marked points by seaborn on the tidy tables: every day as it is (no
    # estimator, no interval, nothing drawn at random), the points as filled discs.
    sns.lineplot(data=table, x="date", y="value", estimator=None, errorbar=None, sort=False,
                 color=PALETTE[0], linewidth=1, ax=ax)
    points = pd.DataFrame(marks, columns=["date", "value", "label"])
    if len(points):
        sns.scatterplot(data=points, x="date", y="value", color=PALETTE[3], s=18,
                        edgecolor="face", zorder=3, legend=False, ax=ax)
    ax.set_xlabel("")
    top = float(table["value"].max())
    labels = []
    for date, value, text in marks:
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
    """Entries per year stacked by company group (seaborn on the tidy table), the year's total
    over each bar: bars and numbers count the same thing, entries, each once."""
    fig, ax = plt.subplots()
    order = list(table["company_group"].drop_duplicates())
    # PALETTE[3] marks the highlighted year's text, and black the totals: groups get the
    # other colours, so no colour means two things; the two residual groups are greys.
    group_colours = [c for i, c in enumerate(PALETTE) if i not in (3, 7)]
    greys = {"Other": "#bbbbbb", "Several groups": "#777777"}
    named = [g for g in order if g not in greys]
    palette = {g: group_colours[i % len(group_colours)] for i, g in enumerate(named)}
    palette.update({g: greys[g] for g in order if g in greys})
    years = sorted(table["year"].unique())
    sns.histplot(data=table, x="year", weights="entries", hue="company_group", hue_order=order,
                 palette=palette, multiple="stack", discrete=True, shrink=0.8, alpha=1.0,
                 edgecolor="white", linewidth=0.5, ax=ax)
    totals = table.drop_duplicates("year").set_index("year")["entries_in_year"]
    for year in years:
        ax.text(year, totals[year], f"{totals[year]}", ha="center", va="bottom", fontsize=8)
    if highlight_year is not None and highlight_year in years:
        ax.text(0.99, 0.95, highlight_text, transform=ax.transAxes, ha="right", va="top",
                fontsize=10, color=PALETTE[3], fontweight="bold")
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel("")
    ax.set_ylim(0, max(int(totals.max()), 1) * 1.3)
    ax.set_ylabel("Appendix C entries (total over each bar)")
    legend = ax.get_legend()
    if legend is not None:
        legend.set_title(None)
        legend.set_loc("upper left")
        legend.set_ncols(2)
    ax.set_title(title)
    return fig
