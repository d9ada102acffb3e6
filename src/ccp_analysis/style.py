"""The project's figure style and the one function every figure and table is saved through.

Byte-identical outputs need fixed metadata: PNG without the Software key, PDF without dates
and producer, SVG without date and with a fixed hash salt (in ccp.mplstyle).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from ccp_analysis import paths

STYLE = paths.package_dir() / "ccp.mplstyle"
# Okabe-Ito, as in ccp.mplstyle, for code that picks colours by role.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]
FORMATS = ("png", "svg", "pdf")
# Where a build wants figures and tables; unset in an interactive or nbval run, which then
# writes nothing. An environment variable, not a parameter, so no path enters a notebook.
OUTPUT_ENV = "CCP_OUTPUT_DIR"
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def use() -> None:
    """Apply the project style (call once per notebook, before drawing)."""
    mpl.rcdefaults()
    plt.style.use(STYLE)


def output_dir() -> Path | None:
    value = os.environ.get(OUTPUT_ENV, "")
    return Path(value) if value else None


def export(fig: plt.Figure, name: str, *, caption: str, alt_text: str,
           source_note: str) -> None:
    """Save a figure as PNG (300 dpi), SVG and PDF plus a JSON sidecar with its caption.

    Outside a build (no CCP_OUTPUT_DIR) nothing is written: the figure only shows inline.
    """
    # Returns nothing, so a notebook cell ending in export() shows no run-specific paths.
    target = output_dir()
    if target is None:
        return
    folder = target / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        fig.savefig(folder / f"{name}.{fmt}", format=fmt, metadata=METADATA[fmt])
    sidecar = folder / f"{name}.json"
    sidecar.write_text(json.dumps({"name": name, "caption": caption, "alt_text": alt_text,
                                   "source_note": source_note}, indent=2, ensure_ascii=False)
                       + "\n", encoding="utf-8")


def export_table(frame: pd.DataFrame, name: str) -> None:
    """Save exactly the data a figure plots as CSV (deterministic bytes), in a build only."""
    target = output_dir()
    if target is None:
        return
    folder = target / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", date_format="%Y-%m-%d")
