"""Report editions: the data as the report could see it, or all the data there is now.

as-published cuts every frame at the report's publication date (2022-12-16): prices up to that
day, annual figures only for years whose full-year results were out by then (to 2021). updated
uses everything in data/processed.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis import processed, schemas
from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.errors import ParameterError

PUBLICATION_DATE = pd.Timestamp("2022-12-16")
LAST_PUBLISHED_YEAR = 2021  # Huawei's 2022 annual report came out in 2023.


def check(edition: str) -> str:
    if edition not in EDITIONS:
        raise ParameterError(f"edition {edition!r} is not known; accepted: {', '.join(EDITIONS)}")
    return edition


def cut(name: str, frame: pd.DataFrame, edition: str) -> pd.DataFrame:
    """A frame as the edition sees it."""
    if check(edition) == "updated":
        return frame
    if name == "alibaba_stock":
        return frame[frame["date"] <= PUBLICATION_DATE].reset_index(drop=True)
    if name in ("huawei_revenue", "fx_rates"):
        return frame[frame["year"] <= LAST_PUBLISHED_YEAR].reset_index(drop=True)
    if name in ("malaysia_deals", "malaysia_deal_edges"):
        return frame[frame["year"] <= PUBLICATION_DATE.year].reset_index(drop=True)
    return frame


def load(name: str, edition: str) -> pd.DataFrame:
    return cut(name, processed.load(name), edition)


def frames(edition: str) -> dict[str, pd.DataFrame]:
    return {name: load(name, edition) for name in schemas.FRAMES}
