"""A one-time link for a staff member to set up their authenticator app (a new account, or a
new phone): printed once, valid 24 hours, audited (intake/staff/mfa.py). Run by an
administrator on the server; managers issue the same links in the admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from intake.staff import mfa


class Command(BaseCommand):
    help = ("Print a one-time link (valid 24 hours) with which a staff member sets up their "
            "authenticator app; it replaces any app they had.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def staff_member(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not (user.is_active and user.is_staff):
            raise CommandError(f"{username} is not an active staff account.")
        return user

    def print_link(self, user) -> None:
        url = mfa.setup_link_url(mfa.issue_setup_link(user))
        self.stdout.write(
            f"Set-up link for {user.get_username()}, shown only now; it works once, within "
            f"{mfa.SETUP_LINK_HOURS} hours:\n{url}")
        if not settings.SITE_URL:
            self.stdout.write("(SITE_URL is not set: open it on the site's address.)")

    def handle(self, *args, username, **options):
        self.print_link(self.staff_member(username))
