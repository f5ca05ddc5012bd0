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
def fast_password_hasher(settings):
    """Staff users are made in many tests: the production hasher's deliberate slowness (a
    third of a second a password) would be most of their time. Live servers keep the real one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
