"""Appendix C: Chinese tech deals in Malaysia, 2011-2020, as dated events and as a network."""

from __future__ import annotations

import re

import pandas as pd

from ccp_analysis import periods, raw
from ccp_analysis.errors import InputError

TIMELINE = "report/appendix_c_timeline.csv"
TIMELINE_COLUMNS = ["entry_id", "date_text", "text", "chinese_companies", "counterparts"]
NETWORK = "report/figure3_network.csv"
NETWORK_COLUMNS = ["edge_id", "source", "source_kind", "target", "target_kind", "relation",
                   "date_text", "quote"]
SEPARATOR = "; "

# Deal types, first matching rule wins; the order puts the most specific wording first
# (an "MOU ... partnership" is an MOU, a "contract ... agreement" a contract).
DEAL_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("joint venture", re.compile(r"joint venture", re.I)),
    ("MOU", re.compile(r"\bMOUs?\b|letter of intent", re.I)),
    ("award", re.compile(r"\bnames\b.*\bof the Year\b|\baward", re.I)),
    ("contract", re.compile(r"\bcontracts?\b|\bselects?\b|\bis selected\b", re.I)),
    ("agreement", re.compile(r"agreement|\bpartner|\balliance\b|\bcollaborat|\bdeal\b", re.I)),
    ("launch/office", re.compile(
        r"\bopens?\b|\blaunch|\bset up\b|\bestablish|\bexpands?\b|\bbegins\b|becomes available"
        r"|formally becomes", re.I)),
]
DEAL_TYPES = ("MOU", "contract", "agreement", "joint venture", "launch/office", "award", "other")


def deal_type(text: str) -> str:
    for name, pattern in DEAL_RULES:
        if pattern.search(text):
            return name
    return "other"


def _names(value: str, line: int, field: str) -> list[str]:
    names = [n for n in value.split(SEPARATOR)] if value else []
    for name in names:
        if name != name.strip() or not name or ";" in name:
            raise InputError(raw.display_path(TIMELINE), line, field, value,
                             f"names separated by {SEPARATOR!r}")
    return names


def malaysia_deals() -> pd.DataFrame:
    table = raw.read_csv(TIMELINE, TIMELINE_COLUMNS)
    rows = []
    for _, row in table.iterrows():
        line = row[raw.LINE]
        try:
            date = periods.parse_event_date(row["date_text"])
        except ValueError as exc:
            raise InputError(raw.display_path(TIMELINE), line, "date_text", row["date_text"],
                             str(exc)) from None
        companies = _names(row["chinese_companies"], line, "chinese_companies")
        if not companies:
            raise InputError(raw.display_path(TIMELINE), line, "chinese_companies", "",
                             "at least one Chinese company per entry")
        _names(row["counterparts"], line, "counterparts")
        rows.append({
            "entry_id": row["entry_id"],
            "event_date": pd.Timestamp(date.date),
            "date_precision": date.precision,
            "year": date.year,
            "date_text": row["date_text"],
            "chinese_companies": row["chinese_companies"],
            "counterparts": row["counterparts"],
            "n_chinese_companies": len(companies),
            "deal_type": deal_type(row["text"]),
            "text": row["text"],
            "raw_line": line,
        })
    frame = pd.DataFrame(rows)
    duplicated = frame["entry_id"].duplicated()
    if duplicated.any():
        bad = frame[duplicated].iloc[0]
        raise InputError(raw.display_path(TIMELINE), bad["raw_line"], "entry_id",
                         bad["entry_id"], "a unique entry id")
    return frame.sort_values(["event_date", "entry_id"], ignore_index=True)


def deal_edges(deals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Chinese company -> counterpart for every entry; co-named Chinese companies are linked
    to each other too ('co-party'), since the report's point is that they open doors together."""
    deals = malaysia_deals() if deals is None else deals
    rows = []
    for _, deal in deals.iterrows():
        companies = deal["chinese_companies"].split(SEPARATOR)
        counterparts = deal["counterparts"].split(SEPARATOR) if deal["counterparts"] else []
        base = {"entry_id": deal["entry_id"], "year": deal["year"],
                "deal_type": deal["deal_type"]}
        for company in companies:
            for counterpart in counterparts:
                rows.append({**base, "company": company, "counterpart": counterpart,
                             "edge_kind": "counterpart"})
        for i, first in enumerate(companies):
            for second in companies[i + 1:]:
                low, high = sorted((first, second))
                rows.append({**base, "company": low, "counterpart": high,
                             "edge_kind": "co-party"})
    frame = pd.DataFrame(rows)
    columns = ["entry_id", "company", "counterpart", "edge_kind", "year", "deal_type"]
    return frame[columns].sort_values(["entry_id", "company", "counterpart"], ignore_index=True)


def ai_park_network() -> pd.DataFrame:
    """Figure 3: the SenseTime / G3 Global / CHEC (CCCC) AI-park story, one row per link."""
    table = raw.read_csv(NETWORK, NETWORK_COLUMNS)
    frame = table.rename(columns={raw.LINE: "raw_line"})
    return frame.sort_values("edge_id", ignore_index=True)
