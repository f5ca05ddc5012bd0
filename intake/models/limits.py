"""Rows behind the rate limits: counters per window, and resume attempts."""

from django.db import models


class RateCounter(models.Model):
    """Hits in one fixed time window for one limited action and client
    (intake/patient/ratelimit.py).

    `key` is a keyed hash of the client address, never the address itself.
    """

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"],
                                               name="rate_counter_window_unique")]

    def __str__(self):
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class ResumeAttempt(models.Model):
    """A try at a resume code, kept to rate-limit guessing (by a hash of the client address)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'wrong code'}"
