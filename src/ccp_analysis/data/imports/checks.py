"""What every import must pass before a byte is written.

Hard rules (never overridden): every value well-formed, no duplicate keys, no future dates,
no gaps (NYSE trading days for prices, years for annual series), prices within their day's
range, share counts that add up. Plausibility rules (`PLAUSIBILITY`), overridable only with
`--override "reason"`, which is recorded: they catch values that are well-formed but unlikely,
like a one-day fall of 99% or a day without volume.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ccp_analysis.data.imports.rules import (  # noqa: F401 (re-exported)
    MAX_DAILY_MOVE,
    MAX_RATE_CHANGE,
    MAX_RATE_GAP,
    MAX_REVENUE_CHANGE,
    MAX_SHARE_CHANGE,
    PLAUSIBILITY,
)
from ccp_analysis.data.imports.table import Row, Table
from ccp_analysis.data.imports.targets import FX, HUAWEI, PRICES, SHARES, Target
from ccp_analysis.errors import CcpError

RATE_COLUMNS = ("ecb_cross_mean", "fed_g5a", "pboc_central_parity_mean", "oecd_imf_annual_avg",
                "irs_yearly_avg")
SHOWN = 25  # problems listed in one message; the rest are counted


class ImportRefused(CcpError):
    """An import that would break a rule: nothing was written."""

    def __init__(self, headline: str, problems: list[str], hint: str = "") -> None:
        self.problems = problems
        listed = problems[:SHOWN]
        more = len(problems) - len(listed)
        lines = [headline, *(f"  {p}" for p in listed)]
        if more:
            lines.append(f"  ... and {more} more")
        if hint:
            lines.append(hint)
        lines.append("Nothing under data/ was changed.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Flag:
    rule: str
    key: str
    where: str
    detail: str

    def line(self) -> str:
        return f"{self.where}: {self.key}: {self.detail} ({self.rule}: {PLAUSIBILITY[self.rule]})"

    def record(self) -> dict[str, str]:
        return {"rule": self.rule, "key": self.key, "detail": self.detail}


def value_problem(row: Row, field: str, value: str, expected: str) -> str:
    return f"{row.where()}, field '{field}': value {value!r}: expected {expected}"


def well_formed(target: Target, rows: list[Row]) -> list[str]:
    """Every value of every row, and the rules within a row."""
    problems = []
    for row in rows:
        bad = False
        for field in target.fields:
            value = row.values.get(field.name, "")
            expected = field.problem(value)
            if expected:
                problems.append(value_problem(row, field.name, value, expected))
                bad = True
        if not bad:
            problems += _row_rules(target, row)
    return problems


def _row_rules(target: Target, row: Row) -> list[str]:
    v = row.values
    if target is PRICES:
        low, high = Decimal(v["low"]), Decimal(v["high"])
        for name in ("open", "close"):
            if not low <= Decimal(v[name]) <= high:
                return [value_problem(row, name, v[name],
                                      f"a price within the day's low {v['low']} and high "
                                      f"{v['high']}")]
    if target is SHARES and v["ordinary_shares"].strip():
        ordinary, ads, per = (int(v[c]) for c in ("ordinary_shares", "ads_equivalent",
                                                  "ordinary_shares_per_ads"))
        if ads != ordinary // per:
            return [value_problem(row, "ads_equivalent", v["ads_equivalent"],
                                  f"ordinary_shares / ordinary_shares_per_ads = "
                                  f"{ordinary} / {per} = {ordinary // per}")]
    return []


def duplicates(target: Target, rows: list[Row]) -> list[str]:
    seen: dict[str, Row] = {}
    problems = []
    for row in rows:
        key = row.values.get(target.key, "")
        if key in seen:
            problems.append(f"{row.where()}, field '{target.key}': value {key!r}: expected a "
                            f"{target.key} not already given (also on line {seen[key].line})")
        else:
            seen[key] = row
    return problems


def future(target: Target, rows: list[Row], today: str) -> list[str]:
    """No date after today; no year that has not ended (its results or averages cannot be
    complete)."""
    problems = []
    for row in rows:
        key = row.values[target.key]
        if target.key == "year":
            if int(key) >= int(today[:4]):
                problems.append(value_problem(row, "year", key,
                                              f"a year that has ended (today is {today})"))
        elif key > today:
            problems.append(value_problem(row, target.key, key,
                                          f"a date not after today ({today})"))
    return problems


def nyse_sessions(first: str, last: str) -> list[str]:
    """NYSE trading days from first to last, from the exchange_calendars library (holidays
    and unscheduled closures, e.g. the national days of mourning of 2018 and 2025)."""
    import warnings

    import exchange_calendars

    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads a tz-aware Series through .values, which pandas 3.1
        # deprecates; the session dates it returns are not affected.
        warnings.simplefilter("ignore")
        calendar = exchange_calendars.get_calendar("XNYS", start="2000-01-03")
        sessions = calendar.sessions_in_range(first, last)
    return [d.strftime("%Y-%m-%d") for d in sessions]


def cadence(target: Target, after: Table, new: dict[str, Row]) -> list[str]:
    """Prices: exactly the NYSE trading days from the first day held to the last. Annual
    series: every year from the first to the last."""
    keys = after.keys()
    if not keys:
        return []
    problems = []
    if target.cadence == "daily":
        sessions = nyse_sessions(keys[0], keys[-1])
        held = set(keys)
        missing = [d for d in sessions if d not in held]
        extra = sorted(held - set(sessions))
        for day in extra:
            where = new[day].where() if day in new else after.file
            problems.append(f"{where}, field 'date': value {day!r}: expected an NYSE trading "
                            "day (the exchange was closed)")
        if missing:
            problems.append(f"{after.file} would miss {len(missing)} NYSE trading day(s) "
                            f"between {keys[0]} and {keys[-1]}: {', '.join(missing[:20])}"
                            + (" ..." if len(missing) > 20 else "")
                            + "; the file imported must cover every trading day from the last "
                            "day held to its last day")
    elif target.cadence == "yearly":
        years = [int(k) for k in keys]
        gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        if gaps:
            problems.append(f"{after.file} would have no row for the year(s) "
                            f"{', '.join(map(str, gaps))} between {years[0]} and {years[-1]}; "
                            "import the missing years too")
    return problems


def plausibility(target: Target, after: Table, changed: set[str]) -> list[Flag]:
    """Flags on the rows added or revised (`changed` keys), against their neighbours."""
    rows = after.rows
    flags: list[Flag] = []
    for index, row in enumerate(rows):
        key = row.values[target.key]
        if key not in changed:
            continue
        v = row.values
        before = rows[index - 1].values if index else None
        if target is PRICES:
            if before is not None:
                move = float(v["close"]) / float(before["close"]) - 1
                if abs(move) > MAX_DAILY_MOVE:
                    flags.append(Flag("daily-move", key, row.where(),
                                      f"close {v['close']} is {move:+.1%} on "
                                      f"{before['close']} ({before['date']})"))
            if v["volume"].strip() in ("0", ""):
                flags.append(Flag("zero-volume", key, row.where(), f"volume {v['volume']!r}"))
        elif target is HUAWEI:
            revenue = float(v["revenue_cny_mn"])
            if before is not None:
                change = revenue / float(before["revenue_cny_mn"]) - 1
                if abs(change) > MAX_REVENUE_CHANGE:
                    flags.append(Flag("revenue-change", key, row.where(),
                                      f"revenue {v['revenue_cny_mn']} is {change:+.1%} on "
                                      f"{before['revenue_cny_mn']} ({before['year']})"))
            if float(v["net_profit_cny_mn"]) > revenue:
                flags.append(Flag("profit-above-revenue", key, row.where(),
                                  f"net profit {v['net_profit_cny_mn']} > revenue "
                                  f"{v['revenue_cny_mn']}"))
        elif target is FX:
            flags += _rate_flags(row, before)
        elif target is SHARES and before is not None:
            change = int(v["ads_equivalent"]) / int(before["ads_equivalent"]) - 1
            if abs(change) > MAX_SHARE_CHANGE:
                flags.append(Flag("share-change", key, row.where(),
                                  f"{v['ads_equivalent']} ADS equivalents is {change:+.1%} on "
                                  f"{before['ads_equivalent']} ({before['as_of_date']})"))
    return flags


def _rate_flags(row: Row, before: dict[str, str] | None) -> list[Flag]:
    v = row.values
    key = v["year"]
    rates = {c: float(v[c]) for c in RATE_COLUMNS if v.get(c, "").strip()}
    flags = []
    names = sorted(rates)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if abs(rates[a] - rates[b]) > MAX_RATE_GAP:
                flags.append(Flag("rate-gap", key, row.where(),
                                  f"{a} {v[a]} and {b} {v[b]} differ by "
                                  f"{abs(rates[a] - rates[b]):.4f}"))
    if before is not None:
        for column, rate in rates.items():
            prior = before.get(column, "").strip()
            if prior:
                change = rate / float(prior) - 1
                if abs(change) > MAX_RATE_CHANGE:
                    flags.append(Flag("rate-change", key, row.where(),
                                      f"{column} {v[column]} is {change:+.1%} on {prior} "
                                      f"({before['year']})"))
    return flags


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()
