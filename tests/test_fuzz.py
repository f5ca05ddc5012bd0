"""A small fuzz run, in-process: 300 malformed and hostile requests (tests/fuzz_cases.py) over
every patient and staff address, from nobody, a patient part-way through the form, a reviewer
and a manager. None may get a server error. `make bench-fuzz` runs many more against a
production gunicorn (benchmarks/fuzz.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from intake.demo import create_submission
from tests.admin_helpers import make_user, staff_login
from tests.fuzz_cases import Case, cases, site_paths
from tests.intake_helpers import fill_until, load_catalog

REQUESTS = 300
SEED = 20261204


def meta(case: Case) -> dict:
    """The request's headers and body framing as the test client takes them."""
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value
             for name, value in case.headers.items()}
    if case.chunked:
        extra.update(CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    if case.claimed_length is not None:
        extra["CONTENT_LENGTH"] = str(case.claimed_length)
    return extra


class Senders:
    """A client per sender, signed in again whenever a request ended its session (a log-out,
    "forget my answers"), so that every request is sent as who it says."""

    def __init__(self):
        self.staff = {"reviewer": make_user("reviewer", "reviewers"),
                      "manager": make_user("manager", "managers")}
        self.clients = {}

    def __getitem__(self, sender: str) -> Client:
        client = self.clients.get(sender)
        if client is None or (sender == "patient" and "sessionid" not in client.cookies):
            client = self.clients[sender] = Client(raise_request_exception=False)
            if sender == "patient":
                fill_until(client, "therapy")
        if sender in self.staff:
            staff_login(client, self.staff[sender])
        return client


@pytest.fixture
def senders(transactional_db):
    load_catalog()
    create_submission(name="Demo Patient 01", safety="acute")
    return Senders()


def test_every_address_is_covered(senders):
    paths = site_paths()
    for expected in ("/intake/consent/", "/intake/medicines/1/remove/", "/resume/",
                     "/admin/login/", "/admin/mfa/", "/admin/intake/auditevent/export/",
                     "/admin/intake/staffsetuplink/add/", "/admin/set-up/" + "x" * 43 + "/"):
        assert expected in paths
    assert any(path.endswith("/print/") for path in paths)


def test_hostile_requests_never_get_a_server_error(senders):
    paths, failures = site_paths(), []
    for case in cases(SEED, REQUESTS, paths):
        response = senders[case.sender].generic(
            case.method, case.path, case.body or b"", case.content_type or "", **meta(case))
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {case}")
    assert not failures, "\n".join(failures)
