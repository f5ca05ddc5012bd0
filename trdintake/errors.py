"""Error pages that always carry the crisis contacts.

Django's default handlers are wrapped in `requires_csrf_token`, which reads `request.POST`
again: a request whose body Django refused to parse (a form posted as iso-8859-1, say) then
failed a second time inside the handler and reached the patient as the WSGI server's bare 500,
with no crisis line and no security headers. These handlers never touch the request body, and
the 500 page is rendered from the settings alone (no database, no session), falling back to
plain HTML if even the template fails.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from intake.context_processors import clinic_settings

log = logging.getLogger(__name__)

FALLBACK = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Something went wrong</title></head><body>"
    '<aside aria-label="Crisis contacts"><p>If you are in crisis, call or text '
    '<a href="tel:{line}">{line}</a> ({line_name}). If you are in immediate danger, call '
    '<a href="tel:{emergency}">{emergency}</a>.</p></aside>'
    "<main><h1>Something went wrong</h1><p>Please try again in a few minutes.</p></main>"
    "</body></html>"
)


def _page(template: str, status: int, request=None, **context) -> HttpResponse:
    try:
        body = loader.get_template(template).render({"clinic": clinic_settings(), **context})
    except Exception:
        log.exception("error page %s could not be rendered", template)
        body = FALLBACK.format(line=escape(settings.CRISIS_LINE),
                               line_name=escape(settings.CRISIS_LINE_NAME),
                               emergency=escape(settings.EMERGENCY_NUMBER))
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _page("400.html", 400)


# Request bodies refused unread (trdintake.middleware.RequestBodyLimitMiddleware): the status,
# the heading and what to do.
TOO_LARGE = (413, _("What you sent is too large"),
             _("The form could not take that much. Please go back, shorten what you typed and "
               "try again."))
UPLOAD = (415, _("This site does not take files"),
          _("Nothing was sent or saved: no page of this site accepts an uploaded file. Please "
            "go back and type your answer instead."))
NO_LENGTH = (411, _("What you sent could not be read"),
             _("Your browser sent the form in a way this site does not accept. Please go back "
               "and try again."))


def body_refused(request, reason: tuple) -> HttpResponse:
    status, heading, message = reason
    return _page("refused.html", status, heading=heading, message=message)


def _staff_page(request, status: int, message: str = "") -> HttpResponse | None:
    """Signed-in staff on the staff site get its own style and a way back, not the patient
    page. Reads the session (never the body); None when this is not a staff request."""
    path = getattr(request, "path", "") or ""
    user = getattr(request, "user", None)
    if not path.startswith("/admin/") or user is None or not user.is_authenticated \
            or not user.is_staff:
        return None
    try:
        from django.contrib import admin

        titles = {400: "That request could not be understood",
                  403: "You do not have access to this page"}
        context = {**admin.site.each_context(request), "status": status, "message": message,
                   "title": titles.get(status, "Page not found")}
        body = loader.get_template("admin/intake/error.html").render(context, request)
    except Exception:
        log.exception("staff error page %s could not be rendered", status)
        return None
    return HttpResponse(body, status=status)


def permission_denied(request, exception=None):
    path = getattr(request, "path", "") or ""
    user = getattr(request, "user", None)
    if path.startswith("/admin/") and user is not None and user.is_authenticated:
        try:
            from intake import audit

            audit.record(user, audit.PERMISSION_DENIED, None, path=path[:200],
                         method=request.method, username=user.get_username())
        except Exception:
            log.exception("permission denial could not be audited")
    return _staff_page(request, 403) or _page("403.html", 403)


def staff_bad_request(request, message: str) -> HttpResponse:
    """A staff page asked for with something it cannot use (an unknown filter, say): a 400 in
    the staff site's style that says what."""
    return _staff_page(request, 400, message) or _page("400.html", 400)


def page_not_found(request, exception=None):
    return _staff_page(request, 404) or _page("404.html", 404)


def server_error(request):
    return _page("500.html", 500)
