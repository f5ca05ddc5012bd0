"""A production server for tests: gunicorn (several worker processes, each with threads) on a
database of its own, and patients that talk to it over HTTP, each with their own cookies and
CSRF token, from as many threads as a test likes.

The database is a fresh copy of whatever the suite runs on: a temporary SQLite file, or a new
PostgreSQL database on the server named by DATABASE_URL (dropped afterwards). Tests read what
the server stored through `LiveSite.query`, plain SQL on their own connection.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from intake.patient.steps import step_url
from tests.intake_helpers import PAGES, SERTRALINE

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("consent", "about-you", "depression", "history", "phq9", "safety", "medicines",
         "therapy", "therapy-details", "other-treatments", "health")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_path(slug: str) -> str:
    return step_url(slug)


class Browser:
    """Just enough of a browser: cookies, CSRF token, one-time form tokens, no redirects
    followed. `tab()` gives another tab of the same browser (same cookies)."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None, name: str = ""):
        self.base = base
        self.name = name or f"Live Patient {uuid.uuid4().hex[:12]}"  # finds their draft
        # Production cookies are Secure; tests talk plain http to 127.0.0.1.
        policy = type("TrustLoopback", (http.cookiejar.DefaultCookiePolicy,),
                      {"return_ok_secure": lambda *args: True})
        self.jar = jar if jar is not None else http.cookiejar.CookieJar(policy=policy())
        no_redirects = type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                            {"redirect_request": lambda *args: None})
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  no_redirects)

    def tab(self) -> Browser:
        return Browser(self.base, self.jar, self.name)

    def request(self, path: str, data: dict | None = None, *, raw: bytes | None = None,
                content_type: str | None = None, timeout: float = 30) -> tuple[int, str, str]:
        body, headers = None, {"Referer": self.base + path}
        if data is not None or raw is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            body = raw if raw is not None else urllib.parse.urlencode(
                {**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
            if content_type:
                headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, data=body,  # noqa: S310 (http only)
                                         headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers.get("Location", ""), \
                    response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def form_token(self, path: str) -> str:
        status, _, html = self.request(path)
        assert status == 200, (path, status)
        return re.search(r'name="client_token" value="([0-9a-f]+)"', html).group(1)

    def post_page(self, slug: str, data: dict | None = None) -> tuple[int, str, str]:
        return self.request(page_path(slug), data if data is not None else PAGES[slug])

    def add_medicine(self, medicine: dict | None = None, token: str | None = None):
        token = token or self.form_token("/intake/medicines/add/")
        return self.request("/intake/medicines/add/",
                            {**(medicine or SERTRALINE), "client_token": token})

    def fill_until(self, stop: str | None = None) -> None:
        """Answer every page in order until `stop` (not included), as `self.name`."""
        self.request("/")  # the CSRF cookie
        for slug in ORDER:
            if slug == stop:
                break
            if slug == "consent":
                response = self.post_page("consent", {
                    **PAGES["consent"], "client_token": self.form_token("/intake/consent/")})
            elif slug == "about-you":
                response = self.post_page(slug, {**PAGES[slug], "full_name": self.name})
            elif slug == "medicines":
                assert self.add_medicine()[0] == 302
                response = self.request("/intake/medicines/", {"add_another": "no"})
            else:
                response = self.post_page(slug)
            assert response[0] == 302, (slug, response[0], response[2][:2000])


class LiveSite:
    """gunicorn serving the project on a database of its own."""

    def __init__(self, tmp_path: Path, *, postgres: dict | None = None, workers: int = 2,
                 threads: int = 4, worker_class: str = "gthread", **env):
        """On a new SQLite file in `tmp_path`, or on a new database of the PostgreSQL server
        `postgres` ({"host", "port", "user", "password"}) when given."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads, self.worker_class = workers, threads, worker_class
        self.vendor = "postgresql" if postgres else "sqlite3"
        if postgres is None:
            self.sqlite_path = tmp_path / "live.sqlite3"
            self.database_url = f"sqlite:///{self.sqlite_path}"
        else:
            self.pg = postgres
            self.pg_name = f"trdintake_live_{uuid.uuid4().hex[:10]}"
            auth = self.pg["user"] + (f":{self.pg['password']}" if self.pg["password"] else "")
            self.database_url = (f"postgres://{auth}@{self.pg['host']}:{self.pg['port']}/"
                                 f"{self.pg_name}")
        self.env = {**os.environ, "DATABASE_URL": self.database_url, "DJANGO_DEBUG": "false",
                    "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "false",
                    "DJANGO_STATIC_MANIFEST": "false",
                    "NEW_DRAFTS_PER_HOUR": "100000",  # every test patient comes from 127.0.0.1
                    **env}
        self.process: subprocess.Popen | None = None
        self.tmp_path = tmp_path
        self.task_workers: list[subprocess.Popen] = []

    # -- life cycle --

    def manage(self, *args: str) -> str:
        """Run a management command on this site's database; what it printed."""
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args, "-v0"],
                              env=self.env, check=True, cwd=ROOT, stdout=subprocess.PIPE,
                              text=True).stdout

    def setup(self) -> LiveSite:
        if self.vendor != "sqlite3":
            with self._pg("postgres") as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
        self.manage("migrate", "--noinput")
        self.manage("load_catalog")
        return self

    def start(self, config: str | None = None) -> LiveSite:
        """gunicorn, with the given `-c` configuration (e.g. python:trdintake.gunicorn) under
        the workers, threads and address given here."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *(["-c", config] if config else []),
             "trdintake.wsgi", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--threads",
             str(self.threads), "--worker-class", self.worker_class, "--timeout", "60"],
            env=self.env, cwd=ROOT, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status = Browser(self.base).request("/healthz/", timeout=2)[0]
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

    def start_worker(self, **env: str) -> subprocess.Popen:
        """`manage.py worker` (production settings) on this site's database, with these
        settings added (e.g. EMAIL_PORT); its log goes to `worker-N.log` in the site's folder."""
        log = self.tmp_path / f"worker-{len(self.task_workers) + 1}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "worker", "--no-reload",
                 "--no-startup-delay", "--interval", "0.2"],
                env={**self.env, **env}, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.task_workers.append(process)
        return process

    def stop_worker(self, process: subprocess.Popen, *, kill: bool = False) -> None:
        """Stop a worker as its service manager would (SIGTERM), or kill it (SIGKILL: no
        chance to finish or record anything)."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        process.wait(timeout=30)

    def cut_connections(self) -> int:
        """PostgreSQL: end every other connection to the site's database, as a server restart
        or a failover would (pg_terminate_backend); returns how many it ended."""
        with self._pg(self.pg_name) as conn:
            return sum(ended for (ended,) in conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()", (self.pg_name,)))

    def teardown(self) -> None:
        for process in self.task_workers:
            self.stop_worker(process, kill=True)
        self.stop()
        if self.vendor != "sqlite3":
            with self._pg("postgres") as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    # -- reading what the server stored --

    @contextmanager
    def _pg(self, dbname: str):
        import psycopg

        conn = psycopg.connect(dbname=dbname, autocommit=True, **{
            k: v for k, v in self.pg.items() if v})
        try:
            yield conn
        finally:
            conn.close()

    def query(self, sql: str, *params) -> list[tuple]:
        """Rows from the live database; placeholders are written %s."""
        if self.vendor == "sqlite3":
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                conn.close()
        with self._pg(self.pg_name) as conn:
            return conn.execute(sql, params).fetchall()

    SUBMISSION_COLUMNS = ("id", "status", "safety_level", "episode_months", "bipolar_history",
                          "phq9")

    def submission(self, patient: Browser) -> dict:
        """The patient's submission row (found by their unique name), with its counts."""
        columns = self.SUBMISSION_COLUMNS
        (row,) = self.query(f"SELECT {', '.join(columns)} FROM intake_submission "  # noqa: S608
                            "WHERE full_name = %s", patient.name)
        found = dict(zip(columns, row, strict=True))
        for table in ("medicationtrial", "assessment", "alert"):
            (count,), = self.query(f"SELECT COUNT(*) FROM intake_{table} "  # noqa: S608
                                   "WHERE submission_id = %s", found["id"])
            found[f"{table}s"] = count
        return found

    def browser(self) -> Browser:
        return Browser(self.base)

    @classmethod
    def like_test_database(cls, tmp_path: Path, **kwargs) -> LiveSite:
        """On the kind of database the test suite runs on."""
        db = settings.DATABASES["default"]
        postgres = None
        if db["ENGINE"] != "django.db.backends.sqlite3":
            postgres = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
                        "user": db.get("USER") or "postgres", "password": db.get("PASSWORD")}
        return cls(tmp_path, postgres=postgres, **kwargs)
