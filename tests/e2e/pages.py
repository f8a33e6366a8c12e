"""What the page tests of both halves share: the two widths, a strict axe-core check, and the
check that a page is no wider than its viewport."""

from __future__ import annotations

from playwright.sync_api import Page

WIDTHS = (1280, 375)
AXE_PATH = "/__axe-core.js"  # served by the test itself, same-origin: the pages' CSP stays on


def load_axe(page: Page, axe_js: str) -> None:
    """axe-core into the page from the page's own origin (a route of the test), so the page runs
    under its real Content-Security-Policy."""
    page.context.route(f"**{AXE_PATH}", lambda route: route.fulfill(
        body=axe_js, content_type="text/javascript"))
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)


def strict_axe(page: Page, axe_js: str, where: str, *, open_sections: bool = False) -> None:
    """No axe-core violation of any impact: every rule it runs by default, WCAG and best practice
    (heading order, one h1, all content in landmarks, ...). The script comes from the page's own
    origin through a route, so the page runs under its real Content-Security-Policy. With
    ``open_sections`` the closed <details> are opened first, so their contents are checked too."""
    if open_sections:
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    load_axe(page, axe_js)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"]]
    assert bad == [], (where, bad)


def fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (page.url, scroll, width)
