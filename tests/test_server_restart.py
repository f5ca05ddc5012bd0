"""A server restart mid-intake loses nothing: a real gunicorn, stopped and started again.

The draft lives in the database and the browser holds only a session cookie (database
sessions), so after the restart the same cookie carries on where the patient was.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_env(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restart.sqlite3'}",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_catalog", "-v0"], env=env, check=True, cwd=ROOT)
    return env


class Browser:
    """Just enough of a browser: cookies, CSRF token, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        # Production cookies are Secure; this test talks plain http to 127.0.0.1.
        policy = type("TrustLoopback", (http.cookiejar.DefaultCookiePolicy,),
                      {"return_ok_secure": lambda *args: True})
        self.jar = http.cookiejar.CookieJar(policy=policy())
        no_redirects = type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                            {"redirect_request": lambda *args: None})
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  no_redirects)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = None
        if data is not None:
            token = next(c.value for c in self.jar if c.name == "csrftoken")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token},
                                          doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body,  # noqa: S310 (http only)
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers.get("Location", ""), \
                    response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()


def start_gunicorn(env, port):
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "trdintake.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("gunicorn did not start")


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def test_restart_mid_intake_loses_nothing(server_env):
    port = free_port()
    browser = Browser(f"http://127.0.0.1:{port}")
    server = start_gunicorn(server_env, port)
    try:
        status, _, html = browser.request("/intake/consent/")
        token = re.search(r'name="client_token" value="([0-9a-f]+)"', html).group(1)
        assert browser.request("/intake/consent/", {"age_ok": "yes", "consent": "on",
                                                    "client_token": token})[0] == 302
        status, location, _ = browser.request("/intake/about-you/", {
            "full_name": "Sam Restart", "date_of_birth_month": "1",
            "date_of_birth_day": "2", "date_of_birth_year": "1980",
            "email": "sam@example.org", "contact_preference": "email"})
        assert (status, location) == (302, "/intake/depression/")
    finally:
        stop(server)

    server = start_gunicorn(server_env, port)  # same address, same cookie jar
    try:
        status, location, html = browser.request("/intake/depression/")
        assert status == 200, location  # still bound to the draft: not sent to the start page
        status, _, html = browser.request("/intake/about-you/")
        assert status == 200 and 'value="Sam Restart"' in html
        assert 'name="date_of_birth_year" value="1980"' in html
    finally:
        stop(server)
