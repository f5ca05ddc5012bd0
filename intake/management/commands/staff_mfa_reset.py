"""Recovery for a staff member who lost their authenticator app: remove their TOTP devices, so
their next log-in (password first) asks them to set up an app again. Run by an administrator
on the server; audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import audit


class Command(BaseCommand):
    help = ("Reset a staff member's second factor (authenticator app): they set up a new one "
            "at their next log-in.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        audit.record(None, audit.MFA_RESET, None, username=username, devices=deleted)
        self.stdout.write(f"Removed {deleted} authenticator device(s) for {username}. At their "
                          "next log-in they set up an app again (password first).")
