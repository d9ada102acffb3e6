"""The library as an analyst calls it: every tidy frame by name, as an edition sees it.

`ccp_analysis.load` and `ccp_analysis.frames` (re-exported by the package) are the documented
entry points; they read data/processed (build it with `ccp-analysis data build`).
"""

from __future__ import annotations

import sys
import warnings

import pandas as pd

from ccp_analysis.data import editions, schemas
from ccp_analysis.errors import MissingDataWarning, ParameterError


# A frame whose registry entry is per_series stacks one exchange-rate series after another:
# summing it as it is would count every year once per series, so load() returns one series
# unless asked.
def _key(name: str, fx_series: str | None) -> tuple[str, ...]:
    entry = schemas.FRAMES[name]
    return tuple(k for k in entry.key if k != "fx_series") if (
        entry.per_series and fx_series is not None) else entry.key


def load(name: str, edition: str = "as-published", fx_series: str | None = "ecb"
         ) -> pd.DataFrame:
    """One tidy frame, one row per key, as the edition sees it.

    name: a frame of `frames()`. edition: "as-published" (data cut at the report's date,
    2022-12-16; annual results to 2021) or "updated" (all data). fx_series: for the frames
    that hold every exchange-rate series (fx_rates, huawei_revenue), the one to keep: "ecb"
    (default, verified), "oecd_imf", "fed" or "pboc"; None keeps them all (then the key
    includes fx_series). Ignored by the other frames. A series without a rate for some years
    of the edition (fed: 2008-2011, 2016, 2024) gives a MissingDataWarning naming them: those
    years have no USD value (huawei_revenue) or no row (fx_rates), so a sum over them is short.
    """
    if name not in schemas.FRAMES:
        raise ParameterError(f"frame {name!r} is not known; known: {', '.join(schemas.FRAMES)}")
    frame = editions.load(name, editions.check(edition))
    if schemas.FRAMES[name].per_series and fx_series is not None:
        every = frame
        frame = frame[frame["fx_series"] == schemas.check_fx_series(fx_series)]
        _warn_missing_years(name, edition, fx_series, every, frame)
    frame = frame.reset_index(drop=True)
    key = list(_key(name, fx_series))
    if frame.duplicated(key).any():  # the schema guarantees it; a broken file must not pass
        raise ParameterError(f"frame {name!r}: more than one row per key {key}")
    return frame


def _warn_missing_years(name: str, edition: str, series: str, every: pd.DataFrame,
                        chosen: pd.DataFrame) -> None:
    """Warn when `series` has no rate for a year that the frame holds for another series."""
    rated = set(chosen.loc[chosen["cny_per_usd"].notna(), "year"])
    missing = sorted(int(year) for year in set(every["year"]) - rated)
    if not missing:
        return
    what = "revenue_usd_mn is empty" if "revenue_usd_mn" in every else "there is no row"
    warnings.warn(
        f"{name}, {edition} edition: fx_series {series!r} has no CNY per USD rate for "
        f"{', '.join(map(str, missing))}, so {what} for those years and a sum over the frame "
        "leaves them out; choose another series (fx_series=None shows which has which year)",
        MissingDataWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The warning's stacklevel that names the first caller outside this package (the
    analyst's line, whether they called ccp_analysis.load or ccp_analysis.api.load)."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("ccp_analysis"):
        frame, level = frame.f_back, level + 1
    return level


def frames() -> pd.DataFrame:
    """Every frame load() knows: name, description, key (one row each), columns."""
    return pd.DataFrame([
        {"name": name, "description": frame.description,
         "key": ", ".join(_key(name, "ecb")),
         "columns": ", ".join(col.name for col in frame.columns)}
        for name, frame in schemas.FRAMES.items()])
