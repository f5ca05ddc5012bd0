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


def _page(template: str, status: int, request=None) -> HttpResponse:
    try:
        body = loader.get_template(template).render({"clinic": clinic_settings()})
    except Exception:
        log.exception("error page %s could not be rendered", template)
        body = FALLBACK.format(line=escape(settings.CRISIS_LINE),
                               line_name=escape(settings.CRISIS_LINE_NAME),
                               emergency=escape(settings.EMERGENCY_NUMBER))
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _page("400.html", 400)


def permission_denied(request, exception=None):
    return _page("403.html", 403)


def page_not_found(request, exception=None):
    return _page("404.html", 404)


def server_error(request):
    return _page("500.html", 500)
