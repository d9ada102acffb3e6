"""Appendix C: Chinese tech deals in Malaysia, 2011-2020, as dated events and as a network.

The network's edges are coded one per line in appendix_c_edges.csv: only the pairs an entry
states to deal with each other (who with whom), each with the entry's words, so an entry naming
several parties never links every pair by default.
"""

from __future__ import annotations

import re

import pandas as pd

from ccp_analysis import periods, raw
from ccp_analysis.errors import InputError

TIMELINE = "report/appendix_c_timeline.csv"
TIMELINE_COLUMNS = ["entry_id", "date_text", "text", "chinese_companies", "counterparts", "note"]
EDGES = "report/appendix_c_edges.csv"
EDGE_COLUMNS = ["entry_id", "company", "counterpart", "edge_kind", "evidence"]
EDGE_KINDS = ("counterpart", "co-party")
EVIDENCE_SEPARATOR = " | "
# The words entries use for a party whose canonical name they do not print; every other party
# must be named (case aside) in its edge's evidence.
PARTY_WORDS: dict[str, tuple[str, ...]] = {
    "Government of Malaysia": ("government of Malaysia", "Malaysian government",
                               "government project", "Prime Minister Najib",
                               "Malaysian officials"),
}


def _mentions(evidence: str, party: str) -> bool:
    words = (party, *PARTY_WORDS.get(party, ()))
    return any(w.lower() in evidence.lower() for w in words)
NETWORK = "report/figure3_network.csv"
NETWORK_COLUMNS = ["edge_id", "source", "source_kind", "target", "target_kind", "relation",
                   "date_text", "quote"]
SEPARATOR = "; "

# Deal types, first matching rule wins; the order puts the most specific wording first
# (an "MOU ... partnership" is an MOU, a "contract ... agreement" a contract).
DEAL_RULES: list[tuple[str, re.Pattern[str]]] = [
    # A delegation's visit to keep a collaboration "on track" is not itself an agreement.
    ("visit", re.compile(r"\bdelegation\b|\bpilgrimage\b", re.I)),
    ("joint venture", re.compile(r"joint venture", re.I)),
    ("MOU", re.compile(r"\bMOUs?\b|letter of intent", re.I)),
    ("award", re.compile(r"\bnames\b.*\bof the Year\b|\baward", re.I)),
    ("contract", re.compile(r"\bcontracts?\b|\bselects?\b|\bis selected\b", re.I)),
    ("agreement", re.compile(r"agreement|\bpartner|\balliance\b|\bcollaborat|\bdeal\b", re.I)),
    ("launch/office", re.compile(
        r"\bopens?\b|\blaunch|\bset up\b|\bestablish|\bexpands?\b|\bbegins\b|becomes available"
        r"|formally becomes", re.I)),
]
DEAL_TYPES = ("MOU", "contract", "agreement", "joint venture", "launch/office", "award", "visit",
              "other")


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
            "event_date_end": pd.Timestamp(date.end),
            "date_precision": date.precision,
            "year": date.year,
            "date_text": row["date_text"],
            "chinese_companies": row["chinese_companies"],
            "counterparts": row["counterparts"],
            "n_chinese_companies": len(companies),
            "deal_type": deal_type(row["text"]),
            "text": row["text"],
            "note": row["note"],
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
    """One row per pair of parties an entry states to deal with each other: a Chinese company
    and a counterpart, or two Chinese companies ('co-party', in name order). Each edge's
    parties must be named by its entry and its evidence found verbatim in the entry's text."""
    deals = malaysia_deals() if deals is None else deals
    table = raw.read_csv(EDGES, EDGE_COLUMNS)
    shown = raw.display_path(EDGES)
    by_id = deals.set_index("entry_id")
    rows = []
    for _, row in table.iterrows():
        line = row[raw.LINE]
        if row["entry_id"] not in by_id.index:
            raise InputError(shown, line, "entry_id", row["entry_id"],
                             f"an entry of {raw.display_path(TIMELINE)}")
        deal = by_id.loc[row["entry_id"]]
        companies = deal["chinese_companies"].split(SEPARATOR)
        counterparts = deal["counterparts"].split(SEPARATOR) if deal["counterparts"] else []
        if row["edge_kind"] not in EDGE_KINDS:
            raise InputError(shown, line, "edge_kind", row["edge_kind"],
                             "one of " + ", ".join(repr(k) for k in EDGE_KINDS))
        if row["company"] not in companies:
            raise InputError(shown, line, "company", row["company"],
                             f"a Chinese company that {row['entry_id']} names "
                             f"({', '.join(companies)})")
        co_party = row["edge_kind"] == "co-party"
        others = companies if co_party else counterparts
        if row["counterpart"] not in others or row["counterpart"] == row["company"]:
            what = "another Chinese company" if co_party else "a counterpart"
            raise InputError(shown, line, "counterpart", row["counterpart"],
                             f"{what} that {row['entry_id']} names ({', '.join(others)})")
        if co_party and row["counterpart"] < row["company"]:
            raise InputError(shown, line, "company", row["company"],
                             "the first of the two Chinese companies in name order")
        for quote in row["evidence"].split(EVIDENCE_SEPARATOR):
            if not quote or quote not in deal["text"]:
                raise InputError(shown, line, "evidence", quote,
                                 f"words found verbatim in the text of {row['entry_id']}")
        # The words must state this pair, not just some deal of the entry.
        for party in (row["company"], row["counterpart"]):
            if not _mentions(row["evidence"], party):
                raise InputError(shown, line, "evidence", row["evidence"],
                                 f"words naming both {row['company']} and {row['counterpart']}")
        rows.append({"entry_id": row["entry_id"], "company": row["company"],
                     "counterpart": row["counterpart"], "edge_kind": row["edge_kind"],
                     "year": int(deal["year"]), "deal_type": deal["deal_type"],
                     "evidence": row["evidence"], "raw_line": line})
    frame = pd.DataFrame(rows)
    key = ["entry_id", "company", "counterpart"]
    duplicated = frame.duplicated(key)
    if duplicated.any():
        bad = frame[duplicated].iloc[0]
        raise InputError(shown, bad["raw_line"], "counterpart", bad["counterpart"],
                         f"one edge per pair and entry ({bad['entry_id']}, {bad['company']})")
    return frame.sort_values(key, ignore_index=True)


def ai_park_network() -> pd.DataFrame:
    """Figure 3: the SenseTime / G3 Global / CHEC (CCCC) AI-park story, one row per link."""
    table = raw.read_csv(NETWORK, NETWORK_COLUMNS)
    frame = table.rename(columns={raw.LINE: "raw_line"})
    return frame.sort_values("edge_id", ignore_index=True)
