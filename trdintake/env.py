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
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}

# Deliberately simple: one "@", no whitespace, a dot in the domain. Good enough to catch typos in
# configuration; the mail server remains the final judge.
_EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")


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
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into DATABASES["default"].

    A relative SQLite path is taken relative to ``base_dir``; ``sqlite:////abs/path`` is absolute;
    ``sqlite://:memory:`` is an in-memory database.
    """
    url = url.strip()
    if url in ("sqlite://:memory:", "sqlite:///:memory:"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc:
            raise ImproperlyConfigured(
                f"DATABASE_URL: a SQLite URL has no host (use sqlite:///path), got {url!r}"
            )
        path_text = unquote(parts.path)
        # "sqlite:///var/db.sqlite3" -> path "/var/db.sqlite3" -> relative "var/db.sqlite3";
        # "sqlite:////srv/db.sqlite3" -> path "//srv/db.sqlite3" -> absolute "/srv/db.sqlite3".
        path_text = path_text[1:] if path_text.startswith("/") else path_text
        if not path_text:
            raise ImproperlyConfigured(f"DATABASE_URL: a SQLite URL needs a file path, got {url!r}")
        path = Path(path_text)
        if not path.is_absolute():
            path = Path(base_dir) / path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    if scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                f"DATABASE_URL: a PostgreSQL URL needs a database name, got scheme {scheme!r}"
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(
                "DATABASE_URL: the PostgreSQL port is not a number"
            ) from None
        config: dict = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port) if port else "",
        }
        options = dict(parse_qsl(parts.query, keep_blank_values=False))
        if options:
            config["OPTIONS"] = options
        return config
    # Never echo the whole URL: it may carry a password.
    raise ImproperlyConfigured(
        "DATABASE_URL must start with sqlite:// or postgres:// (or postgresql://), "
        f"got scheme {parts.scheme or '(none)'!r}"
    )
