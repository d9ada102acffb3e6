"""The words a figure and its interactive twin share: each market-data source as a source note
names it, and a percentage as text.

Below both `figures/texts.py` (the static figure's texts, which re-exports these names) and
`interactive.py` (the Vega-Lite twin, which `style` writes), so the two say the same words
without the drawing importing the figure declarations.
"""

from __future__ import annotations

import math

BABA_WORDS = ("Yahoo Finance, BABA daily history (unadjusted close), from public copies of its "
              "downloads checked against Nasdaq.com")
SHARES_WORDS = "share counts from Alibaba's 20-F filings"
# Each exchange-rate series in words, as a source note names it.
FX_WORDS = {
    "ecb": "ECB euro reference rates (yearly mean of the CNY/USD cross rate)",
    "oecd_imf": "OECD/IMF yearly average rates",
    "fed": "Federal Reserve G.5A yearly average rates",
    "pboc": "PBoC central parity rates (yearly mean)",
}


def pct(value: float, *, signed: bool = True) -> str:
    """A percentage for text; a missing change is said in words, never '+nan%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no change on record (first year of the series)"
    return f"{value:+.1f}%" if signed else f"{abs(value):.1f}%"
