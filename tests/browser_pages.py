"""Pages opened in the page tests' headless Chromium (test_browser, test_browser_charts).

A module's tests share a few browser tabs rather than opening a context per test: a page
loaded again in the same tab runs in the same renderer process, which keeps the vendored chart
runtime compiled and the figures decoded, and costs about half the CPU of a page in a fresh
context. What a tab records (console errors and warnings, failed and made requests) is what
its current document did: it starts afresh at each load.
"""

from __future__ import annotations

from pathlib import Path

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Resolves once every chart box of the page is drawn (its `data-drawn`) or given up (hidden
# again, with a console error), from the page's own mutations rather than by polling; with
# the names of the charts not drawn (none: all drawn). The timeout only guards against a hang.
CHARTS_SETTLED = """(timeout) => new Promise((done) => {
  const boxes = Array.from(document.querySelectorAll('[data-chart]'));
  const undrawn = () => boxes.filter(b => !b.hasAttribute('data-drawn'))
      .map(b => b.getAttribute('data-chart'));
  const settled = () => boxes.every(b => b.hasAttribute('data-drawn') || b.hidden);
  let timer = null;
  const observer = new MutationObserver(() => { if (settled()) { finish(); } });
  const finish = () => { observer.disconnect(); clearTimeout(timer); done(undrawn()); };
  if (settled()) { finish(); return; }
  timer = setTimeout(finish, timeout);
  observer.observe(document.body, {subtree: true, attributes: true,
                                   attributeFilter: ['data-drawn', 'hidden']});
})"""


class Tab:
    """One page of a browser context, loaded again for each visit."""

    def __init__(self, context, *, javascript: bool = True) -> None:
        self.context = context
        self.javascript = javascript
        self.page = context.new_page()
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.requests: list[str] = []
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        page.on("request", lambda r: self.requests.append(r.url))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)
        elif message.type == "warning":
            self.warnings.append(message.text)

    def open(self, target: Path | str, viewport: dict, *, query: str = ""):
        """Load `target` (a file, `query` appended to its address) afresh at `viewport` and
        wait for its charts to be drawn (any chart left undrawn fails); the page."""
        # The last document goes first: whatever it still sends (an aborted request, a late
        # message) arrives before the records are cleared, and is not this page's.
        if self.page.url != "about:blank":
            self.page.goto("about:blank")
        if self.page.viewport_size != viewport:
            self.page.set_viewport_size(viewport)
        for record in (self.errors, self.warnings, self.requests):
            record.clear()
        address = (target.as_uri() if isinstance(target, Path) else target) + query
        self.page.goto(address, wait_until="load")
        if self.javascript:
            undrawn = self.page.evaluate(CHARTS_SETTLED, 60_000)
            assert undrawn == [], f"{address}: charts not drawn: {undrawn}"
        return self.page

    def show(self, target: Path | str, viewport: dict, *, query: str = ""):
        """The page showing `target` at `viewport`: the document already there if it is the
        same address (a test that only reads it may follow another), else loaded afresh. The
        records then hold what that document did since it loaded."""
        address = (target.as_uri() if isinstance(target, Path) else target) + query
        if self.page.url == address and self.page.viewport_size == viewport:
            return self.page
        return self.open(target, viewport, query=query)


class Tabs:
    """A module's tabs, each opened at first use: `screen` (JavaScript on, a mouse),
    `touch` (a phone's touch screen: touch events, mobile viewport rules) and `plain`
    (JavaScript off)."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self._tabs: dict[str, Tab] = {}

    def _tab(self, kind: str, **options) -> Tab:
        if kind not in self._tabs:
            context = self.browser.new_context(viewport=PHONE, **options)
            self._tabs[kind] = Tab(context, javascript=options.get("java_script_enabled", True))
        return self._tabs[kind]

    @property
    def screen(self) -> Tab:
        return self._tab("screen")

    @property
    def touch(self) -> Tab:
        return self._tab("touch", has_touch=True, is_mobile=True)

    @property
    def plain(self) -> Tab:
        return self._tab("plain", java_script_enabled=False)

    def close(self) -> None:
        for tab in self._tabs.values():
            tab.context.close()
        self._tabs.clear()
