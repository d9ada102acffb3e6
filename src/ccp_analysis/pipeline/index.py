"""The index page of a version: every figure with its caption, alt text and source note."""

from __future__ import annotations

import csv
import json
from pathlib import Path

AUDIT_TABLE = "claims_audit.csv"
AUDIT_COLUMNS = ("claim_id", "location", "stated_value", "unit", "recomputed_value", "verdict",
                 "explanation")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(folder: Path, manifest: dict) -> str:
    lines = [
        f"# ccp-analysis report, {manifest['edition']} edition",
        "",
        f"Version `{manifest['version']}`, built by ccp-analysis {manifest['package']['version']}"
        f" from the inputs listed in [manifest.json](manifest.json). Figures: PNG (300 dpi), SVG "
        "and PDF in [figures/](figures/); the data each one plots in [tables/](tables/); the "
        "executed notebooks in [notebooks/](notebooks/).",
        "",
    ]
    for sidecar in sorted((folder / "figures").glob("*.json")):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        name = meta["name"]
        table = f"tables/{name}.csv"
        lines += [
            f"## {name}",
            "",
            f"![{meta['alt_text']}](figures/{name}.png)",
            "",
            f"**{meta['caption']}**",
            "",
            f"*{meta['source_note']}*",
            "",
            f"Alt text: {meta['alt_text']}",
            "",
            f"Files: [PNG](figures/{name}.png) · [SVG](figures/{name}.svg) · "
            f"[PDF](figures/{name}.pdf)"
            + (f" · [data]({table})" if (folder / table).is_file() else ""),
            "",
        ]
    audit = folder / "tables" / AUDIT_TABLE
    if audit.is_file():
        with audit.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        lines += [
            "## Claims audit",
            "",
            "Each quantitative claim of the report, recomputed from the data where possible "
            f"([{AUDIT_TABLE}](tables/{AUDIT_TABLE})).",
            "",
            "| " + " | ".join(AUDIT_COLUMNS) + " |",
            "|" + "---|" * len(AUDIT_COLUMNS),
        ]
        lines += ["| " + " | ".join(_cell(row.get(c, "")) for c in AUDIT_COLUMNS) + " |"
                  for row in rows]
        lines.append("")
    lines += ["## Parameters", ""]
    for notebook, values in sorted(manifest["parameters"].items()):
        shown = ", ".join(f"`{k}={v!r}`" for k, v in sorted(values.items()))
        lines.append(f"- `{notebook}`: {shown}")
    lines.append("")
    return "\n".join(lines)
