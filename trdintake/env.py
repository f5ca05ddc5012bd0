"""Strict parsers for settings read from environment variables.

Every helper takes the environment mapping explicitly (``os.environ`` in settings, a plain dict in
tests) and raises ``ImproperlyConfigured`` naming the variable when a value is malformed, so a
misconfigured deployment refuses to start instead of running with a silently wrong value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}

# Deliberately simple: one "@", no whitespace, a dot in the domain. Good enough to catch typos in
# configuration; the mail server remains the final judge.
_EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")

_UNPARSABLE_DATABASE_URL = (
    "DATABASE_URL is not a valid URL: the port must be a number, and special characters in the "
    "user name, password or database name must be percent-encoded"
)


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def get_str(environ: Mapping[str, str], name: str, default: str) -> str:
    value = _raw(environ, name)
    return default if value is None else value


def get_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = _raw(environ, name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, got {value!r}")


def _check_range(name: str, value: float, min: float | None, max: float | None) -> None:
    if min is not None and value < min:
        raise ImproperlyConfigured(f"{name} must be at least {min}, got {value}")
    if max is not None and value > max:
        raise ImproperlyConfigured(f"{name} must be at most {max}, got {value}")


def get_int(
    environ: Mapping[str, str],
    name: str,
    default: int,
    min: int | None = None,
    max: int | None = None,
) -> int:
    raw = _raw(environ, name)
    if raw is None:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    _check_range(name, value, min, max)
    return value


def get_float(
    environ: Mapping[str, str],
    name: str,
    default: float,
    min: float | None = None,
    max: float | None = None,
    *,
    exclusive_min: bool = False,
) -> float:
    """A finite number; with ``exclusive_min`` the value must be strictly greater than ``min``."""
    raw = _raw(environ, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name} must be a finite number, got {raw!r}")
    if exclusive_min and min is not None and value <= min:
        raise ImproperlyConfigured(f"{name} must be greater than {min}, got {value}")
    _check_range(name, value, min, max)
    return value


def get_list(environ: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = _raw(environ, name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_emails(environ: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    emails = get_list(environ, name, default)
    for email in emails:
        if not _EMAIL_RE.match(email):
            raise ImproperlyConfigured(f"{name} contains an invalid e-mail address: {email!r}")
    return emails


def parse_database_url(url: str, base_dir: Path) -> dict:
    """DATABASES["default"] from a database URL, parsed by dj-database-url and checked strictly.

    Only SQLite and PostgreSQL are accepted: ``sqlite:///var/db.sqlite3`` is relative to
    ``base_dir``, ``sqlite:////srv/db.sqlite3`` is absolute, ``sqlite://:memory:`` is in memory;
    ``postgres://user:password@host:port/name?sslmode=require`` (or ``postgresql://``) takes libpq
    options from the query string. Errors name DATABASE_URL but never echo the URL, which may
    carry a password.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ImproperlyConfigured(_UNPARSABLE_DATABASE_URL) from None
    if parts.scheme not in ("sqlite", "postgres", "postgresql"):
        raise ImproperlyConfigured(
            "DATABASE_URL must start with sqlite:// or postgres:// (or postgresql://), "
            f"got scheme {parts.scheme or '(none)'!r}"
        )
    # dj-database-url reads a SQLite URL without a path as an in-memory database, and ignores a
    # host: both are more likely typos than intentions here.
    in_memory = url in ("sqlite://:memory:", "sqlite:///:memory:")
    if parts.scheme == "sqlite" and not in_memory:
        if parts.netloc:
            raise ImproperlyConfigured(
                f"DATABASE_URL: a SQLite URL has no host (use sqlite:///path), got {url!r}"
            )
        if parts.path in ("", "/"):
            raise ImproperlyConfigured(f"DATABASE_URL: a SQLite URL needs a file path, got {url!r}")
    try:
        config = dict(dj_database_url.parse(url))
    except ValueError:
        raise ImproperlyConfigured(_UNPARSABLE_DATABASE_URL) from None
    if parts.scheme == "sqlite":
        if not in_memory:
            # NAME is "var/db.sqlite3" for sqlite:///var/db.sqlite3, "/srv/db" for sqlite:////srv/db.
            config["NAME"] = str(Path(base_dir) / config["NAME"])
    elif not config["NAME"]:
        raise ImproperlyConfigured(
            f"DATABASE_URL: a PostgreSQL URL needs a database name, got scheme {parts.scheme!r}"
        )
    return config
