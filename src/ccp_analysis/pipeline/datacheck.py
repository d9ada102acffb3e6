"""Before any kernel starts: does a notebook's requested range hold any data at all?

Each check runs the same table function the notebook will run, on the edition's data, so an
empty range or a series without rates is refused with the parameter named, not discovered as
an empty chart.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ccp_analysis import editions, figure_data
from ccp_analysis.errors import ParameterError


def _fig1(v: dict, e: str) -> pd.DataFrame:
    return figure_data.select_support(
        editions.load("huawei_state_support", e), year_start=v["year_start"],
        year_end=v["year_end"], include_credit_lines=v["include_credit_lines"],
        include_customer_financing=v["include_customer_financing"],
        include_derived=v["include_derived"], include_fines=v["include_fines"])


def _fig2(v: dict, e: str) -> pd.DataFrame:
    return figure_data.alibaba_support_table(editions.load("alibaba_state_support", e),
                                             year_start=v["year_start"], year_end=v["year_end"])


def _deals(v: dict, e: str) -> pd.DataFrame:
    deals = editions.load("malaysia_deals", e)
    return deals[deals["year"].between(v["year_start"], v["year_end"])]


def _fig4(v: dict, e: str) -> pd.DataFrame:
    return figure_data.revenue_table(editions.load("huawei_revenue", e),
                                     year_start=v["year_start"], year_end=v["year_end"],
                                     currency=v["currency"], fx_series=v["fx_series"])


def _fig5(v: dict, e: str) -> pd.DataFrame:
    return figure_data.stock_table(editions.load("alibaba_stock", e),
                                   date_start=v["date_start"], date_end=v["date_end"],
                                   measure=v["measure"])


CHECKS: dict[str, tuple[Callable[[dict, str], pd.DataFrame], str]] = {
    "fig1_huawei_support": (_fig1, "year_start/year_end"),
    "fig2_alibaba_support": (_fig2, "year_start/year_end"),
    "fig3_malaysia_network": (_deals, "year_start/year_end"),
    "deals_timeline": (_deals, "year_start/year_end"),
    "fig4_huawei_revenue": (_fig4, "year_start/year_end"),
    "fig5_alibaba_stock": (_fig5, "date_start/date_end"),
}


def check(notebook: str, values: dict[str, object], edition: str) -> None:
    if notebook not in CHECKS:
        return
    function, names = CHECKS[notebook]
    try:
        rows = function(values, edition)
    except ParameterError as exc:
        raise ParameterError(f"notebook {notebook}: {exc}") from None
    if len(rows) == 0:
        shown = ", ".join(f"{n}={values[n]!r}" for n in names.split("/"))
        raise ParameterError(f"notebook {notebook}: parameters {shown}: the range holds no data "
                             f"in the {edition} edition")
