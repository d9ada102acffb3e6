"""The pages in a real browser: Debian's Chromium driven by Playwright, headless.

On a version page, reports/index.html and a comparison page: every image loads and has alt
text, every local link (and #anchor) resolves, nothing is requested from outside the file
system, the console stays free of errors, and at 390 px (a phone) nothing scrolls sideways.
The claims filter is used as a reader would: choosing a verdict shows exactly that verdict's
rows of claims_audit.csv.

Without a browser (or the driver) the tests say so in one line and check nothing in the
browser; with CI=true that is a failure, since CI must run them.
"""

from __future__ import annotations

import csv
import os
import shutil
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from ccp_analysis.paths import ROOT_ENV

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _no_browser(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the page tests cannot run: {reason}")
    warnings.warn(f"page tests ran without a browser: {reason}", stacklevel=2)


@pytest.fixture(scope="module")
def browser():
    # CCP_CHROMIUM names another Chromium build (and only that one is tried).
    wanted = os.environ.get("CCP_CHROMIUM")
    if wanted:
        executable = wanted if Path(wanted).is_file() else None
    else:
        executable = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if not executable:
        _no_browser(f"no chromium found at {wanted or CHROMIUM} (apt-get install -y chromium)")
        yield None
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright package is not installed (pip install -e '.[dev]')")
        yield None
        return
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of the committed reports/ with every page written, and the comparison page of
    the two committed editions; the checkout's reports/ is only read."""
    root = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(PROJECT_ROOT / "reports", root / "reports",
                    ignore=shutil.ignore_patterns(".lock", ".staging", ".failures", ".drift"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ROOT_ENV, str(root))
        from ccp_analysis.pipeline import versions
        from ccp_analysis.publish import diff, diffpage, site

        site.refresh(rewrite_versions=True)
        latest = versions.read_latest()
        result = diff.compare(diff.Side.load(versions.folder(latest["as-published"])),
                              diff.Side.load(versions.folder(latest["updated"])))
        page = diffpage.write(result, root / "compare" / "diff.html")
    return {"root": root, "latest": latest, "diff": page}


def _local_target(page: Path, href: str) -> tuple[Path | None, str]:
    parts = urlsplit(href)
    if parts.scheme and parts.scheme != "file":
        return None, ""
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    return target, parts.fragment


def _visit(browser, page_path: Path, viewport: dict) -> dict:
    """Open a page; return what a reader would meet: images, links, errors, requests, width."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_path.as_uri(), wait_until="load")
    found = page.evaluate("""() => ({
        images: Array.from(document.images).map(i => ({
            src: i.getAttribute('src'), alt: i.getAttribute('alt'),
            complete: i.complete, width: i.naturalWidth})),
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
        scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        innerWidth: window.innerWidth,
    })""")
    found.update(errors=errors, requests=requests, page=page, context=context)
    return found


def _check_page(browser, page_path: Path) -> dict:
    assert page_path.is_file()
    phone = _visit(browser, page_path, PHONE)
    try:
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
    finally:
        phone["context"].close()
    return phone


def test_version_page_in_a_browser(browser, site):
    if browser is None:
        return
    version = site["latest"]["as-published"]
    folder = site["root"] / "reports" / version
    found = _check_page(browser, folder / "index.html")
    sources = [image["src"] for image in found["images"]]
    from ccp_analysis import figures

    declared = [f"figures/{name}.png" for spec in figures.FIGURES for name in spec.outputs
                if (folder / "figures" / f"{name}.png").is_file()]
    assert sources == declared  # every figure, in the report's order


def test_claims_filter_shows_exactly_the_chosen_verdict(browser, site):
    if browser is None:
        return
    folder = site["root"] / "reports" / site["latest"]["as-published"]
    with (folder / "tables" / "claims_audit.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto((folder / "index.html").as_uri(), wait_until="load")
        visible = "#audit tbody tr:not([hidden])"
        assert page.locator(visible).count() == len(rows)
        for verdict in sorted({row["verdict"] for row in rows}):
            page.select_option("#verdict", verdict)
            shown = page.locator(visible).all_inner_texts()
            expected = [row["claim_id"] for row in rows if row["verdict"] == verdict]
            assert [text.split("\t")[0] for text in shown] == expected
            assert page.locator("#audit-count").inner_text() == (
                f"{len(expected)} of {len(rows)} claims shown")
        page.select_option("#verdict", "")
        assert page.locator(visible).count() == len(rows)
    finally:
        context.close()


def test_versions_index_in_a_browser(browser, site):
    if browser is None:
        return
    reports = site["root"] / "reports"
    found = _check_page_without_images(browser, reports / "index.html")
    linked = {href.split("/")[0] for href in found if href.endswith("/index.html")}
    assert linked == {p.parent.name for p in reports.glob("*/manifest.json")}
    assert "CHANGELOG.md" in found


def _check_page_without_images(browser, page_path: Path) -> list[str]:
    """The versions index shows no figure: the same checks without the image ones."""
    phone = _visit(browser, page_path, PHONE)
    try:
        assert phone["errors"] == []
        assert [u for u in phone["requests"] if not u.startswith(("file:", "data:"))] == []
        assert phone["images"] == []
        for href in phone["links"]:
            target, fragment = _local_target(page_path, href)
            assert target is not None and target.exists(), f"{page_path}: link {href}"
            if fragment:
                assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), href
        assert phone["scrollWidth"] <= PHONE["width"]
    finally:
        phone["context"].close()
    return phone["links"]


def test_diff_page_in_a_browser(browser, site):
    if browser is None:
        return
    found = _check_page(browser, site["diff"])
    # Each changed figure old, new and its pixel difference, side by side.
    names = [Path(image["src"]).name for image in found["images"]]
    changed = sorted({name.split(".")[0] for name in names})
    assert changed
    for name in changed:
        assert [n for n in names if n.startswith(f"{name}.")] == [
            f"{name}.old.png", f"{name}.new.png", f"{name}.diff.png"]
