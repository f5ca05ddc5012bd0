"""Django's database sessions, with the lookup every request makes compiled once
(trdintake/compiled_query.py). Same table, same data, same expiry: a session whose
expire_date has passed is not loaded, as in Django's own store."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .compiled_query import CompiledQuery

BY_KEY = CompiledQuery(Session, lambda key: Session.objects.filter(session_key=key),
                       markers=("session-key-marker",))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = BY_KEY.first(self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
