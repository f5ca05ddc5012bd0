"""Input the site never takes gets a clear 4xx page, never a 500, and never reaches the disk.

Uploads, bodies over the limit and chunked bodies without a length are refused before anything
reads them; a patient's list of medicines stops at what the screening rules take; addresses
with a position no row can have are a 404; a staff username no account can have gets the
wrong-password page without a look-up; the audit export's unknown filter is a 400.
"""

from __future__ import annotations

import socket
import time
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import AuditEvent, MedicationTrial, Submission
from intake.screening.parse import MAX_ITEMS
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import PASSWORD, make_user, staff_login
from tests.fuzz_cases import model_admins
from tests.intake_helpers import PAGES, SERTRALINE, fill_until, load_catalog, url
from tests.live import LiveSite

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
CRISIS = ('href="tel:988"', 'href="tel:911"')


def crisis_page(response, status: int, *texts: str) -> str:
    html = response.content.decode()
    assert response.status_code == status, html[:800]
    for text in (*CRISIS, *texts):
        assert text in html
    return html


# --- bodies refused before they are read ------------------------------------------------------

PATIENT_AND_STAFF_FORMS = [reverse("intake:consent"), url("about-you"), "/admin/login/",
                           reverse("intake:resume")]


@pytest.fixture
def parser_spy():
    """Records every multipart body Django starts to parse (files would be written from it)."""
    with mock.patch.object(MultiPartParser, "parse", autospec=True,
                           side_effect=MultiPartParser.parse) as spy:
        yield spy


@pytest.mark.parametrize("path", PATIENT_AND_STAFF_FORMS)
def test_an_upload_is_refused_before_it_is_parsed_or_stored(client, path, parser_spy, settings,
                                                           tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = encode_multipart(BOUNDARY, {**PAGES["consent"],
                                       "upload": SimpleUploadedFile("notes.pdf", b"x" * 200_000)})
    response = client.generic("POST", path, body, MULTIPART_CONTENT)
    crisis_page(response, 415, "This site does not take files", "Nothing was sent or saved")
    assert parser_spy.call_count == 0
    assert list(tmp_path.iterdir()) == []
    assert not Submission.objects.exists()


def test_a_small_upload_is_refused_too(client, parser_spy):
    body = encode_multipart(BOUNDARY, {**PAGES["consent"],
                                       "upload": SimpleUploadedFile("a.pdf", b"%PDF")})
    response = client.generic("POST", reverse("intake:consent"), body, MULTIPART_CONTENT)
    crisis_page(response, 415, "This site does not take files")
    assert parser_spy.call_count == 0 and not Submission.objects.exists()


def test_a_body_over_the_limit_is_refused_by_its_length(client, settings):
    body = f"full_name={'x' * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}"
    response = client.generic("POST", reverse("intake:consent"), body, FORM)
    crisis_page(response, 413, "What you sent is too large")
    assert not Submission.objects.exists()


def test_a_chunked_body_without_a_length_is_refused(client):
    response = client.generic("POST", reverse("intake:consent"), "age_ok=yes&consent=on", FORM,
                              CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    crisis_page(response, 411, "What you sent could not be read")
    assert not Submission.objects.exists()


@pytest.mark.parametrize("length", ["-1", "12x", "\xb2", " 5"])
def test_a_length_that_is_not_a_number_is_a_400(client, length):
    response = client.generic("POST", reverse("intake:consent"), "age_ok=yes", FORM,
                              CONTENT_LENGTH=length)
    crisis_page(response, 400, "Bad request")
    assert not Submission.objects.exists()


def test_no_staff_page_needs_an_upload(rf, superuser):
    """Refusing multipart bodies breaks no admin form: none of them has a file field."""
    request = rf.get("/admin/")
    request.user = superuser
    forms = [model_admin.get_form(request) for model_admin in model_admins()]
    assert len(forms) >= 5
    assert not [form for form in forms if form().is_multipart()]


def test_a_large_upload_to_the_production_server_is_refused_at_once(tmp_path):
    """gunicorn: the 413 comes back while the body is still being sent, and nothing of it is
    written to the temporary directory."""
    spool = tmp_path / "tmp"
    spool.mkdir()
    site = LiveSite.like_test_database(tmp_path, TMPDIR=str(spool)).setup().start()
    try:
        total = 1_500_000_000
        head = (f"POST /intake/consent/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {total}\r\n\r\n"
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f\"; "
                f"filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", site.port), timeout=10) as sock:
            sock.sendall(head.encode())
            sent = 0
            try:
                for _ in range(16):  # 4 MB of the file: enough for Django to spool it to disk
                    sock.sendall(b"\0" * 256 * 1024)
                    sent += 256 * 1024
            except OSError:
                pass  # the server answered and closed: it reads no more
            seen_in_spool = list(spool.iterdir())
            reply = b""
            while b"\r\n\r\n" not in reply:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        elapsed = time.monotonic() - started
    finally:
        site.teardown()
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert elapsed < 5 and sent < total
    assert seen_in_spool == [] and list(spool.iterdir()) == []


# --- a patient's list of medicines ------------------------------------------------------------

def list_of(sub: Submission, count: int) -> None:
    """Fill the draft's list to `count` medicines, like the first one."""
    first = sub.trials.get()
    MedicationTrial.objects.bulk_create([
        MedicationTrial(**{f.attname: getattr(first, f.attname)
                           for f in MedicationTrial._meta.concrete_fields
                           if f.attname not in ("id", "position", "client_token")},
                        position=position)
        for position in range(2, count + 1)])


@pytest.fixture
def draft(client):
    load_catalog()
    return fill_until(client, "therapy")


def test_the_list_stops_at_what_the_rules_take_and_says_so(client, draft):
    list_of(draft, MAX_ITEMS - 1)
    assert client.post(reverse("intake:medicine_add"), SERTRALINE).status_code == 302
    assert draft.trials.count() == MAX_ITEMS
    crisis_page(client.get(reverse("intake:medicine_add")), 200,
                "Your list of medicines is full", f"This form takes up to {MAX_ITEMS} medicines")
    crisis_page(client.post(reverse("intake:medicine_add"), SERTRALINE), 400,
                f"This form takes up to {MAX_ITEMS} medicines")
    assert draft.trials.count() == MAX_ITEMS
    html = client.get(reverse("intake:medicines")).content.decode()
    assert f"This form takes up to {MAX_ITEMS} medicines" in html and "Remove 1" not in html
    # changing one of them still works
    change = {**SERTRALINE, "dose": "100"}
    assert client.post(reverse("intake:medicine_edit", args=[MAX_ITEMS]), change)[
        "Location"] == reverse("intake:medicines")
    fill_until(client, start="therapy")
    response = client.post(reverse("intake:check"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_submitted and draft.assessments.count() == 1


def test_a_list_longer_than_the_rules_take_is_sent_back_not_a_500(client, draft):
    """A list made before the limit existed: Send goes back to the list, which says how many to
    remove; nothing is submitted."""
    list_of(draft, MAX_ITEMS + 2)
    fill_until(client, start="therapy")
    response = client.post(reverse("intake:check"))
    assert response.status_code == 302 and response["Location"] == reverse("intake:medicines")
    draft.refresh_from_db()
    assert not draft.is_submitted and not draft.assessments.exists()
    crisis_page(client.get(reverse("intake:medicines")), 200, "Remove 2 medicines")


@pytest.mark.parametrize("position", ["9223372036854775808", "99999", "32768", "0", "00000"])
def test_a_position_no_row_can_have_is_a_404(client, draft, position):
    for path in (f"/intake/medicines/{position}/", f"/intake/medicines/{position}/remove/"):
        crisis_page(client.get(path), 404, "Page not found")
        crisis_page(client.post(path, SERTRALINE), 404, "Page not found")
    assert draft.trials.count() == 1


# --- staff sign-in and the audit export -------------------------------------------------------

@pytest.mark.parametrize("username", ["r" * 151, "x" * 300, "reviewer\x00", "\x00"])
def test_a_username_no_account_can_have_gets_the_wrong_password_page(client, reviewer,
                                                                     username):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/admin/login/", {"username": username, "password": "guess"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter the correct username and password for a staff account" in html
    assert "Null characters" not in html
    stem = username.replace("\x00", "")[:100]
    assert not any(stem and stem in query["sql"] for query in queries.captured_queries)
    assert not AccessAttempt.objects.exists()
    # the account itself still logs in
    response = client.post("/admin/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 302


def test_a_nul_byte_in_the_password_gets_the_wrong_password_page(client, reviewer):
    response = client.post("/admin/login/", {"username": "reviewer", "password": "a\x00b"})
    html = response.content.decode()
    assert response.status_code == 200 and "Null characters" not in html
    assert "Please enter the correct username and password for a staff account" in html


def test_an_unknown_filter_on_the_audit_export_is_a_400_that_says_so(client):
    manager = make_user("manager", "managers")
    staff_login(client, manager)
    response = client.get("/admin/intake/auditevent/export/", {"nope__gt": "1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "holds a filter the audit trail does not have" in html
    assert "Today's queue" in html or "today's queue" in html  # the staff site's way back
    assert not AuditEvent.objects.filter(action="audit_exported").exists()
    # a known filter still exports
    assert client.get("/admin/intake/auditevent/export/",
                      {"action": "logged_in"}).status_code == 200

