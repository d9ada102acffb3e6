"""The audit's verdict summary in words, computed from the audit so no count is typed by hand.

docs/claims-audit.md and the README's claims section hold it between the markers below;
`python -m ccp_analysis.claims.summary` rewrites those blocks from data/processed, and the tests
check that they are what the audit gives.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from ccp_analysis.claims.engine import audit, verdict_counts
from ccp_analysis.claims.registry import DATA, REPORT, REPRODUCED, VERDICTS

BEGIN, END = "<!-- claims-summary:begin -->", "<!-- claims-summary:end -->"
# The pages holding the block, relative to the project root.
PAGES = ("docs/claims-audit.md", "README.md")


def _counts(audited: pd.DataFrame) -> str:
    counted = audited[audited["counted"]]
    counts = verdict_counts(audited)
    against = counted.loc[counted["verdict"] == REPRODUCED, "checked_against"].value_counts()
    parts = []
    for verdict in VERDICTS:
        text = f"{counts[verdict]} {verdict}"
        if verdict == REPRODUCED:
            text += (f" ({against.get(DATA, 0)} against data, {against.get(REPORT, 0)} only "
                     "against the report's own numbers)")
        parts.append(text)
    return ", ".join(parts)


def summary(audits: dict[str, pd.DataFrame]) -> str:
    """The block: per edition, the statements counted per verdict and the rows in all."""
    lines = []
    for edition, audited in audits.items():
        counted = int(audited["counted"].sum())
        others = len(audited) - counted
        all_rows = verdict_counts(audited, counted_only=False)
        lines.append(
            f"- **{edition}**: {len(audited)} rows judge {counted} statements (a sentence "
            f"stating two values is two; the {others} other rows are further readings of a "
            f"statement whose counted reading is another row). One verdict per statement: "
            f"{_counts(audited)}. Every row, readings included: "
            + ", ".join(f"{all_rows[v]} {v}" for v in VERDICTS) + ".")
    return "\n".join([BEGIN, *lines, END])


def replace_block(text: str, block: str, page: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{page}: needs exactly one {BEGIN} ... {END} block")
    return pattern.sub(lambda _: block, text)


def main(root: Path) -> int:
    from ccp_analysis.data import editions

    block = summary({e: audit(editions.frames(e)) for e in editions.EDITIONS})
    for page in PAGES:
        path = root / page
        text = path.read_text(encoding="utf-8")
        new = replace_block(text, block, page)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote the verdict summary in {page}")
    return 0


if __name__ == "__main__":
    from ccp_analysis import paths

    sys.exit(main(paths.project_root()))
