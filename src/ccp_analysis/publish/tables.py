"""Each published table's key: rows are compared by key, never by line number.

A table not declared here is keyed by all its columns (a changed row then shows as one row
removed and one added), so a new figure's table is compared correctly before it is declared.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ccp_analysis.errors import CcpError

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "claims_audit": ("claim_id",),
    "fig1_huawei_support": ("panel", "row", "bound"),
    "fig1_huawei_support_items": ("item_id",),
    "fig1_huawei_support_sensitivity": ("kind", "label"),
    "fig2_alibaba_support": ("item_id",),
    "fig3_ai_park": ("edge_id",),
    "fig3_deal_network": ("company", "counterpart", "edge_kind"),
    "fig3_deal_network_nodes": ("node",),
    "fig3_deal_network_entries": ("entry_id", "company", "counterpart", "edge_kind"),
    "fig4_huawei_revenue": ("year",),
    "fig5_alibaba_stock": ("date",),
    "deals_timeline": ("year", "company_group"),
}

Row = dict[str, str]


def read(path: Path) -> tuple[list[str], list[Row]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def key_columns(name: str, columns: list[str]) -> tuple[str, ...]:
    declared = TABLE_KEYS.get(name)
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
