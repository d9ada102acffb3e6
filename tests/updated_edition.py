"""What the updated edition must hold, derived from data/raw and the revision log, never
written into a test: new data that pass the import's checks pass these too, and bad data fail
them. The as-published edition keeps fixed expectations (the report's date, its numbers).

Each function takes a project root (the checkout or a copy) and its built frames.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from ccp_analysis.data.imports import checks
from ccp_analysis.data.imports.log import NAME as LOG

# The as-published edition: fixed by the report's publication date.
AS_PUBLISHED_LAST_DAY = "2022-12-16"
AS_PUBLISHED_TRADING_DAYS = 2077  # NYSE trading days 2014-09-19 to 2022-12-16
AS_PUBLISHED_LAST_YEAR = 2021
FIRST_DAY = "2014-09-19"


def raw_rows(root: Path, relpath: str) -> list[dict[str, str]]:
    with (Path(root) / "data" / "raw" / relpath).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def last_price_day(root: Path) -> str:
    return raw_rows(root, "market/baba_daily.csv")[-1]["date"]


def last_results_year(root: Path) -> int:
    return int(raw_rows(root, "market/huawei_financials.csv")[-1]["year"])


def check_prices(root: Path, stock: pd.DataFrame) -> None:
    """Updated: every NYSE trading day from the first day to the raw file's last, once;
    as-published: fixed."""
    last = last_price_day(root)
    sessions = checks.nyse_sessions(FIRST_DAY, last)
    dates = [d.strftime("%Y-%m-%d") for d in stock["date"]]
    assert dates == sessions, "the updated edition's prices are not every NYSE trading day"
    assert len(stock) == len(raw_rows(root, "market/baba_daily.csv"))
    published = stock[stock["date"] <= pd.Timestamp(AS_PUBLISHED_LAST_DAY)]
    assert len(published) == AS_PUBLISHED_TRADING_DAYS
    assert published["date"].max() == pd.Timestamp(AS_PUBLISHED_LAST_DAY)


def check_results(root: Path, revenue: pd.DataFrame) -> None:
    """Updated: every year of the raw file, none missing; as-published: to 2021."""
    years = sorted(int(r["year"]) for r in raw_rows(root, "market/huawei_financials.csv"))
    assert years == list(range(years[0], years[-1] + 1))
    ecb = revenue[revenue["fx_series"] == "ecb"]
    assert ecb["year"].tolist() == years
    assert last_results_year(root) >= AS_PUBLISHED_LAST_YEAR


def check_log(root: Path) -> None:
    """The revision log is in step with the manifest: the last entry for each file names the
    sha256 the manifest records, and every row an entry added is in the file."""
    raw = Path(root) / "data" / "raw"
    manifest = {e["path"]: e for e in json.loads((raw / "MANIFEST.json").read_text())["files"]}
    log = raw / LOG
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()
               if line.strip()] if log.is_file() else []
    last: dict[str, dict] = {}
    for entry in entries:
        last[entry["file"]] = entry
        assert entry["source"].strip(), f"an import of {entry['file']} without a source"
        if entry["rows_revised"]:
            assert entry["reason"].strip(), f"revisions of {entry['file']} without a reason"
        if entry["overrides"]:
            assert entry["override_reason"].strip()
    for relpath, entry in last.items():
        assert entry["sha256_after"] == manifest[relpath]["sha256"], (
            f"{relpath}: changed after its last recorded import (edit it only with "
            "'ccp-analysis data import')")
        if entry["rows_added"] and relpath.endswith(".csv"):
            key = next(iter(raw_rows(root, relpath)[0]))
            keys = {r[key] for r in raw_rows(root, relpath)}
            assert set(entry["added_range"]) <= keys
