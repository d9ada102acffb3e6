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
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

from ccp_analysis import paths
from ccp_analysis.errors import CcpError
from ccp_analysis.figures import figure_data
from ccp_analysis.figures import figure_words as texts  # the words the static figure uses too
from ccp_analysis.figures.palette import (  # drawn alike: the static figures' colours and styles
    CHINESE_COLOUR,
    COUNTERPART_COLOUR,
    EDGE_STYLES,
    NOT_A_DEAL,
    PALETTE,
)

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

def _usd(value: object) -> str:
    """An amount in USD billion as a reader would say it: '$10 bn', '$2.9744 bn'."""
    if _value(value) is None:
        return ""
    return f"${float(value) / 1e9:,.4f}".rstrip("0").rstrip(".") + " bn"


def _bound_words(reason: object, counted: object) -> str:
    amount = _usd(counted) if _value(counted) is not None and float(counted) > 0 else ""
    return f"{reason}, {amount}" if amount else str(reason)


def support_segments(items: pd.DataFrame) -> pd.DataFrame:
    """Figure 1's items as the segments of its bars: one row per item and bound that counts
    an amount of it, with what its hover says (the report's words, both bounds' reasons, the
    relation coding)."""
    rows = []
    for order, (_, item) in enumerate(items.iterrows()):
        common = {
            "item_id": item["item_id"], "order": order, "measure": item["measure"],
            "source": f"{REPORT_WORDS}, {item['source_ref']}",
            "amount": item["amount_text"] if _value(item["amount_text"]) else "no amount stated",
            "words": item["words"],
            "from": ", ".join(str(v) for v in (item["entity"], item["year_text"]) if _value(v)),
            "conservative": _bound_words(item["conservative_reason"], item["conservative_usd"]),
            "upper": _bound_words(item["upper_reason"], item["upper_usd"]),
            "relations": item["relations"] or "none coded",
            "relation_words": item["relation_words"] or "",
        }
        for bound in figure_data.BOUNDS:
            counted = item[f"{bound}_usd"]
            if _value(counted) is None or float(counted) <= 0:
                continue
            rows.append({**common, "bound": bound, "usd_bn": float(counted) / 1e9,
                         "counted": f"{_usd(counted)} in the {bound} bar",
                         "total": f"{bound} total"})
    return pd.DataFrame(rows)


def _fig1(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """Figure 1's panels, each bar built of its items: hovering an item shows its amount, the
    report's words, the measure, what each bound counts of it and why, and the relation coding
    (reading, stated or inferred, words) behind that; the same item lights up in every bar."""
    segments = support_segments(tables["fig1_huawei_support_items"])
    figure = tables["fig1_huawei_support"]
    measures = [m for m in figure_data.MEASURES
                if m in set(figure.loc[figure["panel"] == "measure", "row"])]
    segments = segments[segments["measure"].isin(measures)]
    bounds = list(figure_data.BOUNDS)
    colour = alt.Color("bound:N", title=None, scale=alt.Scale(
        domain=bounds, range=[PALETTE[0], PALETTE[5]]), legend=alt.Legend(orient="bottom"))
    hover = alt.selection_point(name="fig1_hover", on="pointerover, click",
                                fields=["item_id"], empty=False, clear="pointerout")
    tips = [_tip("item_id", "item"), _tip("source", "source"), _tip("measure", "measure"),
            _tip("amount", "amount (report's words)"), _tip("words", "report's words"),
            _tip("from", "from, when"), _tip("counted", "this bar counts"),
            _tip("conservative", "conservative bound"), _tip("upper", "upper bound"),
            _tip("relations", "relation coding"), _tip("relation_words", "coding's words")]

    def bars(row: str, name: str, title: str, sort: list[str]) -> alt.Chart:
        # A measure's two bars side by side (one per bound); a total is one bound's own row.
        offset = {"yOffset": alt.YOffset("bound:N", sort=bounds)} if row == "measure" else {}
        return alt.Chart().mark_bar(stroke="white", strokeWidth=0.5).encode(
            x=alt.X("usd_bn:Q", title="USD billion", stack="zero"),
            y=alt.Y(f"{row}:N", sort=sort, title=None, axis=alt.Axis(labelLimit=220)),
            color=colour, order=alt.Order("order:Q"), detail="item_id:N",
            opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.75)),
            tooltip=tips, **offset,
        ).properties(name=name, width=WIDTH, title=title)

    by_measure = bars("measure", "fig1_measures", "Each measure apart, item by item (USD "
                      "billion; not additive across measures)", measures).properties(
        height=70 * len(measures))
    totals = bars("total", "fig1_totals", "This project's totals, item by item: sums of "
                  "unlike measures", [f"{b} total" for b in bounds]).properties(height=90)
    estimates = figure[figure["panel"] == "text estimate"].copy()
    estimates["amount"] = [("as much as " if b == "as much as" else "") + f"${v:,.1f} bn"
                           for b, v in zip(estimates["bound"], estimates["usd_bn"],
                                           strict=True)]
    estimates["source"] = [f"{REPORT_WORDS}, the text's estimate ({i})"
                           for i in estimates["item_ids"]]
    text = alt.Chart(_data(estimates[["row", "bound", "usd_bn", "amount", "what",
                                      "source"]])).mark_bar(color=PALETTE[1]).encode(
        x=alt.X("usd_bn:Q", title="USD billion"),
        y=alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        opacity=alt.condition("datum.bound == 'as much as'", alt.value(0.55), alt.value(1.0)),
        tooltip=[_tip("row", "estimate"), _tip("amount", "amount"),
                 _tip("what", "report's words"), _tip("source", "source")],
    ).properties(width=WIDTH, height=30 * max(len(estimates), 1),
                 title="The text's estimates: a different measure (pale: 'as much as')")
    # One selection over both panels of items: an item lights up wherever it is counted.
    # Altair lifts it to the top with the two views named and warns that it merged the
    # copies it made for each panel: that merge is the one selection wanted.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Automatically deduplicated selection parameter")
        # Both panels draw the same segments, inlined once.
        items = alt.vconcat(by_measure, totals, data=_data(segments)).add_params(hover)
    panels = [items] + ([text] if len(estimates) else [])
    return alt.vconcat(*panels).resolve_scale(x="independent")


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

def _highlight(name: str, one: str, other: str) -> tuple[dict, dict]:
    """Whether a link touches the hovered (or tapped) party, and the width and opacity that
    show it: the party's links drawn thick and opaque, the others faded while it is hovered.
    The test reads the point selection's value in Vega's expression language: the hovered
    party's name in a list (empty when the pointer is on a link, which has no `node`)."""
    party = f"isValid({name}_hover.node) && length({name}_hover.node) > 0"
    touches = (f"{party} && ({name}_hover.node == datum['{one}'] || "
               f"{name}_hover.node == datum['{other}'])")
    width = {"condition": {"test": touches, "value": HIGHLIGHT_WIDTH}, "value": 1.6}
    opacity = {"condition": {"test": touches, "value": 1.0},
               "value": {"expr": f"{party} ? 0.12 : 0.7"}}
    return width, opacity


# The stroke width of a highlighted link (the browser tests count the links drawn with it).
HIGHLIGHT_WIDTH = 3.5


def _hover(name: str) -> alt.Parameter:
    # Hover, or tap on a touch screen (a tap ends with pointerout, then click: the click keeps
    # the party highlighted until another is hovered or tapped).
    return alt.selection_point(name=f"{name}_hover", on="pointerover, click",
                               fields=["node"], empty=False, clear="pointerout")


def _spread(frame: pd.DataFrame, pair: list[str], step: float) -> list[float]:
    """Offsets that set apart the lines of one pair (several entries or kinds), so each can be
    hovered: 0 for a pair drawn once, then symmetric steps around it."""
    counts = frame.groupby(pair, sort=False)[pair[0]].transform("size").tolist()
    index = frame.groupby(pair, sort=False).cumcount().tolist()
    return [round(step * (i - (n - 1) / 2), 6) for i, n in zip(index, counts, strict=True)]


def _fig3_park(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """The AI-park links at the static figure's positions, parties coloured by kind; hovering
    a party highlights its links, each with its relation, its date and the report's words."""
    edges = tables["fig3_ai_park"].copy()
    where = figure_data.AI_PARK_POSITIONS
    kinds = dict(zip(edges["source"], edges["source_kind"], strict=True))
    kinds.update(dict(zip(edges["target"], edges["target_kind"], strict=True)))
    unplaced = sorted(set(kinds) - set(where))
    if unplaced:
        raise CcpError(f"figure fig3_ai_park: party {unplaced[0]!r} has no position in "
                       "figure_data.AI_PARK_POSITIONS")
    names = [n for n in where if n in kinds]
    nodes = pd.DataFrame({"node": names, "kind": [kinds[n] for n in names],
                          "x": [where[n][0] for n in names], "y": [where[n][1] for n in names]})
    # Several links between one pair stand apart across the line joining the two parties.
    shift = _spread(edges.assign(pair=[" ".join(sorted(p)) for p in
                                       zip(edges["source"], edges["target"], strict=True)]),
                    ["pair"], 0.035)
    x0, y0 = [where[n][0] for n in edges["source"]], [where[n][1] for n in edges["source"]]
    x1, y1 = [where[n][0] for n in edges["target"]], [where[n][1] for n in edges["target"]]
    normal = [(-(b - d), a - c) for a, b, c, d in zip(x1, y1, x0, y0, strict=True)]
    unit = [(nx / math.hypot(nx, ny), ny / math.hypot(nx, ny)) for nx, ny in normal]
    edges = edges.assign(
        x=[round(x + d * u[0], 6) for x, d, u in zip(x0, shift, unit, strict=True)],
        y=[round(y + d * u[1], 6) for y, d, u in zip(y0, shift, unit, strict=True)],
        x2=[round(x + d * u[0], 6) for x, d, u in zip(x1, shift, unit, strict=True)],
        y2=[round(y + d * u[1], 6) for y, d, u in zip(y1, shift, unit, strict=True)],
        when=[t if _value(t) else "no date stated" for t in edges["date_text"]],
        source_words=f"{REPORT_WORDS}, chapter 2 text around Figure 3")
    name = "fig3_park"
    hover = _hover(name)
    width, opacity = _highlight(name, "source", "target")
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.15, 1.15]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.2, 1.12]))
    lines = alt.Chart(_data(edges)).mark_rule(color="#777777").encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q", strokeWidth=width, opacity=opacity,
        tooltip=[_tip("edge_id", "link"), _tip("source", "from"), _tip("relation", "relation"),
                 _tip("target", "to"), _tip("when", "when (report's words)"),
                 _tip("quote", "report's words"), _tip("source_words", "source")])
    kind_names = sorted(set(kinds.values()))
    points = alt.Chart(_data(nodes)).mark_circle(size=420, opacity=1).encode(
        x=x, y=y, color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom"),
                                  scale=alt.Scale(domain=kind_names,
                                                  range=PALETTE[:len(kind_names)])),
        tooltip=[_tip("node", "party"), _tip("kind", "kind")]).add_params(hover).properties(
        name=f"{name}_parties")
    labels = alt.Chart(_data(nodes)).mark_text(dy=20, fontSize=11, fontWeight="bold").encode(
        x=x, y=y, text="node:N")
    return alt.layer(lines, points, labels).properties(width="container", height=HEIGHT + 60)


# Node kinds as the static figure marks them (NODE_MARKERS), in Vega's shapes; a
# pentagon has no name there, so it is drawn as an SVG path.
NODE_SHAPES = {"company": "circle", "subsidiary": "diamond", "affiliate": "diamond",
               "product": "triangle-up", "government body": "square",
               "university": "M0,-1L0.951,-0.309L0.588,0.809L-0.588,0.809L-0.951,-0.309Z"}


def _dash(style: object) -> list[float]:
    """A matplotlib line style as Vega's strokeDash ('-' is solid)."""
    if style == "-":
        return [1, 0]
    return [round(2 * float(v), 2) for v in style[1]]  # type: ignore[index]


def _fig3_network(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """The deal network at the static figure's positions (`fig3_deal_network_nodes`), one
    line per entry stating a link (`fig3_deal_network_entries`): line colour and dash = edge
    kind, marker = node kind, colour = side, as in the static figure. Hovering or tapping a
    party highlights exactly its links; a link gives its entry, date, kind and words."""
    nodes = tables["fig3_deal_network_nodes"].copy()
    entries = tables["fig3_deal_network_entries"].copy()
    place = {n: (x, y) for n, x, y in zip(nodes["node"], nodes["x"], nodes["y"], strict=True)}
    missing = sorted((set(entries["company"]) | set(entries["counterpart"])) - set(place))
    if missing:
        raise CcpError(f"figure fig3_deal_network: party {missing[0]!r} of "
                       "fig3_deal_network_entries is not among fig3_deal_network_nodes")
    # Two Chinese parties stated to deal with each other: a vertical link in a lane of its own
    # just right of their column, so it never runs over the names; one lane per pair.
    co_party = (entries["ends"] == "co-party").tolist()
    pairs = list(dict.fromkeys((c, p) for c, p, k in zip(
        entries["company"], entries["counterpart"], co_party, strict=True) if k))
    lane = {pair: round(0.04 + 0.012 * i, 6) for i, pair in enumerate(pairs)}
    shift = _spread(entries, ["company", "counterpart"], 0.006)
    entries = entries.assign(
        x=[lane[(c, p)] if k else place[c][0] for c, p, k in
           zip(entries["company"], entries["counterpart"], co_party, strict=True)],
        x2=[lane[(c, p)] if k else place[p][0] for c, p, k in
            zip(entries["company"], entries["counterpart"], co_party, strict=True)],
        y=[round(place[c][1] + d, 6) for c, d in zip(entries["company"], shift, strict=True)],
        y2=[round(place[p][1] + d, 6) for p, d in
            zip(entries["counterpart"], shift, strict=True)],
        kind=[k if d else f"{k} (not a deal)" for k, d in
              zip(entries["edge_kind"], entries["is_deal"], strict=True)],
        source_words=[f"{REPORT_WORDS}, Appendix C, entry {e} (RWR IntelTrak)"
                      for e in entries["entry_id"]])
    nodes = nodes.assign(
        label=[f"{n} ({d})" if d else n for n, d in zip(nodes["node"], nodes["deals"],
                                                        strict=True)],
        member=[f"{k} of {p}" if p else "no parent: a party of its own" for k, p in
                zip(nodes["kind"], nodes["parent"], strict=True)])
    name = "fig3_network"
    hover = _hover(name)
    width, opacity = _highlight(name, "company", "counterpart")
    kinds = [k for k in EDGE_STYLES if k in set(entries["edge_kind"])]
    kind_words = [k if k not in NOT_A_DEAL else f"{k} (not a deal)" for k in kinds]
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.9, 1.7]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.02, 1.02]))
    lines = alt.Chart(_data(entries)).mark_rule().encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        # stroke, not color: the parties' fill has its own scale (their side).
        stroke=alt.Stroke("kind:N", title="link (entry)", scale=alt.Scale(
            domain=kind_words, range=[EDGE_STYLES[k][0] for k in kinds]),
            legend=alt.Legend(orient="bottom", columns=3)),
        strokeDash=alt.StrokeDash("kind:N", title="link (entry)", scale=alt.Scale(
            domain=kind_words, range=[_dash(EDGE_STYLES[k][1]) for k in kinds]),
            legend=alt.Legend(orient="bottom", columns=3)),
        strokeWidth=width, opacity=opacity,
        tooltip=[_tip("entry_id", "entry"), _tip("date_text", "date (report's words)"),
                 _tip("company", "Chinese party"), _tip("counterpart", "counterpart"),
                 _tip("kind", "link"), _tip("evidence", "words stating the link"),
                 _tip("text", "entry's words"), _tip("source_words", "source")])
    shapes = [k for k in NODE_SHAPES if k in set(nodes["kind"])]
    points = alt.Chart().mark_point(filled=True, opacity=1).encode(
        x=x, y=y,
        color=alt.Color("side:N", title="party", scale=alt.Scale(
            domain=["Chinese", "counterpart"],
            range=[CHINESE_COLOUR, COUNTERPART_COLOUR]),
            legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("kind:N", title="kind of party", scale=alt.Scale(
            domain=shapes, range=[NODE_SHAPES[k] for k in shapes]),
            legend=alt.Legend(orient="bottom", columns=2)),
        size=alt.Size("deals:Q", legend=None, scale=alt.Scale(range=[30, 260])),
        tooltip=[_tip("node", "party"), _tip("side", "side"), _tip("kind", "kind"),
                 _tip("member", "under"), _tip("deals", "entries with a deal", "Q"),
                 _tip("links", "links", "Q")],
    ).add_params(hover).properties(name=f"{name}_parties")
    layers = [points]
    # Names beside their points: left of the Chinese parties, right of the counterparts.
    # A subsidiary, affiliate or product in italics, as in the static figure.
    for test, align, dx in (("datum.x < 0.5", "right", -9), ("datum.x >= 0.5", "left", 9)):
        for member, style in (("!datum.parent", "normal"), ("datum.parent", "italic")):
            layers.append(alt.Chart().transform_filter(
                f"{test} && {member}").mark_text(align=align, dx=dx, fontSize=10,
                                                 fontStyle=style).encode(
                x=x, y=y, text="label:N"))
    height = max(HEIGHT, 14 * int((nodes["side"] == "counterpart").sum()))
    # The parties' layers share their data, inlined once.
    parties = alt.layer(*layers, data=_data(nodes))
    return alt.layer(lines, parties).properties(width="container", height=height)


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
    price = bool((table["measure"] == "price").all())
    unit = "USD per ADS" if price else "USD billion"
    what = "close" if price else "market value"
    # Each day's own source in words (its price row's `source`, as the static source note
    # names it: an imported file's --source as given). Thousands of days name a handful of
    # sources: a day carries its source's number, looked up in a small table of words.
    sources = list(dict.fromkeys(table["price_source"]))
    words = pd.DataFrame({"src": range(len(sources)), "source": [
        "BABA daily prices (unadjusted close): " + texts.price_source_words([s])
        + ("" if price else f"; {texts.SHARES_WORDS}") for s in sources]})
    code = {s: i for i, s in enumerate(sources)}
    days = table.assign(src=table["price_source"].map(code))
    # The days the static figure marks (first, peak, low after it), with its words.
    marked = pd.DataFrame([{"date": d, "value": v, "mark": text}
                           for d, v, text in figure_data.stock_marks(table)])
    marked = marked.merge(days.drop(columns=["value"]), on="date", how="left")
    # What every row says alike is computed in the browser, not repeated.
    keep = ["date", "value", "src"] + ([] if price else ["shares_as_of"])
    days = days[keep]
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
                  "shown": f"format(datum.value, ',.2f') + ' {unit}'"}
    lookup = alt.LookupData(data=_data(words), key="src", fields=["source"])

    def described(chart: alt.Chart) -> alt.Chart:
        return chart.transform_lookup(lookup="src", from_=lookup).transform_calculate(
            **calculated)

    base = described(alt.Chart())  # the days: the layer's data, once
    line = base.mark_line(color=PALETTE[0], strokeWidth=1).encode(x=x, y=y)
    points = base.mark_circle(size=60, color=PALETTE[3]).encode(
        x=x, y=y, opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.0)),
        tooltip=tips).add_params(hover).properties(name="fig5_days")
    marks = described(alt.Chart(_data(marked[["date", "value", "mark", "src"] + (
        [] if price else ["shares_as_of"])]))).mark_circle(
        size=45, color=PALETTE[3], opacity=1).encode(
        x=x, y=y, tooltip=[_tip("mark", "marked"), *tips])
    return alt.layer(line, points, marks, data=_data(days)).properties(width="container",
                                                                      height=HEIGHT)


# ------------------------------------------------------------------------------ Deals timeline

def _deals(tables: dict[str, pd.DataFrame], source_note: str) -> alt.TopLevelMixin:
    """Entries per year stacked by company group, coloured as the static chart; a bar's hover
    gives the year, the group and its entries (the unit the bars measure), each once."""
    table = tables["deals_timeline"].copy()
    table["source"] = (f"{REPORT_WORDS}, Appendix C (RWR IntelTrak); company groups coded by "
                       "ccp-analysis")
    order = list(dict.fromkeys(table["company_group"]))
    company_colours = [c for i, c in enumerate(PALETTE) if i not in (3, 7)]
    greys = {figure_data.OTHER: "#bbbbbb", figure_data.SEVERAL_GROUPS: "#777777"}
    named = [g for g in order if g not in greys]
    colours = [greys[g] if g in greys else company_colours[named.index(g) %
                                                           len(company_colours)]
               for g in order]
    table["order"] = [order.index(c) for c in table["company_group"]]
    table = table[table["entries"] > 0]  # a group with no entry that year draws nothing
    hover = alt.selection_point(name="deals_hover", on="pointerover",
                                fields=["year", "company_group"], empty=False,
                                clear="pointerout")
    return alt.Chart(_data(table)).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("entries:Q", title="Appendix C entries", stack="zero"),
        color=alt.Color("company_group:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=colours),
                        legend=alt.Legend(orient="bottom", columns=4)),
        order=alt.Order("order:Q"),
        stroke=alt.when(hover).then(alt.value("black")).otherwise(alt.value(None)),
        tooltip=[_tip("year", "year", "O"), _tip("company_group", "company group"),
                 _tip("entries", "entries", "Q"),
                 _tip("entries_in_year", "entries that year (all groups)", "Q"),
                 _tip("source", "source")],
    ).add_params(hover).properties(name="deals_bars", width="container", height=HEIGHT)


CHARTS: dict[str, Chart] = {
    "fig1_huawei_support": Chart({
        "fig1_huawei_support": ("panel", "row", "bound", "usd_bn", "item_ids", "what"),
        "fig1_huawei_support_items": ("item_id", "source_ref", "measure", "entity",
                                      "year_text", "amount_text", "words",
                                      "conservative_usd", "conservative_reason", "upper_usd",
                                      "upper_reason", "relations", "relation_words")}, _fig1),
    "fig2_alibaba_support": Chart({
        "fig2_alibaba_support": ("item_id", "year", "government_level", "place", "instrument",
                                 "amount_usd", "tax_rate_pct", "standard_tax_rate_pct",
                                 "entity")}, _fig2),
    "fig3_ai_park": Chart({
        "fig3_ai_park": ("edge_id", "source", "source_kind", "target", "target_kind",
                         "relation", "date_text", "quote")}, _fig3_park),
    "fig3_deal_network": Chart({
        "fig3_deal_network_nodes": ("node", "side", "kind", "parent", "deals", "links", "x",
                                    "y"),
        "fig3_deal_network_entries": ("entry_id", "company", "counterpart", "ends",
                                      "edge_kind", "is_deal", "date_text", "evidence",
                                      "text")}, _fig3_network),
    "fig4_huawei_revenue": Chart({
        "fig4_huawei_revenue": ("year", "currency", "fx_series", "cny_per_usd", "revenue_bn",
                                "revenue_cny_bn", "change_pct", "revenue_status")}, _fig4),
    "fig5_alibaba_stock": Chart({
        "fig5_alibaba_stock": ("date", "measure", "value", "shares_as_of", "price_source")},
        _fig5),
    "deals_timeline": Chart({
        "deals_timeline": ("year", "company_group", "entries", "entries_in_year")}, _deals),
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
    # Altair's debug mode validates every object as it is made, which the one validation of the
    # whole spec below repeats (a third of the time of a spec): off while the chart is drawn.
    with debug_mode(False):
        drawn = chart.build(given, source_note).properties(
            description=alt_text, usermeta={"figure": name, "source_note": source_note})
        drawn = drawn.configure(font="sans-serif").configure_view(stroke=None)
        return drawn.to_dict(validate=True)


def dumps(spec_dict: dict) -> str:
    """Deterministic text of a spec: sorted keys, no NaN, one trailing newline."""
    return json.dumps(spec_dict, sort_keys=True, indent=1, ensure_ascii=False,
                      allow_nan=False) + "\n"
