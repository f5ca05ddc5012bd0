"""Load benchmark: many patients at once against a production gunicorn, on SQLite and on
PostgreSQL (`make bench-load`).

Each patient is a thread with its own cookies and CSRF token that goes through whole intakes
(consent, every question page, a medicine, Check your answers, submit, results) again and
again until the run has sent its requests. Reported per database and number of patients:
requests, server errors (5xx), failed connections, answers lost (a finished intake that is not
submitted with its medicine), requests a second, p50 and p99 latency.

    python benchmarks/load.py                        # 2, 4, 8, 16 patients; 2,000 requests each
    python benchmarks/load.py --patients 16 --requests 500 --databases sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from live_setup import POSTGRES, PRODUCTION  # sets Django up: before the project imports

from tests.live import Browser, LiveSite


class TimedBrowser(Browser):
    def __init__(self, base, run):
        super().__init__(base)
        self.run = run

    def request(self, path, data=None, **kwargs):
        if not self.run.take():
            raise Budget
        started = time.perf_counter()
        try:
            response = super().request(path, data, **kwargs)
        except OSError:
            self.run.record(None, time.perf_counter() - started)
            raise
        self.run.record(response[0], time.perf_counter() - started)
        return response


class Budget(Exception):
    """The run has sent all its requests."""


class Run:
    def __init__(self, requests: int):
        self.left, self.lock = requests, threading.Lock()
        self.statuses: list[int | None] = []
        self.latencies: list[float] = []
        self.finished: list[Browser] = []

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0

    def record(self, status, seconds):
        with self.lock:
            self.statuses.append(status)
            self.latencies.append(seconds)


def patient_loop(site: LiveSite, run: Run) -> None:
    while True:
        patient = TimedBrowser(site.base, run)
        try:
            patient.fill_until()
            status, location, _ = patient.request("/intake/check/", {})
            patient.request(location)
        except Budget:
            return
        except (OSError, AssertionError):
            continue  # counted in the statuses; start a new intake
        run.finished.append(patient)


def measure(site: LiveSite, patients: int, requests: int) -> dict:
    run = Run(requests)
    started = time.perf_counter()
    with ThreadPoolExecutor(patients) as pool:
        for future in [pool.submit(patient_loop, site, run) for _ in range(patients)]:
            future.result()
    elapsed = time.perf_counter() - started
    lost = sum(1 for p in run.finished
               if (row := site.submission(p))["status"] != "submitted"
               or row["medicationtrials"] != 1)
    latencies = sorted(run.latencies)
    return {
        "patients": patients, "requests": len(run.statuses),
        "server_errors": sum(1 for s in run.statuses if s is not None and s >= 500),
        "failed_connections": run.statuses.count(None), "intakes": len(run.finished),
        "lost": lost, "rps": len(run.statuses) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", default="2,4,8,16")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    print(f"gunicorn {args.workers} workers x {args.threads} threads; {args.requests} requests "
          f"a row; {os.cpu_count()} CPUs")
    print(f"{'database':10} {'patients':>8} {'requests':>8} {'5xx':>5} {'conn.err':>8} "
          f"{'intakes':>7} {'lost':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    bad = 0
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            site = LiveSite(Path(tmp), postgres=POSTGRES if database == "postgres" else None,
                            workers=args.workers, threads=args.threads, **PRODUCTION)
            site.setup().start()
            try:
                for patients in (int(n) for n in args.patients.split(",")):
                    row = measure(site, patients, args.requests)
                    bad += row["server_errors"] + row["failed_connections"] + row["lost"]
                    print(f"{database:10} {row['patients']:>8} {row['requests']:>8} "
                          f"{row['server_errors']:>5} {row['failed_connections']:>8} "
                          f"{row['intakes']:>7} {row['lost']:>4} {row['rps']:>7.0f} "
                          f"{row['p50_ms']:>7.0f} {row['p99_ms']:>7.0f}", flush=True)
            finally:
                site.teardown()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
