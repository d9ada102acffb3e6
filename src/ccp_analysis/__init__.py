"""ccp-analysis: the figures of CSIS's "CCP Inc. in Malaysia" (2022), from traceable data.

    import ccp_analysis
    ccp_analysis.frames()                                   # every tidy frame, described
    ccp_analysis.load("huawei_revenue", edition="updated")  # one row per year (ECB rates)
    ccp_analysis.figure_table("fig4_huawei_revenue", currency="CNY")  # what Figure 4 plots

See the README's "Using the library".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__version__ = "0.1.0"
__all__ = ["__version__", "figure_table", "frames", "load"]


def load(name: str, edition: str = "as-published", fx_series: str | None = "ecb"
         ) -> pd.DataFrame:
    """One tidy frame, one row per key, as an edition sees it (see `ccp_analysis.api.load`)."""
    from ccp_analysis import api  # pandas only when asked for, so the CLI starts fast

    return api.load(name, edition=edition, fx_series=fx_series)


def frames() -> pd.DataFrame:
    """Every frame `load` knows, with its description, key and columns."""
    from ccp_analysis import api

    return api.frames()


def figure_table(notebook: str, edition: str = "as-published", **parameters: object
                 ) -> pd.DataFrame:
    """The table a figure plots with these parameters, on an edition's data.

    The parameters are resolved by the one resolver the build and the notebooks use
    (`ccp_analysis.figures.checks`): the same values are refused with the same message, an open
    end is the edition's last year or day, and a range reaching beyond the data is clamped to
    it with a MissingDataWarning saying so. See docs/figures-and-parameters.md.
    """
    from ccp_analysis.figures import handoff

    return handoff.prepared(notebook, {"edition": edition, **parameters}).table()
