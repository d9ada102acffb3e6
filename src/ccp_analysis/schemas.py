"""Each tidy frame declared once: its columns, units, key and order.

The same declarations make the pandera schemas that validate every frame when it is written and
the data dictionary published beside the frames, so the documentation cannot drift from the
checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from ccp_analysis import claimsfile, deals, fx, huawei, money, periods, raw, stock, support
from ccp_analysis.errors import InputError


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
    name: str
    description: str
    key: tuple[str, ...]
    sort: tuple[str, ...]
    columns: tuple[Col, ...]
    sources: tuple[str, ...] = field(default_factory=tuple)

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
            isin=(periods.YEAR, periods.SPAN, periods.APPROXIMATE, "not stated")),
        Col("entity", "str", "Chinese state entity as printed."),
        Col("entity_type", "str", "Kind of entity.", isin=support.ENTITY_TYPES),
    ]
    if firm == "huawei":
        head.append(Col("channel", "str", "Figure 1 column the item belongs to.",
                        isin=support.CHANNELS))
    else:
        head += [
            Col("government_level", "str", "Level of government.",
                isin=support.GOVERNMENT_LEVELS),
            Col("place", "str", "City or province of the entity (central bodies: Beijing)."),
        ]
    tail = [
        Col("instrument", "str", "Form of support.", isin=support.INSTRUMENTS),
        Col("beneficiary", "str", "Who receives it: the firm itself or its customers.",
            isin=support.BENEFICIARIES),
        Col("amount_usd", "float", "USD value of the support where the text states or implies "
            "one.", nullable=True, checks=(POSITIVE,)),
        Col("amount_basis", "str", "stated (a USD amount printed), derived (a printed share of a "
            "printed amount) or unquantified.",
            isin=(money.STATED, money.DERIVED, money.UNQUANTIFIED)),
        Col("amount_text", "str", "The words of raw_text that state the amount."),
        Col("amount_formula", "str", "How amount_usd follows from amount_text."),
        Col("unquantified_reason", "str", "Why no USD amount is given (unquantified items)."),
        Col("amount_kind", "str", "What kind of amount the item states: single (one amount of "
            "its own); limit (a credit line, a ceiling not money lent); aggregate (a stated total "
            "of several loans, 'in total' or 'total loans'); not_to_firm (not money to the firm, "
            "e.g. a fine on a competitor). How items may overlap is in state_support_relations.",
            isin=support.AMOUNT_KINDS),
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
    FRAMES[frame.name] = frame


_register(Frame(
    name="huawei_state_support",
    description="Huawei's state support items: Appendix A (23 rows) and Figure 1's items, "
    "figure items that repeat an appendix row marked by same_item_as.",
    key=("item_id",), sort=("item_id",), columns=_support_columns("huawei"),
    sources=(support.APPENDIX_A, support.FIGURE_1, support.CODING),
))
_register(Frame(
    name="alibaba_state_support",
    description="Alibaba's state support items: Appendix B (10 rows) and Figure 2's boxes.",
    key=("item_id",), sort=("item_id",), columns=_support_columns("alibaba"),
    sources=(support.APPENDIX_B, support.FIGURE_2, support.CODING),
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
            "only part of the amount to the firm).", isin=support.RELATION_KINDS),
        Col("target", "str", "item_id of the limit or aggregate; empty for partly_linked."),
        Col("firm", "str", "Firm.", isin=("huawei", "alibaba")),
        Col("reading", "str", "The reading of the report's words under which the relation holds: "
            "credit line (a bank's loans to the firm's customers while its buyer's credit line "
            "was open may be drawn under it); to date (an aggregate read as loaned up to its "
            "date holds the lender's earlier loans); in total (an aggregate over a span holds "
            "the lender's single loans of that span); partly linked.", isin=support.READINGS),
        Col("basis", "str", "stated (the words say it) or inferred (the project infers it from "
            "lender, date and purpose; no words say it).", isin=support.BASES),
        Col("linked_amount_text", "str", "partly_linked: the words stating the part tied to the "
            "firm; empty when no part is stated."),
        Col("linked_usd", "float", "USD value of linked_amount_text.", nullable=True,
            checks=(POSITIVE,)),
        Col("evidence", "str", "The report's words the relation rests on, quotes separated by "
            "' | ', each found verbatim in the firm's items."),
        Col("note", "str", "Why the relation is coded, and what the words do not say."),
        _RAW_LINE,
    ),
    sources=(support.RELATIONS,),
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
            "as').", isin=support.BOUNDS),
        Col("unit", "str", "usd or pct.", isin=("usd", "pct")),
        Col("value_text", "str", "The words stating the value."),
        Col("period_text", "str", "Period the estimate covers, as printed."),
        Col("attributed_to", "str", "Who made the estimate, per the report."),
        Col("quote", "str", "The sentence as printed."),
        _RAW_LINE,
    ),
    sources=(support.ESTIMATES,),
))
_register(Frame(
    name="fx_rates",
    description="CNY per USD yearly averages, every series in long form.",
    key=("fx_series", "year"), sort=("fx_series", "year"),
    columns=(
        Col("year", "int", "Calendar year."),
        Col("fx_series", "str", "Exchange-rate series.", isin=("ecb", "oecd_imf", "fed", "pboc")),
        Col("cny_per_usd", "float", "Yearly average, CNY per USD.", checks=(POSITIVE,)),
        Col("fx_status", "str", "How far the value is verified (data/raw/market/SOURCES.md)."),
    ),
    sources=(fx.FILE,),
))
_register(Frame(
    name="huawei_revenue",
    description="Huawei's annual revenue and net profit in CNY million, and revenue in USD "
    "million at the yearly average rate of each series.",
    key=("fx_series", "year"), sort=("fx_series", "year"),
    columns=(
        Col("fx_series", "str", "Exchange-rate series that made the USD values.",
            isin=("ecb", "oecd_imf", "fed", "pboc")),
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
        Col("raw_line", "int", f"Line of {raw.display_path(huawei.FILE)}."),
    ),
    sources=(huawei.FILE, fx.FILE, "REVISIONS.jsonl"),  # the log: revenue_source
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
        Col("raw_line", "int", f"Line of {raw.display_path(stock.PRICES)}."),
    ),
    sources=(stock.PRICES, stock.SHARES),
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
            isin=periods.EVENT_PRECISIONS),
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
            isin=deals.DEAL_TYPES),
        Col("text", "str", "Entry text as printed."),
        Col("note", "str", "Judgement made in coding the entry's parties or type."),
        _RAW_LINE,
    ),
    sources=(deals.TIMELINE,),
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
            isin=(deals.CHINESE, deals.COUNTERPART)),
        Col("kind", "str", "Node kind; a subsidiary, affiliate or product is never counted as a "
            "company beside its parent.", isin=deals.NODE_KINDS),
        Col("parent", "str", "The party it belongs to (subsidiary, affiliate, product); empty "
            "otherwise."),
        Col("group", "str", "Its top parent (itself for a company, government body or "
            "university)."),
        Col("kind_basis", "str", "How the kind is known: the report's words say it, the printed "
            "name says it, or the project coded it (see note).", isin=deals.KIND_BASES),
        Col("words", "str", "The report's words naming the party (and saying what it is), "
            "quotes separated by ' | '."),
        Col("note", "str", "Judgement made in coding the party."),
        Col("raw_line", "int", "Line of data/raw/report/appendix_c_parties.csv."),
    ),
    sources=(deals.TIMELINE, deals.PARTIES),
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
            "Chinese parties of the entry, in name order).", isin=deals.ENDS),
        Col("edge_kind", "str", "The relation the evidence states (first matching wording rule "
            "of deals.KIND_RULES), or intra-group (two parties of one group).",
            isin=deals.EDGE_KINDS),
        Col("is_deal", "bool", "A deal (contract, agreement, joint venture, cooperation, MOU, "
            "letter of intent); an award, a visit or an intra-group link is not."),
        Col("company_kind", "str", "Node kind of the Chinese party.", isin=deals.NODE_KINDS),
        Col("counterpart_kind", "str", "Node kind of the counterpart.", isin=deals.NODE_KINDS),
        Col("year", "int", "Year of the entry."),
        Col("evidence", "str", "The entry's words that state the link, quotes separated by "
            "' | '."),
        Col("raw_line", "int", "Line of data/raw/report/appendix_c_edges.csv."),
    ),
    sources=(deals.TIMELINE, deals.PARTIES, deals.EDGES),
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
    sources=(deals.NETWORK,),
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
    sources=(stock.IPO,),
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
        Col("unit", "str", "Unit of stated_value.", isin=claimsfile.UNITS),
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
    sources=(claimsfile.CLAIMS,),
))


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, validated; a failure is reported as the raw file, line, field and value it
    comes from (every frame built from a raw row carries its line), not as pandera's view of
    the processed frame."""
    try:
        return FRAMES[name].schema().validate(frame, lazy=False)
    except pa.errors.SchemaError as exc:
        raise _raw_error(name, frame, exc) from None


# Processed column -> the raw column it is read from, where the names differ.
RAW_FIELDS = {"close_usd": "close", "adj_close_usd": "adj_close", "volume_ads": "volume",
              "price_source": "source", "shares_ads_equivalent": "ads_equivalent",
              "shares_as_of": "as_of_date", "shares_status": "status"}


def _raw_error(name: str, frame: pd.DataFrame, exc: pa.errors.SchemaError) -> InputError:
    cases = exc.failure_cases
    column = getattr(exc.schema, "name", None) if isinstance(exc.schema, pa.Column) else None
    if isinstance(cases, pd.DataFrame) and "column" in cases and column is None:
        column = str(cases["column"].iloc[0])
    rows = []
    if isinstance(cases, pd.DataFrame) and "index" in cases:
        rows = [i for i in dict.fromkeys(cases["index"].tolist()) if i in frame.index]
    declared = FRAMES[name]
    if not rows:
        value = cases["failure_case"].iloc[0] if isinstance(cases, pd.DataFrame) else cases
        return InputError(f"data/processed/{name}.csv (built from "
                          f"{', '.join(raw.display_path(s) for s in declared.sources)})",
                          None, column, value, _expected(exc))
    row = frame.loc[rows[0]]
    file = (row["raw_file"] if "raw_file" in frame else
            raw.display_path(declared.sources[0]))
    if not str(file).startswith("data/raw/"):
        file = raw.display_path(str(file))
    line = int(row["raw_line"]) if "raw_line" in frame else None
    field = RAW_FIELDS.get(column or "", column)
    if name == "fx_rates" and column == "cny_per_usd":
        field = fx.SERIES[row["fx_series"]][0]
    if line is None and "year" in frame:
        field = f"{field} (year {row['year']})"
    value = row[column] if column in frame else cases["failure_case"].iloc[0]
    expected = _expected(exc)
    if exc.reason_code == pa.errors.SchemaErrorReason.DUPLICATES and "raw_line" in frame:
        others = [int(frame.loc[i, "raw_line"]) for i in rows[1:]]
        expected = ("a value not repeated" + (f" (also on line(s) {', '.join(map(str, others))})"
                                             if others else ""))
    if isinstance(value, pd.Timestamp):
        value = value.strftime("%Y-%m-%d")
    elif hasattr(value, "item"):
        value = value.item()
    return InputError(file, line, field, value, expected)


def _expected(exc: pa.errors.SchemaError) -> str:
    check = exc.check
    text = str(getattr(check, "error", None) or check or exc.reason_code)
    words = {"greater_than(0)": "a value above 0", "isin": "one of the allowed values"}
    for key, said in words.items():
        if key in text:
            return said
    if exc.reason_code == pa.errors.SchemaErrorReason.DUPLICATES:
        return "a value not repeated"
    return text


def coerce(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read back from CSV, converted to its declared dtypes and validated."""
    return FRAMES[name].schema(coerce=True).validate(frame, lazy=False)


def data_dictionary() -> str:
    """Markdown description of every frame, generated from the declarations above."""
    lines = [
        "# Data dictionary",
        "",
        "Generated by `ccp-analysis data build` from `src/ccp_analysis/schemas.py`; do not edit.",
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
            f"- Built from: {', '.join(f'`{raw.display_path(s)}`' for s in frame.sources)}",
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
