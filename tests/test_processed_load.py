"""Reading data/processed back: the schema converts each column to its declared dtype.

`processed.load` reads the CSV and lets the frame's pandera schema coerce the columns, so the
dtypes a notebook gets are the declared ones and the values are the ones that were written.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ccp_analysis import paths
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


def test_a_frame_read_again_is_a_copy_and_an_edited_file_is_read_anew(tmp_path, monkeypatch):
    """Frames are kept once read (a notebook reads the same frame several times, and the build's
    kernel template reads them all before it forks), but each reader gets its own copy, and a
    file changed since is read again."""
    folder = tmp_path / "data" / "processed"
    folder.mkdir(parents=True)
    source = paths.processed_dir() / "huawei_revenue.csv"
    (folder / source.name).write_bytes(source.read_bytes())
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))
    first = processed.load("huawei_revenue")
    assert first.loc[0, ["fx_series", "year", "revenue_cny_mn"]].tolist() == [
        "ecb", 2008, 125217.0]  # Huawei's 2008 revenue, CNY million (annual report)
    first.loc[0, "revenue_cny_mn"] = -1.0
    assert processed.load("huawei_revenue").loc[0, "revenue_cny_mn"] == 125217.0
    # The file rewritten without its first year: the next read sees it.
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / source.name).write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    again = processed.load("huawei_revenue")
    assert len(again) == len(lines) - 2
    assert again.loc[0, ["year", "revenue_cny_mn"]].tolist() == [2009, 149059.0]
