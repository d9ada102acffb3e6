"""Held rows + incoming rows -> the file as it would be, with every change named.

A key held and brought again is an overlap: its compared fields must agree (prices to the
cent, other numbers to the printed digits, text exactly). A field held empty and now given is
filled; any other difference is a revision, applied only with --revise. A new key is a row
added. Rows are kept in key order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccp_analysis.data.imports.incoming import Incoming
from ccp_analysis.data.imports.table import Row, Table
from ccp_analysis.data.imports.targets import PRICES, Target


@dataclass(frozen=True)
class Change:
    key: str
    field: str
    old: str
    new: str
    held_where: str
    new_where: str

    def line(self) -> str:
        return (f"{self.key} {self.field}: held {self.old!r} ({self.held_where}), new "
                f"{self.new!r} ({self.new_where})")

    def record(self) -> dict[str, str]:
        return {"key": self.key, "field": self.field, "old": self.old, "new": self.new}


@dataclass
class Merged:
    after: Table
    added: list[str] = field(default_factory=list)
    filled: list[Change] = field(default_factory=list)
    revised: list[Change] = field(default_factory=list)
    new_rows: dict[str, Row] = field(default_factory=dict)  # key -> incoming row (added)

    @property
    def changed_keys(self) -> set[str]:
        return set(self.added) | {c.key for c in self.filled} | {c.key for c in self.revised}


def merge(target: Target, held: Table, incoming: Incoming) -> Merged:
    """Revisions are applied here and listed; the caller refuses them without --revise."""
    by_key = held.by_key()
    rows = {k: Row(dict(r.values), r.file, r.line) for k, r in by_key.items()}
    merged = Merged(Table(held.file, held.columns, held.key))
    for new in incoming.rows:
        key = new.values[target.key]
        if key not in by_key:
            values = {c: new.values.get(c, "") for c in target.columns}
            rows[key] = Row(values, new.file, new.line)
            merged.added.append(key)
            merged.new_rows[key] = rows[key]
            continue
        held_row = by_key[key]
        touched = False
        revised_here = []
        for name in incoming.compared:
            old, value = held_row.values.get(name, ""), new.values.get(name, "")
            if target.field(name).same(old, value):
                continue
            change = Change(key, name, old, value, held_row.where(), new.where())
            if old.strip() == "":
                merged.filled.append(change)
                rows[key].values[name] = value
                touched = True
            else:
                revised_here.append(change)
        merged.revised += revised_here
        if revised_here:
            touched = True
            if target is PRICES:
                # The close is the key field: a revised day is taken whole from the new file.
                for name in incoming.fields:
                    rows[key].values[name] = new.values.get(name, "")
            else:
                for change in revised_here:
                    rows[key].values[change.field] = change.new
        if touched:
            for name in incoming.derived:
                rows[key].values[name] = new.values[name]
            rows[key] = Row(rows[key].values, new.file, new.line)
    merged.after.rows = [rows[k] for k in sorted(rows)]
    merged.added.sort()
    return merged
