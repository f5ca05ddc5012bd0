"""Response headers every page gets: a strict Content-Security-Policy, a Permissions-Policy, and
no caching of anything that is not a static file (patient health pages must not be stored by the
browser or by proxies)."""

from __future__ import annotations

from django.conf import settings

from trdintake import errors

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        static_url = settings.STATIC_URL or "/static/"
        self.static_prefix = static_url if static_url.startswith("/") else f"/{static_url}"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        if not request.path.startswith(self.static_prefix):
            # Every dynamic response (HTML pages and anything else a view returns) is no-store.
            response["Cache-Control"] = "no-store"
        return response


class StaffSessionMiddleware:
    """Staff sessions end after STAFF_SESSION_MINUTES idle minutes, whatever set them longer.

    Patient pages give their session a long expiry (to keep a draft for days). If a staff member
    signs in from that browser, or fills in the patient form while signed in, the session would
    keep that long expiry; this puts a signed-in staff user's session back on the short idle
    default (SESSION_COOKIE_AGE). Sessions are not saved on every request (a patient's page
    costs no session write), so a signed-in staff user's session is marked modified here on
    every request: it is saved, and its expiry moves on (an idle timeout, not an absolute one).
    Goes after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (session is not None and user is not None and user.is_authenticated
                and user.is_staff and session.get("_session_expiry") is not None):
            session.set_expiry(None)
        if session is not None and user is not None and user.is_authenticated and user.is_staff:
            session.modified = True  # saved by SessionMiddleware on the way out
        return response


class RequestBodyLimitMiddleware:
    """Request bodies the site never takes are refused before anything reads them.

    No page of the site accepts a file, so a multipart body (an upload) is refused unread:
    Django would otherwise stream its files to the temporary directory before any view could
    say no. So is a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (its Content-Length says so
    before it is read), and a chunked body that gives no length. Goes before anything that
    reads request.POST or request.body (CsrfViewMiddleware, the views); the page, with the
    crisis contacts, is trdintake/errors.py's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        length = meta.get("CONTENT_LENGTH") or ""
        if length and not (length.isascii() and length.isdigit()):
            return errors.bad_request(request)
        if length and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return errors.body_refused(request, errors.TOO_LARGE)
        if not length and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
            return errors.body_refused(request, errors.NO_LENGTH)
        if meta.get("CONTENT_TYPE", "").lower().lstrip().startswith("multipart/"):
            return errors.body_refused(request, errors.UPLOAD)
        return self.get_response(request)
