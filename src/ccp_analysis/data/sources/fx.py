"""CNY per USD yearly averages, one series at a time, each value labelled with its series.

The series is a choice, never a silent default: Figure 4's note says "IRS and OECD", the IRS
values could not be read from any stored source, and the OECD/IMF series follows the PBoC fixing
in 2013-2015. The ECB-derived series is computed from ECB reference rates and is verified.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis.data.parsing import raw
from ccp_analysis.data.schemas import FX_SERIES
from ccp_analysis.data.schemas import check_fx_series as check_series  # noqa: F401

FILE = "market/cny_per_usd_annual.csv"
COLUMNS = [
    "year", "ecb_cross_mean", "ecb_days", "fed_g5a", "pboc_central_parity_mean",
    "oecd_imf_annual_avg", "oecd_imf_status", "irs_yearly_avg",
]

# series name -> (column in the raw file, status of its values as SOURCES.md records them)
SERIES: dict[str, tuple[str, str]] = {
    "ecb": ("ecb_cross_mean", "verified: computed from ECB euro reference rates"),
    "oecd_imf": ("oecd_imf_annual_avg", ""),  # status per year, from oecd_imf_status
    "fed": ("fed_g5a", "verified: Federal Reserve G.5A annual average"),
    "pboc": ("pboc_central_parity_mean", "consistent: PBoC central parity yearly mean"),
}


if tuple(SERIES) != FX_SERIES:  # the registry names the series; this module reads them
    raise ValueError(f"fx.SERIES {tuple(SERIES)} differ from schemas.FX_SERIES {FX_SERIES}")


def rates() -> pd.DataFrame:
    """Every series in long form: year, fx_series, cny_per_usd, fx_status (rows with a value)."""
    table = raw.read_csv(FILE, COLUMNS)
    years = raw.typed(table, FILE, "year", "int")
    parts = []
    for name, (column, status) in SERIES.items():
        values = raw.typed(table, FILE, column, "float", required=False)
        statuses = table["oecd_imf_status"] if name == "oecd_imf" else status
        part = pd.DataFrame({
            "year": years.astype("int64"),
            "fx_series": name,
            "cny_per_usd": values,
            "fx_status": statuses,
        })
        parts.append(part[part["cny_per_usd"].notna()])
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["fx_series", "year"], ignore_index=True)
