"""The words a figure and its interactive twin share: each market-data source as a source note
names it, a list in words, and a percentage as text.

Below both `figures/texts.py` (the static figure's texts, which re-exports these names) and
`interactive.py` (the Vega-Lite twin, which `style` writes), so the two say the same words
without the drawing importing the figure declarations.
"""

from __future__ import annotations

import math

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


def words(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Price rows' `source` values the project vendored, with the provider whose history they copy
# (data/raw/market/SOURCES.md section 1). A source imported later is named as it was given.
PRICE_PROVIDERS = {
    "dieperdev/yfinance-stock-data": ("Yahoo Finance", "dieperdev/yfinance-stock-data"),
    "Koi-west/stock-predictor": ("Yahoo Finance", "Koi-west/stock-predictor"),
    "Koi-west/stock-predictor (unadjusted = adjusted / factor)":
        ("Yahoo Finance", "Koi-west/stock-predictor"),
}


def price_source_words(sources: list[str]) -> str:
    """'Yahoo Finance history via A and B; C': vendored rows by provider, imported ones as
    their --source gave them."""
    providers: dict[str, list[str]] = {}
    parts: list[str] = []
    for source in sources:
        if source not in PRICE_PROVIDERS:
            parts.append(source)
            continue
        provider, repository = PRICE_PROVIDERS[source]
        if provider not in providers:
            providers[provider] = []
            parts.append(provider)
        if repository not in providers[provider]:
            providers[provider].append(repository)
    return "; ".join(f"{p} history via {words(providers[p])}" if p in providers else p
                     for p in parts)
