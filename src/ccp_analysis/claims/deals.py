"""Claims about Chinese tech deals in Malaysia, recomputed from Appendix C (malaysia_deals frame;
columns read: entry_id, event_date, year, date_text, chinese_companies, text).

Appendix C is the report's own selection of highlights from RWR IntelTrak, so every value here
is the report's: a text claim that Appendix C contradicts is an internal inconsistency, one it
matches agrees with the report's own timeline (checked_against = report), never an outside
confirmation. Entries are found by the words of their text rather than by the coded parties, so
a change of party coding cannot move a date.
"""

from __future__ import annotations

import re

import pandas as pd

from ccp_analysis.claims.registry import (
    REPORT,
    Frames,
    Method,
    Recomputed,
    frame,
    method,
    no_data,
    no_reading,
    register,
)

HUAWEI = re.compile(r"^Huawei")
ALIBABA = re.compile(r"^(Alibaba|Alibaba Cloud|Cainiao|Ant Financial|Alipay)$")
NUMBER_WORDS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))}


def entries(frames: Frames) -> pd.DataFrame:
    """Appendix C's entries in date order, each with `groups`: the Chinese company groups it
    names (a subsidiary, affiliate or product belongs to its parent's group, as
    appendix_c_parties says, the one place that says who belongs to whom)."""
    deals = frame(frames, "malaysia_deals").sort_values(["event_date", "entry_id"])
    groups = deals["chinese_groups"].map(
        lambda names: frozenset(n for n in names.split("; ") if n))
    return deals.assign(groups=groups)


def _matching(frames: Frames, pattern: str) -> pd.DataFrame:
    deals = entries(frames)
    found = re.compile(pattern)
    return deals[deals["text"].map(lambda text: found.search(text) is not None)]


def _first_entry(frames: Frames, pattern: str) -> pd.Series | None:
    hits = _matching(frames, pattern)
    return None if hits.empty else hits.iloc[0]


def _entry_date(pattern: str, what: str, as_month: bool) -> Method:
    """The date Appendix C gives the first entry matching `pattern`, for a text claim."""

    def recompute(frames: Frames) -> Recomputed:
        entry = _first_entry(frames, pattern)
        if entry is None:
            return no_data(f"no Appendix C entry about {what}", REPORT)
        value = entry["event_date"].strftime("%Y-%m") if as_month else int(entry["year"])
        return Recomputed(value, (
            f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}'): {what}"), REPORT)

    return recompute


_ENTRY_DATES = {
    "huawei_altel_4g_year": (r"Altel.*4G", "Altel selects Huawei for 4G", False),
    "huawei_u_mobile_4g_year": (r"Huawei.*U Mobile", "ZTE and Huawei's U Mobile deal", False),
    "alibaba_ecommerce_hub_month": (r"e-commerce hub", "Alibaba's e-commerce hub", True),
    "huawei_maxis_mou_month": (r"Maxis", "Huawei's first MOU with Maxis", True),
    "fiberhome_mou_year": (r"FiberHome", "Wuhan FiberHome's MOU", False),
    "tencent_ccb_mou_year": (r"Tencent.*China Construction Bank",
                             "Tencent's MOU with CCB Labuan", False),
    "alibaba_cloud_data_center_year": (r"Alibaba Cloud.*data center",
                                       "Alibaba Cloud's Malaysian data center", False),
    "alibaba_ehubs_year": (r"e-hubs", "the first bilateral e-hubs", False),
    "dftz_launch_year": (r"launches the previously announced", "the DFTZ's launch", False),
    "najib_hangzhou_visit_year": (r"visits Hangzhou", "Najib's visit to Hangzhou", False),
    "city_brain_kl_year": (r"City Brain", "City Brain in Kuala Lumpur", False),
}
for _name, (_pattern, _what, _as_month) in _ENTRY_DATES.items():
    register(_name, _entry_date(_pattern, _what, _as_month))


def _printed_count(pattern: str, what: str) -> Method:
    """A number printed in the first entry matching `pattern` (group 1 of the pattern)."""

    def recompute(frames: Frames) -> Recomputed:
        entry = _first_entry(frames, pattern)
        if entry is None:
            return no_data(f"no Appendix C entry about {what}", REPORT)
        word = re.search(pattern, entry["text"]).group(1).replace(",", "")
        count = int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]
        return Recomputed(count, (
            f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}') prints {count} "
            f"{what}"), REPORT)

    return recompute


register("city_brain_intersections_at_least",
         _printed_count(r"at ([\d,]+) intersections", "intersections"))
register("ant_financial_banks_at_least",
         _printed_count(r"with (\w+) Malaysian banks", "Malaysian banks"))


@method("huawei_malaysia_entry_year")
def huawei_malaysia_entry_year(frames: Frames) -> Recomputed:
    entry = _first_entry(frames, r"\d+(?:st|nd|rd|th) anniversary of its entrance")
    if entry is None:
        return no_data("no Appendix C entry dates Huawei's entrance", REPORT)
    years = int(re.search(r"(\d+)(?:st|nd|rd|th) anniversary", entry["text"]).group(1))
    return Recomputed(int(entry["year"]) - years, (
        f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}'): Huawei's {years}th "
        f"anniversary in Malaysia, so entry in {entry['year']} - {years}"), REPORT)


def _group_first_year(frames: Frames, group: re.Pattern[str]) -> int | None:
    deals = entries(frames)
    named = deals["chinese_companies"].map(
        lambda names: any(group.match(n) for n in names.split("; ")))
    return None if not named.any() else int(deals.loc[named, "year"].min())


def _years_in_malaysia(group: re.Pattern[str], firm: str) -> Method:
    def recompute(frames: Frames) -> Recomputed:
        first = _group_first_year(frames, group)
        if first is None:
            return no_data(f"no Appendix C entry names {firm}", REPORT)
        last = int(entries(frames)["year"].max())
        return Recomputed(last - first + 1, (
            f"malaysia_deals: the first entry naming {firm} is dated {first}, the timeline "
            f"ends in {last}: {first}-{last} inclusive"), REPORT)

    return recompute


register("huawei_years_in_malaysia",
         _years_in_malaysia(HUAWEI, "Huawei (incl. Huawei Marine)"))
register("alibaba_years_in_malaysia",
         _years_in_malaysia(ALIBABA, "Alibaba (incl. Alibaba Cloud, Cainiao, Ant Financial, "
                                     "Alipay)"))


def _first_year(group: re.Pattern[str], firm: str) -> Method:
    def recompute(frames: Frames) -> Recomputed:
        first = _group_first_year(frames, group)
        if first is None:
            return no_data(f"no Appendix C entry names {firm}", REPORT)
        return Recomputed(first, f"malaysia_deals: the earliest entry naming {firm}", REPORT)

    return recompute


register("huawei_first_malaysia_deal_year", _first_year(HUAWEI, "Huawei or Huawei Marine"))
register("alibaba_first_malaysia_deal_year", _first_year(ALIBABA, "Alibaba or an affiliate"))


@method("years_huawei_before_alibaba_at_least")
def years_huawei_before_alibaba_at_least(frames: Frames) -> Recomputed:
    huawei, alibaba = _group_first_year(frames, HUAWEI), _group_first_year(frames, ALIBABA)
    if huawei is None or alibaba is None:
        return no_data("Appendix C does not name both Huawei and Alibaba", REPORT)
    return Recomputed(alibaba - huawei, (
        f"malaysia_deals: Huawei's first entry {huawei}, Alibaba's first {alibaba}"), REPORT)


@method("timeline_span_years_at_least")
def timeline_span_years_at_least(frames: Frames) -> Recomputed:
    deals = entries(frames)
    first, last = int(deals["year"].min()), int(deals["year"].max())
    return Recomputed(last - first + 1, (
        f"malaysia_deals: Appendix C's entries run from {first} to {last}"), REPORT)


@method("zte_u_mobile_months_after_huawei_below")
def zte_u_mobile_months_after_huawei_below(frames: Frames) -> Recomputed:
    joint = _first_entry(frames, r"ZTE and Huawei.*U Mobile")
    own = _matching(frames, r"^ZTE .*U Mobile")
    if joint is None or own.empty:
        return no_data("Appendix C lacks the joint or ZTE's own U Mobile entry", REPORT)
    own = own[own["event_date"] > joint["event_date"]]
    if own.empty:
        return no_data("no ZTE-only U Mobile entry after the joint one", REPORT)
    first = own.iloc[0]
    months = ((first["event_date"].year - joint["event_date"].year) * 12
              + first["event_date"].month - joint["event_date"].month)
    return Recomputed(months, (
        f"malaysia_deals: ZTE and Huawei with U Mobile {joint['entry_id']} "
        f"('{joint['date_text']}'), ZTE's own U Mobile agreement {first['entry_id']} "
        f"('{first['date_text']}')"), REPORT)


# "Malaysia's largest mobile service providers and internet service providers" (Chapter 3), as
# Appendix C names them: the counterparts an MOU must have to count among "those same companies".
MALAYSIAN_PROVIDERS = ("Maxis", "Celcom", "Digi", "U Mobile", "Telekom Malaysia", "Altel")


@method("huawei_5g_mous_2018_2019_at_least")
def huawei_5g_mous_2018_2019_at_least(frames: Frames) -> Recomputed:
    deals = entries(frames)
    provider = re.compile("|".join(re.escape(p) for p in MALAYSIAN_PROVIDERS))
    dated = deals[deals["year"].between(2018, 2019) & deals["text"].str.contains("Huawei")
                  & deals["text"].str.contains("5G")
                  & deals["text"].str.contains(r"MOU|agreement|letter of intent")]
    hits = dated[dated["text"].map(lambda text: provider.search(text) is not None)]
    others = dated[~dated.index.isin(hits.index)]
    return Recomputed(len(hits), (
        f"malaysia_deals: 2018-2019 entries in which Huawei signs a 5G MOU, agreement or letter of "
        f"intent with a Malaysian mobile or internet service provider "
        f"({', '.join(MALAYSIAN_PROVIDERS)}): "
        f"{', '.join(f'{r.entry_id} ({r.date_text})' for r in hits.itertuples()) or 'none'}; "
        f"left out, no such provider a party: "
        f"{', '.join(f'{r.entry_id} ({r.date_text})' for r in others.itertuples()) or 'none'}"),
        REPORT)


@method("deals_2020_count_below")
def deals_2020_count_below(frames: Frames) -> Recomputed:
    deals = entries(frames)
    count = int((deals["year"] == 2020).sum())
    return Recomputed(count, (
        f"malaysia_deals: {count} Appendix C entries dated 2020 (2019: "
        f"{int((deals['year'] == 2019).sum())}); Appendix C is the report's selection from RWR "
        "IntelTrak, whose full count is not in the data"), REPORT)


@method("deals_12_months_after_peak_below")
def deals_12_months_after_peak_below(frames: Frames) -> Recomputed:
    deals = entries(frames)
    start = pd.Timestamp("2020-02-01")  # "early 2020" read as ending with January 2020
    window = deals[(deals["event_date"] >= start)
                   & (deals["event_date"] < start + pd.DateOffset(months=12))]
    return Recomputed(len(window), (
        f"malaysia_deals: entries dated February 2020 to January 2021: "
        f"{', '.join(f'{r.entry_id} ({r.date_text})' for r in window.itertuples()) or 'none'}"),
        REPORT)


def _monthly_trailing(deals: pd.DataFrame) -> pd.Series:
    months = deals["event_date"].dt.to_period("M")
    span = pd.period_range(months.min(), months.max(), freq="M")
    return months.value_counts().reindex(span, fill_value=0).rolling(12, min_periods=1).sum()


@method("deals_trailing_12m_peak_year")
def deals_trailing_12m_peak_year(frames: Frames) -> Recomputed:
    deals = entries(frames)
    trailing = _monthly_trailing(deals)
    # The latest month holding the maximum, so a plateau is dated by its end.
    end = trailing[trailing == trailing.max()].index[-1]
    by_year = deals["year"].value_counts()
    return Recomputed(int(end.year), (
        f"malaysia_deals: the 12 months to {end} hold the most entries ({int(trailing.max())}); "
        f"by calendar year the peak is {int(by_year.idxmax())} ({int(by_year.max())})"), REPORT)


def _per_year(frames: Frames) -> pd.Series:
    deals = entries(frames)
    years = range(int(deals["year"].min()), int(deals["year"].max()) + 1)
    return deals["year"].value_counts().reindex(years, fill_value=0)


def _counts(per_year: pd.Series, years: range) -> str:
    return ", ".join(f"{y}: {per_year.get(y, 0)}" for y in years)


@method("deals_busiest_year_in_2018_2020")
def deals_busiest_year_in_2018_2020(frames: Frames) -> Recomputed:
    per_year = _per_year(frames)
    busiest = int(per_year.idxmax())
    return Recomputed(busiest, (
        f"malaysia_deals: entries per year {_counts(per_year, per_year.index)}; busiest "
        f"{busiest}"), REPORT)


@method("deals_growth_change_2019_above")
def deals_growth_change_2019_above(frames: Frames) -> Recomputed:
    per_year = _per_year(frames)
    if not {2017, 2018, 2019} <= set(per_year.index):
        return no_data("Appendix C lacks 2017-2019", REPORT)
    change = (per_year[2019] - per_year[2018]) - (per_year[2018] - per_year[2017])
    return Recomputed(int(change), (
        f"malaysia_deals: entries {_counts(per_year, range(2016, 2020))}; 2019's rise over 2018 "
        f"({per_year[2019] - per_year[2018]:+d}) minus 2018's over 2017 "
        f"({per_year[2018] - per_year[2017]:+d}); counts of deals, not FDI amounts"), REPORT)


@method("deals_yearly_falls_2016_2019")
def deals_yearly_falls_2016_2019(frames: Frames) -> Recomputed:
    per_year = _per_year(frames)
    falls = [y for y in range(2017, 2020) if per_year.get(y, 0) < per_year.get(y - 1, 0)]
    return Recomputed(len(falls), (
        f"malaysia_deals: entries {_counts(per_year, range(2016, 2020))}; years with fewer "
        f"entries than the year before: {', '.join(map(str, falls)) or 'none'}"), REPORT)


@method("deals_mean_2018_2019_over_2016_2017_above")
def deals_mean_2018_2019_over_2016_2017_above(frames: Frames) -> Recomputed:
    per_year = _per_year(frames)
    before = (per_year.get(2016, 0) + per_year.get(2017, 0)) / 2
    after = (per_year.get(2018, 0) + per_year.get(2019, 0)) / 2
    return Recomputed(float(after - before), (
        f"malaysia_deals: mean entries per year 2018-2019 {after:g} vs 2016-2017 {before:g}"),
        REPORT)


@method("deals_new_companies_2016_2019_above")
def deals_new_companies_2016_2019_above(frames: Frames) -> Recomputed:
    deals = entries(frames)

    # Company groups, not names: a subsidiary or product (Lazada, Alipay, WeChat Pay, China
    # Unicom's subsidiary) is its parent's group, not another company (appendix_c_parties).
    def named(years: tuple[int, int]) -> set[str]:
        rows = deals[deals["year"].between(*years)]
        return {n for names in rows["chinese_groups"] for n in names.split("; ") if n}

    early, late = named((2011, 2015)), named((2016, 2019))
    return Recomputed(len(late) - len(early), (
        f"malaysia_deals: distinct Chinese company groups named 2011-2015: {len(early)} "
        f"({', '.join(sorted(early))}); 2016-2019: {len(late)}"), REPORT)


@method("deals_entries_2021_2022")
def deals_entries_2021_2022(frames: Frames) -> Recomputed:
    # An entry dated 2021-2022 would contradict "froze ... well into 2022"; none cannot confirm
    # it, since Appendix C's own coverage may end before then.
    deals = entries(frames)
    later = deals[deals["year"].between(2021, 2022)]
    after = deals[deals["event_date"] >= pd.Timestamp("2020-04-01")]
    listed = ", ".join(f"{r.entry_id} ({r.date_text})" for r in after.itertuples()) or "none"
    if later.empty:
        return no_reading(
            f"malaysia_deals has no entry dated 2021-2022 (from April 2020 on: {listed}), but "
            f"its last entry is dated {deals['event_date'].max():%Y-%m}, so it cannot tell a "
            "freeze from the end of its coverage")
    return Recomputed(len(later), (
        f"malaysia_deals: entries dated 2021-2022: "
        f"{', '.join(f'{r.entry_id} ({r.date_text})' for r in later.itertuples())}"), REPORT)


# The text's order of arrival: "from Huawei to ZTE, to Alibaba and Ant Financial, to Tencent,
# then to services like Alipay, WeChat Pay, and UnionPay, and eventually to ... FiberHome".
ARRIVAL_ORDER = (("Huawei",), ("ZTE",), ("Alibaba", "Ant Financial"), ("Tencent",),
                 ("Alipay", "WeChat Pay", "UnionPay"), ("FiberHome",))


@method("arrival_order_breaks")
def arrival_order_breaks(frames: Frames) -> Recomputed:
    deals = entries(frames)
    firsts: list[tuple[str, pd.Timestamp]] = []
    for group in ARRIVAL_ORDER:
        dates = [deals.loc[deals["text"].str.contains(name, regex=False), "event_date"].min()
                 for name in group]
        if any(pd.isna(d) for d in dates):
            return no_data(f"Appendix C never mentions one of {', '.join(group)}", REPORT)
        firsts.append(("/".join(group), min(dates)))
    # A group breaks the order when one of its first mentions comes before the latest first
    # mention of the group the text puts before it.
    breaks = [firsts[i][0] for i in range(1, len(firsts)) if firsts[i][1] < firsts[i - 1][1]]
    shown = "; ".join(f"{name} {start:%Y-%m}" for name, start in firsts)
    return Recomputed(len(breaks), (
        f"malaysia_deals, first mention in an entry's text: {shown}; out of the text's order: "
        f"{', '.join(breaks) or 'none'}"), REPORT)


@method("entries_before_huawei")
def entries_before_huawei(frames: Frames) -> Recomputed:
    deals = entries(frames)
    first = _group_first_year(frames, HUAWEI)
    if first is None:
        return no_data("no Appendix C entry names Huawei", REPORT)
    earlier = deals[deals["year"] < first]
    return Recomputed(len(earlier), (
        f"malaysia_deals: entries dated before Huawei's first ({first}): "
        f"{', '.join(earlier['entry_id']) or 'none'}"), REPORT)


# Products the entries name beside their makers: a product is not a player of its own.
PRODUCTS = {"Alipay": "Ant Financial", "WeChat Pay": "Tencent"}


@method("chinese_players_at_least")
def chinese_players_at_least(frames: Frames) -> Recomputed:
    # "dozens of Chinese players": Appendix C and Figure 3 are the report's selection, so a count
    # of at least the bound confirms the statement, while a smaller one cannot refute it.
    deals = entries(frames)
    park = frame(frames, "ai_park_network")
    named = {n for names in deals["chinese_companies"] for n in names.split("; ") if n}
    for side in ("source", "target"):
        chinese = park[park[f"{side}_kind"].str.startswith("Chinese")]
        named |= set(chinese[side])
    players = sorted(named - set(PRODUCTS))
    shown = f"{len(players)} ({', '.join(players)}); products left out: {', '.join(PRODUCTS)}"
    claims = frame(frames, "report_claims")
    bound = float(claims.loc[claims["method"] == "chinese_players_at_least",
                             "stated_value"].iloc[0])
    if len(players) < bound:
        return no_reading(
            f"Appendix C and Figure 3 name {shown}, fewer than {bound:g}, but they are the "
            "report's selection of highlights, which can confirm 'dozens' but not refute it")
    return Recomputed(len(players), f"Chinese firms named in Appendix C and Figure 3: {shown}",
                      REPORT)


@method("alibaba_lazada_first_year_at_least")
def alibaba_lazada_first_year_at_least(frames: Frames) -> Recomputed:
    # Acquired in 2016: no Appendix C entry may show Alibaba working with Lazada as its own before
    # then (an entry in 2016 or later is what the acquisition allows).
    entry = _first_entry(frames, r"Lazada")
    if entry is None:
        return no_data("no Appendix C entry names Lazada", REPORT)
    return Recomputed(int(entry["year"]), (
        f"malaysia_deals {entry['entry_id']} ('{entry['date_text']}'), the first entry naming "
        f"Lazada: '{entry['text']}'; Appendix C does not state the acquisition or its price"),
        REPORT)


@method("ai_park_renewal_month")
def ai_park_renewal_month(frames: Frames) -> Recomputed:
    park = frame(frames, "ai_park_network")
    renewed = park[park["relation"] == "commitment renewed"]
    if renewed.empty:
        return no_data("ai_park_network has no renewal of the AI-park commitment", REPORT)
    row = renewed.iloc[0]
    month = pd.Timestamp(row["date_text"]).strftime("%Y-%m")
    return Recomputed(month, (
        f"ai_park_network {row['edge_id']} ('{row['date_text']}', Chapter 2's words around "
        f"Figure 3): '{row['quote']}'"), REPORT)
