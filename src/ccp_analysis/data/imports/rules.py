"""What `ccp-analysis data import` accepts and the bounds it holds values to, in one small
module the command line reads for its help without loading pandas."""

from __future__ import annotations

# SOURCE of `ccp-analysis data import SOURCE FILE` -> (what it is, raw file it changes)
KINDS: dict[str, tuple[str, str]] = {
    "prices": ("BABA daily prices: a Yahoo Finance or Nasdaq history CSV, or the project's "
               "columns", "market/baba_daily.csv"),
    "huawei": ("Huawei annual revenue and net profit, the project's columns",
               "market/huawei_financials.csv"),
    "fx-ecb": ("the ECB's eurofxref-hist.csv or .zip: recomputes ecb_cross_mean and ecb_days "
               "per complete year", "market/cny_per_usd_annual.csv"),
    "fx-worldbank": ("the World Bank's PA.NUS.FCRF bulk CSV or zip: China's row as "
                     "oecd_imf_annual_avg", "market/cny_per_usd_annual.csv"),
    "fx": ("CNY per USD yearly averages, the project's columns",
           "market/cny_per_usd_annual.csv"),
    "shares": ("Alibaba share counts, the project's columns",
               "market/alibaba_shares_outstanding.csv"),
    "sources": ("a revised SOURCES.md, replacing data/raw/market/SOURCES.md",
                "market/SOURCES.md"),
}

# The bounds, stated once (docs/updating-data.md quotes them; a test keeps the two equal).
MAX_DAILY_MOVE = 0.40  # BABA's largest one-day close move 2014-2026 was 36.8% (2022-03-16)
MAX_REVENUE_CHANGE = 0.50  # Huawei's largest yearly revenue change 2008-2024 was +37.1% (2015)
MAX_RATE_GAP = 0.10  # CNY per USD: the series differ by at most 0.058 (2015, OECD/IMF vs ECB)
MAX_RATE_CHANGE = 0.15  # CNY per USD: the largest change 2008-2025 was 7.5% (Fed, 2015-2017)
MAX_SHARE_CHANGE = 0.10  # Alibaba's ADS-equivalent count moved at most 6.9% between rows

PLAUSIBILITY = {
    "daily-move": f"a close more than {MAX_DAILY_MOVE:.0%} above or below the trading day "
                  "before it",
    "zero-volume": "a trading day with a volume of 0",
    "revenue-change": f"Huawei revenue more than {MAX_REVENUE_CHANGE:.0%} above or below the "
                      "year before",
    "profit-above-revenue": "a net profit larger than the revenue of its year",
    "rate-gap": f"a CNY per USD rate more than {MAX_RATE_GAP} away from another series of the "
                "same year",
    "rate-change": f"a CNY per USD rate more than {MAX_RATE_CHANGE:.0%} above or below the "
                   "same series the year before",
    "share-change": f"a share count (ADS equivalents) more than {MAX_SHARE_CHANGE:.0%} above "
                    "or below the count before it",
}
