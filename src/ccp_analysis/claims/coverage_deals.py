"""The text's counts, rankings and trend words about Chinese tech players in Malaysia, judged
against Appendix C (malaysia_deals: entry_id, event_date, year, chinese_companies, deal_type,
text) and the AI-park links told around Figure 3 (ai_park_network).

Both are the report's own: Appendix C is its selection from RWR IntelTrak, so a text claim it
does not bear out is an internal inconsistency of the report with its own timeline (a sample:
the finding is that the report's evidence does not show what the text says), and one it bears
out only agrees with the report (checked_against = report).

Companies are counted by group, an entry once per group however many members it names: a
parent with its subsidiaries and products (Huawei Marine with Huawei; Alibaba Cloud, Cainiao,
Ant Financial, Alipay and Lazada with Alibaba; WeChat Pay with Tencent), every other company on
its own. Trend words and vague quantifiers follow claims.thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from ccp_analysis.claims import thresholds
from ccp_analysis.claims.deals import entries
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

HUAWEI, ALIBABA, TENCENT = "Huawei", "Alibaba", "Tencent"
MAJORS = (HUAWEI, ALIBABA, "ZTE")  # "the usual majors" of Appendix C's May 2017 entry
# Chapter 3: "in mid-2021 Huawei lost its bid to provide Malaysia's new 5G ... network"; the
# year is the text's, so the span ending there is the report's own.
LOST_5G_BID_YEAR = 2021
NUMBER_WORDS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))}


def _naming(deals: pd.DataFrame, group: str) -> pd.DataFrame:
    return deals[deals["groups"].map(lambda g: group in g)]


def _per_year(rows: pd.DataFrame, years: range) -> pd.Series:
    return rows["year"].value_counts().reindex(years, fill_value=0).astype(int)


def _shown(counts: pd.Series) -> str:
    return ", ".join(f"{y}: {n}" for y, n in counts.items())


def _timeline_years(deals: pd.DataFrame) -> range:
    return range(int(deals["year"].min()), int(deals["year"].max()) + 1)


def _within_timeline(deals: pd.DataFrame, first: int, last: int) -> range:
    """The years of first-last that the timeline runs through (its first to its last entry):
    a year before Appendix C begins is not a year the firm was missing from it."""
    span = _timeline_years(deals)
    return range(max(first, span.start), min(last, span.stop - 1) + 1)


def _ranks(deals: pd.DataFrame) -> pd.Series:
    """Entries per group, with each group's rank: 1 + the groups with more entries."""
    counts = pd.Series([g for groups in deals["groups"] for g in groups]).value_counts()
    return counts.map(lambda n: int((counts > n).sum()) + 1)


def _top(deals: pd.DataFrame, n: int = 4) -> str:
    counts = pd.Series([g for groups in deals["groups"] for g in groups]).value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{g} {c}" for g, c in ordered)


def _years(window: tuple[int, int]) -> str:
    return str(window[0]) if window[0] == window[1] else f"{window[0]}-{window[1]}"


def _ratio(later: float, earlier: float) -> float | None:
    return None if earlier == 0 else later / earlier


# ------------------------------------------------------------------ "throughout" a span


def _years_missing(label: str, rows_for: Callable[[pd.DataFrame], dict[str, pd.DataFrame]],
                   first: int, last: int) -> Method:
    """"throughout first-last": the most years of the span (within the timeline) in which one
    of the named firms has no entry; 0 when each is there every year."""

    def recompute(frames: Frames) -> Recomputed:
        deals = entries(frames)
        span = _within_timeline(deals, first, last)
        if not span:
            return no_data(f"Appendix C has no entry in {first}-{last}", REPORT)
        missing = {}
        for firm, rows in rows_for(deals).items():
            present = set(rows["year"])
            missing[firm] = [y for y in span if y not in present]
        worst = max(len(m) for m in missing.values())
        told = "; ".join(f"{firm} missing in {', '.join(map(str, m)) or 'no year'}"
                         for firm, m in missing.items())
        return Recomputed(worst, (
            f"malaysia_deals, {label} in {span.start}-{span.stop - 1} (the years of "
            f"{first}-{last} Appendix C runs through): {told}"), REPORT)

    return recompute


register("both_firms_years_missing_2010s_at_most", _years_missing(
    "entries naming each firm (with its affiliates)",
    lambda deals: {firm: _naming(deals, firm) for firm in (HUAWEI, ALIBABA)}, 2010, 2019))


@method("years_without_new_company_2010s_at_most")
def years_without_new_company_2010s_at_most(frames: Frames) -> Recomputed:
    deals = entries(frames)
    span = _within_timeline(deals, 2010, 2019)
    seen: set[str] = set()
    new: dict[int, list[str]] = {}
    for year in _timeline_years(deals):
        names = {n for names in deals.loc[deals["year"] == year, "chinese_groups"]
                 for n in names.split("; ") if n}
        new[year] = sorted(names - seen)
        seen |= names
    missing = [y for y in span if not new.get(y)]
    told = "; ".join(f"{y}: {', '.join(new[y]) or 'none'}" for y in span)
    return Recomputed(len(missing), (
        f"malaysia_deals, Chinese company groups named for the first time, by year ({span.start}-"
        f"{span.stop - 1}): {told}; years adding none: {', '.join(map(str, missing)) or 'none'} "
        "(new links between known companies are not counted)"), REPORT)


# ------------------------------------------------------------------------ rankings


def _worst_rank(label: str, first: int | None, last: int | None) -> Method:
    """The lower rank of Huawei and Alibaba by entries (groups) in first-last."""

    def recompute(frames: Frames) -> Recomputed:
        deals = entries(frames)
        window = deals if first is None else deals[deals["year"].between(first, last)]
        if window.empty:
            return no_data(f"Appendix C has no entry in {first}-{last}", REPORT)
        ranks = _ranks(window)
        worst = max(int(ranks.get(f, len(ranks) + 1)) for f in (HUAWEI, ALIBABA))
        per_year = ""
        if first is not None:
            yearly = []
            for year in range(first, last + 1):
                r = _ranks(window[window["year"] == year])
                yearly.append(f"{year} Huawei {r.get(HUAWEI, '-')}, Alibaba "
                              f"{r.get(ALIBABA, '-')}")
            per_year = f"; ranks year by year: {'; '.join(yearly)} ('-': no entry)"
        return Recomputed(worst, (
            f"malaysia_deals, entries per company group {label}: {_top(window)}; Huawei ranks "
            f"{ranks.get(HUAWEI, '-')}, Alibaba {ranks.get(ALIBABA, '-')}{per_year}"), REPORT)

    return recompute


register("huawei_alibaba_rank_all_entries_at_most", _worst_rank("over the whole timeline",
                                                                None, None))
register("huawei_alibaba_rank_late_2010s_at_most", _worst_rank(
    "in the late 2010s ({}-{})".format(*thresholds.decade_part("late", 2010)),
    *thresholds.decade_part("late", 2010)))


@method("alibaba_rank_among_newcomers_at_most")
def alibaba_rank_among_newcomers_at_most(frames: Frames) -> Recomputed:
    deals = entries(frames)
    alibaba = _naming(deals, ALIBABA)
    if alibaba.empty:
        return no_data("no Appendix C entry names Alibaba", REPORT)
    arrival = int(alibaba["year"].min())
    first_year = {}
    for _, row in deals.iterrows():
        for g in row["groups"]:
            first_year.setdefault(g, int(row["year"]))
    newcomers = {g for g, y in first_year.items() if y >= arrival}
    rows = deals.assign(groups=deals["groups"].map(lambda gs: frozenset(gs & newcomers)))
    rows = rows[rows["groups"].map(bool)]
    ranks = _ranks(rows)
    return Recomputed(int(ranks[ALIBABA]), (
        f"malaysia_deals, groups first named in {arrival} (Alibaba's arrival) or later, by "
        f"entries: {_top(rows)}; earlier arrivals left out: "
        f"{', '.join(sorted(g for g, y in first_year.items() if y < arrival))}"), REPORT)


@method("siasun_position_outside_majors_at_most")
def siasun_position_outside_majors_at_most(frames: Frames) -> Recomputed:
    deals = entries(frames)
    outside = deals[deals["groups"].map(lambda gs: bool(gs - set(MAJORS)))]
    hit = outside[outside["text"].str.contains("Siasun", regex=False)]
    if hit.empty:
        return no_data("no Appendix C entry names Siasun", REPORT)
    entry = hit.iloc[0]
    earlier = outside[outside["event_date"] < entry["event_date"]]
    return Recomputed(len(earlier) + 1, (
        f"malaysia_deals: entries naming a Chinese company besides {', '.join(MAJORS)} (with "
        f"their affiliates) dated before {entry['entry_id']} ('{entry['date_text']}'): "
        f"{', '.join(earlier['entry_id']) or 'none'}, so it is number {len(earlier) + 1}"),
        REPORT)


# ------------------------------------------------------------------------ shares, counts


@method("alibaba_share_of_2017_entries_above")
def alibaba_share_of_2017_entries_above(frames: Frames) -> Recomputed:
    deals = entries(frames)
    year = deals[deals["year"] == 2017]
    if year.empty:
        return no_data("Appendix C has no entry dated 2017", REPORT)
    named = _naming(year, ALIBABA)
    return Recomputed(100 * len(named) / len(year), (
        f"malaysia_deals: {len(named)} of the {len(year)} entries dated 2017 name Alibaba or "
        f"an affiliate ({', '.join(named['entry_id'])})"), REPORT)


@method("hangzhou_visits_at_least")
def hangzhou_visits_at_least(frames: Frames) -> Recomputed:
    deals = entries(frames)
    visits = deals[deals["text"].str.contains(r"(?:visits|pilgrimage to) Hangzhou")]
    return Recomputed(len(visits), (
        f"malaysia_deals: entries telling a Malaysian visit to Hangzhou: "
        f"{', '.join(f'{r.entry_id} ({r.date_text})' for r in visits.itertuples()) or 'none'}"),
        REPORT)


def _meetings(before: int | None) -> Method:
    """Meetings of Alibaba's leaders with Malaysian leaders or delegations that the entries
    naming Alibaba count ("meets three times": 3, a delegation: 1), in entries dated before
    `before` (all when None)."""

    def recompute(frames: Frames) -> Recomputed:
        deals = _naming(entries(frames), ALIBABA)
        if before is not None:
            deals = deals[deals["year"] < before]
        told = []
        total = 0
        for row in deals.itertuples():
            times = re.search(r"meets (\w+) times", row.text)
            if times:
                n = NUMBER_WORDS.get(times.group(1).lower())
                n = int(times.group(1)) if n is None else n
            elif "delegation" in row.text:
                n = 1
            else:
                continue
            total += n
            told.append(f"{row.entry_id} ({row.date_text}) {n}")
        # A visit told in the same entry as counted meetings may be one of them: not added.
        dated = "" if before is None else f" dated before {before}"
        return Recomputed(total, (
            f"malaysia_deals: meetings of Alibaba's leaders with Malaysian leaders or "
            f"delegations that entries naming Alibaba count{dated}: "
            f"{', '.join(told) or 'none'}"), REPORT)

    return recompute


register("alibaba_meetings_at_least", _meetings(None))
register("alibaba_meetings_before_2020_at_least", _meetings(2020))


@method("huawei_share_early_2010s_above")
def huawei_share_early_2010s_above(frames: Frames) -> Recomputed:
    deals = entries(frames)
    first, last = thresholds.decade_part("early", 2010)
    span = _within_timeline(deals, first, last)
    early = deals[deals["year"].between(span.start, span.stop - 1)]
    if early.empty:
        return no_data(f"Appendix C has no entry in {first}-{last}", REPORT)
    named = _naming(early, HUAWEI)
    return Recomputed(100 * len(named) / len(early), (
        f"malaysia_deals: {len(named)} of the {len(early)} entries of the early 2010s "
        f"({span.start}-{span.stop - 1}, the years of {first}-{last} Appendix C runs through) "
        f"name Huawei or Huawei Marine; the first entry naming another Chinese company: "
        f"{_first_other(deals)}"), REPORT)


def _first_other(deals: pd.DataFrame) -> str:
    others = deals[deals["groups"].map(lambda gs: bool(gs - {HUAWEI}))]
    if others.empty:
        return "none"
    row = others.iloc[0]
    return f"{row['entry_id']} ({row['date_text']}, {', '.join(sorted(row['groups'] - {HUAWEI}))})"


@method("huawei_kinds_missing_decade_after_2011_at_most")
def huawei_kinds_missing_decade_after_2011_at_most(frames: Frames) -> Recomputed:
    deals = _naming(entries(frames), HUAWEI)
    decade = deals[deals["year"].between(2012, 2021)]
    # The kinds the sentence names that Appendix C types; "investments" and "other
    # initiatives" have no deal type of their own.
    kinds = {"MOU": "MOUs", "contract": "contracts", "joint venture": "joint ventures"}
    counts = {label: int((decade["deal_type"] == kind).sum()) for kind, label in kinds.items()}
    missing = [label for label, n in counts.items() if n == 0]
    return Recomputed(len(missing), (
        f"malaysia_deals, entries naming Huawei dated 2012-2021 by deal type: "
        f"{', '.join(f'{label} {n}' for label, n in counts.items())}; named kinds without an "
        f"entry: {', '.join(missing) or 'none'}"), REPORT)


@method("huawei_4g_years_to_lost_bid_at_least")
def huawei_4g_years_to_lost_bid_at_least(frames: Frames) -> Recomputed:
    deals = entries(frames)
    hits = deals[deals["text"].str.contains(r"selects Huawei to install 4G")]
    if hits.empty:
        return no_data("no Appendix C entry selects Huawei for 4G", REPORT)
    entry = hits.iloc[0]
    return Recomputed(LOST_5G_BID_YEAR - int(entry["year"]), (
        f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}'): Huawei selected for 4G; "
        f"to the text's {LOST_5G_BID_YEAR} (the lost 5G bid)"), REPORT)


# ------------------------------------------------------------------------- trend words


def _trend(label: str, rows_of: Callable[[pd.DataFrame], pd.DataFrame],
           earlier: tuple[int, int] | Callable[[pd.DataFrame], tuple[int, int]],
           later: tuple[int, int] | Callable[[pd.DataFrame], tuple[int, int]]) -> Method:
    """Entries per year in the later window over entries per year in the earlier one."""

    def recompute(frames: Frames) -> Recomputed:
        deals = entries(frames)
        rows = rows_of(deals)
        early = earlier(deals) if callable(earlier) else earlier
        late = later(deals) if callable(later) else later
        counts = _per_year(rows, range(early[0], late[1] + 1))
        mean_early = counts.loc[early[0]:early[1]].mean()
        mean_late = counts.loc[late[0]:late[1]].mean()
        ratio = _ratio(mean_late, mean_early)
        if ratio is None:
            return no_data(f"no {label} in {_years(early)}", REPORT)
        return Recomputed(round(ratio, 6), (
            f"malaysia_deals, {label} per year: {_shown(counts)}; mean {_years(late)} "
            f"{mean_late:g} over mean {_years(early)} {mean_early:g}"), REPORT)

    return recompute


def _others(deals: pd.DataFrame) -> pd.DataFrame:
    return deals[deals["groups"].map(lambda gs: bool(gs - {HUAWEI, ALIBABA}))]


def _altel_year(deals: pd.DataFrame) -> int:
    hits = deals[deals["text"].str.contains("Altel")]
    if hits.empty:
        raise KeyError("Appendix C has no Altel entry")
    return int(hits.iloc[0]["year"])


register("alibaba_entries_growth_after_lazada_at_least", _trend(
    "entries naming Alibaba or an affiliate", lambda d: _naming(d, ALIBABA),
    (2016, 2016), (2017, 2018)))
register("alibaba_entries_drop_2019_2020_at_most", _trend(
    "entries naming Alibaba or an affiliate", lambda d: _naming(d, ALIBABA),
    (2017, 2018), (2019, 2020)))
register("other_companies_entries_late_2010s_above", _trend(
    "entries naming a Chinese company besides Huawei and Alibaba (with affiliates)", _others,
    thresholds.decade_part("mid", 2010), thresholds.decade_part("late", 2010)))
register("entries_2020s_over_2019_below", _trend(
    "entries", lambda d: d, (2019, 2019), lambda d: (2020, int(d["year"].max()))))
register("entries_after_altel_above", _trend(
    "entries", lambda d: d, lambda d: (_altel_year(d) - 2, _altel_year(d) - 1),
    lambda d: (_altel_year(d) + 1, _altel_year(d) + 2)))


# ------------------------------------------------------------------------- the AI park


@method("ai_park_original_parties")
def ai_park_original_parties(frames: Frames) -> Recomputed:
    park = frame(frames, "ai_park_network")
    mou = park[park["relation"].str.startswith("MOU partner")]
    if mou.empty:
        return no_data("ai_park_network has no MOU partner link", REPORT)
    parties = sorted(set(mou["source"]) | set(mou["target"]))
    dates = ", ".join(sorted(set(mou["date_text"])))
    return Recomputed(len(parties), (
        f"ai_park_network, the parties the original MOU links ({dates}; "
        f"{', '.join(mou['edge_id'])}): {', '.join(parties)}"), REPORT)
