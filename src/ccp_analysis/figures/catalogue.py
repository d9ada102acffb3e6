"""The report's figures, each declared once, in the report's order.

A declaration says everything a client needs: the notebook, its parameters (type, what is
accepted, default, open ends resolved per edition), the frames it reads and the table function
it plots (which is also its check against the data), its outputs, the tables it exports with
their columns and key, its number and title as in the report, and the functions that compute
its caption, alt text, finding and source note. The build, the notebooks' hand-off cell (which
checks every exported table against it), `ccp-analysis params`, `ccp-analysis diff`, the gate
and the README's parameter table all read it, so adding a figure means one declaration here and
one notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ccp_analysis.data.editions import EDITIONS
from ccp_analysis.data.schemas import FX_SERIES
from ccp_analysis.figures import texts
from ccp_analysis.figures.parameters import Param

Values = dict[str, object]
TableFunction = Callable[[Values, str], pd.DataFrame]


@dataclass(frozen=True)
class Span:
    """Where a figure's year or date range meets the data: the frame and its first/last column."""

    frame: str
    first: str
    last: str


@dataclass(frozen=True)
class Table:
    """A table the notebook exports (tables/<name>.csv): its columns, in order, and its key, the
    columns that name a row once. The export refuses a table that differs; `ccp-analysis diff`
    and the gate match rows by the key."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]


def table(name: str, key: str, columns: str) -> Table:
    """A table from its key and columns written as space-separated names."""
    return Table(name, tuple(key.split()), tuple(columns.split()))


@dataclass(frozen=True)
class FigureSpec:
    notebook: str
    label: str  # "Figure 1" as in the report; the project's own charts never carry a number
    title: str  # the report's own title where it has one
    outputs: tuple[str, ...]  # figure names the notebook exports (figures/<name>.png ...)
    parameters: tuple[Param, ...] = ()
    frames: tuple[str, ...] = ()  # the processed frames it reads
    table: TableFunction | None = None  # the table it plots; an empty table refuses the range
    # The figure's data tables beside its table (tables/<name>.csv), each with the function that
    # builds it: what its marks are made of, row by row, exported by the notebook for the
    # figure's interactive twin (e.g. Figure 1's items, each bar a sum of them).
    data: dict[str, TableFunction] = field(default_factory=dict)
    span: Span | None = None
    texts: dict[str, Callable[..., texts.FigureText]] = field(default_factory=dict)
    description: str = ""
    # An output that is the project's own chart, not the report's figure, gets its own heading
    # (Figure 3's notebook draws the report's AI park and the project's deal network).
    output_headings: dict[str, str] = field(default_factory=dict)
    # Every table the notebook exports, with its columns and key.
    tables: tuple[Table, ...] = ()

    def params(self) -> dict[str, Param]:
        return {p.name: p for p in self.parameters}

    def heading(self, output: str | None = None) -> str:
        if output in self.output_headings:
            return self.output_headings[output]
        return f"{self.label}: {self.title}" if self.label else self.title


def _edition() -> Param:
    return Param("edition", "str", "as-published", "as-published: data cut at the report's "
                 "date (2022-12-16); updated: all the data there is", choices=EDITIONS)


def _years(start: int, end: int, *, open_end: bool = False) -> tuple[Param, Param]:
    return (Param("year_start", "int", start, "first year shown"),
            Param("year_end", "int", 0 if open_end else end,
                  "last year shown", open_end=open_end))


# Table functions: the very calls the notebooks make, on the edition's frames.

def _load(name: str, edition: str) -> pd.DataFrame:
    from ccp_analysis.data import editions

    return editions.load(name, edition)


def _fig1_rules(v: Values) -> dict[str, object]:
    return {name: v[name] for name in ("year_start", "year_end", "include_credit_lines",
                                       "include_customer_financing", "include_derived",
                                       "include_fines")}


def _fig1(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.support_figure_table(
        _load("huawei_state_support", e), _load("state_support_relations", e),
        _load("state_support_estimates", e), **_fig1_rules(v))


def _fig1_items(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.support_items_table(
        _load("huawei_state_support", e), _load("state_support_relations", e),
        **_fig1_rules(v))


def _fig1_sensitivity(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.support_sensitivity(
        _load("huawei_state_support", e), _load("state_support_relations", e),
        **_fig1_rules(v))


def _fig2(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.alibaba_support_table(_load("alibaba_state_support", e),
                                             year_start=v["year_start"], year_end=v["year_end"])


def _fig3_layout(v: Values, e: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from ccp_analysis.figures import figure_data

    return figure_data.network_layout(
        _load("malaysia_deal_edges", e), _load("malaysia_deal_parties", e),
        year_start=v["year_start"], year_end=v["year_end"], min_degree=v["min_degree"])


def _fig3(v: Values, e: str) -> pd.DataFrame:
    return _fig3_layout(v, e)[1]


def _fig3_nodes(v: Values, e: str) -> pd.DataFrame:
    return _fig3_layout(v, e)[0]


def _fig3_entries(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.network_entries(
        _load("malaysia_deal_edges", e), _load("malaysia_deals", e), _fig3(v, e),
        year_start=v["year_start"], year_end=v["year_end"])


def _fig4(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.revenue_table(_load("huawei_revenue", e), year_start=v["year_start"],
                                     year_end=v["year_end"], currency=v["currency"],
                                     fx_series=v["fx_series"])


def _fig5(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    return figure_data.stock_table(_load("alibaba_stock", e), date_start=v["date_start"],
                                   date_end=v["date_end"], measure=v["measure"])


def _deals(v: Values, e: str) -> pd.DataFrame:
    from ccp_analysis.figures import figure_data

    table = figure_data.deals_per_year(_load("malaysia_deals", e), year_start=v["year_start"],
                                       year_end=v["year_end"], top_companies=v["top_companies"])
    return table[table["entries_in_year"] > 0] if table["entries_in_year"].sum() else table[:0]


# The label of the project's own charts: they are drawn from the report's data but are not
# figures of the report, so they carry no figure number.
PROJECT_CHART = "Project chart from Appendix C"

FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "fig1_huawei_support", "Figure 1", "A Snapshot of Huawei's State Support",
        ("fig1_huawei_support",),
        parameters=(_edition(), *_years(1995, 2020),
                    Param("include_credit_lines", "bool", True,
                          "count credit lines (limits, not money lent)"),
                    Param("include_customer_financing", "bool", True,
                          "count financing for Huawei's customers"),
                    Param("include_derived", "bool", True,
                          "count amounts derived as a share of a stated amount"),
                    Param("include_fines", "bool", False,
                          "count fines on competitors (not money to Huawei)")),
        frames=("huawei_state_support", "state_support_relations", "state_support_estimates"),
        table=_fig1,
        data={"fig1_huawei_support_items": _fig1_items,
              "fig1_huawei_support_sensitivity": _fig1_sensitivity},
        span=Span("huawei_state_support", "period_start_year", "period_end_year"),
        texts={"fig1_huawei_support": texts.huawei_support},
        tables=(table("fig1_huawei_support", "panel row bound",
                      "panel row bound usd_bn item_ids n_items n_unquantified what"),
                table("fig1_huawei_support_items", "item_id",
                      "item_id source_ref measure instrument entity year_text amount_usd "
                      "amount_text words amount_kind conservative_usd conservative_reason "
                      "upper_usd upper_reason relations relation_words"),
                table("fig1_huawei_support_sensitivity", "kind label",
                      "kind label setting low_usd_bn high_usd_bn conservative_item_ids "
                      "upper_item_ids moved_item_ids source")),
        description="Huawei's itemised state support kept apart by measure, this project's "
        "two totals, and the text's estimates apart"),
    FigureSpec(
        "fig2_alibaba_support", "Figure 2",
        "A Snapshot of Alibaba's State Support during Its Rise", ("fig2_alibaba_support",),
        parameters=(_edition(), *_years(2011, 2016)),
        frames=("alibaba_state_support",), table=_fig2,
        span=Span("alibaba_state_support", "period_start_year", "period_end_year"),
        texts={"fig2_alibaba_support": texts.alibaba_support},
        tables=(table("fig2_alibaba_support", "item_id",
                      "item_id year government_level place instrument amount_usd tax_rate_pct "
                      "standard_tax_rate_pct entity tax_rate_approximate"),),
        description="Alibaba's support measures by level of government, place and year"),
    FigureSpec(
        "fig3_malaysia_network", "Figure 3", "A CCP Inc. Microcosm in Malaysia",
        ("fig3_ai_park", "fig3_deal_network"),
        parameters=(_edition(), *_years(2011, 2020),
                    Param("min_degree", "int", 1, "hide Chinese companies with fewer links",
                          minimum=1)),
        frames=("ai_park_network", "malaysia_deal_edges", "malaysia_deal_parties",
                "malaysia_deals"),
        table=_fig3,
        data={"fig3_deal_network_nodes": _fig3_nodes,
              "fig3_deal_network_entries": _fig3_entries},
        span=Span("malaysia_deal_edges", "year", "year"),
        texts={"fig3_ai_park": texts.ai_park, "fig3_deal_network": texts.deal_network},
        tables=(table("fig3_ai_park", "edge_id",
                      "edge_id source source_kind target target_kind relation date_text quote"),
                table("fig3_deal_network", "company counterpart edge_kind",
                      "company company_kind counterpart counterpart_kind ends edge_kind is_deal "
                      "n_entries entry_ids"),
                table("fig3_deal_network_nodes", "node",
                      "node side kind parent group deals links x y"),
                table("fig3_deal_network_entries", "entry_id company counterpart edge_kind",
                      "entry_id company counterpart ends edge_kind is_deal date_text evidence "
                      "text")),
        description="The report's AI-park partnership, and the project's network of "
        "Appendix C's stated links",
        output_headings={"fig3_deal_network": PROJECT_CHART + ": Who Dealt with Whom in "
                         "Malaysia"}),
    FigureSpec(
        "fig4_huawei_revenue", "Figure 4", "Huawei's Annual Revenue", ("fig4_huawei_revenue",),
        parameters=(_edition(), *_years(2013, 0, open_end=True),
                    Param("currency", "str", "USD", "currency of the bars",
                          choices=("USD", "CNY")),
                    Param("fx_series", "str", "ecb",
                          "CNY per USD yearly averages used for USD", choices=FX_SERIES,
                          applies_only=("currency", "USD"))),
        frames=("huawei_revenue",), table=_fig4, span=Span("huawei_revenue", "year", "year"),
        texts={"fig4_huawei_revenue": texts.huawei_revenue},
        tables=(table("fig4_huawei_revenue", "year",
                      "year currency fx_series cny_per_usd revenue_bn revenue_cny_bn change_pct "
                      "revenue_status"),),
        description="Huawei's annual revenue and its 2021 fall"),
    FigureSpec(
        "fig5_alibaba_stock", "Figure 5", "Alibaba's Stock Value", ("fig5_alibaba_stock",),
        parameters=(_edition(),
                    Param("date_start", "str", "2014-09-19", "first day shown", is_date=True),
                    Param("date_end", "str", "", "last day shown", is_date=True,
                          open_end=True),
                    Param("measure", "str", "price", "close per ADS, or market value",
                          choices=("price", "market_value"))),
        frames=("alibaba_stock",), table=_fig5, span=Span("alibaba_stock", "date", "date"),
        texts={"fig5_alibaba_stock": texts.alibaba_stock},
        tables=(table("fig5_alibaba_stock", "date",
                      "date measure value shares_as_of price_source"),),
        description="BABA's daily close or market value from the IPO"),
    FigureSpec(
        "deals_timeline", PROJECT_CHART, "Timeline Entries per Year",
        ("deals_timeline",),
        parameters=(_edition(), *_years(2011, 2020),
                    Param("top_companies", "int", 6, "companies shown by name; the rest are "
                          "'Other'", minimum=1)),
        frames=("malaysia_deals",), table=_deals, span=Span("malaysia_deals", "year", "year"),
        texts={"deals_timeline": texts.deals_timeline},
        tables=(table("deals_timeline", "year company_group",
                      "year company_group entries entries_in_year"),),
        description="Appendix C's entries per year by Chinese company group"),
)

# Notebooks that publish a table but no figure.
TABLES: tuple[FigureSpec, ...] = (
    FigureSpec("claims_audit", "", "Claims audit", (), parameters=(_edition(),),
               description="every quantitative claim of the report, recomputed",
               tables=(table("claims_audit", "claim_id",
                             "claim_id location quote stated_value unit reading "
                             "recomputed_value difference tolerance range_low range_high "
                             "range_bounds verdict checked_against counted reading_of "
                             "explanation"),)),
)
TABLE_NOTEBOOKS: tuple[str, ...] = tuple(spec.notebook for spec in TABLES)


def by_notebook() -> dict[str, FigureSpec]:
    return {spec.notebook: spec for spec in FIGURES}


def by_output() -> dict[str, FigureSpec]:
    """figure name (as exported) -> the figure it belongs to."""
    return {name: spec for spec in FIGURES for name in spec.outputs}


def report_order() -> list[str]:
    """Every declared notebook, figures in the report's order, then the table notebooks."""
    return [spec.notebook for spec in FIGURES] + list(TABLE_NOTEBOOKS)


def declarations() -> dict[str, FigureSpec]:
    """Every declared notebook (figures and table notebooks) in the report's order."""
    return {spec.notebook: spec for spec in FIGURES + TABLES}
