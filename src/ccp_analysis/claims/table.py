"""The claims audit's view of claims.csv: the `report_claims` frame checked against the
registered recompute methods, and the rule (tolerance or range) each row is judged by.

claims.csv is read in the data layer (`ccp_analysis.data.sources.claimsfile`, built by
`ccp-analysis data build` into data/processed like every other frame); this module adds what
only the claims layer knows, the methods (`check_frames`). The rules of a row it shares with
the reader come from `ccp_analysis.data.parsing.claim_rules`, never from the reader, which no
notebook imports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from ccp_analysis.claims.registry import METHODS, STATED_ONLY_METHOD, own_tolerance
from ccp_analysis.data.parsing.claim_rules import (  # noqa: F401  (the rules' names, importable from here)
    CLAIMS,
    NUMERIC_UNITS,
    UNITS,
    parse_stated,
    threshold,
)
from ccp_analysis.data.parsing.claim_rules import check_methods as _check_methods


def check(frame: pd.DataFrame) -> pd.DataFrame:
    """The `report_claims` frame with every method registered and a tolerance exactly where
    its method needs one (an InputError naming claims.csv's line otherwise)."""
    return _check_methods(frame, METHODS, [name for name in METHODS if own_tolerance(name)])


def check_frames(frames: Mapping[str, pd.DataFrame]) -> None:
    """`check` on a data build's frames, before they are written
    (`frame_builders.build(check=)`)."""
    check(frames["report_claims"])


def accepted_range(claim: pd.Series) -> tuple[float, float, str] | None:
    """(low, high, bounds) the recomputed value must lie in for "reproduced", None for a row
    judged by its tolerance (or by equality, or stated only). An open end is -inf/inf."""
    suffix = threshold(claim["method"])
    if claim["method"] == STATED_ONLY_METHOD:
        return None
    if suffix is None:
        if math.isnan(claim["range_low"]):
            return None
        return float(claim["range_low"]), float(claim["range_high"]), "[]"
    bound = float(parse_stated(claim["stated_value"], claim["unit"]))
    return {
        "_below": (-math.inf, bound, "()"),
        "_above": (bound, math.inf, "()"),
        "_at_least": (bound, math.inf, "[)"),
        "_at_most": (-math.inf, bound, "(]"),
        "_nearly": (float(claim["range_low"]), bound, "[)"),
    }[suffix]


def in_range(value: float, low: float, high: float, bounds: str) -> bool:
    above = value >= low if bounds[0] == "[" else value > low
    below = value <= high if bounds[1] == "]" else value < high
    return above and below


def shown_range(low: float, high: float, bounds: str) -> str:
    def end(x: float) -> str:
        return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"

    return f"{bounds[0]}{end(low)}, {end(high)}{bounds[1]}"
