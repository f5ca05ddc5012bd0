"""Sign-in events in the audit trail: logins, logouts, failed logins and lockouts.

A failed login names the username that was typed (never the password); it has no actor.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from trdintake.client_ip import client_ip

from .. import audit


def _client(request) -> str:
    """The client's address as django-axes records it for the lockout (AXES_CLIENT_IP_CALLABLE):
    behind a proxy, the failed login and the lockout name the same address."""
    return (client_ip(request) or "" if request is not None else "")[:45]


@receiver(user_logged_in, dispatch_uid="intake_audit_login")
def _logged_in(sender, request, user, **kwargs):
    if user.is_staff:
        audit.record(user, audit.LOGGED_IN, None, username=user.get_username(),
                     client=_client(request))


@receiver(user_logged_out, dispatch_uid="intake_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None and user.is_staff:
        audit.record(user, audit.LOGGED_OUT, None, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="intake_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(None, audit.LOGIN_FAILED, None, username=username, client=_client(request))


@receiver(user_locked_out, dispatch_uid="intake_audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(None, audit.LOCKED_OUT, None, username=str(username or "")[:150],
                 client=str(ip_address or "")[:45])
