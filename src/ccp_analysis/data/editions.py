"""Report editions: the data as the report could see it, or all the data there is now.

as-published cuts every frame at the report's publication date (2022-12-16): prices up to that
day, annual figures only for years whose full-year results were out by then (to 2021). updated
uses everything in data/processed. Which column of a frame is cut at which bound is the frame's
registry entry (`schemas.Frame.cut`); the bounds' values are here.
"""

from __future__ import annotations

import pandas as pd

from ccp_analysis.data import processed, schemas
from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.errors import ParameterError

PUBLICATION_DATE = pd.Timestamp("2022-12-16")
LAST_PUBLISHED_YEAR = 2021  # Huawei's 2022 annual report came out in 2023.
# The value of each bound a registry entry's cut names.
BOUNDS: dict[str, pd.Timestamp | int] = {
    schemas.PUBLICATION_DATE: PUBLICATION_DATE,
    schemas.PUBLICATION_YEAR: PUBLICATION_DATE.year,
    schemas.LAST_RESULTS_YEAR: LAST_PUBLISHED_YEAR,
}


def check(edition: str) -> str:
    if edition not in EDITIONS:
        raise ParameterError(f"edition {edition!r} is not known; accepted: {', '.join(EDITIONS)}")
    return edition


def cut(name: str, frame: pd.DataFrame, edition: str) -> pd.DataFrame:
    """A frame as the edition sees it: as-published keeps the rows its registry entry's cut
    allows (a frame without a cut is the same in both editions)."""
    rule = schemas.entry(name).cut
    if check(edition) == "updated" or rule is None:
        return frame
    return frame[frame[rule.column] <= BOUNDS[rule.upto]].reset_index(drop=True)


def load(name: str, edition: str) -> pd.DataFrame:
    return cut(name, processed.load(name), edition)


def frames(edition: str) -> dict[str, pd.DataFrame]:
    return {name: load(name, edition) for name in schemas.FRAMES}
