"""Browser fixtures: one Debian chromium per test session (Playwright's sync API), a fresh context
per test against pytest-django's live server, screenshots and axe-core accessibility checks.

Every test collected under tests/browser is marked `browser`; the `chromium_path` fixture (in
tests/conftest.py) skips them where chromium is missing, and fails them under CI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

# Playwright's sync API runs an asyncio event loop in this thread; without this Django refuses
# database access from the test ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BROWSER_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BROWSER_DIR.parents[1]
SCREENSHOT_DIR = PROJECT_ROOT / "test-artifacts" / "screenshots"

# Chromium as root in a container, on a closed network: no sandbox, no GPU, a small /dev/shm, and
# none of the background fetches (component updates, sync...) that would flood the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# WCAG 2.0/2.1 A and AA, plus the new 2.2 AA rules.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

# A local live server answers in milliseconds, but axe-core and full-page screenshots on a busy
# 2-core machine can stall for seconds: generous limits, still well below Playwright's 30 s.
TIMEOUT_MS = 15_000
expect.set_options(timeout=10_000)  # `expect(...)` assertions (Playwright's default is 5 s)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def browser_context_factory(_browser, live_server, transactional_db):
    """Make extra browser contexts (for example a second device with no cookies, or one with
    JavaScript disabled); every one is closed at the end of the test.

    Usage: ``ctx = browser_context_factory(phone=False, java_script_enabled=False)``.
    The live server and a loaded medication catalog come with it.
    """
    call_command("load_catalog", verbosity=0)
    contexts = []

    def make(*, phone: bool = False, **options):
        settings = {**(PHONE if phone else DESKTOP), "base_url": live_server.url, **options}
        context = _browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser_context_factory):
    """A desktop page (1280x900) in a fresh context; relative URLs go to the live server."""
    return browser_context_factory().new_page()


@pytest.fixture
def phone_page(browser_context_factory):
    """A phone-sized page (375x812, 2x, touch) in a fresh context."""
    return browser_context_factory(phone=True).new_page()


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"


@pytest.fixture
def snap() -> Callable:
    """``snap(page, name)`` saves a full-page PNG to test-artifacts/screenshots/<name>.png."""

    def take(page, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{_safe_name(name)}.png"
        page.screenshot(path=str(path), full_page=True, scale="css")
        return path

    return take


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')}"
            f" [{violation.get('helpUrl', '')}]"
        )
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(_axe, snap) -> Callable:
    """``assert_accessible(page, name)``: screenshot the page, run axe-core (WCAG 2.x A/AA) and
    fail with a readable list of violations.

    axe-playwright-python injects axe-core with page.evaluate, which runs through the DevTools
    protocol and is not subject to the page's Content-Security-Policy (script-src 'self'), so no
    CSP bypass is needed. Pages in a context with JavaScript disabled cannot be checked.
    """

    def check(page, name: str) -> None:
        snap(page, name)
        results = _axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        if violations:
            pytest.fail(
                f"axe-core: {len(violations)} WCAG A/AA violation(s) on {name} ({page.url}):\n"
                + format_violations(violations)
            )

    return check
