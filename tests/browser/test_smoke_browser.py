"""The browser fixtures themselves: chromium starts, the live server answers, axe-core runs."""

from __future__ import annotations

from playwright.sync_api import expect


def test_start_page_loads_and_is_accessible(page, assert_accessible):
    response = page.goto("/")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "smoke-start")
    # axe-core really ran under the page's CSP (page.evaluate is not subject to it).
    assert page.evaluate("typeof window.axe") == "object"
