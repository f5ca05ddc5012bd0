"""Benchmark: the staff submission list (admin changelist) at 100,000 rows on PostgreSQL.

Rerunnable: `make bench-admin` or
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trdintake_bench DJANGO_DEBUG=true \
        .venv/bin/python benchmarks/admin_changelist.py [--rows 100000] [--requests 30]
The database must exist and be migrated (`manage.py migrate`). Synthetic submissions
(references TRD-BN-...) are bulk-created until there are --rows of them, then the list is
fetched --requests times with the Django test client as a superuser, for the default triage
order and for some filters; it prints median and p95 milliseconds, the number of queries per
page and PostgreSQL's EXPLAIN ANALYZE of the main list query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trdintake.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.admin.sites import site  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from intake.models import Submission  # noqa: E402

PREFIX = "TRD-BN-"
PAGES = {
    "default order": "",
    "urgent only": "?safety_level__exact=acute",
    "drafts": "?status__exact=draft",
    "new, may apply": "?review_status__exact=new&trd_status__exact=may_apply",
    "search reference": "?q=TRD-BN-00004242",
}


def seed(rows: int) -> None:
    have = Submission.objects.filter(reference__startswith=PREFIX).count()
    if have >= rows:
        print(f"{have} benchmark submissions present")
        return
    rng = random.Random(20261123)
    now = timezone.now()
    batch = []
    start = time.perf_counter()
    for i in range(have, rows):
        submitted = rng.random() < 0.9
        when = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 3))
        safety = rng.choices(["none", "non_acute", "acute"], weights=[85, 12, 3])[0]
        batch.append(Submission(
            reference=f"{PREFIX}{i:08d}", status="submitted" if submitted else "draft",
            submitted_at=when if submitted else None, safety_level=safety,
            review_status=rng.choices(["new", "in_review", "contacted", "booked", "closed"],
                                      weights=[5, 5, 10, 20, 60])[0],
            trd_status=rng.choice(["may_apply", "unclear", "not_met"]) if submitted else "",
            confirmed_count=rng.randint(0, 4) if submitted else None,
            possible_count=rng.randint(0, 2) if submitted else None,
            phq9_total=rng.randint(0, 27) if submitted else None,
            phq9_band="moderate" if submitted else "",
            msm_total=rng.randint(3, 12) if submitted else None,
            full_name=f"Bench Patient {i}", email=f"bench{i}@example.org",
        ))
        if len(batch) == 5000:
            Submission.objects.bulk_create(batch)
            batch = []
    if batch:
        Submission.objects.bulk_create(batch)
    # spread updated_at too (auto_now set them all to now)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_submission SET updated_at = COALESCE(submitted_at, updated_at) "
            "WHERE reference LIKE %s", [PREFIX + "%"])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE intake_submission")
    print(f"created {rows - have} submissions in {time.perf_counter() - start:.1f} s")


def superuser():
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    return user


def time_page(client: Client, path: str, requests: int) -> tuple[list[float], int]:
    client.get(path)  # warm-up
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return times, len(captured)


def explain(user) -> str:
    admin = site.get_model_admin(Submission)
    request = RequestFactory().get("/admin/intake/submission/")
    request.user = user
    queryset = admin.get_queryset(request).select_related("assigned_to")[:50]
    if connection.vendor == "postgresql":
        return queryset.explain(analyze=True, buffers=True)
    return queryset.explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(f"warning: running on {connection.vendor}, not PostgreSQL")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    seed(args.rows)
    user = superuser()
    client = Client()
    client.force_login(user)
    total = Submission.objects.count()
    print(f"\n{total} submissions in the table; {args.requests} requests per page\n")
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, query in PAGES.items():
        times, queries = time_page(client, "/admin/intake/submission/" + query, args.requests)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        print(f"{name:<20} {statistics.median(times):>10.1f} {p95:>8.1f} {queries:>8}")
    print("\nEXPLAIN of the default list query:\n")
    print(explain(user))


if __name__ == "__main__":
    main()
