"""Patient page speed (`make bench-pages`): throughput and latency of a production gunicorn on
SQLite and on PostgreSQL, each page as a share of `/healthz/` (the same middleware, no view
work), and the in-process render time of every patient page.

wrk (Debian's package) sends the load: 2 threads, 16 connections, against gunicorn with 2 sync
workers, as a patient who has answered every page but not sent them yet (their session cookie),
so that every page draws. Each page runs in 3 bursts of 3 seconds, each right after a burst
of /healthz/: the share is the median ratio of a page burst to the healthz burst before it, so
a machine that slows down or speeds up during the run (a shared one does) moves both.

    python benchmarks/pages.py [--seconds 9] [--rounds 3] [--connections 16]
                               [--databases sqlite,postgres] [--no-instructions]
                               [--only-in-process]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from live_setup import POSTGRES, ROOT  # sets Django up: before the project imports

from tests.intake_helpers import PAGES
from tests.live import LiveSite

GETS = (("healthz", "/healthz/"), ("start page", "/"), ("question page", "/intake/depression/"),
        ("PHQ-9 page", "/intake/phq9/"), ("medicine page", "/intake/medicines/add/"),
        ("medicine change", "/intake/medicines/1/"), ("health page", "/intake/health/"))
RENDERED = ("/healthz/", "/", "/privacy/", "/intake/consent/", "/intake/about-you/",
            "/intake/depression/", "/intake/history/", "/intake/phq9/", "/intake/safety/",
            "/intake/medicines/", "/intake/medicines/add/", "/intake/medicines/1/",
            "/intake/therapy/", "/intake/therapy-details/", "/intake/other-treatments/",
            "/intake/health/", "/intake/check/", "/intake/save/", "/resume/")

POST_SCRIPT = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def wrk(url: str, cookie: str, seconds: int, connections: int, body: str | None = None):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
            "-H", f"Cookie: {cookie}", "-H", f"Referer: {url}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write(POST_SCRIPT.format(body=body))
            args += ["-s", script.name]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)

    def ms(label):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms("50%"), "p99": ms("99%"), "bad": int(statuses.group(1)) if statuses else 0}


def patient_cookie(site: LiveSite) -> tuple[str, str]:
    """A patient who has answered every page (not yet sent), so that every page draws and none
    redirects to an earlier question; their Cookie header and CSRF token."""
    patient = site.browser()
    patient.fill_until(None)
    cookies = {c.name: c.value for c in patient.jar}
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"]


BENCH_KEY = "bench-only-secret-key-" + "x" * 40


def production_env(database_url: str) -> dict:
    """The environment of an in-process run: production settings, as the gunicorn runs."""
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": BENCH_KEY, "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_STATIC_MANIFEST": "false",
            "CLINIC_ALERT_EMAILS": "duty@clinic.test", "SITE_URL": "https://intake.clinic.test"}


def render_times(database_url: str, cookie: str, repeat: int = 30) -> dict[str, float]:
    """Median in-process time of each patient page (Django's test client, no network), the
    pages taken in turn at each round so that a change of machine speed moves them all."""
    code = f"""
import statistics, time
from django.test import Client
client = Client(HTTP_COOKIE={cookie!r}, HTTP_HOST="127.0.0.1")
runs, statuses = {{path: [] for path in {RENDERED!r}}}, {{}}
for _ in range({repeat}):
    for path in runs:
        started = time.perf_counter()
        statuses[path] = client.get(path).status_code
        runs[path].append((time.perf_counter() - started) * 1000)
for path, times in runs.items():
    print(path, statuses[path], round(statistics.median(times), 3))
"""
    env = production_env(database_url)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return {path: (int(status), float(ms)) for path, status, ms in
            (line.split() for line in out.splitlines() if line.startswith("/"))}


def render_instructions(database_url: str, cookie: str, repeat: int = 10) -> dict[str, float]:
    """Instructions this process runs to draw each patient page in-process, counted by
    valgrind's callgrind: the same whatever else the machine does and whatever its speed (the
    database server's own work is not counted). Each page is drawn a few times uncounted, then
    `repeat` times counted; the cost of switching the count on and off is taken off."""
    code = f"""
import os, subprocess
from django.test import Client
client = Client(HTTP_COOKIE={cookie!r}, HTTP_HOST="127.0.0.1")
def control(*args):
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True,
                   capture_output=True)
for label in ("switching", *{RENDERED!r}):
    for _ in range(3):
        if label != "switching":
            client.get(label)
    control("--zero")
    control("--instr=on")
    for _ in range({repeat}):
        if label != "switching":
            client.get(label)
    control("--instr=off")
    control("--dump=" + label)
"""
    env = production_env(database_url)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([shutil.which("valgrind"), "--tool=callgrind", "--instr-atstart=no",
                        f"--callgrind-out-file={tmp}/out", sys.executable, "manage.py",
                        "shell", "-c", code], cwd=ROOT, env=env, capture_output=True,
                       check=True)
        totals = {}
        for dump in Path(tmp).glob("out.*"):
            text = dump.read_text(errors="replace")
            label = re.search(r"^desc: Trigger: dump (\S+)", text, re.M)
            totals[label.group(1)] = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
    switching = totals.pop("switching")
    return {path: (totals[path] - switching) / repeat for path in RENDERED}


def measure(ceiling_url: str, url: str, body: str | None, cookie: str, args) -> dict:
    """One page against /healthz/, in `rounds` alternating bursts (healthz, page, healthz,
    page...): on a shared machine the ceiling moves, so each burst of the page is compared
    with the healthz burst just before it. The share is the median of those ratios; req/s,
    p50 and p99 are medians of the page's bursts; errors are summed."""
    seconds = max(1, args.seconds // args.rounds)
    bursts = []
    for _ in range(args.rounds):
        ceiling = wrk(ceiling_url, cookie, seconds, args.connections)
        bursts.append((ceiling, wrk(url, cookie, seconds, args.connections, body=body)))
    pages = [page for _ceiling, page in bursts]
    return {"ceiling": statistics.median(c["rps"] for c, _page in bursts),
            "ceiling_p50": statistics.median(c["p50"] for c, _page in bursts),
            "ceiling_p99": statistics.median(c["p99"] for c, _page in bursts),
            "share": statistics.median(page["rps"] / c["rps"] for c, page in bursts),
            "rps": statistics.median(p["rps"] for p in pages),
            "p50": statistics.median(p["p50"] for p in pages),
            "p99": statistics.median(p["p99"] for p in pages),
            "bad": sum(p["bad"] for p in pages)}


def load(site: LiveSite, database: str, cookie: str, csrf: str, args) -> None:
    """Each page under wrk, as a share of /healthz/, with p50 and p99."""
    phq9 = "&".join(f"{k}={v}" for k, v in PAGES["phq9"].items())
    pages = [(name, site.base + path, None) for name, path in GETS[1:]]
    pages.append(("PHQ-9 saving POST", site.base + "/intake/phq9/",
                  f"{phq9}&csrfmiddlewaretoken={csrf}"))
    rows = [measure(site.base + GETS[0][1], url, body, cookie, args)
            for _name, url, body in pages]
    ceiling = {key: statistics.median(r[key] for r in rows)
               for key in ("ceiling", "ceiling_p50", "ceiling_p99")}
    print(f"\n{database}\n{'page':20} {'req/s':>7} {'share':>6} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6}")
    print(f"{'healthz':20} {ceiling['ceiling']:>7.0f} {1:>6.0%} "
          f"{ceiling['ceiling_p50']:>7.1f} {ceiling['ceiling_p99']:>7.1f}")
    for (name, _url, _body), row in zip(pages, rows, strict=True):
        print(f"{name:20} {row['rps']:>7.0f} {row['share']:>6.0%} "
              f"{row['p50']:>7.1f} {row['p99']:>7.1f} {row['bad']:>6}")
    time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=9, help="per page, over all rounds")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating bursts of /healthz/ and the page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--instructions", action=argparse.BooleanOptionalAction,
                        default=bool(shutil.which("valgrind")),
                        help="count each page's instructions under valgrind (default: when "
                             "valgrind is installed)")
    parser.add_argument("--only-in-process", action="store_true",
                        help="skip the wrk runs: in-process times and instructions only")
    args = parser.parse_args()
    if not args.only_in_process and not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    print(f"gunicorn {args.workers} sync workers; wrk 2 threads, {args.connections} connections, "
          f"{args.rounds} bursts of {max(1, args.seconds // args.rounds)} s a row, each after "
          f"one of /healthz/; {os.cpu_count()} CPUs")
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            site = LiveSite(Path(tmp), postgres=POSTGRES if database == "postgres" else None,
                            workers=args.workers, threads=1, worker_class="sync",
                            DJANGO_SECRET_KEY=BENCH_KEY, CLINIC_ALERT_EMAILS="duty@clinic.test",
                            SITE_URL="https://intake.clinic.test")
            site.setup().start()
            try:
                cookie, csrf = patient_cookie(site)
                if not args.only_in_process:
                    load(site, database, cookie, csrf, args)
                print(f"\n{database}: in-process time, median of 30 (ms), and as a multiple "
                      "of /healthz/ (steadier than ms on a shared machine)")
                times = render_times(site.database_url, cookie)
                counted = (render_instructions(site.database_url, cookie)
                           if args.instructions else {})
                if counted:
                    print("  and the instructions it runs for each (callgrind, 10 draws; "
                          "the same on any machine speed)")
                healthz = times["/healthz/"][1]
                for path, (status, ms) in times.items():
                    line = f"  {path:28} {status:>3} {ms:>7.2f} {ms / healthz:>5.1f}x"
                    if counted:
                        line += (f"   {counted[path] / 1e6:>6.2f} M "
                                 f"{counted[path] / counted['/healthz/']:>5.1f}x")
                    print(line)
                pages_ms = [ms for path, (_s, ms) in times.items() if path != "/healthz/"]
                print(f"  {'median of all pages':28}     {statistics.median(pages_ms):>7.2f}")
            finally:
                site.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
