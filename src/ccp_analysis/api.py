"""The library as an analyst calls it: every tidy frame by name, as an edition sees it.

`ccp_analysis.load` and `ccp_analysis.frames` (re-exported by the package) are the documented
entry points; they read data/processed (build it with `ccp-analysis data build`).
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis import editions, fx, schemas
from ccp_analysis.errors import ParameterError

# Frames that stack one exchange-rate series after another: summing one of them as it is
# would count every year once per series, so load() returns one series unless asked.
PER_SERIES = ("fx_rates", "huawei_revenue")


def _key(name: str, fx_series: str | None) -> tuple[str, ...]:
    key = schemas.FRAMES[name].key
    return tuple(k for k in key if k != "fx_series") if (
        name in PER_SERIES and fx_series is not None) else key


def load(name: str, edition: str = "as-published", fx_series: str | None = "ecb"
         ) -> pd.DataFrame:
    """One tidy frame, one row per key, as the edition sees it.

    name: a frame of `frames()`. edition: "as-published" (data cut at the report's date,
    2022-12-16; annual results to 2021) or "updated" (all data). fx_series: for the frames
    that hold every exchange-rate series (fx_rates, huawei_revenue), the one to keep: "ecb"
    (default, verified), "oecd_imf", "fed" or "pboc"; None keeps them all (then the key
    includes fx_series). Ignored by the other frames.
    """
    if name not in schemas.FRAMES:
        raise ParameterError(f"frame {name!r} is not known; known: {', '.join(schemas.FRAMES)}")
    frame = editions.load(name, editions.check(edition))
    if name in PER_SERIES and fx_series is not None:
        frame = frame[frame["fx_series"] == fx.check_series(fx_series)]
    frame = frame.reset_index(drop=True)
    key = list(_key(name, fx_series))
    if frame.duplicated(key).any():  # the schema guarantees it; a broken file must not pass
        raise ParameterError(f"frame {name!r}: more than one row per key {key}")
    return frame


def frames() -> pd.DataFrame:
    """Every frame load() knows: name, description, key (one row each), columns."""
    return pd.DataFrame([
        {"name": name, "description": frame.description,
         "key": ", ".join(_key(name, "ecb")),
         "columns": ", ".join(col.name for col in frame.columns)}
        for name, frame in schemas.FRAMES.items()])
