"""Claims checked against the report's other statements of the same thing (read from the
`report_claims` frame): one chapter's date against another's, a step counted from the text's own
account. Every value here is the report's, so checked_against = report.
"""

from __future__ import annotations

import re

from ccp_analysis.claims.registry import (
    REPORT,
    Frames,
    Method,
    Recomputed,
    frame,
    method,
    no_data,
    register,
)


def _claim(frames: Frames, claim_id: str):
    claims = frame(frames, "report_claims").set_index("claim_id")
    return None if claim_id not in claims.index else claims.loc[claim_id]


def _same_year_as(other_id: str, what: str) -> Method:
    """The year another statement of the report gives the same event."""

    def recompute(frames: Frames) -> Recomputed:
        other = _claim(frames, other_id)
        if other is None:
            return no_data(f"the report_claims frame lacks {other_id}", REPORT)
        return Recomputed(int(other["stated_value"]), (
            f"{other['location']} ({other_id}) dates {what} {other['stated_value']}: "
            f"'{other['quote']}'"), REPORT)

    return recompute


# Chapter 1 (K81) and Chapter 3 (K137) both date the sale of Honor.
register("honor_sale_year_in_chapter3", _same_year_as("K137", "the Honor sale"))
register("honor_sale_year_in_chapter1", _same_year_as("K81", "the Honor sale"))

# Chapter 2's own account of Huawei's 5G steps with Maxis after Appendix C's "first of several":
# the February 2019 MOU, the formal agreement "by October", the joint plans "by January of 2020".
MAXIS_STEPS = ("K37", "K122", "K123")
_MAXIS = re.compile(r"Maxis|the two companies")


@method("huawei_maxis_5g_steps_at_least")
def huawei_maxis_5g_steps_at_least(frames: Frames) -> Recomputed:
    steps = [c for c in (_claim(frames, i) for i in MAXIS_STEPS)
             if c is not None and _MAXIS.search(c["quote"])]
    listed = "; ".join(f"{c.name} {c['stated_value']}: '{c['quote']}'" for c in steps)
    return Recomputed(len(steps), (
        f"Chapter 2's steps of Huawei with Maxis: {listed or 'none'}"), REPORT)
