"""The claims audit: every quantitative statement of the report, judged by its stated rule.

- `table`: the `report_claims` frame (data/raw/report/claims.csv, read by the data build)
  checked against the recompute methods, and each row's rule;
- `registry`: the guarded registry of recompute methods and what a method returns;
- `revenue`, `stock`, `support`, `deals`: the methods, by the data they recompute from;
  `crossref`: statements checked against the report's other statements of the same thing;
- `coverage_deals`, `coverage_support`, `coverage_revenue`: the methods of the rest of the
  report's statements (K200 on), with the vague quantifiers' thresholds in `thresholds`;
- `engine`: the verdicts (`audit`).

Importing the package registers every method, so `METHODS` is complete once it is imported.
"""

from ccp_analysis.claims import (  # noqa: F401  (registration)
    coverage_deals,
    coverage_revenue,
    coverage_support,
    crossref,
    deals,
    revenue,
    stock,
    support,
)
from ccp_analysis.claims.engine import AUDIT_COLUMNS, audit, judge, verdict_counts
from ccp_analysis.claims.registry import (
    CHECKED_AGAINST,
    METHODS,
    STATED_ONLY_METHOD,
    VERDICTS,
    Recomputed,
    register,
)
from ccp_analysis.claims.table import CLAIMS, UNITS, check_frames

__all__ = ["AUDIT_COLUMNS", "CHECKED_AGAINST", "CLAIMS", "METHODS", "STATED_ONLY_METHOD", "UNITS",
           "VERDICTS", "Recomputed", "audit", "check_frames", "judge", "register",
           "verdict_counts"]
