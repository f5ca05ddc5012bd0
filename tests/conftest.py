"""Shared fixtures. Test environment defaults (DEBUG false, a test secret key, allowed hosts) are
set by pytest-env from pyproject.toml, before Django's settings are imported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TRUTHY = {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path to Debian's chromium for browser tests (mark them `browser`).

    Missing chromium fails the test under CI (CI=true) and skips it elsewhere.
    """
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    message = f"chromium not installed at {path}: apt-get install -y chromium"
    if os.environ.get("CI", "").strip().lower() in TRUTHY:
        pytest.fail(message)
    pytest.skip(message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, a browser test that skipped for any reason counts as a failure."""
    outcome = yield
    report = outcome.get_result()
    if (report.skipped and item.get_closest_marker("browser")
            and os.environ.get("CI", "").strip().lower() in TRUTHY):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI: {report.longrepr}"


@pytest.fixture(autouse=True)
def forms_posted_as_browsers_post_them(monkeypatch):
    """The site refuses multipart bodies unread (no page takes a file:
    trdintake.middleware.RequestBodyLimitMiddleware). Django's test client posts a dict as
    multipart unless told otherwise; here it posts it urlencoded, as a browser posts the site's
    forms. A test that means to send multipart passes the body already encoded."""
    from urllib.parse import urlencode

    from django.test.client import MULTIPART_CONTENT, RequestFactory
    from django.utils.datastructures import MultiValueDict

    post = RequestFactory.post

    def urlencoded_post(self, path, data=None, content_type=MULTIPART_CONTENT, *args, **kwargs):
        if content_type == MULTIPART_CONTENT and (data is None or isinstance(data, dict)):
            pairs = list(data.lists()) if isinstance(data, MultiValueDict) else data or {}
            data, content_type = urlencode(pairs, doseq=True), FORM_CONTENT
        return post(self, path, data, content_type, *args, **kwargs)

    monkeypatch.setattr(RequestFactory, "post", urlencoded_post)


FORM_CONTENT = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Staff users are made in many tests: the production hasher's deliberate slowness (a
    third of a second a password) would be most of their time. Live servers keep the real one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalog(db):
    """The medication catalog loaded from intake/data/medications.csv (`manage.py
    load_catalog`): request it by name, or mark a module `pytest.mark.usefixtures("catalog")`."""
    from tests.intake_helpers import load_catalog

    load_catalog()
