"""Drawing the project's charts from the tables of figure_data, in the project style.

Charts take the annotations they show as arguments: which year's drop or which day's peak to
mark is the notebook's finding, computed from data there, not decided here.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ccp_analysis.style import PALETTE


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
    import seaborn as sns

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
    ticks = [f"{m[:1].upper()}{m[1:]}\n({r['what']}; "
             + (f"{r['n_items']} items" if r["n_items"] != 1 else "1 item")
             + (f", {r['n_unquantified']} without amount)" if r["n_unquantified"] else ")")
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
    estimates["label"] = [textwrap.fill(r, 24) for r in estimates["row"]]
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


def revenue_bars(table: pd.DataFrame, *, title: str, ylabel: str, highlight_year: int | None,
                 highlight_text: str) -> Figure:
    fig, ax = plt.subplots()
    colours = [PALETTE[3] if y == highlight_year else PALETTE[0] for y in table["year"]]
    ax.bar(table["year"].astype(str), table["revenue_bn"], color=colours)
    for x, value in enumerate(table["revenue_bn"]):
        ax.text(x, value, f"{value:,.1f}", ha="center", va="bottom", fontsize=8)
    top = table["revenue_bn"].max()
    if highlight_year is not None and highlight_year in set(table["year"]):
        x = list(table["year"]).index(highlight_year)
        value = table.loc[table["year"] == highlight_year, "revenue_bn"].iloc[0]
        # Above the tallest bar and its value label, on white so no gridline runs through it;
        # the arrow stops above the highlighted bar's own value label.
        ax.annotate(highlight_text, (x, value + top * 0.07), xytext=(x, top * 1.2),
                    textcoords="data", ha="center", va="bottom", fontsize=9,
                    color=PALETTE[3], fontweight="bold", zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
                    arrowprops={"arrowstyle": "->", "color": PALETTE[3]})
    ax.set_ylim(0, top * 1.35)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def stock_line(table: pd.DataFrame, *, title: str, ylabel: str,
               marks: list[tuple[pd.Timestamp, float, str, tuple[int, int]]]) -> Figure:
    """A daily line with marked points; each mark carries its label's offset in points."""
    fig, ax = plt.subplots()
    ax.plot(table["date"], table["value"], color=PALETTE[0], linewidth=1)
    top = table["value"].max()
    for date, value, text, (dx, dy) in marks:
        ax.scatter([date], [value], color=PALETTE[3], zorder=3, s=18)
        ax.annotate(text, (date, value), xytext=(dx, dy), textcoords="offset points",
                    fontsize=8, color=PALETTE[3], ha="left" if dx >= 0 else "right",
                    arrowprops={"arrowstyle": "-", "color": PALETTE[3], "linewidth": 0.6})
    ax.set_ylim(0, top * 1.18)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
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
