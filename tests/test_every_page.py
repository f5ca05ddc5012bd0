"""What every page has: the crisis contacts first (from the settings), the security headers, no
inline script or style, the error pages with crisis contacts even without templates, the health
check; and the tests run with the production settings."""

import pytest
from django.test import Client
from django.urls import reverse

from trdintake.middleware import CONTENT_SECURITY_POLICY

# The start page reads the new-form limit of the visitor's address (a notice when used up).
pytestmark = pytest.mark.django_db


def test_start_page_shows_crisis_line_and_is_not_cached(client: Client):
    response = client.get(reverse("intake:start"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Before your first appointment" in html
    assert "If you are in crisis, call or text" in html
    assert 'href="tel:988"' in html
    assert "988 Suicide &amp; Crisis Lifeline" in html
    assert 'href="tel:911"' in html
    assert "not for emergencies" in html
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


def test_crisis_line_comes_before_main_content(client: Client):
    html = client.get("/").content.decode()
    assert html.index("If you are in crisis") < html.index('<main id="main"')


def test_pages_use_no_inline_script_or_style(client: Client):
    html = client.get("/").content.decode()
    assert "<script" not in html
    assert "<style" not in html
    assert "style=" not in html


def test_crisis_numbers_follow_settings(client: Client, settings):
    settings.CRISIS_LINE = "13 11 14"
    settings.CRISIS_LINE_NAME = "Lifeline"
    settings.EMERGENCY_NUMBER = "000"
    html = client.get("/").content.decode()
    assert "13 11 14" in html
    assert "Lifeline" in html
    assert 'href="tel:000"' in html


def test_healthz(client: Client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_unknown_url_gets_404_page_with_crisis_contacts(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="tel:988"' in html
    assert 'href="tel:911"' in html
    assert response["Cache-Control"] == "no-store"


def test_500_page_has_the_configured_crisis_contacts(rf, settings):
    from trdintake.errors import server_error

    settings.CRISIS_LINE, settings.EMERGENCY_NUMBER = "116 123", "999"
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'href="tel:116 123"' in html and 'href="tel:999"' in html
    assert "tel:988" not in html and "tel:911" not in html
    assert "{%" not in html


def test_500_page_without_templates_still_has_crisis_contacts(rf, settings, monkeypatch):
    from trdintake import errors

    def broken(name):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    settings.CRISIS_LINE = "116 123"
    html = errors.server_error(rf.get("/")).content.decode()
    assert 'href="tel:116 123"' in html and 'href="tel:911"' in html


def test_admin_login_page_is_reachable(client: Client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_tests_run_in_production_mode(settings):
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.SECURE_HSTS_SECONDS == 31536000
