"""Benchmark: `manage.py assess` on N synthetic histories (default 10,000).

Rerunnable: `make bench-assess` or
    DJANGO_DEBUG=true .venv/bin/python benchmarks/assess_bench.py [N] [--repeat R]
It writes the histories to a temporary file, runs the real command R times (default 3) in a
subprocess (start-up included, as clinic QA would run it) and prints the wall time of each run
and the time per history.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.screening import load_catalog_csv  # noqa: E402  (plain Python, no Django)
from intake.screening.model import (  # noqa: E402
    ADHERENCE,
    CURRENT_EPISODE,
    HEALTH_ITEMS,
    IMPROVEMENT,
    OTHER_TREATMENTS,
    PSYCHOTIC_SYMPTOMS,
    STOPPED_BECAUSE,
)


def history(rng: random.Random, slugs: list[str]) -> dict:
    asq = {k: rng.random() < 0.15 for k in ("wished_dead", "better_off_dead",
                                            "thoughts_past_week", "ever_attempted")}
    asq["thoughts_now"] = (rng.random() < 0.3) if any(asq.values()) else None
    return {
        "current_episode_months": rng.choice([None, *range(0, 60)]),
        "psychotic_symptoms": rng.choice(PSYCHOTIC_SYMPTOMS),
        "bipolar_history": rng.random() < 0.1,
        "phq9": [rng.randint(0, 3) for _ in range(9)],
        "asq": asq,
        "medication_trials": [
            {
                "medication": rng.choice([*slugs, "other", "unknown"]),
                "other_name": "zuranolone",
                "dose_mg_per_day": rng.choice([None, 10, 20, 50, 75, 150, 300]),
                "weeks": rng.choice([None, 2, 4, 6, 8, 12, 26]),
                "adherence": rng.choice(ADHERENCE),
                "improvement": rng.choice(IMPROVEMENT),
                "current_episode": rng.choice(CURRENT_EPISODE),
                "stopped_because": rng.choice(STOPPED_BECAUSE),
            }
            for _ in range(rng.randint(0, 6))
        ],
        "psychotherapy": [{"type": "cbt", "sessions": rng.choice([None, 8, 20])}],
        "other_treatments": rng.sample(OTHER_TREATMENTS, rng.randint(0, 2)),
        "health": {item: rng.random() < 0.1 for item in HEALTH_ITEMS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    slugs = sorted(load_catalog_csv(ROOT / "intake/data/medications.csv"))
    rng = random.Random(20261123)
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true")}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_catalog", "-v0"], env=env, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "histories.json"
        path.write_text(json.dumps([history(rng, slugs) for _ in range(args.count)]))
        for run in range(1, args.repeat + 1):
            started = time.perf_counter()
            done = subprocess.run([*manage, "assess", str(path)], env=env,
                                  stdout=subprocess.PIPE, check=True)
            seconds = time.perf_counter() - started
            lines = done.stdout.count(b"\n")
            assert lines == args.count, f"expected {args.count} lines, got {lines}"
            print(f"run {run}: {args.count} histories in {seconds:.2f} s "
                  f"({seconds / args.count * 1e6:.0f} us each, start-up included)")


if __name__ == "__main__":
    main()
