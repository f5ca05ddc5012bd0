from django.contrib import admin
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """For load balancers: the process is up and routing requests."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers and bookmarks that ask for /favicon.ico get the site's icon, not a 404."""
    return HttpResponseRedirect(static("favicon.svg"))


# Error pages with the crisis contacts that never read the request body (trdintake/errors.py).
handler400 = "trdintake.errors.bad_request"
handler403 = "trdintake.errors.permission_denied"
handler404 = "trdintake.errors.page_not_found"
handler500 = "trdintake.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("", include("intake.urls")),
]
