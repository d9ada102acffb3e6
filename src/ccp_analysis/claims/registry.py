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

from ccp_analysis.data.schemas import STATED_ONLY_METHOD

VERDICTS = ("reproduced", "differs", "internal inconsistency", "stated only")
REPRODUCED, DIFFERS, INCONSISTENT, STATED_ONLY = VERDICTS

# What a verdict rests on, so a reader can tell outside confirmation from the report agreeing
# with itself.
CHECKED_AGAINST = ("data", "report", "nothing")
DATA, REPORT, NOTHING = CHECKED_AGAINST


Frames = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Recomputed:
    """What a method found.

    value: the recomputed number (a year as int, a month as 'YYYY-MM'), a text where what is
    compared is not one number (a year with the numbers printed beside it), or None when the
    data cannot give one. verdict/reason: set only where the engine's rules cannot decide (no
    data, a text value); a number is always judged by the row's tolerance or range, so a method
    can never contradict its own row. tolerance: the tolerance the data give (a spread of share
    counts), for methods registered with `own_tolerance`. against: DATA when the value comes
    from market or financial data, REPORT when it is itself a printed value of the report
    (Appendix A/B/C, Figure 1/2/3, another claim), so a mismatch is an internal inconsistency and
    a match only shows the report agrees with itself.
    """

    value: float | str | None
    explanation: str = ""
    against: str = DATA
    verdict: str | None = None
    reason: str = ""
    tolerance: float | None = None


Method = Callable[[Frames], Recomputed]
_METHODS: dict[str, Method] = {}
_OWN_TOLERANCE: set[str] = set()
# Read-only views: the only way in is `register`, so the duplicate check cannot be bypassed.
METHODS: Mapping[str, Method] = MappingProxyType(_METHODS)


def register(name: str, func: Method, own_tolerance: bool = False) -> Method:
    """Register `func` as claims method `name`; a name is accepted once only. `own_tolerance`:
    the method returns the tolerance its data give, so claims.csv leaves the field empty."""
    if name in _METHODS or name == STATED_ONLY_METHOD:
        raise ValueError(f"claims method {name!r} is registered twice")
    _METHODS[name] = func
    if own_tolerance:
        _OWN_TOLERANCE.add(name)
    return func


def own_tolerance(name: str) -> bool:
    """Whether method `name` gives its own tolerance (computed from the data)."""
    return name in _OWN_TOLERANCE


def method(name: str, own_tolerance: bool = False) -> Callable[[Method], Method]:
    def decorate(func: Method) -> Method:
        return register(name, func, own_tolerance)

    return decorate


def frame(frames: Frames, name: str) -> pd.DataFrame:
    if name not in frames:
        raise KeyError(f"the claims audit needs the processed frame {name!r}")
    return frames[name]


def no_data(why: str, against: str = DATA) -> Recomputed:
    return Recomputed(None, f"not recomputable from this edition's data: {why}", against,
                      STATED_ONLY)


def agreement(equal: bool) -> str:
    """Two printed values of the report that are not one number (a text value): equal ones
    agree, others are inconsistent."""
    return REPRODUCED if equal else INCONSISTENT


def no_reading(why: str, against: str = REPORT) -> Recomputed:
    """The data hold something to check against, but it cannot decide the statement (a
    selection cannot refute a count; a timeline cannot tell a freeze from its own end)."""
    return Recomputed(None, f"not decidable from the data: {why}", against, STATED_ONLY)


def fmt(value: float, decimals: int = 2) -> str:
    return f"{value:,.{decimals}f}"
