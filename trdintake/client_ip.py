"""The client's address, one way for every limit (django-axes, the resume limiter, draft
creation).

Behind TRUSTED_PROXY_COUNT reverse proxies, each proxy appends the address it received the
request from to X-Forwarded-For, so the client is the entry that many places from the end; the
entries before it were sent by the client and are not trusted. With no proxy (the default),
REMOTE_ADDR is the client and X-Forwarded-For is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, or None when the request carries none (axes stores it in an
    address column, so it must be a real address or nothing)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    if proxies == 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not through the expected proxies: the nearest sender is the client
    return _valid(forwarded[-proxies]) or remote
