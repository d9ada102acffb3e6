"""The audit's reading of the report's vague quantifiers and trend words, defined once.

A claims.csv row that rests on one of these words names it in its `reading` as
`threshold "WORD"`, and its stated value and method follow the definition here (the tests check
every such row against this table), so "most" or "rapidly" means the same in every row.

Trend words compare two windows of years, each as entries (or items) per year; the row's
reading names the windows. Decade parts split a decade into thirds, as Appendix C's "Early" and
"Late" dates split a year.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    """What a word requires: the method name's suffix (the comparison claims.table applies) and
    the bound that is written as the row's stated value, in `unit`."""

    suffix: str
    bound: float
    unit: str | None  # None: any count (things, years, months)
    meaning: str


THRESHOLDS: dict[str, Threshold] = {
    # counts
    "hundreds": Threshold("_at_least", 200, "count", "at least 200 (two hundreds)"),
    "dozens": Threshold("_at_least", 24, "count", "at least 24 (two dozens)"),
    "several": Threshold("_at_least", 3, None, "at least 3"),
    "numerous": Threshold("_at_least", 3, None, "at least 3"),
    "many": Threshold("_at_least", 3, None, "at least 3"),
    "a few": Threshold("_at_least", 2, None, "at least 2"),
    "not unique": Threshold("_at_least", 2, "count", "at least 2 occurrences"),
    "one of the first": Threshold("_at_most", 3, "rank", "among the first 3 in time"),
    # shares, percent
    "most": Threshold("_above", 50, "pct", "more than 50 percent"),
    "majority": Threshold("_above", 50, "pct", "more than 50 percent"),
    "mainly": Threshold("_above", 50, "pct", "more than 50 percent"),
    "vast majority": Threshold("_at_least", 75, "pct", "at least 75 percent"),
    "a large proportion": Threshold("_at_least", 25, "pct", "at least 25 percent (a quarter)"),
    # durations, years
    "decades": Threshold("_at_least", 20, "years", "at least 20 years (two decades)"),
    # trend words: the later window's yearly mean over the earlier window's
    "rapidly": Threshold("_at_least", 2, "ratio", "the later window at least double the earlier"),
    "considerably": Threshold("_at_most", 0.5, "ratio",
                              "the later window at most half the earlier (a fall of 50% or more)"),
    "increasingly": Threshold("_above", 1, "ratio", "the later window above the earlier"),
    "stalled": Threshold("_below", 1, "ratio", "the later window below the earlier"),
    # "throughout SPAN": every year of the span (within the years the source runs, first to
    # last entry) holds at least one instance, so no year of it is missing
    "throughout": Threshold("_at_most", 0, "count", "no year of the span without an instance"),
}

# Decade parts: years 0-2, 3-6 and 7-9 of a decade ("late 2010s" = 2017-2019).
DECADE_PARTS: dict[str, tuple[int, int]] = {"early": (0, 2), "mid": (3, 6), "late": (7, 9)}


def decade_part(part: str, decade: int) -> tuple[int, int]:
    """The years of e.g. the "late" 2010s: (2017, 2019)."""
    first, last = DECADE_PARTS[part]
    return decade + first, decade + last


# "teenage years": ages 13-19, written in a row as 16 with tolerance 3.
TEENS = (13, 19)
