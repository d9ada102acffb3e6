"""The frame registry: every tidy frame of data/processed declared once, as one entry.

An entry (`Frame`) holds everything the library knows about a frame apart from how it is
cleaned: its columns with their types, units and allowed values (the pandera schema is made from
them), its key and order, the raw files it is built from (as data/raw/MANIFEST.json names them),
how the as-published edition cuts it (`Cut`, or none), and whether it stacks one exchange-rate
series after another (`per_series`). `editions`, `api`, `processed` and the data dictionary
published beside the frames read these entries; no module switches on a frame's name.

How each frame is cleaned from its raw files is attached by name in `frame_builders`, which no
notebook imports: a cleaning change that leaves data/processed as it is reruns no notebook.
The vocabularies below (the allowed values of coded columns) live here rather than beside the
cleaning code, so the figure library and the claims audit can name them without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from ccp_analysis.errors import ParameterError


def raw_path(relpath: str) -> str:
    """A raw file as the project shows it: its manifest name under data/raw/."""
    return f"data/raw/{relpath}"


# ------------------------------------------------------------------ vocabularies (allowed values)

# Exchange-rate series of fx_rates and huawei_revenue (the IRS series is empty in the sources).
FX_SERIES = ("ecb", "oecd_imf", "fed", "pboc")


def check_fx_series(name: str) -> str:
    if name not in FX_SERIES:
        raise ParameterError(
            f"exchange-rate series {name!r} is not known; accepted: {', '.join(FX_SERIES)} "
            "(the IRS series is empty in the sources, see data/raw/market/SOURCES.md)"
        )
    return name


# huawei_revenue.revenue_source of a year no import added or revised: the annual reports
# data/raw/market/SOURCES.md section 2 lists year by year.
HUAWEI_BASE_SOURCE = "Huawei annual reports"

# Precision of a period or date as the report prints it (periods.py parses them).
YEAR = "year"
SPAN = "years"
APPROXIMATE = "approximate span"
DAY = "day"
MONTH = "month"
HALF_YEAR = "half-year"
# "Early 2017" / "Late 2017": the first or last third of the year, as "early" and "late" are
# the first and last thirds of a decade; the precision keeps the word, not a half.
EARLY_YEAR = "early-year"
LATE_YEAR = "late-year"
EVENT_PRECISIONS = (DAY, MONTH, HALF_YEAR, EARLY_YEAR, LATE_YEAR, YEAR)

# How a support item's USD amount is known (money.py parses the words).
STATED = "stated"
DERIVED = "derived"
UNQUANTIFIED = "unquantified"

# State support items (support.py codes them).
ENTITY_TYPES = (
    "policy bank", "commercial bank", "SOE", "central government",
    "provincial or local government", "mixed", "unspecified",
)
CHANNELS = (
    "Policy Banks", "Commercial Banks and SOEs", "Central and Local Government Bodies",
    "Unassigned",
)
INSTRUMENTS = (
    "loan to customers", "loan to the firm", "credit line", "grant", "tax benefit", "land",
    "contract award", "fine on a competitor", "regulatory or policy measure", "personnel bonus",
    "joint venture/technology transfer",
)
BENEFICIARIES = ("firm", "customers")
GOVERNMENT_LEVELS = ("central", "provincial", "municipal", "provincial and municipal")

# What kind of amount an item states (coding column amount_kind).
SINGLE = "single"  # one amount of its own
LIMIT = "limit"  # a credit line: a ceiling on lending, not money lent
AGGREGATE = "aggregate"  # a stated total of several loans ("in total", "total loans")
NOT_TO_FIRM = "not_to_firm"  # the amount is not money to the firm (a fine on a competitor)
AMOUNT_KINDS = (SINGLE, LIMIT, AGGREGATE, NOT_TO_FIRM)

# How one item's money may sit inside another's (state_support_relations.csv), each under a
# named reading of the report's words. Every relation of a reading is applied together.
DRAWN_UNDER = "drawn_under"  # lent under the credit-line limit `target`
CONTAINED_IN = "contained_in"  # part of the aggregate `target`
PARTLY_LINKED = "partly_linked"  # the words tie only part of the amount (linked_amount_text)
RELATION_KINDS = (DRAWN_UNDER, CONTAINED_IN, PARTLY_LINKED)
CREDIT_LINE = "credit line"  # loans a bank made while its buyer's credit line was open
TO_DATE = "to date"  # an aggregate read as loaned up to its date ("has been loaned")
IN_TOTAL = "in total"  # an aggregate over a span holds the lender's single loans of the span
PARTLY = "partly linked"  # only part of the amount is tied to the firm
READINGS = (CREDIT_LINE, TO_DATE, IN_TOTAL, PARTLY)
BASES = ("stated", "inferred")

# Bounds of the text's headline estimates.
POINT = "point"
RANGE = "range"
UPPER = "upper bound"
BOUNDS = (POINT, RANGE, UPPER)

# Appendix C (deals.py codes it). Node kinds: a subsidiary, affiliate or product belongs to its
# parent's group and is drawn and counted as part of it, never as a company of its own.
COMPANY = "company"
WITH_PARENT = ("subsidiary", "affiliate", "product")
NODE_KINDS = (COMPANY, *WITH_PARENT, "government body", "university")
# How a node kind is known: the report's words say it ('a subsidiary of China Unicom'), the
# party's printed name says it ('... Sdn Bhd', '... Government'), or the project coded it
# (the note says why).
KIND_BASES = ("report", "name", "coded")
# Sides of the network, from the column of the timeline that names the party.
CHINESE, COUNTERPART = "Chinese", "counterpart"
# Ends of an edge: a Chinese party and a counterpart, or two Chinese parties of one entry.
ENDS = ("counterpart", "co-party")
# Kinds of stated relations (deals.KIND_RULES finds them in the words). The first six are deals;
# an award, a visit and a link inside one group are drawn apart and never counted as deals.
DEAL_KINDS = ("contract", "agreement", "joint venture", "cooperation", "MOU", "letter of intent")
INTRA_GROUP = "intra-group"
EDGE_KINDS = (*DEAL_KINDS, "award", "visit", INTRA_GROUP)
# An entry with no stated relation is typed by what it announces.
LAUNCH_OFFICE = "launch/office"
DEAL_TYPES = (*EDGE_KINDS[:-1], LAUNCH_OFFICE, "other")

# The claims audit's units and its method for what nothing here recomputes (the note says why).
CLAIM_NUMERIC_UNITS = ("pct", "usd", "usd_bn", "usd_mn", "cny_mn", "count", "rank", "rate_pct",
                       "ratio", "usd_per_ads", "km", "hectares", "weeks", "months", "years")
CLAIM_UNITS = (*CLAIM_NUMERIC_UNITS, "year", "month")
STATED_ONLY_METHOD = "stated_only"


# ------------------------------------------------------------------ entries

# Where the as-published edition cuts a frame, named here and valued in `editions` (the
# edition's dates are its own): the report's publication date, that date's year, or the last
# year whose full-year results were out by then (Huawei's 2022 results came out in 2023).
PUBLICATION_DATE = "publication date"
PUBLICATION_YEAR = "publication year"
LAST_RESULTS_YEAR = "last results year"
CUT_BOUNDS = (PUBLICATION_DATE, PUBLICATION_YEAR, LAST_RESULTS_YEAR)


@dataclass(frozen=True)
class Cut:
    """The as-published edition keeps the rows whose `column` is at most `upto`."""

    column: str  # a date column (cut at a date) or a year column (cut at a year)
    upto: str  # one of CUT_BOUNDS


@dataclass(frozen=True)
class Col:
    name: str
    dtype: str  # "str", "int", "Int64" (nullable), "float", "bool", "date"
    description: str
    nullable: bool = False
    isin: tuple[str, ...] | None = None
    checks: tuple[pa.Check, ...] = ()


@dataclass(frozen=True)
class Frame:
    """One frame's registry entry.

    sources: the raw files it is built from, as data/raw/MANIFEST.json names them (paths under
    data/raw/; REVISIONS.jsonl is the import log). cut: how the as-published edition cuts it;
    None keeps every row in both editions. per_series: it stacks one exchange-rate series after
    another (column and key `fx_series`), so `ccp_analysis.load` returns one series unless asked.
    """

    name: str
    description: str
    key: tuple[str, ...]
    sort: tuple[str, ...]
    columns: tuple[Col, ...]
    sources: tuple[str, ...] = field(default_factory=tuple)
    cut: Cut | None = None
    per_series: bool = False

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        wrong = [k for k in (*self.key, *self.sort) if k not in names]
        if wrong:
            raise ValueError(f"frame {self.name!r}: key or sort column(s) {wrong} not among its "
                             "columns")
        if not self.sources:
            raise ValueError(f"frame {self.name!r}: no sources (the raw files it is built from)")
        if self.cut is not None:
            dtype = {c.name: c.dtype for c in self.columns}.get(self.cut.column)
            if dtype not in ("date", "int"):
                raise ValueError(f"frame {self.name!r}: cut column {self.cut.column!r} is not a "
                                 "date or int (year) column of the frame")
            if self.cut.upto not in CUT_BOUNDS:
                raise ValueError(f"frame {self.name!r}: cut bound {self.cut.upto!r} is not one "
                                 f"of {', '.join(CUT_BOUNDS)}")
        if self.per_series and "fx_series" not in self.key:
            raise ValueError(f"frame {self.name!r}: per_series needs fx_series in its key")

    def column(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    def schema(self, coerce: bool = False) -> pa.DataFrameSchema:
        """coerce: convert each column to its declared dtype before checking (reading CSV)."""
        return pa.DataFrameSchema(
            {c.name: _column(c) for c in self.columns},
            coerce=coerce,
            unique=list(self.key),
            strict=True,
            ordered=True,
            checks=[pa.Check(lambda df: _is_sorted(df, list(self.sort)),
                             error=f"rows sorted by {', '.join(self.sort)}")],
            name=self.name,
        )


_DTYPES = {"str": str, "int": "int64", "Int64": "Int64", "float": "float64", "bool": bool,
           "date": "datetime64[ns]"}


def _column(col: Col) -> pa.Column:
    checks = list(col.checks)
    if col.isin is not None:
        checks.append(pa.Check.isin(list(col.isin)))
    return pa.Column(_DTYPES[col.dtype], checks=checks, nullable=col.nullable,
                     description=col.description)


def _is_sorted(frame: pd.DataFrame, by: list[str]) -> bool:
    return frame[by].equals(frame.sort_values(by)[by].reset_index(drop=True).set_axis(
        frame.index))


POSITIVE = pa.Check.gt(0)
_RAW_FILE = Col("raw_file", "str", "Raw file the row was read from (under data/raw/).")
_RAW_LINE = Col("raw_line", "int", "Line of that raw file holding the row.")


def _support_columns(firm: str) -> tuple[Col, ...]:
    head = [
        Col("item_id", "str", "Item id: A01-A23 / B01-B10 appendix rows, F1-/F2- figure items."),
        Col("firm", "str", "Firm supported.", isin=(firm,)),
        Col("source_ref", "str", "Where the item stands in the report (appendix row or figure "
            "column/city)."),
        Col("same_item_as", "str", "For a figure item repeating an appendix row, that row's "
            "item_id; empty otherwise."),
        Col("is_primary", "bool", "True where same_item_as is empty: count only these in totals."),
        Col("year_text", "str", "Year as printed (empty where the report gives none)."),
        Col("period_text", "str", "The coding's period where the report dates the same amount "
            "more widely elsewhere (it replaces year_text for the period); empty otherwise."),
        Col("period_start_year", "Int64", "First year of the period the item covers.",
            nullable=True),
        Col("period_end_year", "Int64", "Last year of that period.", nullable=True),
        Col("period_precision", "str", "How precise the period is.",
            isin=(YEAR, SPAN, APPROXIMATE, "not stated")),
        Col("entity", "str", "Chinese state entity as printed."),
        Col("entity_type", "str", "Kind of entity.", isin=ENTITY_TYPES),
    ]
    if firm == "huawei":
        head.append(Col("channel", "str", "Figure 1 column the item belongs to.",
                        isin=CHANNELS))
    else:
        head += [
            Col("government_level", "str", "Level of government.",
                isin=GOVERNMENT_LEVELS),
            Col("place", "str", "City or province of the entity (central bodies: Beijing)."),
        ]
    tail = [
        Col("instrument", "str", "Form of support.", isin=INSTRUMENTS),
        Col("beneficiary", "str", "Who receives it: the firm itself or its customers.",
            isin=BENEFICIARIES),
        Col("amount_usd", "float", "USD value of the support where the text states or implies "
            "one.", nullable=True, checks=(POSITIVE,)),
        Col("amount_basis", "str", "stated (a USD amount printed), derived (a printed share of a "
            "printed amount) or unquantified.",
            isin=(STATED, DERIVED, UNQUANTIFIED)),
        Col("amount_text", "str", "The words of raw_text that state the amount."),
        Col("amount_formula", "str", "How amount_usd follows from amount_text."),
        Col("unquantified_reason", "str", "Why no USD amount is given (unquantified items)."),
        Col("amount_kind", "str", "What kind of amount the item states: single (one amount of "
            "its own); limit (a credit line, a ceiling not money lent); aggregate (a stated total "
            "of several loans, 'in total' or 'total loans'); not_to_firm (not money to the firm, "
            "e.g. a fine on a competitor). How items may overlap is in state_support_relations.",
            isin=AMOUNT_KINDS),
        Col("amount_kind_evidence", "str", "The report's words that show the kind, quotes "
            "separated by ' | ', each found verbatim in the firm's items; empty for single."),
    ]
    if firm == "alibaba":
        tail += [
            Col("tax_rate_pct", "float", "Tax rate the item states for Alibaba or its sector, "
                "percent.", nullable=True),
            Col("standard_tax_rate_pct", "float", "Standard rate the item compares against, "
                "percent.", nullable=True),
        ]
    tail += [
        Col("note", "str", "Judgement made in coding the item."),
        Col("raw_text", "str", "The item's text as printed."),
        _RAW_FILE,
        _RAW_LINE,
    ]
    return tuple(head + tail)


FRAMES: dict[str, Frame] = {}


def _register(frame: Frame) -> None:
    if frame.name in FRAMES:
        raise ValueError(f"frame {frame.name!r} is registered twice")
    FRAMES[frame.name] = frame


_register(Frame(
    name="huawei_state_support",
    description="Huawei's state support items: Appendix A (23 rows) and Figure 1's items, "
    "figure items that repeat an appendix row marked by same_item_as.",
    key=("item_id",), sort=("item_id",), columns=_support_columns("huawei"),
    sources=("report/appendix_a_huawei.csv", "report/figure1_items.csv",
             "report/state_support_coding.csv"),
))
_register(Frame(
    name="alibaba_state_support",
    description="Alibaba's state support items: Appendix B (10 rows) and Figure 2's boxes.",
    key=("item_id",), sort=("item_id",), columns=_support_columns("alibaba"),
    sources=("report/appendix_b_alibaba.csv", "report/figure2_items.csv",
             "report/state_support_coding.csv"),
))
_register(Frame(
    name="state_support_relations",
    description="How one support item's money may sit inside another's, one row per relation, "
    "each under a named reading of the report's words (docs/figure1.md): loans drawn under a "
    "credit line, single loans inside an aggregate, items tied only partly to the firm.",
    key=("item_id", "relation", "target"), sort=("item_id", "relation", "target"),
    columns=(
        Col("item_id", "str", "The primary item the relation is about."),
        Col("relation", "str", "drawn_under (may be lent under the limit `target`); "
            "contained_in (may be part of the aggregate `target`); partly_linked (the words tie "
            "only part of the amount to the firm).", isin=RELATION_KINDS),
        Col("target", "str", "item_id of the limit or aggregate; empty for partly_linked."),
        Col("firm", "str", "Firm.", isin=("huawei", "alibaba")),
        Col("reading", "str", "The reading of the report's words under which the relation holds: "
            "credit line (a bank's loans to the firm's customers while its buyer's credit line "
            "was open may be drawn under it); to date (an aggregate read as loaned up to its "
            "date holds the lender's earlier loans); in total (an aggregate over a span holds "
            "the lender's single loans of that span); partly linked.", isin=READINGS),
        Col("basis", "str", "stated (the words say it) or inferred (the project infers it from "
            "lender, date and purpose; no words say it).", isin=BASES),
        Col("linked_amount_text", "str", "partly_linked: the words stating the part tied to the "
            "firm; empty when no part is stated."),
        Col("linked_usd", "float", "USD value of linked_amount_text.", nullable=True,
            checks=(POSITIVE,)),
        Col("evidence", "str", "The report's words the relation rests on, quotes separated by "
            "' | ', each found verbatim in the firm's items."),
        Col("note", "str", "Why the relation is coded, and what the words do not say."),
        _RAW_LINE,
    ),
    sources=("report/state_support_relations.csv",),
))
_register(Frame(
    name="state_support_estimates",
    description="The text's headline estimates of Huawei's state support (stated only).",
    key=("estimate_id",), sort=("estimate_id",),
    columns=(
        Col("estimate_id", "str", "Estimate id."),
        Col("firm", "str", "Firm.", isin=("huawei", "alibaba")),
        Col("value_low", "float", "Low end of the stated value, in `unit` (empty for an upper "
            "bound: 'as much as').", nullable=True),
        Col("value_high", "float", "High end of the stated value (the bound itself for "
            "'as much as'), in `unit`."),
        Col("bound", "str", "point (one value), range (low to high) or upper bound ('as much "
            "as').", isin=BOUNDS),
        Col("unit", "str", "usd or pct.", isin=("usd", "pct")),
        Col("value_text", "str", "The words stating the value."),
        Col("period_text", "str", "Period the estimate covers, as printed."),
        Col("attributed_to", "str", "Who made the estimate, per the report."),
        Col("quote", "str", "The sentence as printed."),
        _RAW_LINE,
    ),
    sources=("report/state_support_estimates.csv",),
))
_register(Frame(
    name="fx_rates",
    description="CNY per USD yearly averages, every series in long form.",
    key=("fx_series", "year"), sort=("fx_series", "year"),
    columns=(
        Col("year", "int", "Calendar year."),
        Col("fx_series", "str", "Exchange-rate series.", isin=FX_SERIES),
        Col("cny_per_usd", "float", "Yearly average, CNY per USD.", checks=(POSITIVE,)),
        Col("fx_status", "str", "How far the value is verified (data/raw/market/SOURCES.md)."),
    ),
    sources=("market/cny_per_usd_annual.csv",),
    cut=Cut("year", LAST_RESULTS_YEAR), per_series=True,
))
_register(Frame(
    name="huawei_revenue",
    description="Huawei's annual revenue and net profit in CNY million, and revenue in USD "
    "million at the yearly average rate of each series.",
    key=("fx_series", "year"), sort=("fx_series", "year"),
    columns=(
        Col("fx_series", "str", "Exchange-rate series that made the USD values.",
            isin=FX_SERIES),
        Col("year", "int", "Fiscal (calendar) year."),
        Col("revenue_cny_mn", "float", "Revenue, CNY million, as reported.", checks=(POSITIVE,)),
        Col("net_profit_cny_mn", "float", "Net profit, CNY million, as reported."),
        Col("revenue_status", "str", "Verification status of the revenue value."),
        Col("revenue_source", "str", "Where the revenue value comes from: Huawei's annual "
            "reports (data/raw/market/SOURCES.md section 2), or the source of the import that "
            "added or revised it (data/raw/REVISIONS.jsonl)."),
        Col("cny_per_usd", "float", "Yearly average rate of the series (NaN: none).",
            nullable=True),
        Col("fx_status", "str", "Verification status of the rate.", nullable=True),
        Col("revenue_usd_mn", "float", "Revenue, USD million, at that rate (NaN: no rate).",
            nullable=True),
        Col("revenue_change_pct_cny", "float", "Change on the year before, percent, in CNY.",
            nullable=True),
        Col("revenue_change_pct_usd", "float", "Change on the year before, percent, in USD.",
            nullable=True),
        Col("raw_line", "int", "Line of data/raw/market/huawei_financials.csv."),
    ),
    # REVISIONS.jsonl, the import log, gives revenue_source.
    sources=("market/huawei_financials.csv", "market/cny_per_usd_annual.csv", "REVISIONS.jsonl"),
    cut=Cut("year", LAST_RESULTS_YEAR), per_series=True,
))
_register(Frame(
    name="alibaba_stock",
    description="BABA daily close (unadjusted, USD per ADS) and market value on the share "
    "count in force.",
    key=("date",), sort=("date",),
    columns=(
        Col("date", "date", "NYSE trading day."),
        Col("close_usd", "float", "Close, USD per ADS, unadjusted.", checks=(POSITIVE,)),
        Col("adj_close_usd", "float", "Dividend-adjusted close (as of 2026-03), USD per ADS.",
            checks=(POSITIVE,)),
        Col("volume_ads", "int", "ADS traded."),
        Col("shares_ads_equivalent", "float", "Share count used, in ADS equivalents."),
        Col("shares_as_of", "date", "Date of that share count."),
        Col("shares_basis", "str", "Which count applies to the day."),
        Col("shares_status", "str", "Verification status of the count."),
        Col("market_value_usd_bn", "float", "close_usd x shares_ads_equivalent, USD billion."),
        Col("price_source", "str", "Repository the price row came from."),
        Col("raw_line", "int", "Line of data/raw/market/baba_daily.csv."),
    ),
    sources=("market/baba_daily.csv", "market/alibaba_shares_outstanding.csv"),
    cut=Cut("date", PUBLICATION_DATE),
))
_register(Frame(
    name="malaysia_deals",
    description="Appendix C: one row per timeline entry of Chinese tech deals in Malaysia.",
    key=("entry_id",), sort=("event_date", "entry_id"),
    columns=(
        Col("entry_id", "str", "Entry id, C01-C62 in printed order."),
        Col("event_date", "date", "First day of the period the date text names."),
        Col("event_date_end", "date", "Last day of that period."),
        Col("date_precision", "str", "Precision of the date text: a day, a month, a half-year "
            "(H1/H2), the first or last third of a year ('Early'/'Late'), or a year.",
            isin=EVENT_PRECISIONS),
        Col("year", "int", "Year of the event."),
        Col("date_text", "str", "Date as printed."),
        Col("chinese_companies", "str", "Chinese parties named (companies, and subsidiaries, "
            "affiliates or products of them: node kinds in malaysia_deal_parties), "
            "'; '-separated."),
        Col("counterparts", "str", "Malaysian or other parties named, '; '-separated."),
        Col("n_chinese_companies", "int", "How many Chinese parties the entry names."),
        Col("chinese_groups", "str", "The Chinese company groups those parties belong to (each "
            "party's top parent), '; '-separated in the entry's order: Alibaba; Cainiao; "
            "Lazada is one group, Alibaba."),
        Col("deal_type", "str", "Kind of relation the entry's words state (first matching "
            "wording rule of deals.KIND_RULES), else 'launch/office' or 'other'.",
            isin=DEAL_TYPES),
        Col("text", "str", "Entry text as printed."),
        Col("note", "str", "Judgement made in coding the entry's parties or type."),
        _RAW_LINE,
    ),
    sources=("report/appendix_c_timeline.csv",),
    cut=Cut("year", PUBLICATION_YEAR),
))
_register(Frame(
    name="malaysia_deal_parties",
    description="Appendix C's parties as nodes: what each named party is (company; subsidiary, "
    "affiliate or product with its parent; government body; university), the group it belongs "
    "to and the side of the timeline that names it.",
    key=("party",), sort=("party",),
    columns=(
        Col("party", "str", "Party as Appendix C's coding names it."),
        Col("side", "str", "Which timeline column names it: a Chinese party or a counterpart.",
            isin=(CHINESE, COUNTERPART)),
        Col("kind", "str", "Node kind; a subsidiary, affiliate or product is never counted as a "
            "company beside its parent.", isin=NODE_KINDS),
        Col("parent", "str", "The party it belongs to (subsidiary, affiliate, product); empty "
            "otherwise."),
        Col("group", "str", "Its top parent (itself for a company, government body or "
            "university)."),
        Col("kind_basis", "str", "How the kind is known: the report's words say it, the printed "
            "name says it, or the project coded it (see note).", isin=KIND_BASES),
        Col("words", "str", "The report's words naming the party (and saying what it is), "
            "quotes separated by ' | '."),
        Col("note", "str", "Judgement made in coding the party."),
        Col("raw_line", "int", "Line of data/raw/report/appendix_c_parties.csv."),
    ),
    sources=("report/appendix_c_timeline.csv", "report/appendix_c_parties.csv"),
))
_register(Frame(
    name="malaysia_deal_edges",
    description="Appendix C as a network: the pairs of parties each entry's words state to deal "
    "with each other (a Chinese party and a counterpart, or two Chinese parties), not every "
    "pair an entry names, each with its edge kind.",
    key=("entry_id", "company", "counterpart"), sort=("entry_id", "company", "counterpart"),
    columns=(
        Col("entry_id", "str", "Timeline entry."),
        Col("company", "str", "Chinese party."),
        Col("counterpart", "str", "Counterpart (or, for co-party edges, the other Chinese "
            "party)."),
        Col("ends", "str", "counterpart (a Chinese party and another party) or co-party (two "
            "Chinese parties of the entry, in name order).", isin=ENDS),
        Col("edge_kind", "str", "The relation the evidence states (first matching wording rule "
            "of deals.KIND_RULES), or intra-group (two parties of one group).",
            isin=EDGE_KINDS),
        Col("is_deal", "bool", "A deal (contract, agreement, joint venture, cooperation, MOU, "
            "letter of intent); an award, a visit or an intra-group link is not."),
        Col("company_kind", "str", "Node kind of the Chinese party.", isin=NODE_KINDS),
        Col("counterpart_kind", "str", "Node kind of the counterpart.", isin=NODE_KINDS),
        Col("year", "int", "Year of the entry."),
        Col("evidence", "str", "The entry's words that state the link, quotes separated by "
            "' | '."),
        Col("raw_line", "int", "Line of data/raw/report/appendix_c_edges.csv."),
    ),
    sources=("report/appendix_c_timeline.csv", "report/appendix_c_parties.csv",
             "report/appendix_c_edges.csv"),
    cut=Cut("year", PUBLICATION_YEAR),
))
_register(Frame(
    name="ai_park_network",
    description="Figure 3: the SenseTime / G3 Global / CHEC (CCCC) AI-park links from the text.",
    key=("edge_id",), sort=("edge_id",),
    columns=(
        Col("edge_id", "str", "Link id."),
        Col("source", "str", "One end of the link."),
        Col("source_kind", "str", "What the source is."),
        Col("target", "str", "Other end of the link."),
        Col("target_kind", "str", "What the target is."),
        Col("relation", "str", "The link, in a few words."),
        Col("date_text", "str", "When, as the text dates it."),
        Col("quote", "str", "The text the link is read from."),
        _RAW_LINE,
    ),
    sources=("report/figure3_network.csv",),
))


_register(Frame(
    name="alibaba_ipo",
    description="Alibaba's IPO terms: the offer price per ADS and the first trading day with "
    "its open and close, as the final prospectus and the news of the day give them.",
    key=("field",), sort=("field",),
    columns=(
        Col("field", "str", "What the value is (ipo_offer_price, first_trade_date, ...)."),
        Col("value", "str", "The value as printed: a number in `unit` or an ISO date."),
        Col("unit", "str", "Unit of the value."),
        Col("status", "str", "How far the value is verified."),
        Col("source", "str", "Where the value comes from."),
        _RAW_LINE,
    ),
    sources=("market/alibaba_ipo.csv",),
))
_register(Frame(
    name="report_claims",
    description="Every quantitative statement of the report under each reading, with the rule "
    "its verdict follows: what the claims audit (ccp_analysis.claims) judges.",
    key=("claim_id",), sort=("raw_line",),
    columns=(
        Col("claim_id", "str", "Claim id, K01 onwards, ascending in the file (ids are kept when "
            "rows are added or removed)."),
        Col("location", "str", "Where the statement stands (chapter, figure, appendix row)."),
        Col("quote", "str", "The report's words stating the value."),
        Col("stated_value", "str", "The value stated, in `unit` (a month as YYYY-MM, a year, "
            "or a plain number; for thresholds the bound)."),
        Col("unit", "str", "Unit of stated_value.", isin=CLAIM_UNITS),
        Col("method", "str", "Recompute method of ccp_analysis.claims.METHODS, or stated_only."),
        Col("tolerance", "float", "Absolute tolerance in `unit` (NaN where the rule compares "
            "exactly, judges a range or threshold, or the method gives the tolerance its data "
            "allow).", nullable=True),
        Col("reading", "str", "The reading or assumption the verdict depends on (share basis, "
            "baseline, series); empty when there is none."),
        Col("note", "str", "The rule the verdict follows, or why the claim is stated only."),
        Col("range_low", "float", "Lower end of the range the recomputed value must lie in: "
            "both ends for a method judged within a range (inclusive), the lower end only for a "
            "`_nearly` threshold (whose upper end is the stated bound, exclusive); NaN "
            "otherwise.", nullable=True),
        Col("range_high", "float", "Upper end of that range (inclusive); NaN where there is "
            "none.", nullable=True),
        Col("reading_of", "str", "For a statement with several readings: on each row the "
            "verdict summary does not count, the claim_id of the row it counts; empty on that "
            "row and on statements with one reading."),
        Col("counted_reason", "str", "On the counted row of a statement with several readings: "
            "why its reading is the one counted; empty otherwise."),
        _RAW_LINE,
    ),
    sources=("report/claims.csv",),
))


def entry(name: str) -> Frame:
    """The registry entry of a frame; an unknown name is refused naming the known ones."""
    if name not in FRAMES:
        raise ParameterError(f"frame {name!r} is not known; known: {', '.join(FRAMES)}")
    return FRAMES[name]


def coerce(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read back from CSV, converted to its declared dtypes and validated."""
    return FRAMES[name].schema(coerce=True).validate(frame, lazy=False)


def data_dictionary() -> str:
    """Markdown description of every frame, generated from the declarations above."""
    lines = [
        "# Data dictionary",
        "",
        "Generated by `ccp-analysis data build` from `src/ccp_analysis/data/schemas.py`; "
        "do not edit.",
        "Every frame is a UTF-8 CSV in this folder, validated against its schema when written.",
        "",
    ]
    for frame in FRAMES.values():
        lines += [
            f"## `{frame.name}.csv`",
            "",
            frame.description,
            "",
            f"- Key (unique): {', '.join(f'`{k}`' for k in frame.key)}",
            f"- Sorted by: {', '.join(f'`{k}`' for k in frame.sort)}",
            f"- Built from: {', '.join(f'`{raw_path(s)}`' for s in frame.sources)}",
            "",
            "| column | type | null allowed | allowed values | description |",
            "|---|---|---|---|---|",
        ]
        for col in frame.columns:
            allowed = ", ".join(col.isin) if col.isin else ""
            lines.append(f"| `{col.name}` | {col.dtype} | {'yes' if col.nullable else 'no'} | "
                         f"{allowed} | {col.description} |")
        lines.append("")
    return "\n".join(lines)
