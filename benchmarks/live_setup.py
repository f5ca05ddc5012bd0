"""What the live benchmarks (load.py, pages.py) share: Django set up from the repository, and
the PostgreSQL server they create their throwaway databases on (BENCH_PG_*)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trdintake.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

POSTGRES = {"host": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
            "port": int(os.environ.get("BENCH_PG_PORT", "5432")),
            "user": os.environ.get("BENCH_PG_USER", "postgres"), "password": None}

# What a production gunicorn needs besides a database (DJANGO_DEBUG=false refuses to start
# without them); e-mails stay in memory.
PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
              "CLINIC_ALERT_EMAILS": "duty@clinic.test", "SITE_URL": "https://intake.clinic.test",
              "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
