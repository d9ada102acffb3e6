"""The interactive twin of each figure: a Vega-Lite spec drawn from the very table the static
figure plots, written beside it as `figures/<name>.vl.json`.

Each chart is declared once in CHARTS: the tables it reads (the names the notebook exported
them under with `style.export_table`), the columns it needs from each, and the function that
draws it with Altair. Hovering or tapping a mark shows its value, unit and source in words.

Same inputs, same bytes: the data are inlined in table order with NaN as null and dates as
YYYY-MM-DD text, every selection is named (Altair would otherwise number them per process),
and the JSON is written with sorted keys.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd

from ccp_analysis import figure_data, paths
from ccp_analysis.errors import CcpError
from ccp_analysis.figures import texts
from ccp_analysis.palette import PALETTE

# Altair writes this Vega-Lite version ($schema of every spec); the vendored runtime bundles
# the same one (pipeline/vega_runtime.py), and a test keeps the two equal.
VEGA_LITE = "6.4"
SUFFIX = paths.CHART_SUFFIX
REPORT_WORDS = "CSIS, CCP Inc. in Malaysia (2022)"
WIDTH = 560  # panels of multi-panel charts; a one-panel chart fills its container
HEIGHT = 300

Builder = Callable[[dict[str, pd.DataFrame], str], alt.TopLevelMixin]


@dataclass(frozen=True)
class Chart:
    """What an interactive chart reads: tables (as exported) and the columns it needs."""

    tables: dict[str, tuple[str, ...]]
    build: Builder


def _value(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A table's rows as JSON-ready dicts, in table order (no index)."""
    columns = list(frame.columns)
    return [{c: _value(v) for c, v in zip(columns, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]


def _data(frame: pd.DataFrame) -> alt.Data:
    return alt.Data(values=records(frame))


def _bn(value: object, unit: str) -> str:
    return "" if _value(value) is None else f"{float(value):,.1f} {unit}"


def _tip(field: str, title: str, kind: str = "N") -> alt.Tooltip:
    return alt.Tooltip(f"{field}:{kind}", title=title)


# ------------------------------------------------------------------------------ Figure 1

def _fig1(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """The chosen range per channel and the total under each inclusion rule, with the items
    each end counts (ids that lead to Appendix A and the coding of their relations)."""
    channel = tables["fig1_huawei_support"].copy()
    channel["range"] = [f"${lo:,.1f} bn to ${hi:,.1f} bn" for lo, hi in
                        zip(channel["conservative_usd_bn"], channel["upper_usd_bn"],
                            strict=True)]
    channel["source"] = (f"{REPORT_WORDS}, Appendix A and Figure 1 items; relations between "
                         "items coded by ccp-analysis")
    rules = tables["fig1_huawei_support_sensitivity"].copy()
    rules["range"] = [(f"as much as ${hi:,.1f} bn" if _value(lo) is None else
                       f"${lo:,.1f} bn to ${hi:,.1f} bn")
                      for lo, hi in zip(rules["low_usd_bn"], rules["high_usd_bn"], strict=True)]
    rules["low_usd_bn"] = rules["low_usd_bn"].fillna(0.0)
    hover = alt.selection_point(name="fig1_hover", on="pointerover", fields=["group"],
                                empty=False, clear="pointerout")
    tips = [_tip("group", "channel"), _tip("range", "counted once (USD)"),
            _tip("n_items", "items", "Q"), _tip("n_unquantified", "items without amount", "Q"),
            _tip("conservative_item_ids", "conservative total counts"),
            _tip("upper_item_ids", "upper total counts"), _tip("source", "source")]
    base = alt.Chart(_data(channel)).encode(
        y=alt.Y("group:N", sort=None, title=None), tooltip=tips)
    by_channel = alt.layer(
        base.mark_bar(color=PALETTE[5]).encode(
            x=alt.X("upper_usd_bn:Q", title="USD billion"),
            opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.8)),
        ).add_params(hover).properties(name="fig1_upper"),
        base.mark_bar(color=PALETTE[0]).encode(x="conservative_usd_bn:Q"),
    ).properties(width=WIDTH, height=HEIGHT // 1.5,
                                   title="As chosen, by Figure 1 channel")
    rule_tips = [_tip("label", "total"), _tip("kind", "kind"), _tip("range", "USD"),
                 _tip("setting", "inclusion rules"),
                 _tip("conservative_item_ids", "conservative total counts"),
                 _tip("upper_item_ids", "upper total counts"), _tip("source", "source")]
    totals = alt.Chart(_data(rules)).encode(
        y=alt.Y("label:N", sort=None, title=None), tooltip=rule_tips,
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(domain=["itemised total", "text estimate"],
                                        range=[PALETTE[0], PALETTE[1]])))
    sensitivity = alt.layer(
        totals.mark_bar(opacity=0.45).encode(x=alt.X("high_usd_bn:Q", title="USD billion")),
        totals.mark_bar().encode(x="low_usd_bn:Q"),
    ).properties(width=WIDTH, height=HEIGHT // 1.5,
                 title="Total under each inclusion rule, and the text's estimates")
    return alt.vconcat(sensitivity, by_channel)


# ------------------------------------------------------------------------------ Figure 2

def _fig2(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    table = tables["fig2_alibaba_support"].copy()
    table["amount"] = [f"${a / 1e6:,.2f} million" if _value(a) is not None else "not stated"
                       for a in table["amount_usd"]]
    table["rate"] = [f"{r:g}% (standard {s:g}%)" if _value(r) is not None else ""
                     for r, s in zip(table["tax_rate_pct"], table["standard_tax_rate_pct"],
                                     strict=True)]
    table["source"] = [f"{REPORT_WORDS}, " + ("Figure 2" if str(i).startswith("F2")
                                              else f"Appendix B, row {str(i)[1:].lstrip('0')}")
                       for i in table["item_id"]]
    levels = [lv for lv in ("central", "provincial", "municipal", "provincial and municipal")]
    colour = alt.Color("government_level:N", title="Level of government",
                       scale=alt.Scale(domain=levels,
                                       range=[PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4]]),
                       legend=alt.Legend(orient="bottom"))
    tips = [_tip("item_id", "item"), _tip("year", "year", "O"), _tip("place", "place"),
            _tip("government_level", "level of government"), _tip("entity", "entity"),
            _tip("instrument", "instrument"), _tip("amount", "amount (USD)"),
            _tip("rate", "stated tax rate"), _tip("source", "source")]
    hover = alt.selection_point(name="fig2_hover", on="pointerover", fields=["item_id"],
                                empty=False, clear="pointerout")
    measures = alt.Chart(_data(table)).mark_circle(size=160, opacity=0.9).encode(
        x=alt.X("year:O", title=None), y=alt.Y("place:N", title=None), color=colour,
        stroke=alt.when(hover).then(alt.value("black")).otherwise(alt.value(None)),
        tooltip=tips,
    ).add_params(hover).properties(name="fig2_measures", width=WIDTH, height=HEIGHT // 1.3,
                                   title="Measures by place and year")
    rates = table[table["tax_rate_pct"].notna()].copy()
    rates["bar"] = rates["year"].astype(str) + " " + rates["place"]
    standard = table["standard_tax_rate_pct"].dropna()
    bars = alt.Chart(_data(rates)).mark_bar().encode(
        x=alt.X("bar:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("tax_rate_pct:Q", title="Tax rate, percent"), color=colour, tooltip=tips)
    layers = [bars]
    if len(standard):
        line = pd.DataFrame({"standard_tax_rate_pct": [float(standard.iloc[0])],
                             "what": ["standard rate"]})
        layers.append(alt.Chart(_data(line)).mark_rule(color="black", strokeDash=[4, 3]).encode(
            y="standard_tax_rate_pct:Q",
            tooltip=[_tip("what", "line"), _tip("standard_tax_rate_pct", "percent", "Q")]))
    panel = alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT // 1.3, title="Stated tax rates against the standard rate")
    return alt.vconcat(measures, panel)


# ------------------------------------------------------------------------------ Figure 3

def _fig3_park(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """The AI-park links: parties on a circle in the table's order; hovering a party
    highlights its links, each with its relation and date as the report words them."""
    edges = tables["fig3_ai_park"].copy()
    names = list(dict.fromkeys(list(edges["source"]) + list(edges["target"])))
    kinds = dict(zip(edges["source"], edges["source_kind"], strict=True))
    kinds.update(dict(zip(edges["target"], edges["target_kind"], strict=True)))
    angle = {n: math.pi / 2 - 2 * math.pi * i / len(names) for i, n in enumerate(names)}
    where = {n: (round(math.cos(a), 6), round(math.sin(a), 6)) for n, a in angle.items()}
    nodes = pd.DataFrame({"node": names, "kind": [kinds[n] for n in names],
                          "x": [where[n][0] for n in names], "y": [where[n][1] for n in names]})
    edges = edges.assign(x=[where[s][0] for s in edges["source"]],
                         y=[where[s][1] for s in edges["source"]],
                         x2=[where[t][0] for t in edges["target"]],
                         y2=[where[t][1] for t in edges["target"]],
                         source_words=f"{REPORT_WORDS}, chapter 2 text around Figure 3")
    return _network(nodes, edges, "source", "target", name="fig3_park", tips=[
        _tip("source", "from"), _tip("relation", "relation"), _tip("target", "to"),
        _tip("date_text", "when (report's words)"), _tip("edge_id", "link"),
        _tip("source_words", "source")])


def _fig3_network(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """Chinese companies (left) and counterparts (right) ordered by links as the static chart;
    hovering a company highlights its links with the Appendix C entries behind each."""
    links = tables["fig3_deal_network"].copy()
    chinese = pd.concat([links["company"],
                         links.loc[links["edge_kind"] == "co-party", "counterpart"]])
    others = links.loc[links["edge_kind"] != "co-party", "counterpart"]
    rows = []
    for side, x, names in (("chinese company", 0.0, chinese), ("counterpart", 1.0, others)):
        ordered = sorted(names.value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
        for i, (name, degree) in enumerate(ordered):
            rows.append({"node": name, "kind": side, "degree": int(degree), "x": x,
                         "y": round(1.0 - (i + 0.5) / len(ordered), 6)})
    nodes = pd.DataFrame(rows, columns=["node", "kind", "degree", "x", "y"])
    # A name on both sides (none today) keeps its Chinese-company place.
    place = {r["node"]: (r["x"], r["y"]) for r in reversed(rows)}
    # Two Chinese companies stated to deal with each other: a vertical link just right of
    # their column, so it never runs over the names.
    co_party = (links["edge_kind"] == "co-party").tolist()
    lane = [0.05 + 0.025 * sum(co_party[:i]) if k else None for i, k in enumerate(co_party)]
    links = links.assign(x=[lane[i] if k else place[c][0] for i, (c, k) in
                            enumerate(zip(links["company"], co_party, strict=True))],
                         y=[place[c][1] for c in links["company"]],
                         x2=[lane[i] if k else place[c][0] for i, (c, k) in
                             enumerate(zip(links["counterpart"], co_party, strict=True))],
                         y2=[place[c][1] for c in links["counterpart"]],
                         source_words=f"{REPORT_WORDS}, Appendix C (RWR IntelTrak)")
    return _network(nodes, links, "company", "counterpart", name="fig3_network", tips=[
        _tip("company", "Chinese company"), _tip("counterpart", "counterpart"),
        _tip("edge_kind", "link"), _tip("n_deals", "entries", "Q"),
        _tip("entry_ids", "Appendix C entries"), _tip("source_words", "source")],
        height=max(HEIGHT, 14 * int((nodes["kind"] == "counterpart").sum())),
        x_min=-0.9, x_max=1.7)


def _network(nodes: pd.DataFrame, edges: pd.DataFrame, one: str, other: str, *, name: str,
             tips: list[alt.Tooltip], height: int = HEIGHT, x_min: float = -1.6,
             x_max: float = 1.6) -> alt.TopLevelMixin:
    # Hover, or tap on a touch screen (a tap ends with pointerout, then click: the click keeps
    # the party highlighted until another is hovered or tapped).
    hover = alt.selection_point(name=f"{name}_hover", on="pointerover, click",
                                fields=["node"], empty=False, clear="pointerout")
    # Whether an edge touches the hovered party: the selection's stored value, read in Vega's
    # expression language (the point selection keeps the hovered datum's fields).
    touches = (f"isValid({name}_hover.node) && ({name}_hover.node == datum['{one}'] || "
               f"{name}_hover.node == datum['{other}'])")
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[x_min, x_max]))
    y = alt.Y("y:Q", axis=None)
    lines = alt.Chart(_data(edges)).mark_rule(strokeWidth=1.5).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        color=alt.condition(touches, alt.value(PALETTE[3]), alt.value("#999999")),
        opacity=alt.condition(touches, alt.value(1.0), alt.value(0.45)), tooltip=tips)
    points = alt.Chart(_data(nodes)).mark_circle(size=140, opacity=1).encode(
        x=x, y=y, color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom"),
                                  scale=alt.Scale(range=[PALETTE[0], PALETTE[2], PALETTE[1],
                                                         PALETTE[4], PALETTE[5]])),
        tooltip=[_tip("node", "party"), _tip("kind", "kind")]).add_params(hover).properties(
        name=f"{name}_parties")
    layers = [lines, points]
    # Names beside their points: left of those in the left half, right of the others.
    for test, align, dx in (("datum.x < 0.5", "right", -9), ("datum.x >= 0.5", "left", 9)):
        layers.append(alt.Chart(_data(nodes)).transform_filter(test).mark_text(
            align=align, dx=dx, fontSize=10).encode(x=x, y=y, text="node:N"))
    return alt.layer(*layers).properties(width="container", height=height)


# ------------------------------------------------------------------------------ Figure 4

def revenue_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Figure 4's table with what a hover says in words: the value with its unit, the CNY the
    source reports, the rate and the series it was converted with."""
    usd = table["currency"] == "USD"
    return table.assign(
        value=[_bn(v, f"{c} bn") for v, c in zip(table["revenue_bn"], table["currency"],
                                                  strict=True)],
        cny=[_bn(v, "CNY bn") for v in table["revenue_cny_bn"]],
        rate=[f"{r:.4f} CNY per USD" if u else "none (CNY as reported)"
              for r, u in zip(table["cny_per_usd"], usd, strict=True)],
        series=[texts.FX_WORDS.get(s, "") if u else "" for s, u in
                zip(table["fx_series"], usd, strict=True)],
        change=[texts.pct(c) for c in table["change_pct"]],
        source=["Huawei annual report (revenue in CNY)"
                + (f"; converted at {texts.FX_WORDS[s]}" if u else "")
                for s, u in zip(table["fx_series"], usd, strict=True)],
    )


def _fig4(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    table = revenue_rows(tables["fig4_huawei_revenue"])
    currency = str(table["currency"].iloc[0]) if len(table) else "USD"
    hover = alt.selection_point(name="fig4_hover", on="pointerover", fields=["year"],
                                empty=False, clear="pointerout")
    tips = [_tip("year", "year", "O"), _tip("value", f"revenue ({currency})"),
            _tip("cny", "revenue as reported (CNY)"), _tip("rate", "rate"),
            _tip("series", "series"), _tip("change", "change on the year before"),
            _tip("revenue_status", "verification"), _tip("source", "source")]
    return alt.Chart(_data(table)).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("revenue_bn:Q", title=f"{currency} billion"),
        color=alt.when(hover).then(alt.value(PALETTE[3])).otherwise(alt.value(PALETTE[0])),
        tooltip=tips,
    ).add_params(hover).properties(name="fig4_bars", width="container", height=HEIGHT)


# ------------------------------------------------------------------------------ Figure 5

def _fig5(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    table = tables["fig5_alibaba_stock"]
    # The days the static figure marks (first, peak, low after it), with its words.
    marked = pd.DataFrame([{"date": d, "value": v, "mark": text}
                           for d, v, text in figure_data.stock_marks(table)])
    marked = marked.merge(table.drop(columns=["value"]), on="date", how="left")
    price = bool((table["measure"] == "price").all())
    unit = "USD per ADS" if price else "USD billion"
    what = "close" if price else "market value"
    # Thousands of days: what every row says alike is computed in the browser, not repeated.
    table = table[["date", "value"] if price else ["date", "value", "shares_as_of"]]
    source = texts.BABA_WORDS + ("" if price else f"; {texts.SHARES_WORDS}")
    # Each day is a point, invisible until hovered: the pointer on the line is on a day's
    # point, whose own datum the tooltip reads (a "nearest" voronoi overlay would hand the
    # tooltip its own cell instead of the day).
    hover = alt.selection_point(name="fig5_hover", on="pointerover", fields=["date"],
                                empty=False, clear="pointerout")
    # Days are UTC dates: read and shown in UTC, so no time zone moves a close to another day.
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc"),
              axis=alt.Axis(format="%Y", labelAngle=0, tickCount="year"))
    y = alt.Y("value:Q", title=f"{what.capitalize()}, {unit}")
    tips = [_tip("day", "date"), _tip("shown", what)]
    if not price:
        tips.append(_tip("shares_as_of", "share count as of"))
    tips.append(_tip("source", "source"))
    calculated = {"day": "utcFormat(datum.date, '%Y-%m-%d')",
                  "shown": f"format(datum.value, ',.2f') + ' {unit}'",
                  "source": json.dumps(source)}
    base = alt.Chart().transform_calculate(**calculated)  # the days: the layer's data, once
    line = base.mark_line(color=PALETTE[0], strokeWidth=1).encode(x=x, y=y)
    points = base.mark_circle(size=60, color=PALETTE[3]).encode(
        x=x, y=y, opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.0)),
        tooltip=tips).add_params(hover).properties(name="fig5_days")
    marks = alt.Chart(_data(marked[["date", "value", "mark"] + (
        [] if price else ["shares_as_of"])])).transform_calculate(**calculated).mark_circle(
        size=45, color=PALETTE[3], opacity=1).encode(
        x=x, y=y, tooltip=[_tip("mark", "marked"), *tips])
    return alt.layer(line, points, marks, data=_data(table)).properties(width="container",
                                                                       height=HEIGHT)


# ------------------------------------------------------------------------------ Deals timeline

def _deals(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    table = tables["deals_timeline"].copy()
    table["source"] = f"{REPORT_WORDS}, Appendix C (RWR IntelTrak)"
    order = list(dict.fromkeys(table["company_group"]))
    company_colours = [c for i, c in enumerate(PALETTE) if i not in (3, 7)]
    colours = [company_colours[i % len(company_colours)] if c != "Other" else "#bbbbbb"
               for i, c in enumerate(order)]
    table["order"] = [order.index(c) for c in table["company_group"]]
    hover = alt.selection_point(name="deals_hover", on="pointerover",
                                fields=["year", "company_group"], empty=False,
                                clear="pointerout")
    return alt.Chart(_data(table)).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mentions:Q", title="Company mentions"),
        color=alt.Color("company_group:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=colours),
                        legend=alt.Legend(orient="bottom", columns=4)),
        order=alt.Order("order:Q"),
        stroke=alt.when(hover).then(alt.value("black")).otherwise(alt.value(None)),
        tooltip=[_tip("year", "year", "O"), _tip("company_group", "company"),
                 _tip("mentions", "mentions", "Q"), _tip("entries_in_year", "entries that year",
                                                         "Q"), _tip("source", "source")],
    ).add_params(hover).properties(name="deals_bars", width="container", height=HEIGHT)


CHARTS: dict[str, Chart] = {
    "fig1_huawei_support": Chart({
        "fig1_huawei_support": ("group", "conservative_usd_bn", "upper_usd_bn", "n_items",
                                "n_unquantified", "conservative_item_ids", "upper_item_ids"),
        "fig1_huawei_support_sensitivity": ("kind", "label", "setting", "low_usd_bn",
                                            "high_usd_bn", "conservative_item_ids",
                                            "upper_item_ids", "source")}, _fig1),
    "fig2_alibaba_support": Chart({
        "fig2_alibaba_support": ("item_id", "year", "government_level", "place", "instrument",
                                 "amount_usd", "tax_rate_pct", "standard_tax_rate_pct",
                                 "entity")}, _fig2),
    "fig3_ai_park": Chart({
        "fig3_ai_park": ("edge_id", "source", "source_kind", "target", "target_kind",
                         "relation", "date_text")}, _fig3_park),
    "fig3_deal_network": Chart({
        "fig3_deal_network": ("company", "counterpart", "edge_kind", "n_deals", "entry_ids")},
        _fig3_network),
    "fig4_huawei_revenue": Chart({
        "fig4_huawei_revenue": ("year", "currency", "fx_series", "cny_per_usd", "revenue_bn",
                                "revenue_cny_bn", "change_pct", "revenue_status")}, _fig4),
    "fig5_alibaba_stock": Chart({
        "fig5_alibaba_stock": ("date", "measure", "value", "shares_as_of")}, _fig5),
    "deals_timeline": Chart({
        "deals_timeline": ("year", "company_group", "mentions", "entries_in_year")}, _deals),
}


def spec(name: str, tables: dict[str, pd.DataFrame], *, alt_text: str,
         source_note: str) -> dict:
    """The Vega-Lite spec of figure `name` from the tables its notebook exported."""
    chart = CHARTS[name]
    given = {}
    for table, columns in chart.tables.items():
        if table not in tables:
            raise CcpError(f"figure {name}: its interactive chart reads table {table!r}, which "
                           f"the notebook did not export before the figure (exported: "
                           f"{', '.join(sorted(tables)) or 'none'})")
        missing = [c for c in columns if c not in tables[table].columns]
        if missing:
            raise CcpError(f"figure {name}: table {table!r} has no column "
                           f"{', '.join(map(repr, missing))}, which its interactive chart reads")
        given[table] = tables[table]
    drawn = chart.build(given, source_note).properties(
        description=alt_text, usermeta={"figure": name, "source_note": source_note})
    drawn = drawn.configure(font="sans-serif").configure_view(stroke=None)
    return drawn.to_dict(validate=True)


def dumps(spec_dict: dict) -> str:
    """Deterministic text of a spec: sorted keys, no NaN, one trailing newline."""
    return json.dumps(spec_dict, sort_keys=True, indent=1, ensure_ascii=False,
                      allow_nan=False) + "\n"
