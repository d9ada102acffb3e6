"""Reading published tables and keying their rows: rows are compared by key, never by line
number.

Each table's key is declared once, with its figure (`FigureSpec.tables` in
ccp_analysis.figures.catalogue). A table no figure declares (an older version's) is keyed by all
its columns (a changed row then shows as one row removed and one added).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ccp_analysis.errors import CcpError
from ccp_analysis.figures import tables as declared_tables

Row = dict[str, str]


def read(path: Path) -> tuple[list[str], list[Row]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def declared_key(name: str) -> tuple[str, ...] | None:
    """The key the table's figure declares, or None for a table no figure declares."""
    return declared_tables.key_of(name)


def key_columns(name: str, columns: list[str]) -> tuple[str, ...]:
    declared = declared_key(name)
    if declared and all(c in columns for c in declared):
        return declared
    return tuple(columns)


def keyed(path: Path, key: tuple[str, ...], rows: list[Row],
          declared: bool = True) -> dict[tuple[str, ...], Row]:
    """Rows by key; keyed by all columns (`declared` False), identical rows are numbered."""
    out: dict[tuple[str, ...], Row] = {}
    for line, row in enumerate(rows, start=2):
        k = tuple(row.get(c, "") for c in key)
        if not declared:
            k = (*k, str(sum(1 for seen in out if seen[:-1] == k)))
        if k in out:
            raise CcpError(f"{path}, line {line}: key {dict(zip(key, k, strict=True))} "
                           "appears twice; the table's key must be unique")
        out[k] = row
    return out
