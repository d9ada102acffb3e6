"""The verdicts: each row of the `report_claims` frame judged by the rule its note states.

- "stated only": nothing here can recompute it (method `stated_only`, whose note says why, or
  the data lack the rows a method needs);
- "reproduced" / "differs": a recomputation from data, within the claim's tolerance; months and
  years must be equal;
- "internal inconsistency" / "reproduced": the value recomputed is itself printed by the report
  (an appendix, a figure, another claim); the report cannot be right twice when it prints two
  different numbers, and when they agree the check shows only that the report agrees with itself
  (column `checked_against` = report);
- thresholds ("below $200 billion", "more than three-quarters", "nearly all"): the method's name
  ends in `_below`, `_above`, `_at_least`, `_at_most` or `_nearly` and returns the measured
  value, judged against the bound that claims.csv states;
- a method may decide the verdict itself (a range of share bases, two printed periods) and then
  gives its reason.
"""

from __future__ import annotations

import math
import numbers

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
)

AUDIT_COLUMNS = ["claim_id", "location", "quote", "stated_value", "unit", "reading",
                 "recomputed_value", "difference", "tolerance", "verdict", "checked_against",
                 "explanation"]


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


def judge(claim: pd.Series, rec: Recomputed) -> tuple[str, float, str]:
    """Verdict, difference and the reason for it, from the claim and what its method found."""
    unit = claim["unit"]
    stated = table.parse_stated(claim["stated_value"], unit)
    numeric = _is_number(rec.value) and _is_number(stated)
    difference = round(float(rec.value) - float(stated), 6) if numeric else math.nan
    if rec.verdict is not None:
        if rec.verdict not in VERDICTS:
            raise ValueError(f"method {claim['method']!r} gave verdict {rec.verdict!r}")
        return rec.verdict, difference, rec.reason
    if rec.value is None:
        return STATED_ONLY, math.nan, ""
    mismatch = INCONSISTENT if rec.against == REPORT else DIFFERS
    shown = _format(rec.value, unit)
    found = table.comparison(claim["method"])
    if found is not None:
        if not numeric:
            raise ValueError(f"threshold method {claim['method']!r} must return a number")
        suffix, test, sign = found
        tolerance = claim["tolerance"]
        holds = test(float(rec.value), float(stated), tolerance)
        if suffix == "_nearly":
            relation = (f"{'in' if holds else 'not in'} [{stated - tolerance:g}, {stated:g}) "
                        f"(within {tolerance:g} below {stated:g})")
        else:
            relation = f"{sign if holds else 'is not ' + sign} {stated:g}"
        return (REPRODUCED if holds else mismatch), difference, f"{shown} {relation}"
    if unit in ("month", "year"):
        equal = str(rec.value) == str(stated)
        return ((REPRODUCED if equal else mismatch), difference,
                f"{shown} {'=' if equal else '!='} {stated}")
    if not numeric:
        raise ValueError(f"method {claim['method']!r} must return a number for unit {unit!r}")
    tolerance = claim["tolerance"]
    within = abs(difference) <= tolerance + 1e-9  # 1e-9: float noise, not a wider tolerance
    return ((REPRODUCED if within else mismatch), difference,
            f"|difference| {abs(difference):g} {'<=' if within else '>'} tolerance {tolerance:g}")


def _checked_against(verdict: str, rec: Recomputed) -> str:
    return NOTHING if verdict == STATED_ONLY else rec.against


def audit(frames: Frames) -> pd.DataFrame:
    """One row per row of the report_claims frame (in its order), with its recomputation and
    verdict."""
    rows = []
    for _, claim in frame(frames, "report_claims").iterrows():
        if claim["method"] == STATED_ONLY_METHOD:
            rec = Recomputed(None, f"stated only: {claim['note']}", DATA, STATED_ONLY)
        else:
            rec = METHODS[claim["method"]](frames)
        verdict, difference, reason = judge(claim, rec)
        if rec.against == REPORT and verdict != STATED_ONLY:
            reason = f"{reason} (checked against the report's own numbers only)".lstrip()
        explanation = f"{rec.explanation}; {verdict}: {reason}" if reason else rec.explanation
        rows.append({
            "claim_id": claim["claim_id"],
            "location": claim["location"],
            "quote": claim["quote"],
            "stated_value": claim["stated_value"],
            "unit": claim["unit"],
            "reading": claim["reading"],
            "recomputed_value": _format(rec.value, claim["unit"]),
            "difference": difference,
            "tolerance": float(claim["tolerance"]),
            "verdict": verdict,
            "checked_against": _checked_against(verdict, rec),
            "explanation": " ".join(explanation.split()),  # one line
        })
    # in claims.csv's order, ids ascending by number
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def verdict_counts(audited: pd.DataFrame) -> pd.Series:
    """Claims per verdict, in VERDICTS order (zeros included)."""
    return audited["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
