"""The verdicts: each row of the `report_claims` frame judged by the rule its row states.

- "stated only": nothing here can recompute it (method `stated_only`, whose note says why), the
  data lack the rows a method needs, or what the data hold cannot decide it (the reason says
  why);
- a recomputed number is judged by its row alone: "reproduced" if and only if |difference| <=
  tolerance (years: tolerance 0), or, for a row judged within a range (thresholds such as "below
  $200 billion", "nearly all", a span of years), if and only if the value lies in the row's
  range; otherwise "differs" against data, "internal inconsistency" against the report's own
  numbers (column `checked_against` = report: the report cannot be right twice when it prints two
  different numbers, and when they agree the check shows only that it agrees with itself);
- months must be equal;
- a method decides the verdict itself only where the value is not one number (a year with the
  numbers printed beside it) or cannot decide; a verdict of its own on a number is refused.

The summary counts one row per statement: where a statement has several readings, the row the
others name in `reading_of` (`counted` is True on it).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from ccp_analysis.claims import table
from ccp_analysis.claims.registry import (
    DATA,
    DIFFERS,
    INCONSISTENT,
    METHODS,
    NOTHING,
    REPORT,
    REPRODUCED,
    STATED_ONLY,
    STATED_ONLY_METHOD,
    VERDICTS,
    Frames,
    Recomputed,
    frame,
    own_tolerance,
)
from ccp_analysis.figures.catalogue import declarations

# The audit table's columns and key are declared once, with the notebook that exports it.
AUDIT_COLUMNS = list(next(t for t in declarations()["claims_audit"].tables
                          if t.name == "claims_audit").columns)


@dataclass(frozen=True)
class Judged:
    verdict: str
    difference: float
    reason: str
    tolerance: float = math.nan
    range: tuple[float, float, str] | None = None


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _format(value: float | str | None, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if unit == "year" or float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def judge(claim: pd.Series, rec: Recomputed) -> Judged:
    """Verdict, difference, the reason for it and the rule applied (tolerance or range), from
    the claim and what its method found."""
    unit = claim["unit"]
    stated = table.parse_stated(claim["stated_value"], unit)
    numeric = _is_number(rec.value) and _is_number(stated)
    difference = round(float(rec.value) - float(stated), 6) if numeric else math.nan
    if rec.value is None or (isinstance(rec.value, str) and unit != "month"):
        # no value, or a text value: only the method can say what it found
        verdict = rec.verdict or STATED_ONLY
        if verdict not in VERDICTS:
            raise ValueError(f"method {claim['method']!r} gave verdict {verdict!r}")
        if rec.value is None and verdict != STATED_ONLY:
            raise ValueError(f"method {claim['method']!r} gave {verdict!r} without a value")
        return Judged(verdict, math.nan, rec.reason)
    mismatch = INCONSISTENT if rec.against == REPORT else DIFFERS
    shown = _format(rec.value, unit)
    accepted = table.accepted_range(claim)
    if accepted is not None:
        if not numeric:
            raise ValueError(f"method {claim['method']!r} must return a number: its row gives "
                             "a range")
        holds = table.in_range(float(rec.value), *accepted)
        rule = table.shown_range(*accepted)
        judged = Judged(REPRODUCED if holds else mismatch, difference,
                        f"{shown} {'in' if holds else 'not in'} {rule}", range=accepted)
    elif unit == "month":
        if not isinstance(rec.value, str):
            raise ValueError(f"method {claim['method']!r} must return a month 'YYYY-MM'")
        equal = rec.value == stated
        judged = Judged(REPRODUCED if equal else mismatch, math.nan,
                        f"{shown} {'=' if equal else '!='} {stated}")
    else:
        if not numeric:
            raise ValueError(f"method {claim['method']!r} must return a number for unit "
                             f"{unit!r}")
        tolerance = _tolerance(claim, rec)
        within = abs(difference) <= tolerance + 1e-9  # 1e-9: float noise, not a wider tolerance
        judged = Judged(REPRODUCED if within else mismatch, difference,
                        f"|difference| {abs(difference):g} {'<=' if within else '>'} tolerance "
                        f"{tolerance:g}", tolerance=tolerance)
    if rec.verdict is not None and rec.verdict != judged.verdict:
        raise ValueError(f"method {claim['method']!r} gave {rec.verdict!r} where its row's rule "
                         f"gives {judged.verdict!r} ({judged.reason})")
    return judged


def _tolerance(claim: pd.Series, rec: Recomputed) -> float:
    """The row's tolerance: claims.csv's, the one the method's data give, or 0 for a year."""
    if claim["unit"] == "year":
        return 0.0
    if own_tolerance(claim["method"]):
        if rec.tolerance is None or not rec.tolerance >= 0:
            raise ValueError(f"method {claim['method']!r} must give its tolerance")
        return float(rec.tolerance)
    return float(claim["tolerance"])


def _checked_against(verdict: str, rec: Recomputed) -> str:
    return NOTHING if verdict == STATED_ONLY else rec.against


def audit(frames: Frames, only: Collection[str] | None = None) -> pd.DataFrame:
    """One row per row of the report_claims frame (in its order), with its recomputation and
    verdict. `only`: the claim ids to judge (all when None); methods still see every row."""
    rows = []
    claims = table.check(frame(frames, "report_claims"))  # its methods, before any verdict
    if only is not None:
        claims = claims[claims["claim_id"].isin(only)]
    for _, claim in claims.iterrows():
        if claim["method"] == STATED_ONLY_METHOD:
            rec = Recomputed(None, f"stated only: {claim['note']}", DATA, STATED_ONLY)
        else:
            rec = METHODS[claim["method"]](frames)
        judged = judge(claim, rec)
        verdict, reason = judged.verdict, judged.reason
        if rec.against == REPORT and verdict != STATED_ONLY:
            reason = f"{reason} (checked against the report's own numbers only)".lstrip()
        explanation = f"{rec.explanation}; {verdict}: {reason}" if reason else rec.explanation
        low, high, bounds = judged.range or (math.nan, math.nan, "")
        rows.append({
            "claim_id": claim["claim_id"],
            "location": claim["location"],
            "quote": claim["quote"],
            "stated_value": claim["stated_value"],
            "unit": claim["unit"],
            "reading": claim["reading"],
            "recomputed_value": _format(rec.value, claim["unit"]),
            "difference": judged.difference,
            "tolerance": judged.tolerance,
            "range_low": low,
            "range_high": high,
            "range_bounds": bounds,
            "verdict": verdict,
            "checked_against": _checked_against(verdict, rec),
            "counted": not claim["reading_of"],
            "reading_of": claim["reading_of"],
            "explanation": " ".join(explanation.split()),  # one line
        })
    # in claims.csv's order, ids ascending by number
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def verdict_counts(audited: pd.DataFrame, counted_only: bool = True) -> pd.Series:
    """Statements per verdict, in VERDICTS order (zeros included): one row per statement, the
    counted reading (all rows with `counted_only=False`)."""
    rows = audited[audited["counted"]] if counted_only else audited
    return rows["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
