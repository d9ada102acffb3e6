"""The index page of a version: every figure with its caption, alt text and source note."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ccp_analysis import figures, paths
from ccp_analysis.pipeline import versions

AUDIT_TABLE = "claims_audit.csv"
# The claims audit's columns a version's pages show (README.md here, index.html in publish/).
AUDIT_COLUMNS = ("claim_id", "location", "stated_value", "unit", "recomputed_value", "verdict",
                 "explanation")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _figure(folder: Path, sidecar: Path, level: str) -> list[str]:
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    name = meta["name"]
    tables = versions.figure_tables(folder, name)
    # A project chart drawn by a report figure's notebook says so in its own heading.
    spec = figures.by_output().get(name)
    heading = f"{spec.heading(name)} ({name})" if spec and name in spec.output_headings else name
    return ([f"{level} {heading}", ""] if level else []) + [
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
        + "".join(f" · [data]({t})" if t == f"tables/{name}.csv" else f" · [{Path(t).stem}]({t})"
                  for t in tables)
        + (f" · [interactive chart (Vega-Lite)](figures/{name}{paths.CHART_SUFFIX})"
           if (folder / "figures" / f"{name}{paths.CHART_SUFFIX}").is_file() else ""),
        "",
    ]


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
    # The report's order and its numbers and titles; a figure no declaration names (none
    # should exist) follows under its file name rather than being dropped.
    sidecars = {p.stem: p for p in sorted((folder / "figures").glob("*.json"))
                if not paths.is_chart_spec(p)}
    for spec in figures.FIGURES:
        present = [name for name in spec.outputs if name in sidecars]
        if not present:
            continue
        lines += [f"## {spec.heading()}", ""]
        for name in present:
            lines += _figure(folder, sidecars.pop(name), level="###" if len(present) > 1
                             else "")
    for name, sidecar in sidecars.items():
        lines += [f"## {name}", ""] + _figure(folder, sidecar, level="")
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
    order = {name: i for i, name in enumerate(figures.report_order())}
    for notebook, values in sorted(manifest["parameters"].items(),
                                   key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        shown = ", ".join(f"`{k}={v!r}`" for k, v in sorted(values.items()))
        lines.append(f"- `{notebook}`: {shown}")
    lines.append("")
    return "\n".join(lines)
