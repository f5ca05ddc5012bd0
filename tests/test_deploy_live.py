"""The production recipe in deploy/: nginx in front of gunicorn keeps the site answering while
hundreds of clients send their requests a byte a second.

gunicorn's threads each hold one connection from its first byte to its last, so slow clients
straight to gunicorn stop the site; nginx (deploy/nginx/trdintake.conf) reads every request
whole before passing it on. The live test runs Debian's nginx with that file (its TLS listener
swapped for plain http on a loopback port, every other directive kept) in front of a
production gunicorn (`-c python:trdintake.gunicorn`), opens 200 slow connections to each in
turn, and times real patient requests. Missing nginx skips the live test locally and fails it
under CI (CI=true), like the browser tests.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import TRUTHY
from tests.live import ROOT, Browser, LiveSite, free_port

NGINX_CONF = ROOT / "deploy" / "nginx" / "trdintake.conf"
SYSTEMD = ROOT / "deploy" / "systemd"
SLOW_CLIENTS = 200
QUICK = 5.0  # seconds: half nginx's 10 s header timeout, so no slow client was cut meanwhile


def directive(name: str) -> list[str]:
    """The values of every `name ...;` line of the nginx configuration."""
    return re.findall(rf'^\s*{name}\s+((?:"[^"]*"|[^;"])*);', NGINX_CONF.read_text(),
                      re.MULTILINE)


# --- The recipe agrees with the app's settings --------------------------------------------------

def test_nginx_body_limit_is_at_or_a_little_above_the_apps():
    (limit,) = directive("client_max_body_size")
    size = int(limit.rstrip("k")) * 1024
    app = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert app <= size <= 1.1 * app
    assert directive("client_body_buffer_size") == [limit]  # bodies stay in memory


def test_nginx_hsts_is_the_apps():
    (header,) = [value for value in directive("add_header") if "Strict-Transport-Security" in value]
    assert f"max-age={settings.SECURE_HSTS_SECONDS}" in header
    assert ("includeSubDomains" in header) == settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert ("preload" in header) == settings.SECURE_HSTS_PRELOAD
    assert directive("proxy_hide_header") == ["Strict-Transport-Security"]  # one header only
    assert directive("ssl_protocols") == ["TLSv1.2 TLSv1.3"]


def test_nginx_buffers_logs_no_query_and_forwards_what_the_app_reads():
    assert directive("proxy_request_buffering") == ["on"]
    assert directive("proxy_buffering") == ["on"]
    (log_format,) = re.findall(r"^log_format\s+trdintake\s+([^;]*);", NGINX_CONF.read_text(),
                               re.MULTILINE | re.DOTALL)
    assert "$uri" in log_format
    for leaky in ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$arg_"):
        assert leaky not in log_format
    forwarded = dict(value.split(None, 1) for value in directive("proxy_set_header"))
    assert forwarded == {"Host": "$host", "X-Forwarded-For": "$proxy_add_x_forwarded_for",
                         "X-Forwarded-Proto": "$scheme"}
    for name in ("client_body_timeout", "client_header_timeout", "keepalive_timeout",
                 "send_timeout", "proxy_read_timeout"):
        assert len(directive(name)) == 1, name


def test_systemd_units_run_production_gunicorn_and_the_worker_hardened():
    web = (SYSTEMD / "trdintake.service").read_text()
    worker = (SYSTEMD / "trdintake-worker.service").read_text()
    assert "gunicorn -c python:trdintake.gunicorn trdintake.wsgi" in web
    assert "manage.py worker --no-reload" in worker
    for unit in (web, worker):
        for line in ("EnvironmentFile=/etc/trdintake/trdintake.env", "User=trdintake",
                     "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ReadWritePaths=/var/lib/trdintake", "PrivateTmp=yes",
                     "Restart=on-failure"):
            assert re.search(rf"^{re.escape(line)}$", unit, re.MULTILINE), line


# --- Live: slow clients ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nginx_path() -> str:
    path = os.environ.get("NGINX_PATH") or shutil.which("nginx") or "/usr/sbin/nginx"
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    message = f"nginx not installed at {path}: apt-get install -y nginx"
    if os.environ.get("CI", "").strip().lower() in TRUTHY:
        pytest.fail(message)
    pytest.skip(message)


def site_conf_for_test(folder: Path, *, port: int, redirect_port: int, upstream: int) -> str:
    """deploy/nginx/trdintake.conf on loopback, plain http, logging into `folder`."""
    text = NGINX_CONF.read_text()
    replacements = [
        (r"^\s*listen \[::\].*\n", ""),  # loopback only
        (r"^server \{\n[^{}]*ssl_reject_handshake on;\n\}\n", ""),  # TLS's unknown hosts
        (r"^\s*ssl_.*\n", ""),  # TLS off: the certificate lines, protocols, ciphers, sessions
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{port};"),
        (r"listen 80( default_server)?;", rf"listen 127.0.0.1:{redirect_port}\1;"),
        (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream};"),
        (r"/var/log/nginx/", f"{folder}/"),
        (r"clinic\.example\.org", "127.0.0.1"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert count, f"deploy/nginx/trdintake.conf no longer has {pattern!r}"
    return text


class Nginx:
    """nginx in the foreground with the recipe's site configuration."""

    def __init__(self, binary: str, folder: Path, upstream: int):
        self.folder = folder
        self.port, self.redirect_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        site = folder / "trdintake.conf"
        site.write_text(site_conf_for_test(folder, port=self.port,
                                           redirect_port=self.redirect_port, upstream=upstream))
        temp = "\n".join(f"{kind}_temp_path {folder}/{kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # Root starts workers as "nobody", who could not enter pytest's private folder.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(f"""
            {user}
            worker_processes 1;
            pid {folder}/nginx.pid;
            error_log {folder}/nginx-error.log warn;
            events {{ worker_connections 1024; }}
            http {{
                {temp}
                access_log off;
                include {site};
            }}
        """)
        self.process = subprocess.Popen(
            [binary, "-p", str(folder), "-e", str(folder / "nginx-error.log"),
             "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}")

    def access_log(self) -> str:
        return (self.folder / "trdintake-access.log").read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class SlowClients:
    """`count` connections that send a request one byte a second and never finish it: half
    stop in the headers, half in a form's body. At most `seconds` long."""

    def __init__(self, port: int, csrf_cookie: str, count: int = SLOW_CLIENTS,
                 seconds: float = 30):
        # The form posts carry a CSRF cookie, so the app reads their body (for the token)
        # rather than refusing them at once.
        post = ("POST /intake/consent/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: csrftoken={csrf_cookie}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 1000\r\n\r\nx=").encode()
        self.sockets: list[socket.socket] = []
        for number in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " if number % 2
                         else post)
            sock.setblocking(False)
            self.sockets.append(sock)
        self.stopped = threading.Event()
        self.until = time.monotonic() + seconds
        self.thread = threading.Thread(target=self.drip, daemon=True)
        self.thread.start()

    def drip(self) -> None:
        while not self.stopped.wait(1) and time.monotonic() < self.until:
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # closed by the server: its timeout did it
                    sock.send(b"a")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=QUICK)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@pytest.fixture
def site(tmp_path):
    live = LiveSite.like_test_database(tmp_path, TRUSTED_PROXY_COUNT="1").setup()
    live.start(config="python:trdintake.gunicorn")
    yield live
    live.teardown()


def test_slow_clients_hold_gunicorn_but_not_nginx_in_front_of_it(site, nginx_path, tmp_path):
    folder = tmp_path / "nginx"
    folder.mkdir()
    nginx = Nginx(nginx_path, folder, upstream=site.port)
    try:
        cookies = Browser(site.base)
        cookies.request("/intake/consent/")  # a form: the CSRF cookie
        csrf_cookie = next(cookie.value for cookie in cookies.jar if cookie.name == "csrftoken")
        # Through nginx: 200 slow clients, and patients are served at once.
        slow = SlowClients(nginx.port, csrf_cookie)
        try:
            time.sleep(1.5)  # every slow client has sent a byte more
            patient = Browser(nginx.base)
            (status, _, html), start_page = timed(lambda: patient.request("/", timeout=QUICK))
            assert status == 200 and settings.CRISIS_LINE in html
            # Consent, then "About you" posted: a question page saved through the proxy.
            _, question_pages = timed(lambda: patient.fill_until("depression"))
            assert site.submission(patient)["status"] == "draft"
            assert start_page < QUICK and question_pages < QUICK, (start_page, question_pages)
            (status, _, _), static = timed(
                lambda: patient.request("/static/css/intake.css", timeout=QUICK))
            assert status == 200 and static < QUICK  # WhiteNoise, through the proxy
        finally:
            slow.close()
        # The access log has paths without their query strings.
        patient.request("/admin/login/?next=/admin/&q=Searched+Name", timeout=QUICK)
        log = nginx.access_log()
        assert '"GET /admin/login/ HTTP/1.1" 200' in log
        assert "Searched" not in log and "?" not in log
        # One HSTS header, nginx's; plain http is sent to https with its query intact.
        response = get(nginx.port, "/healthz/")
        assert response.headers.get_all("Strict-Transport-Security") == [
            "max-age=31536000; includeSubDomains; preload"]
        response = get(nginx.redirect_port, "/intake/?a=1")
        assert (response.status, response.headers["Location"]) == (
            301, "https://127.0.0.1/intake/?a=1")

        # Straight to gunicorn: the same slow clients take every thread, a patient waits.
        slow = SlowClients(site.port, csrf_cookie, seconds=10)
        try:
            time.sleep(1.5)
            with pytest.raises(OSError):  # a timeout: no answer within QUICK seconds
                Browser(site.base).request("/", timeout=QUICK)
        finally:
            slow.close()
        assert Browser(site.base).request("/", timeout=30)[0] == 200  # free again once they go
    finally:
        nginx.stop()
