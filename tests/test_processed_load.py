"""Reading data/processed back: the schema converts each column to its declared dtype.

`processed.load` reads the CSV and lets the frame's pandera schema coerce the columns, so the
dtypes a notebook gets are the declared ones and the values are the ones that were written.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ccp_analysis.data import frame_builders, processed, schemas

DECLARED = {"str": "str", "int": "int64", "Int64": "Int64", "float": "float64", "bool": "bool",
            "date": "datetime64[ns]"}


@pytest.fixture(scope="module")
def built() -> dict[str, pd.DataFrame]:
    return frame_builders.build_frames()


@pytest.mark.parametrize("name", list(schemas.FRAMES))
def test_load_gives_the_declared_dtypes_and_the_values_built(name, built):
    loaded = processed.load(name)
    columns = schemas.FRAMES[name].columns
    assert list(loaded.columns) == [c.name for c in columns]
    for col in columns:
        assert str(loaded[col.name].dtype) == DECLARED[col.dtype], col.name
    expected = built[name].copy()
    for col in columns:
        if col.dtype == "str":
            # A missing text value is written as an empty field and read back as "".
            expected[col.name] = expected[col.name].fillna("")
        expected[col.name] = expected[col.name].astype(DECLARED[col.dtype])
    pd.testing.assert_frame_equal(loaded, expected, check_exact=True)


def test_load_keeps_missing_numbers_missing_and_empty_text_empty():
    revenue = processed.load("huawei_revenue")
    fed = revenue[revenue["fx_series"] == "fed"]
    assert fed["cny_per_usd"].isna().any()  # the Fed series has no rate for some years
    support = processed.load("huawei_state_support")
    assert support["period_start_year"].isna().any()  # items the report gives no year
    assert (support["same_item_as"] == "").any()
    assert not support["same_item_as"].isna().any()
    assert support.loc[support["item_id"] == "A01", "is_primary"].item() is True
