"""Fuzz run: malformed and hostile requests against a production gunicorn, on SQLite and on
PostgreSQL (`make bench-fuzz`; never part of `make test`).

The requests are tests/fuzz_cases.py's (every patient and staff address; random methods,
query strings, bodies, uploads, oversized and chunked bodies, headers), sent over HTTP from
several threads by nobody, patients part-way through the form, reviewers and managers (signed
in with password and authenticator code). Reported per database: requests, how many got each
status, server errors (5xx) with the request that got them, requests with no answer, and
whether anything was left in the server's temporary directory. Exits 1 on any server error or
unanswered request.

    python benchmarks/fuzz.py                         # 6,000 requests per database
    python benchmarks/fuzz.py --requests 500 --databases sqlite --seed 7
"""

from __future__ import annotations

import argparse
import http.client
import random
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from live_setup import POSTGRES, PRODUCTION  # sets Django up: before the project imports

from tests.fuzz_cases import Case, cases, site_paths
from tests.live import LiveSite
from tests.test_concurrency_live import STAFF_KEY, staff_browser

STAFF = 4  # reviewers and managers each
LOG_OUTS = ("/admin/logout/", "/admin/mfa/log-out/")
STAFF_SETUP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from intake import demo, roles
roles.ensure_groups()
for n in range({STAFF}):
    for name, group in ((f"reviewer{{n}}", roles.REVIEWERS), (f"manager{{n}}", roles.MANAGERS)):
        user = get_user_model().objects.create_user(name, password="race-pass-123456789",
                                                    is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        TOTPDevice.objects.create(user=user, name="app", key="{STAFF_KEY}", confirmed=True)
demo.create_submission(name="Fuzz Patient 01", safety="acute")
"""


def first_pk(site: LiveSite):
    def first(model):
        meta = model._meta
        rows = site.query(f'SELECT "{meta.pk.column}" FROM "{meta.db_table}" '  # noqa: S608
                          f'ORDER BY 1 LIMIT 1')
        return rows[0] if rows else None
    return first


class Senders:
    """Signed-in browsers per kind of sender; a request goes out with one of their cookies."""

    def __init__(self, site: LiveSite, rng: random.Random):
        self.rng, self.lock = rng, threading.Lock()
        anonymous = site.browser()
        anonymous.request("/intake/consent/")  # a CSRF cookie, as anyone who opened a form has
        patients = [site.browser() for _ in range(4)]
        for patient in patients:
            patient.fill_until("therapy")
        self.browsers = {
            "anonymous": [anonymous], "patient": patients,
            "reviewer": [staff_browser(site, f"reviewer{n}") for n in range(STAFF)],
            "manager": [staff_browser(site, f"manager{n}") for n in range(STAFF)],
        }

    def headers(self, sender: str, path: str) -> dict[str, str]:
        """The cookies of one of this sender's browsers, and its CSRF token as a header (so
        that a hostile form reaches the view rather than stopping at the CSRF check). A log-out
        goes without a staff session: staff cannot sign in again quickly (each authenticator
        code works once), and the rest of the run needs them signed in."""
        if path.startswith(LOG_OUTS):
            sender = "anonymous"
        with self.lock:
            browser = self.rng.choice(self.browsers[sender])
        jar = {c.name: c.value for c in browser.jar}
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
                "X-CSRFToken": jar.get("csrftoken", "")}


def send(site: LiveSite, case: Case, sender_headers: dict[str, str]) -> int | None:
    """The status the server answered with, or None when it gave none in 30 s."""
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    try:
        conn.putrequest(case.method, case.path, skip_accept_encoding=True)
        headers = {**sender_headers, **case.headers}
        if case.content_type:
            headers["Content-Type"] = case.content_type
        body = case.body or b""
        if case.chunked:
            headers["Transfer-Encoding"] = "chunked"
            body = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if body else \
                b"0\r\n\r\n"
        elif case.body is not None or case.claimed_length is not None:
            headers["Content-Length"] = str(case.claimed_length or len(body))
        for name, value in headers.items():
            if value:
                conn.putheader(name, value)
        conn.endheaders()
        if body:
            conn.send(body)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def run(database: str, requests: int, seed: int, threads: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        spool = Path(tmp) / "spool"
        spool.mkdir()
        site = LiveSite(Path(tmp), postgres=POSTGRES if database == "postgres" else None,
                        workers=4, threads=4, TMPDIR=str(spool), GUNICORN_ACCESS_LOG="/dev/null",
                        **PRODUCTION)
        site.setup()
        site.manage("shell", "-c", STAFF_SETUP)
        site.start(config="python:trdintake.gunicorn")
        try:
            rng = random.Random(seed)  # noqa: S311 (repeatable test requests, not secrets)
            senders = Senders(site, rng)
            todo = cases(seed, requests, site_paths(first_pk(site)))
            started = time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                statuses = list(pool.map(
                    lambda case: send(site, case, senders.headers(case.sender, case.path)),
                    todo))
            elapsed = time.perf_counter() - started
            left_on_disk = sorted(p.name for p in spool.iterdir())
        finally:
            site.teardown()
    counts = Counter("no answer" if s is None else s for s in statuses)
    errors = [(s, case) for s, case in zip(statuses, todo, strict=True) if s is None or s >= 500]
    print(f"\n{database}: {len(statuses)} requests in {elapsed:.0f} s ({threads} at once), "
          f"seed {seed}")
    print("  " + ", ".join(f"{status}: {n}" for status, n in
                           sorted(counts.items(), key=lambda item: str(item[0]))))
    print(f"  server errors: {sum(1 for s, _ in errors if s is not None)}, no answer: "
          f"{counts['no answer']}, left in the temporary directory: {left_on_disk or 'nothing'}")
    for status, case in errors[:20]:
        print(f"  {status or 'no answer'}  {case}")
    return len(errors) + len(left_on_disk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=6000, help="per database")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=None, help="default: a new one each run")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    bad = sum(run(database, args.requests, seed, args.threads)
              for database in args.databases.split(","))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
