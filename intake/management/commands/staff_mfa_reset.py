"""Recovery for a staff member who lost their authenticator app: remove their TOTP devices and
print a one-time set-up link for a new one (intake/staff/mfa.py). Run by an administrator on
the server; audited."""

from __future__ import annotations

from intake.staff import mfa

from .staff_setup_link import Command as SetupLinkCommand


class Command(SetupLinkCommand):
    help = ("Reset a staff member's second factor (authenticator app) and print a one-time "
            "set-up link for a new one.")

    def handle(self, *args, username, **options):
        user = self.staff_member(username)
        deleted = mfa.reset_authenticator(user)
        self.stdout.write(f"Removed {deleted} authenticator device(s) for {username}.")
        self.print_link(user)
