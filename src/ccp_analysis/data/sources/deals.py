"""Appendix C: Chinese tech deals in Malaysia, 2011-2020, as dated events and as a network.

Three raw files, each coded by hand from the report's words and checked here:
- appendix_c_timeline.csv: the 62 entries as printed, with the Chinese parties and the
  counterparts each names;
- appendix_c_parties.csv: what each named party is (its node kind: a company, a subsidiary,
  affiliate or product with its parent, a government body, a university), with the words that
  say so, so a product or a subsidiary is never counted as a Chinese company beside its parent;
- appendix_c_edges.csv: who dealt with whom, one edge a line, only the pairs an entry's words
  state, each with its edge kind and those words. An entry naming several parties never links
  every pair by default.
"""

from __future__ import annotations

import re

import pandas as pd

from ccp_analysis.data.parsing import periods, raw
from ccp_analysis.data.schemas import (  # noqa: F401  (the allowed values, by their names here too)
    CHINESE,
    COMPANY,
    COUNTERPART,
    DEAL_KINDS,
    DEAL_TYPES,
    EDGE_KINDS,
    ENDS,
    INTRA_GROUP,
    KIND_BASES,
    LAUNCH_OFFICE,
    NODE_KINDS,
    WITH_PARENT,
)
from ccp_analysis.errors import InputError

TIMELINE = "report/appendix_c_timeline.csv"
TIMELINE_COLUMNS = ["entry_id", "date_text", "text", "chinese_companies", "counterparts", "note"]
PARTIES = "report/appendix_c_parties.csv"
PARTY_COLUMNS = ["party", "kind", "parent", "kind_basis", "words", "note"]
EDGES = "report/appendix_c_edges.csv"
EDGE_COLUMNS = ["entry_id", "company", "counterpart", "edge_kind", "evidence"]
NETWORK = "report/figure3_network.csv"
NETWORK_COLUMNS = ["edge_id", "source", "source_kind", "target", "target_kind", "relation",
                   "date_text", "quote"]
SEPARATOR = "; "
EVIDENCE_SEPARATOR = " | "


# Kinds of stated relations, in the order the wording rules try them: the most specific wording
# first (a "letter of intent ... collaboration" is a letter of intent, a "cooperation agreement"
# an agreement). The first six are deals; an award, a visit and a link inside one group are
# drawn apart and never counted as deals.
KIND_RULES: list[tuple[str, re.Pattern[str]]] = [
    # A delegation's visit to keep a collaboration "on track" is not itself an agreement.
    ("visit", re.compile(r"\bdelegation\b|\bpilgrimage\b", re.I)),
    ("joint venture", re.compile(r"joint venture", re.I)),
    ("letter of intent", re.compile(r"letter of intent", re.I)),
    ("MOU", re.compile(r"\bMOUs?\b", re.I)),
    ("award", re.compile(r"\bnames\b.*\bof the Year\b|\baward", re.I)),
    ("contract", re.compile(r"\bcontracts?\b|\bselects?\b|\bis selected\b", re.I)),
    ("agreement", re.compile(r"agreement|\bpartner|\balliance\b|\bdeal\b", re.I)),
    ("cooperation", re.compile(r"\bcollaborat|\bcooperat|\bsupported by\b|\bintegrate\b", re.I)),
]
# An entry with no stated relation is typed by what it announces.
LAUNCH_RULE = (LAUNCH_OFFICE, re.compile(
    r"\bopens?\b|\blaunch|\bset up\b|\bestablish|\bexpands?\b|\bbegins\b|becomes available"
    r"|formally becomes", re.I))

# The words entries use for a party whose canonical name they do not print; every other party
# must be named (case aside) in its edge's evidence.
PARTY_WORDS: dict[str, tuple[str, ...]] = {
    "Government of Malaysia": ("government of Malaysia", "Malaysian government",
                               "Prime Minister Najib", "Malaysian officials"),
}


def _mentions(evidence: str, party: str) -> bool:
    words = (party, *PARTY_WORDS.get(party, ()))
    return any(w.lower() in evidence.lower() for w in words)


def stated_kind(words: str) -> str | None:
    """The kind of relation words state: the first wording rule that matches, or None."""
    for name, pattern in KIND_RULES:
        if pattern.search(words):
            return name
    return None


def deal_type(text: str) -> str:
    """An entry's type: the relation its words state, else what it launches, else 'other'."""
    kind = stated_kind(text)
    if kind is not None:
        return kind
    return LAUNCH_RULE[0] if LAUNCH_RULE[1].search(text) else "other"


def _names(value: str, line: int, field: str) -> list[str]:
    names = [n for n in value.split(SEPARATOR)] if value else []
    for name in names:
        if name != name.strip() or not name or ";" in name:
            raise InputError(raw.display_path(TIMELINE), line, field, value,
                             f"names separated by {SEPARATOR!r}")
    return names


def _party_rows() -> pd.DataFrame:
    """appendix_c_parties.csv checked row by row, with each party's group (its top parent)."""
    table = raw.read_csv(PARTIES, PARTY_COLUMNS)
    shown = raw.display_path(PARTIES)
    seen: dict[str, int] = {}
    for _, row in table.iterrows():
        line, party = row[raw.LINE], row["party"]
        if not party or party != party.strip() or ";" in party:
            raise InputError(shown, line, "party", party, "a name without ';' or outer spaces")
        if party in seen:
            raise InputError(shown, line, "party", party,
                             f"one row per party (also on line {seen[party]})")
        seen[party] = line
        if row["kind"] not in NODE_KINDS:
            raise InputError(shown, line, "kind", row["kind"],
                             "one of " + ", ".join(repr(k) for k in NODE_KINDS))
        if row["kind_basis"] not in KIND_BASES:
            raise InputError(shown, line, "kind_basis", row["kind_basis"],
                             "one of " + ", ".join(repr(k) for k in KIND_BASES))
        needs_parent = row["kind"] in WITH_PARENT
        if needs_parent != bool(row["parent"]):
            raise InputError(shown, line, "parent", row["parent"],
                             f"a parent for a {row['kind']}" if needs_parent else
                             f"no parent for a {row['kind']}")
        if row["kind_basis"] != "coded" and not row["words"]:
            raise InputError(shown, line, "words", "", "the report's words naming the party "
                             "and, for kind_basis 'report', saying what it is")
        if row["kind_basis"] == "coded" and not row["note"]:
            raise InputError(shown, line, "note", "", "why the project coded this kind")
    parents = dict(zip(table["party"], table["parent"], strict=True))
    lines = dict(zip(table["party"], table[raw.LINE], strict=True))
    groups = []
    for party in table["party"]:
        chain = [party]
        while parents[chain[-1]]:
            parent = parents[chain[-1]]
            if parent not in parents:
                raise InputError(shown, lines[chain[-1]], "parent", parent,
                                 "a party listed in the same file")
            if parent in chain:
                raise InputError(shown, lines[party], "parent", parents[party],
                                 "a parent chain that ends in a company (no cycle)")
            chain.append(parent)
        groups.append(chain[-1])
    return table.assign(group=groups)


def malaysia_deals() -> pd.DataFrame:
    table = raw.read_csv(TIMELINE, TIMELINE_COLUMNS)
    parties = _party_rows().set_index("party")
    shown = raw.display_path(TIMELINE)
    rows = []
    for _, row in table.iterrows():
        line = row[raw.LINE]
        try:
            date = periods.parse_event_date(row["date_text"])
        except ValueError as exc:
            raise InputError(shown, line, "date_text", row["date_text"], str(exc)) from None
        companies = _names(row["chinese_companies"], line, "chinese_companies")
        if not companies:
            raise InputError(shown, line, "chinese_companies", "",
                             "at least one Chinese company per entry")
        counterparts = _names(row["counterparts"], line, "counterparts")
        for field, names in (("chinese_companies", companies), ("counterparts", counterparts)):
            for name in names:
                if name not in parties.index:
                    raise InputError(shown, line, field, name,
                                     f"a party of {raw.display_path(PARTIES)}")
        # Groups in the order the entry names them: Lazada and Alibaba are one group.
        groups = list(dict.fromkeys(parties.loc[n, "group"] for n in companies))
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
            "chinese_groups": SEPARATOR.join(groups),
            "deal_type": deal_type(row["text"]),
            "text": row["text"],
            "note": row["note"],
            "raw_line": line,
        })
    frame = pd.DataFrame(rows)
    duplicated = frame["entry_id"].duplicated()
    if duplicated.any():
        bad = frame[duplicated].iloc[0]
        raise InputError(shown, bad["raw_line"], "entry_id", bad["entry_id"], "a unique entry id")
    return frame.sort_values(["event_date", "entry_id"], ignore_index=True)


def deal_parties(deals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per party Appendix C names: its node kind, parent and group, and its side (the
    timeline column naming it). A party on both sides, or named by no entry, is refused."""
    deals = malaysia_deals() if deals is None else deals
    table = _party_rows()
    shown = raw.display_path(PARTIES)
    sides: dict[str, set[str]] = {}
    for column, side in (("chinese_companies", CHINESE), ("counterparts", COUNTERPART)):
        for names in deals[column]:
            for name in names.split(SEPARATOR) if names else []:
                sides.setdefault(name, set()).add(side)
    rows = []
    for _, row in table.iterrows():
        found = sides.get(row["party"], set())
        if len(found) != 1:
            raise InputError(shown, row[raw.LINE], "party", row["party"],
                             "a party that entries name on one side only (as a Chinese "
                             "company or as a counterpart)" if found else
                             f"a party that an entry of {raw.display_path(TIMELINE)} names")
        rows.append({"party": row["party"], "side": found.pop(), "kind": row["kind"],
                     "parent": row["parent"], "group": row["group"],
                     "kind_basis": row["kind_basis"], "words": row["words"],
                     "note": row["note"], "raw_line": row[raw.LINE]})
    return pd.DataFrame(rows).sort_values("party", ignore_index=True)


def deal_edges(deals: pd.DataFrame | None = None,
               parties: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per pair of parties an entry states to deal with each other, with its edge kind.

    A Chinese party and a counterpart ('counterpart' ends), or two Chinese parties of the entry
    ('co-party', in name order). Each edge's parties must be named by its entry and its evidence
    found verbatim in the entry's text; its kind must be the one its words state (the first
    wording rule that matches), except 'intra-group', which joins two parties of one group.
    """
    deals = malaysia_deals() if deals is None else deals
    parties = deal_parties(deals) if parties is None else parties
    table = raw.read_csv(EDGES, EDGE_COLUMNS)
    shown = raw.display_path(EDGES)
    by_id = deals.set_index("entry_id")
    party = parties.set_index("party")
    rows = []
    for _, row in table.iterrows():
        line = row[raw.LINE]
        if row["entry_id"] not in by_id.index:
            raise InputError(shown, line, "entry_id", row["entry_id"],
                             f"an entry of {raw.display_path(TIMELINE)}")
        deal = by_id.loc[row["entry_id"]]
        companies = deal["chinese_companies"].split(SEPARATOR)
        counterparts = deal["counterparts"].split(SEPARATOR) if deal["counterparts"] else []
        kind = row["edge_kind"]
        if kind not in EDGE_KINDS:
            raise InputError(shown, line, "edge_kind", kind,
                             "one of " + ", ".join(repr(k) for k in EDGE_KINDS))
        if row["company"] not in companies:
            raise InputError(shown, line, "company", row["company"],
                             f"a Chinese company that {row['entry_id']} names "
                             f"({', '.join(companies)})")
        co_party = row["counterpart"] in companies
        if row["counterpart"] == row["company"] or (
                not co_party and row["counterpart"] not in counterparts):
            raise InputError(shown, line, "counterpart", row["counterpart"],
                             f"another party that {row['entry_id']} names "
                             f"({', '.join(companies + counterparts)})")
        if co_party and row["counterpart"] < row["company"]:
            raise InputError(shown, line, "company", row["company"],
                             "the first of the two Chinese companies in name order")
        for quote in row["evidence"].split(EVIDENCE_SEPARATOR):
            if not quote or quote not in deal["text"]:
                raise InputError(shown, line, "evidence", quote,
                                 f"words found verbatim in the text of {row['entry_id']}")
        # The words must state this pair, not just some deal of the entry.
        for name in (row["company"], row["counterpart"]):
            if not _mentions(row["evidence"], name):
                raise InputError(shown, line, "evidence", row["evidence"],
                                 f"words naming both {row['company']} and {row['counterpart']}")
        same_group = party.loc[row["company"], "group"] == party.loc[row["counterpart"], "group"]
        if kind == INTRA_GROUP and not same_group:
            raise InputError(shown, line, "edge_kind", kind,
                             f"a kind for parties of two groups ({row['company']}: "
                             f"{party.loc[row['company'], 'group']}, {row['counterpart']}: "
                             f"{party.loc[row['counterpart'], 'group']})")
        if kind != INTRA_GROUP:
            if same_group:
                raise InputError(shown, line, "edge_kind", kind,
                                 f"'{INTRA_GROUP}': {row['company']} and {row['counterpart']} "
                                 f"are both of the {party.loc[row['company'], 'group']} group")
            stated = stated_kind(row["evidence"])
            if kind != stated:
                raise InputError(shown, line, "edge_kind", kind,
                                 f"{stated!r}, the kind its evidence states (the first wording "
                                 "rule of ccp_analysis.data.sources.deals.KIND_RULES that matches)"
                                 if stated else "evidence whose words state a kind of relation")
        rows.append({"entry_id": row["entry_id"], "company": row["company"],
                     "counterpart": row["counterpart"],
                     "ends": "co-party" if co_party else "counterpart",
                     "edge_kind": kind, "is_deal": kind in DEAL_KINDS,
                     "company_kind": party.loc[row["company"], "kind"],
                     "counterpart_kind": party.loc[row["counterpart"], "kind"],
                     "year": int(deal["year"]), "evidence": row["evidence"], "raw_line": line})
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
