"""The interactive charts in a real browser (Debian's Chromium through Playwright, headless).

On the latest version page of each edition (named by reports/LATEST.json, in a copy of the
checkout's reports/): every figure has its interactive twin, and each draws with the vendored
runtime, with no console error and no request leaving the file system; hovering a known mark
shows its value, unit and source as the version's own tables give them (Figure 5's close on
2020-10-27, Figure 4's 2021 bar, ...), and so does tapping it on a phone; hovering or tapping a
company in Figure 3 highlights exactly its links. That at 390 px the drawn charts make nothing
scroll sideways, and that with JavaScript off every figure is still shown as its PNG with its
alt text and no chart box is, test_browser checks on the pages it opens at that width anyway
(test_version_page_in_a_browser, test_without_javascript_every_figure_shows_with_its_alt_text).

Uses conftest's browser and tabs (one set per module; tests that only read a page share its
load, tests/browser_pages.py) and site copy (one per test process), as test_browser does.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from browser_pages import DESKTOP, PHONE

from ccp_analysis import figures, paths
from ccp_analysis.edition_names import EDITIONS
from ccp_analysis.figures import interactive

# The page position of the first mark of a chart whose datum has `field` equal to `value`
# (a day given as YYYY-MM-DD matches Vega's timestamp of that UTC day), scrolled into view.
FIND_MARK = """([name, field, value]) => {
  const view = window.ccpCharts[name];
  const same = (v) => v === value || (typeof value === 'string' && typeof v === 'number'
      && new Date(v).toISOString().slice(0, 10) === value);
  let found = null;
  const walk = (scene) => {
    for (const item of scene.items || []) {
      if (found) { return; }
      if (scene.marktype === 'group') { (item.items || []).forEach(walk); continue; }
      if (!['text', 'line'].includes(scene.marktype) && item._svg && item.datum
          && same(item.datum[field])) { found = item; }
    }
  };
  walk(view.scenegraph().root);
  if (!found) { return null; }
  found._svg.scrollIntoView({block: 'center', inline: 'center'});
  const box = found._svg.getBoundingClientRect();
  return {x: box.left + box.width / 2, y: box.top + box.height / 2};
}"""
TOOLTIP = "#vg-tooltip-element.visible"


def _folder(copy: dict, edition: str) -> Path:
    return copy["root"] / "reports" / copy["latest"][edition]


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / "tables" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _figure_names(folder: Path) -> list[str]:
    return [name for spec in figures.FIGURES for name in spec.outputs
            if (folder / "figures" / f"{name}.png").is_file()]


def _quiet(tab) -> list[str]:
    """The console errors and warnings, failed requests and page errors of the tab's page."""
    return tab.errors + tab.warnings


def _hover(page, name: str, field: str, value: object, *, tap: bool = False) -> str:
    """Move the pointer onto the mark (or tap it) and return the tooltip's text, one
    'title value' per line."""
    found = page.evaluate(FIND_MARK, [name, field, value])
    assert found is not None, f"{name}: no mark with {field} = {value!r}"
    if tap:
        page.touchscreen.tap(found["x"], found["y"])
    else:
        page.mouse.move(0, 0)
        page.mouse.move(found["x"] - 1, found["y"])
        page.mouse.move(found["x"], found["y"])
    page.wait_for_selector(TOOLTIP, timeout=10_000)
    rows = page.locator(f"{TOOLTIP} tr").all_inner_texts()
    return "\n".join(" ".join(row.split()) for row in rows)


@pytest.fixture(scope="module", params=EDITIONS[::-1])
def desktop(request, tabs, site):
    """The latest version page of an edition at desktop width with its charts drawn, loaded
    once for the tests that read it (every chart drawn, then marks hovered: module scope
    groups them by edition); what the console and the requests record over all of them is
    checked by each. None without a browser. As-published last: Figure 3's hover test, which
    reads that page too, follows on the same load."""
    if tabs is None:
        return None
    folder = _folder(site, request.param)
    tab = tabs.screen

    def page():
        """The tab showing the page (loaded again only if another test took the tab away)."""
        return tab.show(folder / "index.html", DESKTOP)

    page()
    return {"folder": folder, "tab": tab, "page": page}


def test_every_figure_has_an_interactive_twin_that_draws_from_the_vendored_runtime(
        desktop, site):
    if desktop is None:
        return
    folder = desktop["folder"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    runtime = manifest["chart_runtime"]
    script = site["root"] / "reports" / runtime["path"]
    from ccp_analysis.hashing import sha256_file

    assert sha256_file(script) == runtime["sha256"]
    names = _figure_names(folder)
    for name in names:  # each spec is an output the manifest lists, with its sha256
        spec = f"figures/{name}{paths.CHART_SUFFIX}"
        assert manifest["outputs"][spec] == sha256_file(folder / spec)
    page, tab = desktop["page"](), desktop["tab"]
    assert _quiet(tab) == []
    assert [u for u in tab.requests if not u.startswith("file:")] == []
    assert f"reports/{runtime['path']}" in " ".join(tab.requests)  # the vendored script only
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('[data-chart]'))
        .map(box => ({name: box.getAttribute('data-chart'), hidden: box.hidden,
                      width: box.querySelector('svg').getBoundingClientRect().width,
                      still: document.getElementById('static-' +
                             box.getAttribute('data-chart')).hidden}))""")
    assert [d["name"] for d in drawn] == names  # every figure, in the report's order
    for chart in drawn:
        assert not chart["hidden"] and chart["width"] > 200 and chart["still"], chart


def test_hovering_a_known_mark_shows_its_value_unit_and_source(desktop):
    if desktop is None:
        return
    folder = desktop["folder"]
    page, tab = desktop["page"](), desktop["tab"]
    # Figure 5: the highest close, 317.14 on 2020-10-27 (in both editions' data).
    day = next(r for r in _rows(folder, "fig5_alibaba_stock") if r["date"] == "2020-10-27")
    assert float(day["value"]) == 317.14
    tip = _hover(page, "fig5_alibaba_stock", "date", "2020-10-27")
    assert "date 2020-10-27" in tip
    assert "marked peak 317.14 (2020-10-27)" in tip  # a day the static figure marks
    assert "close 317.14 USD per ADS" in tip
    # The day's own source: its price row's `source`, in words.
    assert ("source BABA daily prices (unadjusted close): Yahoo Finance history via "
            f"{day['price_source']}") in tip
    # Figure 4: the 2021 bar, in USD at the ECB-derived rate, and the CNY it came from.
    year = next(r for r in _rows(folder, "fig4_huawei_revenue") if r["year"] == "2021")
    tip = _hover(page, "fig4_huawei_revenue", "year", 2021)
    assert f"revenue (USD) {float(year['revenue_bn']):,.1f} USD bn" in tip
    assert "revenue (USD) 98.7 USD bn" in tip
    assert "revenue as reported (CNY) 636.8 CNY bn" in tip
    assert f"rate {float(year['cny_per_usd']):.4f} CNY per USD" in tip
    assert "series ECB euro reference rates" in tip
    assert "source Huawei annual report (revenue in CNY); converted at ECB" in tip
    # Figure 2: the one stated amount, Appendix B row 2.
    tip = _hover(page, "fig2_alibaba_support", "item_id", "B02")
    assert "amount (USD) $798.21 million" in tip
    assert "source CSIS, CCP Inc. in Malaysia (2022), Appendix B, row 2" in tip
    # Figure 1: an item, A07's $10 billion, with its words and the relation coding that
    # counts it in both bounds, as the version's item table gives them.
    item = next(r for r in _rows(folder, "fig1_huawei_support_items")
                if r["item_id"] == "A07")
    tip = _hover(page, "fig1_huawei_support", "item_id", "A07")
    assert "item A07" in tip
    assert "source CSIS, CCP Inc. in Malaysia (2022), Appendix A, row 7" in tip
    assert "amount (report's words) $10 billion" in tip
    assert ("report's words $10 billion total loans to various Huawei customers for the "
            "year") in tip
    assert f"report's words {item['words']}" in tip
    assert "measure loans to Huawei's customers" in tip
    assert "this bar counts $10 bn in the " in tip
    assert "conservative bound counted, $10 bn" in tip
    assert "relation coding credit line (inferred): may be drawn under A04" in tip
    assert "to date (inferred): may hold A02, A03, A06" in tip
    assert "coding's words credit line: $10 billion has been loaned" in tip
    # An item the conservative bound leaves out says which reading does.
    tip = _hover(page, "fig1_huawei_support", "item_id", "A02")
    assert "conservative bound may be inside A07, read as loaned to date" in tip
    assert "to date (inferred): may be inside A07" in tip
    # The deals timeline: one company group's entries in the busiest year.
    rows = _rows(folder, "deals_timeline")
    busiest = max(rows, key=lambda r: (int(r["entries_in_year"]), -int(r["year"])))
    tip = _hover(page, "deals_timeline", "year", int(busiest["year"]))
    group = next(line[len("company group "):] for line in tip.splitlines()
                 if line.startswith("company group "))
    row = next(r for r in rows if r["year"] == busiest["year"]
               and r["company_group"] == group)
    assert f"entries {row['entries']}" in tip
    assert f"entries that year (all groups) {busiest['entries_in_year']}" in tip
    assert "Appendix C (RWR IntelTrak)" in tip
    assert _quiet(tab) == []


# The links drawn highlighted (interactive.HIGHLIGHT_WIDTH), as "company|counterpart|entry".
HIGHLIGHTED = """(width) => {
    const found = [];
    const walk = (scene) => (scene.items || []).forEach(item => {
        if (scene.marktype === 'group') { (item.items || []).forEach(walk); }
        else if (scene.marktype === 'rule' && item.strokeWidth === width) {
            found.push([item.datum.company, item.datum.counterpart, item.datum.entry_id]
                       .join('|')); }
    });
    walk(window.ccpCharts.fig3_deal_network.scenegraph().root);
    return found.sort(); }"""


@pytest.mark.parametrize("tap", [False, True], ids=["hover", "tap"])
def test_hovering_or_tapping_a_company_highlights_exactly_its_links(
        tabs, site, tap):
    if tabs is None:
        return
    folder = _folder(site, "as-published")
    entries = _rows(folder, "fig3_deal_network_entries")
    expected = sorted(f"{r['company']}|{r['counterpart']}|{r['entry_id']}" for r in entries
                      if "Huawei" in (r["company"], r["counterpart"]))
    links = _rows(folder, "fig3_deal_network")
    assert len(expected) == sum(int(r["n_entries"]) for r in links
                                if "Huawei" in (r["company"], r["counterpart"]))
    assert len(expected) > 10  # Huawei is the hub
    width = interactive.HIGHLIGHT_WIDTH
    # Nothing of Figure 3 has been hovered or tapped on this page yet (a test before this one
    # on the same load hovers or taps other figures only).
    tab = tabs.touch if tap else tabs.screen
    page = tab.show(folder / "index.html", PHONE if tap else DESKTOP)
    assert page.evaluate(HIGHLIGHTED, width) == []
    tip = _hover(page, "fig3_deal_network", "node", "Huawei", tap=tap)
    assert "party Huawei" in tip
    assert page.evaluate(HIGHLIGHTED, width) == expected
    assert _quiet(tab) == []
    if tap:  # a link is a line of a pixel or two: hovered with the mouse only
        return
    # One of those links, hovered: its entry, date, kind and words (a solid line, whose
    # middle no other line crosses: a dashed line's middle may fall in a gap).
    entry = next(r for r in entries if r["entry_id"] == "C08")
    tip = _hover(page, "fig3_deal_network", "entry_id", "C08")
    assert "entry C08" in tip
    assert "date (report's words) April 2014" in tip
    assert f"date (report's words) {entry['date_text']}" in tip
    assert "Chinese party Huawei" in tip and "counterpart Altel Communications" in tip
    assert "link contract" in tip
    assert "words stating the link Altel Communications selects Huawei" in tip
    assert f"entry's words {entry['text']}" in tip
    assert _quiet(tab) == []


def test_tapping_a_mark_on_a_phone_shows_its_value_and_source(tabs, site):
    if tabs is None:
        return
    folder = _folder(site, "as-published")
    tab = tabs.touch  # the load the tap test of Figure 3 made, if it ran
    page = tab.show(folder / "index.html", PHONE)
    tip = _hover(page, "fig4_huawei_revenue", "year", 2021, tap=True)
    assert "revenue (USD) 98.7 USD bn" in tip and "source Huawei annual report" in tip
    tip = _hover(page, "fig5_alibaba_stock", "date", "2020-10-27", tap=True)
    assert "close 317.14 USD per ADS" in tip and "Yahoo Finance history via" in tip
    assert _quiet(tab) == []
