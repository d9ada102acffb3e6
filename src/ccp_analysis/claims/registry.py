"""The recompute methods' registry and what a method returns.

Every method is registered here once, by name, through `register` (or the `method` decorator);
a second registration under the same name is refused, so one claims.csv name can never mean two
computations. claims.csv names the method of each claim, or `stated_only`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

VERDICTS = ("reproduced", "differs", "internal inconsistency", "stated only")
REPRODUCED, DIFFERS, INCONSISTENT, STATED_ONLY = VERDICTS

# What a verdict rests on, so a reader can tell outside confirmation from the report agreeing
# with itself.
CHECKED_AGAINST = ("data", "report", "nothing")
DATA, REPORT, NOTHING = CHECKED_AGAINST

STATED_ONLY_METHOD = "stated_only"

Frames = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Recomputed:
    """What a method found.

    value: the recomputed number (a year as int, a month as 'YYYY-MM'), or None when the data
    cannot give one. verdict/reason: set when the method itself decides the verdict (it
    compared two printed values, judged a range, or found no data). against: DATA when the value
    comes from market or financial data, REPORT when it is itself a printed value of the report
    (Appendix A/B/C, Figure 1/2, another claim), so a mismatch is an internal inconsistency and a
    match only shows the report agrees with itself.
    """

    value: float | str | None
    explanation: str = ""
    against: str = DATA
    verdict: str | None = None
    reason: str = ""


Method = Callable[[Frames], Recomputed]
_METHODS: dict[str, Method] = {}
# Read-only view: the only way in is `register`, so the duplicate check cannot be bypassed.
METHODS: Mapping[str, Method] = MappingProxyType(_METHODS)


def register(name: str, func: Method) -> Method:
    """Register `func` as claims method `name`; a name is accepted once only."""
    if name in _METHODS or name == STATED_ONLY_METHOD:
        raise ValueError(f"claims method {name!r} is registered twice")
    _METHODS[name] = func
    return func


def method(name: str) -> Callable[[Method], Method]:
    def decorate(func: Method) -> Method:
        return register(name, func)

    return decorate


def frame(frames: Frames, name: str) -> pd.DataFrame:
    if name not in frames:
        raise KeyError(f"the claims audit needs the processed frame {name!r}")
    return frames[name]


def no_data(why: str, against: str = DATA) -> Recomputed:
    return Recomputed(None, f"not recomputable from this edition's data: {why}", against,
                      STATED_ONLY)


def agreement(equal: bool) -> str:
    """Two printed values of the report: equal ones agree, others are inconsistent."""
    return REPRODUCED if equal else INCONSISTENT


def fmt(value: float, decimals: int = 2) -> str:
    return f"{value:,.{decimals}f}"
