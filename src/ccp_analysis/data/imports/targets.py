"""The raw files an import can change: their columns, key, and how each field is read.

Each field's kind says how it is validated and compared: prices to the cent, every other
number to the digits printed (6.4490 equals 6.449), text exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ccp_analysis.data.sources import fx, huawei, stock

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_INT = re.compile(r"^[0-9]+$")
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
CENT = Decimal("0.005")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # date, year, int, price, number, text
    required: bool = True
    positive: bool = False

    def problem(self, value: str) -> str | None:
        """What is wrong with a value, as the 'expected ...' of an error; None if fine."""
        text = value.strip()
        if text == "":
            return f"a value ({self.kind}); this field may not be empty" if self.required else None
        if self.kind == "date":
            if not _DATE.match(text):
                return "a date as YYYY-MM-DD"
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                return "a calendar date as YYYY-MM-DD"
            return None
        if self.kind == "year":
            return None if _YEAR.match(text) else "a year as four digits"
        if self.kind == "int":
            if not _INT.match(text):
                return "a whole number of 0 or more, digits only"
            if self.positive and int(text) == 0:
                return "a whole number above 0"
            return None
        if self.kind in ("price", "number"):
            if not _NUMBER.match(text):
                return "a number (digits and one '.', no thousands separators)"
            if self.positive and Decimal(text) <= 0:
                return "a number above 0"
        return None

    def same(self, held: str, new: str) -> bool:
        """Whether two printed values agree: prices to the cent, numbers to the printed digits,
        text exactly."""
        a, b = held.strip(), new.strip()
        if a == b:
            return True
        if a == "" or b == "" or self.kind in ("text", "date", "year"):
            return False
        try:
            if self.kind == "price":
                return abs(Decimal(a) - Decimal(b)) < CENT
            return Decimal(a) == Decimal(b)
        except InvalidOperation:
            return False


@dataclass(frozen=True)
class Target:
    relpath: str  # as in the manifest
    key: str
    fields: tuple[Field, ...]
    cadence: str  # "daily" (NYSE sessions), "yearly" (no gaps), "dated" (filing dates)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def shown(self) -> str:
        return f"data/raw/{self.relpath}"


PRICES = Target(stock.PRICES, "date", (
    Field("date", "date"),
    Field("open", "price", positive=True),
    Field("high", "price", positive=True),
    Field("low", "price", positive=True),
    Field("close", "price", positive=True),
    Field("adj_close", "price", positive=True),
    Field("volume", "int"),
    Field("dividend", "price"),
    Field("source", "text"),
), "daily")
assert PRICES.columns == stock.PRICE_COLUMNS

HUAWEI = Target(huawei.FILE, "year", (
    Field("year", "year"),
    Field("revenue_cny_mn", "number", positive=True),
    Field("net_profit_cny_mn", "number"),
    Field("revenue_status", "text"),
    Field("net_profit_status", "text"),
    Field("revenue_usd_mn_as_reported", "number", required=False, positive=True),
    Field("usd_conversion_rate_year_end_cny_per_usd", "number", required=False, positive=True),
), "yearly")
assert HUAWEI.columns == huawei.COLUMNS

FX = Target(fx.FILE, "year", (
    Field("year", "year"),
    Field("ecb_cross_mean", "number", required=False, positive=True),
    Field("ecb_days", "int", required=False, positive=True),
    Field("fed_g5a", "number", required=False, positive=True),
    Field("pboc_central_parity_mean", "number", required=False, positive=True),
    Field("oecd_imf_annual_avg", "number", required=False, positive=True),
    Field("oecd_imf_status", "text", required=False),
    Field("irs_yearly_avg", "number", required=False, positive=True),
), "yearly")
assert FX.columns == fx.COLUMNS

SHARES = Target(stock.SHARES, "as_of_date", (
    Field("as_of_date", "date"),
    # Aggregator snapshots give ADS equivalents only.
    Field("ordinary_shares", "int", required=False, positive=True),
    Field("ads_equivalent", "int", positive=True),
    Field("ordinary_shares_per_ads", "int", positive=True),
    Field("status", "text"),
    Field("source", "text"),
), "dated")
assert SHARES.columns == stock.SHARE_COLUMNS

SOURCES_MD = "market/SOURCES.md"
