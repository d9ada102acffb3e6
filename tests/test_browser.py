"""The pages in a real browser: Debian's Chromium driven by Playwright, headless.

On a version page, reports/index.html and a comparison page: every image loads and has alt
text, every local link (and #anchor) resolves, nothing is requested from outside the file
system, the console stays free of errors, and at 390 px (a phone) nothing scrolls sideways.
The site is used as a reader would: the claims audit's verdict filter, search and sort (kept
in the address through a reload and Back), the comparison page's modes, a figure opened full
size on a phone, and every figure with its alt text when JavaScript is off. The versions are
the latest ones reports/LATEST.json names.

The version pages at 390 px are checked with their interactive charts drawn, so the charts
too are proved to make nothing scroll sideways and to send no console warning; without
JavaScript every figure shows as its PNG with its sidecar's alt text and no chart box takes
room (what else the charts do is test_browser_charts's).

Without a browser (or the driver) the tests say so in one line and check nothing in the
browser; with CI=true that is a failure, since CI must run them. The browser and its tabs
(one set per module, tests/browser_pages.py: a page loaded again in the same tab) and the
site copy (one per test process, shared with test_browser_charts) are conftest's.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser_pages import DESKTOP, PHONE

from ccp_analysis.edition_names import EDITIONS


def _local_target(page: Path, href: str) -> tuple[Path | None, str]:
    parts = urlsplit(href)
    if parts.scheme and parts.scheme != "file":
        return None, ""
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    return target, parts.fragment


def _visit(tab) -> dict:
    """What a reader meets on the page the tab shows: images, links, errors, requests, width."""
    page = tab.page
    # Images loaded lazily (the versions page's thumbnails, as a reader scrolls to them) are
    # asked for now, and waited for.
    page.evaluate("""async () => {
        const images = Array.from(document.images);
        images.forEach(i => { i.loading = "eager"; });
        await Promise.all(images.map(i => i.complete ? null :
            new Promise(done => { i.onload = done; i.onerror = done; })));
    }""")
    found = page.evaluate("""() => ({
        images: Array.from(document.images).map(i => ({
            src: i.getAttribute('src'), alt: i.getAttribute('alt'),
            complete: i.complete, width: i.naturalWidth})),
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
        scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        innerWidth: window.innerWidth,
    })""")
    found.update(errors=list(tab.errors), warnings=list(tab.warnings),
                 requests=list(tab.requests), page=page)
    return found


def _check_page(tabs, page_path: Path) -> dict:
    """Open the page at 390 px (with its charts drawn, if it has any) and check what every
    page must hold; what was found."""
    assert page_path.is_file()
    tabs.screen.show(page_path, PHONE)
    phone = _visit(tabs.screen)
    assert phone["errors"] == []
    outside = [u for u in phone["requests"] if not u.startswith(("file:", "data:"))]
    assert outside == []
    assert phone["images"], f"{page_path} shows no image"
    for image in phone["images"]:
        assert image["complete"] and image["width"] > 0, f"{image['src']} did not load"
        assert (image["alt"] or "").strip(), f"{image['src']} has no alt text"
    for href in phone["links"]:
        target, fragment = _local_target(page_path, href)
        assert target is not None, f"{page_path}: external link {href}"
        assert target.exists(), f"{page_path}: link {href} resolves to nothing"
        if fragment:
            html = target.read_text(encoding="utf-8")
            assert f'id="{fragment}"' in html, f"{page_path}: no anchor for {href}"
    assert phone["scrollWidth"] <= phone["innerWidth"] == PHONE["width"], (
        f"{page_path} scrolls sideways at {PHONE['width']} px: {phone['scrollWidth']} px")
    return phone


@pytest.mark.parametrize("edition", EDITIONS)
def test_version_page_in_a_browser(tabs, site, edition):
    if tabs is None:
        return
    version = site["latest"][edition]
    folder = site["root"] / "reports" / version
    found = _check_page(tabs, folder / "index.html")  # with every chart drawn
    sources = [image["src"] for image in found["images"]]
    from ccp_analysis import figures

    declared = [f"figures/{name}.png" for spec in figures.FIGURES for name in spec.outputs
                if (folder / "figures" / f"{name}.png").is_file()]
    assert sources == declared  # every figure, in the report's order
    # The charts, drawn in the figures' place, make nothing scroll sideways on a phone and
    # draw with no console warning either.
    assert found["warnings"] == []
    assert found["page"].locator("[data-chart][data-drawn]").count() == len(declared)


def test_on_a_phone_a_figure_opens_full_size(tabs, site):
    if tabs is None:
        return
    path = _latest_page(site, "updated")
    page = tabs.screen.show(path, PHONE)  # as test_version_page_in_a_browser left it
    # The static figure is the link; where its interactive twin is drawn in its place, the
    # twin's note links the same PNG.
    name = page.locator("figure").first.get_attribute("id").removeprefix("figure-")
    src = f"figures/{name}.png"
    shown = page.locator(f"#figure-{name} .zoom img, #chart-{name}").evaluate_all(
        "boxes => Math.max(...boxes.map(b => b.getBoundingClientRect().width))")
    assert 0 < shown <= PHONE["width"]
    page.locator(f'#figure-{name} a[href="{src}"]:visible').first.click()
    page.wait_for_load_state("load")
    assert page.url == (path.parent / src).as_uri()
    natural = page.evaluate("() => document.images[0].naturalWidth")
    from PIL import Image

    with Image.open(path.parent / src) as image:
        assert natural == image.width > 2 * shown  # the figure itself, at full size


def test_diff_page_in_a_browser(tabs, diff_page):
    if tabs is None:
        return
    found = _check_page(tabs, diff_page)
    # Each changed figure old, new and its pixel difference, side by side.
    names = [Path(image["src"]).name for image in found["images"]]
    changed = sorted({name.split(".")[0] for name in names})
    assert changed
    page = diff_page.read_text(encoding="utf-8")
    for name in changed:
        if f"{name}.diff.png" not in names:
            continue  # added or removed: one side only
        side = page[page.index(f'<h3 id="figure-{name}">'):]
        side = side[side.index('<div class="side">'):]
        side = side[:side.index("</div>")]
        assert [Path(src).name for src in re.findall(r'<img src="([^"]+)"', side)] == [
            f"{name}.old.png", f"{name}.new.png", f"{name}.diff.png"]


# ------------------------------------------------------------------ the site as a reader uses it


def _latest_page(site, edition: str = "as-published") -> Path:
    """A latest version's page: the versions LATEST.json names (ids change at every rebuild)."""
    return site["root"] / "reports" / site["latest"][edition] / "index.html"


def _audit_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "tables" / "claims_audit.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _shown(page) -> list[str]:
    """Claim ids of the audit rows on screen, in their order."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#audit tbody tr'))
        .filter(r => !r.hidden).map(r => r.querySelector('.mono').textContent)""")


def _query(page) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(urlsplit(page.url).query))


def test_versions_page_shows_each_version_with_thumbnails_and_its_changes(tabs, site):
    if tabs is None:
        return
    reports = site["root"] / "reports"
    found = _check_page(tabs, reports / "index.html")  # every thumbnail loads, with alt
    linked = {href.split("/")[0] for href in found["links"] if href.endswith("/index.html")}
    versions_ = {p.parent.name for p in reports.glob("*/manifest.json")}
    assert linked == versions_
    assert "CHANGELOG.md" in found["links"]
    sources = [image["src"] for image in found["images"]]
    for version in versions_:
        pngs = sorted(p.name for p in (reports / version / "figures").glob("*.png"))
        assert sorted(Path(s).name for s in sources if s.startswith(f"{version}/")) == pngs
    # Each latest version says in a few lines what changed and links its comparison page,
    # which opens and shows both versions' figures.
    for version in site["latest"].values():
        assert f"changes/{version}.html" in found["links"]
        _check_page(tabs, reports / "changes" / f"{version}.html")


def test_claims_verdict_filter_is_kept_in_the_address_on_reload_and_back(tabs, site):
    if tabs is None:
        return
    path = _latest_page(site)
    rows = _audit_rows(path.parent)
    page = tabs.screen.open(path, DESKTOP)
    assert _shown(page) == [r["claim_id"] for r in rows]
    for verdict in sorted({r["verdict"] for r in rows}):
        page.click(f'#audit-controls button[data-verdict="{verdict}"]')
        expected = [r["claim_id"] for r in rows if r["verdict"] == verdict]
        assert _shown(page) == expected
        assert page.locator("#audit-count").inner_text() == (
            f"{len(expected)} of {len(rows)} claims shown")
        assert _query(page) == {"verdict": verdict}
    page.click('#audit-controls button[data-verdict="differs"]')
    differs = [r["claim_id"] for r in rows if r["verdict"] == "differs"]
    page.reload(wait_until="load")
    assert _shown(page) == differs
    assert page.locator('button[data-verdict="differs"]').get_attribute(
        "aria-pressed") == "true"
    # Away (a figure opened full size) and Back: the same view, not all claims.
    page.locator('figure a[href$=".png"]:visible').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(".png")
    page.go_back(wait_until="load")
    assert _query(page) == {"verdict": "differs"}
    assert _shown(page) == differs
    assert page.locator("#audit-count").inner_text() == (
        f"{len(differs)} of {len(rows)} claims shown")
    # A shared address opens on the same view (the address typed in: a page load of its own).
    page.goto(path.as_uri() + "?verdict=reproduced", wait_until="load")
    assert _shown(page) == [r["claim_id"] for r in rows if r["verdict"] == "reproduced"]
    page.click('#audit-controls button[data-verdict=""]')
    assert _query(page) == {} and len(_shown(page)) == len(rows)


def test_claims_search_and_sort(tabs, site):
    if tabs is None:
        return
    path = _latest_page(site)
    rows = _audit_rows(path.parent)
    # The page as the filter test left it (every claim, no query), else loaded afresh.
    page = tabs.screen.show(path, DESKTOP)
    assert _query(page) == {} and _shown(page) == [r["claim_id"] for r in rows]
    # Search covers the statement (quote) and the explanation, every word.
    for words in ("peak", "Huawei revenue", "Appendix C"):
        page.fill("#audit-search", words)
        expected = [r["claim_id"] for r in rows if all(
            w in " ".join((r["claim_id"], r["location"], r["quote"],
                           r["explanation"])).lower() for w in words.lower().split())]
        assert expected, words
        assert _shown(page) == expected, words
        assert _query(page) == {"q": words}
    page.click('#audit-controls button[data-verdict="differs"]')
    assert _shown(page) == [r["claim_id"] for r in rows if r["verdict"] == "differs" and all(
        w in " ".join((r["claim_id"], r["location"], r["quote"], r["explanation"])).lower()
        for w in ("appendix", "c"))]
    page.fill("#audit-search", "")
    page.click('#audit-controls button[data-verdict=""]')

    # Sorting by the stated value: numbers in numeric order (ties keep the claims' order),
    # before values that are not numbers; again, the other way round.
    def numeric(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None

    stated = {r["claim_id"]: numeric(r["stated_value"]) for r in rows}
    by_number = [r["claim_id"] for r in sorted(
        (r for r in rows if stated[r["claim_id"]] is not None),
        key=lambda r: stated[r["claim_id"]])]
    page.click('th[data-key="stated"] button')
    assert _shown(page)[:len(by_number)] == by_number
    assert page.get_attribute('th[data-key="stated"]', "aria-sort") == "ascending"
    assert _query(page) == {"sort": "stated"}
    page.click('th[data-key="stated"] button')
    assert page.get_attribute('th[data-key="stated"]', "aria-sort") == "descending"
    assert _query(page) == {"sort": "stated", "dir": "desc"}
    descending = _shown(page)
    assert [c for c in descending if stated[c] is not None] == [r["claim_id"] for r in sorted(
        (r for r in rows if stated[r["claim_id"]] is not None),
        key=lambda r: -stated[r["claim_id"]])]
    # Claim ids sort as numbers (K9 before K10), and the sort survives a reload.
    page.click('th[data-key="claim"] button')
    page.click('th[data-key="claim"] button')
    page.reload(wait_until="load")
    ids = sorted((r["claim_id"] for r in rows), key=lambda c: int(c.lstrip("K")))
    assert _shown(page) == ids[::-1]


def test_diff_page_comparison_modes(tabs, site, diff_page):
    if tabs is None:
        return
    for path, pixels in ((diff_page, True),
                         (site["root"] / "reports" / "changes"
                          / f"{site['latest']['updated']}.html", False)):
        box = tabs.screen.open(path, DESKTOP).locator(".compare:has(.modes)").first
        # ^ a figure both versions hold
        assert box.locator(".modes").is_visible()
        assert box.locator(".side").is_visible() and not box.locator(".stack").is_visible()
        # Each image opens full size: it is a link to itself.
        for link in box.locator(".side a").all():
            assert link.get_attribute("href") == link.locator("img").get_attribute("src")
        over = box.locator(".stack img.over")
        box.locator('input[value="swipe"]').check()
        assert box.locator(".stack").is_visible() and not box.locator(".side").is_visible()
        assert over.evaluate("e => e.style.clipPath") == "inset(0px 0px 0px 50%)"
        box.locator('input[type="range"]').fill("20")
        assert over.evaluate("e => e.style.clipPath") == "inset(0px 0px 0px 20%)"
        box.locator('input[value="onion"]').check()
        assert over.evaluate("e => [e.style.clipPath, e.style.opacity]") == ["none", "0.2"]
        assert box.locator(".stack img.under").is_visible() and over.is_visible()
        box.locator('input[value="overlay"]').check()
        assert box.locator(".overlay-note").is_visible()
        assert not box.locator(".slider").is_visible()
        if pixels:  # the drawn pixel difference over the old figure
            assert box.locator(".stack img.pixels").is_visible() and not over.is_visible()
        else:  # the new figure subtracted from the old, in the browser
            assert over.evaluate("e => e.style.mixBlendMode") == "difference"
        box.locator('input[value="side"]').check()
        assert box.locator(".side").is_visible() and not box.locator(".stack").is_visible()


def _figure_names(folder: Path) -> list[str]:
    from ccp_analysis import figures

    return [name for spec in figures.FIGURES for name in spec.outputs
            if (folder / "figures" / f"{name}.png").is_file()]


@pytest.mark.parametrize("edition", EDITIONS)
def test_without_javascript_every_figure_shows_with_its_alt_text(tabs, site, edition):
    if tabs is None:
        return
    tab = tabs.plain
    path = _latest_page(site, edition)
    folder = path.parent
    page = tab.open(path, PHONE)
    figures_ = page.locator("figure img")
    names = sorted(p.stem for p in (folder / "figures").glob("*.png"))
    assert figures_.count() == len(names)
    for image in figures_.all():
        assert image.is_visible()
        assert image.evaluate("e => e.complete && e.naturalWidth > 0")
        assert (image.get_attribute("alt") or "").strip()
    # Every figure, in the report's order, stands as its PNG with its sidecar's alt text.
    images = page.evaluate("""() => Array.from(document.images).map(i => ({
        src: i.getAttribute('src'), alt: i.getAttribute('alt'), complete: i.complete,
        width: i.naturalWidth, shown: i.getBoundingClientRect().height > 0}))""")
    assert [i["src"] for i in images] == [f"figures/{n}.png" for n in _figure_names(folder)]
    for image in images:
        name = Path(image["src"]).stem
        sidecar = json.loads((folder / "figures" / f"{name}.json").read_text("utf-8"))
        assert image["alt"] == sidecar["alt_text"]
        assert image["complete"] and image["width"] > 0 and image["shown"], image
    # No chart box takes room, and the chart runtime is not even fetched.
    assert page.locator("[data-chart]").count() == len(images)
    assert page.evaluate("() => Array.from(document.querySelectorAll('[data-chart]'))"
                         ".every(box => box.getBoundingClientRect().height === 0)")
    assert not any(u.endswith(".js") for u in tab.requests)
    assert tab.errors == [] and tab.warnings == []
    # The audit is all there, its controls (which need the script) out of the way.
    assert page.locator("#audit tbody tr:visible").count() == len(_audit_rows(folder))
    assert not page.locator("#audit-controls").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_without_javascript_the_comparison_page_shows_both_sides(tabs, diff_page):
    if tabs is None:
        return
    page = tabs.plain.open(diff_page, PHONE)
    assert not page.locator(".modes").first.is_visible()
    for image in page.locator(".side img").all():
        assert image.is_visible() and (image.get_attribute("alt") or "").strip()
