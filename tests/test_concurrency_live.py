"""Saves that cannot lose each other, against a real production server.

gunicorn with 2 worker processes of 4 threads each, on a fresh database of the kind the suite
runs on (SQLite file or PostgreSQL). Patients are threads posting with their own cookies and
CSRF tokens; "two tabs" share one browser's cookies. Each race is tried 20 times, and what the
server stored is read back from its database: nothing may be lost, no flag erased, no intake
turned back into a draft, and no request may fail with a server error.

The big load runs (16 patients, thousands of requests) are `make bench-load`.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from tests.intake_helpers import PAGES, SERTRALINE
from tests.live import Browser, LiveSite

TRIES = 20


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # LIVE_WORKERS=4 LIVE_THREADS=4 pytest tests/test_concurrency_live.py: the production shape
    live = LiveSite.like_test_database(
        tmp_path_factory.mktemp("live"), workers=int(os.environ.get("LIVE_WORKERS", "2")),
        threads=int(os.environ.get("LIVE_THREADS", "4"))).setup().start()
    yield live
    live.teardown()


def at_once(*calls: Callable):
    """Run the calls at the same moment, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


def patients(site: LiveSite, count: int, stop: str | None) -> list[Browser]:
    """`count` patients who answered every page before `stop`, prepared 4 at a time."""
    people = [site.browser() for _ in range(count)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda patient: patient.fill_until(stop), people))
    return people


def no_server_errors(responses):
    statuses = [status for status, _location, _html in responses]
    assert all(status < 500 for status in statuses), statuses


def test_submit_while_another_tab_saves_a_page(site):
    people = patients(site, TRIES, stop=None)
    for patient in people:
        no_server_errors(at_once(
            lambda p=patient: p.request("/intake/check/", {}),
            lambda p=patient: p.tab().post_page(
                "depression", {**PAGES["depression"], "episode_months": "30"})))
    for patient in people:
        row = site.submission(patient)
        assert row["status"] == "submitted", row  # never turned back into a draft
        assert row["assessments"] == 1
    # and the submitted intake is locked: a later save changes nothing and says it was sent
    status, _, html = people[0].post_page("depression", {**PAGES["depression"],
                                                         "episode_months": "99"})
    assert status == 409 and "This form has already been sent" in html
    assert site.submission(people[0])["episode_months"] != 99


def test_acute_answer_while_another_tab_saves_a_page(site):
    people = patients(site, TRIES, stop="safety")
    for patient in people:
        assert patient.post_page("safety", {**PAGES["safety"], "asq_wished_dead": "yes"})[0] \
            == 302
    for index, patient in enumerate(people):
        other_page = ("about-you", "phq9", "depression", "history")[index % 4]
        data = {**PAGES[other_page], "full_name": patient.name}
        no_server_errors(at_once(
            lambda p=patient: p.post_page("safety-now", {"asq_thoughts_now": "yes"}),
            lambda p=patient, slug=other_page, d=data: p.tab().post_page(slug, d)))
    for patient in people:
        row = site.submission(patient)
        assert row["safety_level"] == "acute", row  # the flag is never erased
        assert row["alerts"] == 2  # priority, then urgent: each queued once
        assert site.query("SELECT status FROM intake_alert WHERE submission_id = %s AND "
                          "kind = 'priority'", row["id"]) == [("replaced",)]  # one e-mail


def test_two_pages_saved_at_once(site):
    people = patients(site, TRIES, stop=None)
    for patient in people:
        no_server_errors(at_once(
            lambda p=patient: p.post_page("depression", {**PAGES["depression"],
                                                         "episode_months": "31"}),
            lambda p=patient: p.tab().post_page("history", {**PAGES["history"],
                                                            "bipolar_history": "yes"})))
    for patient in people:
        row = site.submission(patient)
        assert (row["episode_months"], row["bipolar_history"]) == (31, "yes"), row


def test_treatments_chosen_while_another_tab_says_how_much_one_helped(site):
    """Both pages write `other_treatments`, each merged into the locked row: the new choice is
    always kept, and the answer "it helped" is either stored or, when the other tab's new
    treatment was read first, shown again (kept, with the new question to answer): never
    silently lost."""
    people = patients(site, TRIES, stop="health")
    outcomes = []
    for patient in people:
        assert patient.post_page("other-treatments", {"tried": ["ect"]})[0] == 302
        responses = at_once(
            lambda p=patient: p.post_page("other-treatments-helped", {"ect": "helped"}),
            lambda p=patient: p.tab().post_page("other-treatments", {"tried": ["ect", "tms"]}))
        no_server_errors(responses)
        outcomes.append(responses[0])
    for patient, (status, _location, html) in zip(people, outcomes, strict=True):
        row = site.submission(patient)
        (stored,), = site.query("SELECT other_treatments FROM intake_submission WHERE id = %s",
                                row["id"])
        stored = json.loads(stored) if isinstance(stored, str) else stored
        if status == 302:
            assert stored == {"ect": "helped", "tms": ""}, stored
        else:
            assert status == 400 and stored == {"ect": "", "tms": ""}, (status, stored)
            assert "Select how much TMS" in html
            assert re.search(r'<input[^>]*value="helped"[^>]* checked', html)


def test_twenty_medicines_added_at_once(site):
    (patient,) = patients(site, 1, stop="medicines")
    tokens = [patient.form_token("/intake/medicines/add/") for _ in range(TRIES)]
    tabs = [patient.tab() for _ in tokens]
    responses = at_once(*[
        lambda tab=tab, token=token, n=n: tab.add_medicine(
            {**SERTRALINE, "dose": str(50 + n)}, token)
        for n, (tab, token) in enumerate(zip(tabs, tokens, strict=True))])
    assert [status for status, _, _ in responses] == [302] * TRIES  # every 302 is a stored row
    row = site.submission(patient)
    assert row["medicationtrials"] == TRIES
    positions = site.query("SELECT position, dose_mg_per_day FROM intake_medicationtrial "
                           "WHERE submission_id = %s ORDER BY position", row["id"])
    assert [position for position, _dose in positions] == list(range(1, TRIES + 1))
    assert sorted(int(dose) for _position, dose in positions) == list(range(50, 50 + TRIES))


def test_the_same_medicine_form_posted_five_times_at_once_stores_one(site):
    (patient,) = patients(site, 1, stop="medicines")
    token = patient.form_token("/intake/medicines/add/")
    tabs = [patient.tab() for _ in range(5)]
    responses = at_once(*[lambda tab=tab: tab.add_medicine(SERTRALINE, token) for tab in tabs])
    assert [status for status, _, _ in responses] == [302] * 5
    assert site.submission(patient)["medicationtrials"] == 1


def test_the_same_consent_form_posted_five_times_at_once_makes_one_draft(site):
    patient = site.browser()
    token = patient.form_token("/intake/consent/")
    tabs = [patient.tab() for _ in range(5)]
    (before,), = site.query("SELECT COUNT(*) FROM intake_submission")
    responses = at_once(*[lambda tab=tab: tab.post_page(
        "consent", {**PAGES["consent"], "client_token": token}) for tab in tabs])
    assert [status for status, _, _ in responses] == [302] * 5
    (after,), = site.query("SELECT COUNT(*) FROM intake_submission")
    assert after - before == 1


def test_one_resume_code_used_by_two_browsers_at_once_opens_one(tmp_path):
    """On a server of its own: every test browser comes from 127.0.0.1, and 4 tries stay under
    the 5 a client may make in 15 minutes."""
    site = LiveSite.like_test_database(tmp_path).setup().start()
    try:
        resume_race(site)
    finally:
        site.teardown()


def resume_race(site):
    dob = {"date_of_birth_month": "3", "date_of_birth_day": "27", "date_of_birth_year": "1985"}
    for _ in range(2):
        (patient,) = patients(site, 1, stop="phq9")
        _, _, html = patient.request("/intake/save/", {})
        code = re.search(r'class="resume-code">\s*([A-Z0-9-]+)', html).group(1)
        others = [site.browser(), site.browser()]
        for other in others:
            other.request("/resume/")
        responses = at_once(*[lambda o=o, c=code: o.request("/resume/", {"code": c, **dob})
                              for o in others])
        assert sorted(status for status, _, _ in responses) == [302, 400]
        winner = others[[status for status, _, _ in responses].index(302)]
        assert winner.request("/intake/phq9/")[0] == 200
        status, _, html = patient.request("/intake/phq9/")  # the first browser lost it
        assert status == 200 and "This form was continued on another device" in html


def test_saving_for_later_while_another_tab_saves_a_page(site):
    people = patients(site, 10, stop="phq9")
    for patient in people:
        no_server_errors(at_once(
            lambda p=patient: p.request("/intake/save/", {}),
            lambda p=patient: p.tab().post_page("depression", {**PAGES["depression"],
                                                               "episode_months": "33"})))
        row = site.submission(patient)
        assert row["episode_months"] == 33 and row["status"] == "draft"
        (code_hash,), = site.query("SELECT resume_code_hash FROM intake_submission "
                                   "WHERE id = %s", row["id"])
        assert code_hash  # both saves kept


def test_eight_patients_at_once_complete_without_a_server_error(site):
    people = [site.browser() for _ in range(8)]

    def whole_intake(patient):
        patient.fill_until()
        return patient.request("/intake/check/", {})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(whole_intake, people))
    no_server_errors(results)
    assert all(site.submission(p)["status"] == "submitted" for p in people)


def test_forty_parallel_wrong_guesses_evaluate_at_most_the_limit(site):
    (patient,) = patients(site, 1, stop="phq9")
    status, _, html = patient.request("/intake/save/", {})
    code = re.search(r'class="resume-code">\s*([A-Z0-9-]+)', html).group(1)
    guessers = [site.browser() for _ in range(40)]
    for guesser in guessers:
        guesser.request("/resume/")  # the CSRF cookie
    wrong = {"code": "AAAAA-BBBBB-CCCCC-DDDDD", "date_of_birth_month": "3",
             "date_of_birth_day": "27", "date_of_birth_year": "1985"}
    responses = at_once(*[lambda g=g: g.request("/resume/", wrong) for g in guessers])
    statuses = sorted(status for status, _, _ in responses)
    (evaluated,), = site.query("SELECT COUNT(*) FROM intake_resumeattempt")
    assert evaluated <= 5
    assert statuses == [400] * evaluated + [429] * (40 - evaluated)
    # and for the rest of the window even the right code is refused from this address
    assert guessers[0].request("/resume/", {**wrong, "code": code})[0] == 429


# --- hostile requests reach a 4xx page that still shows the crisis contacts -------------------

def crisis_page(status: int, html: str, expected: int):
    assert status == expected, html[:500]
    assert 'href="tel:988"' in html and 'href="tel:911"' in html


def test_a_form_posted_in_another_charset_gets_400_with_crisis_contacts(site):
    patient = site.browser()
    patient.form_token("/intake/consent/")  # sets the CSRF cookie
    token = next(c.value for c in patient.jar if c.name == "csrftoken")
    status, _, html = patient.request(
        "/intake/consent/", raw=f"age_ok=yes&consent=on&csrfmiddlewaretoken={token}".encode(),
        content_type="application/x-www-form-urlencoded; charset=iso-8859-1")
    crisis_page(status, html, 400)


def test_a_huge_number_in_a_date_box_is_a_form_error(site):
    (patient,) = patients(site, 1, stop="about-you")
    status, _, html = patient.post_page("about-you", {
        **PAGES["about-you"], "date_of_birth_month": "9" * 30})
    crisis_page(status, html, 400)
    assert "The month must be a number from 1 to 12" in html


def test_the_production_access_log_never_holds_a_staff_search(tmp_path):
    log = tmp_path / "access.log"
    site = LiveSite.like_test_database(tmp_path, GUNICORN_ACCESS_LOG=str(log)).setup()
    site.start(config="python:trdintake.gunicorn")
    try:
        site.browser().request("/admin/intake/submission/?q=Jordan+Secretname")
        site.browser().request("/healthz/?probe=1")
    finally:
        site.teardown()
    text = log.read_text()
    assert '"GET /admin/intake/submission/ HTTP/1.1" 302' in text
    assert '"GET /healthz/ HTTP/1.1" 200' in text
    assert "Secretname" not in text and "?q=" not in text and "probe" not in text


# --- staff: two reviewers saving the same submission at once ----------------------------------

STAFF_KEY = "3132333435363738393031323334353637383930"  # the test authenticator apps' secret
STAFF_SETUP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from intake.staff import roles
roles.ensure_groups()
for name, group in (("rita", roles.REVIEWERS), ("mo", roles.MANAGERS)):
    user = get_user_model().objects.create_user(name, password="race-pass-123456789",
                                                is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    TOTPDevice.objects.create(user=user, name="app", key="{STAFF_KEY}", confirmed=True)
"""


def staff_browser(site: LiveSite, username: str) -> Browser:
    """Signed in as a real staff member would: password, then the authenticator's code."""
    from django_otp.oath import TOTP

    staff = site.browser()
    staff.request("/admin/login/")
    status, location, _ = staff.request("/admin/login/", {
        "username": username, "password": "race-pass-123456789", "next": "/admin/"})
    assert status == 302 and "/admin/mfa/" in location, (status, location)
    code = f"{TOTP(bytes.fromhex(STAFF_KEY)).token():06d}"
    status, location, _ = staff.request("/admin/mfa/", {"token": code, "next": "/admin/"})
    assert (status, location) == (302, "/admin/"), (status, location)
    return staff


def test_two_reviewers_saving_the_same_submission_at_once(site):
    site.manage("shell", "-c", STAFF_SETUP)
    rita, mo = staff_browser(site, "rita"), staff_browser(site, "mo")
    people = patients(site, 10, stop="safety")
    for patient in people:
        patient.post_page("safety", {**PAGES["safety"], "asq_wished_dead": "yes"})
    for index, patient in enumerate(people):
        sub_id = site.submission(patient)["id"]
        path = f"/admin/intake/submission/{sub_id}/change/"
        # a flagged case goes past "Contacted" once someone reached the patient
        assert rita.request(f"/admin/intake/submission/{sub_id}/contact/", {
            "contact-at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "contact-method": "phone", "contact-outcome": "reached", "contact-note": ""},
        )[0] == 302

        rita.request(path)  # both have the page open
        mo.request(path)

        def save(staff, status, note, path=path):
            return staff.request(path, {
                "review_status": status, "initial-review_status": "contacted",
                "assigned_to": "", "initial-assigned_to": "", "note": note})

        responses = at_once(lambda i=index: save(rita, "booked", f"rita {i}"),
                            lambda i=index: save(mo, "closed", f"mo {i}"))
        no_server_errors(responses)
        (status,), = site.query("SELECT review_status FROM intake_submission WHERE id = %s",
                                sub_id)
        assert status in {"booked", "closed"}
        (changes,), = site.query("SELECT COUNT(*) FROM intake_auditevent WHERE action = %s "
                                 "AND object_id = %s", "status_changed", str(sub_id))
        assert changes == 2  # the contact, then one change wins, and only it is recorded
        notes = {text for (text,) in site.query(
            "SELECT text FROM intake_staffnote WHERE submission_id = %s", sub_id)}
        winner = "rita" if status == "booked" else "mo"
        assert f"{winner} {index}" in notes
        loser, (loser_status, _, html) = (("mo", responses[1]) if winner == "rita"
                                         else ("rita", responses[0]))
        if loser_status in (200, 400):  # refused: the form comes back, the note still typed
            assert f"{loser} {index}</textarea>" in html
            assert f"{loser} {index}" not in notes
        else:  # saved after the winner: the note is kept, the status change was refused
            assert f"{loser} {index}" in notes


# --- staff: two managers saving one medicine of the catalog at once ---------------------------

MANAGERS_SETUP = STAFF_SETUP.replace('(("rita", roles.REVIEWERS), ("mo", roles.MANAGERS))',
                                     '(("mia", roles.MANAGERS), ("max", roles.MANAGERS))')
CATALOG_COLUMNS = ("id", "generic_name", "brand_names", "drug_class", "role",
                   "min_adequate_mg_per_day", "usual_max_mg_per_day", "min_dose_source",
                   "active")


def opened_medicine(site: LiveSite, staff: Browser, slug: str) -> tuple[str, dict]:
    """A manager opens a medicine's change page: its address, and the form as the browser
    would post it back unchanged (the values shown and their hidden "initial-" copies)."""
    (row,) = site.query(f"SELECT {', '.join(CATALOG_COLUMNS)} FROM intake_medication "  # noqa: S608
                        "WHERE slug = %s", slug)
    values = dict(zip(CATALOG_COLUMNS, row, strict=True))
    path = f"/admin/intake/medication/{values.pop('id')}/change/"
    status, _, page = staff.request(path)
    assert status == 200, status
    form = {name: unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="(initial-\w+)" value="([^"]*)"', page)}
    assert "initial-usual_max_mg_per_day" in form and "initial-active" in form
    if values.pop("active"):
        form["active"] = "on"
    form.update({name: "" if value is None else str(value) for name, value in values.items()})
    return path, form


def test_two_managers_saving_one_medicine_at_once_keep_both_changes(site):
    site.manage("shell", "-c", MANAGERS_SETUP)
    mia, max_ = staff_browser(site, "mia"), staff_browser(site, "max")
    slugs = [slug for (slug,) in site.query(
        "SELECT slug FROM intake_medication WHERE active AND usual_max_mg_per_day IS NOT NULL "
        "ORDER BY slug")][:10]
    for slug in slugs:
        (path, mias), (_, maxs) = (opened_medicine(site, mia, slug),
                                   opened_medicine(site, max_, slug))
        higher = str(Decimal(mias["usual_max_mg_per_day"]) + 10)
        responses = at_once(
            lambda p=path, f=mias, v=higher: mia.request(p, {**f, "usual_max_mg_per_day": v}),
            lambda p=path, f=maxs: max_.request(
                p, {k: v for k, v in f.items() if k != "active"}))  # unticks "active"
        no_server_errors(responses)
        assert [status for status, _, _ in responses] == [302, 302], [r[2][:2000] for r in
                                                                       responses]
        (usual_max, active), = site.query("SELECT usual_max_mg_per_day, active FROM "
                                          "intake_medication WHERE slug = %s", slug)
        assert (Decimal(str(usual_max)), bool(active)) == (Decimal(higher), False), slug


# --- staff: two reviewers pressing "Try again now" on one alert at once ------------------------

RETRY_SETUP = STAFF_SETUP.replace('(("rita", roles.REVIEWERS), ("mo", roles.MANAGERS))',
                                  '(("ria", roles.REVIEWERS), ("rob", roles.REVIEWERS))') + """
# the alerts of this module's earlier tests are an hour old: these are sent on their own, not
# held for a digest as the eleventh and later alerts within ten minutes would be
from datetime import timedelta
from django.utils import timezone
from intake.models import Alert
Alert.objects.update(created_at=timezone.now() - timedelta(hours=1))
"""


def test_try_again_now_pressed_by_two_reviewers_at_once_leaves_one_task_to_deliver(site):
    """Each press queues a try and makes it the alert's task (the tasks before it do nothing
    when they run): after two at once, the alert's task is one that waits to run."""
    site.manage("shell", "-c", RETRY_SETUP)
    ria, rob = staff_browser(site, "ria"), staff_browser(site, "rob")
    people = patients(site, 5, stop="safety")
    for patient in people:
        assert patient.post_page("safety", {**PAGES["safety"], "asq_wished_dead": "yes"})[0] \
            == 302
        (alert,), = site.query("SELECT a.id FROM intake_alert a JOIN intake_submission s ON "
                               "s.id = a.submission_id WHERE s.full_name = %s", patient.name)
        press = {"action": "retry_now", "_selected_action": [alert]}
        responses = at_once(lambda p=press: ria.request("/admin/intake/alert/", p),
                            lambda p=press: rob.request("/admin/intake/alert/", p))
        no_server_errors(responses)
        assert [status for status, _, _ in responses] == [302, 302]
        (task_id,), = site.query("SELECT task_id FROM intake_alert WHERE id = %s", alert)
        waiting = {str(uuid.UUID(str(row))) for (row,) in site.query(
            "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")}
        assert task_id in waiting


NEW_STAFF_SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from intake.staff import roles
roles.ensure_groups()
for name in ("nina", "noor", "ned"):
    user = get_user_model().objects.create_user(name, password="race-pass-123456789",
                                                is_staff=True)
    user.groups.add(Group.objects.get(name=roles.REVIEWERS))
"""


def test_the_set_up_page_opened_in_tabs_at_once_shows_one_key_that_signs_in(site):
    """A new staff member opens their set-up link, signs in and opens the authenticator set-up
    in several tabs at once (or double-clicks): every tab shows the same key, and a code from
    it signs them in."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    site.manage("shell", "-c", NEW_STAFF_SETUP)
    for name in ("nina", "noor", "ned"):
        staff = site.browser()
        link = site.manage("staff_setup_link", name).split("\n")[1]  # a manager's set-up link
        assert staff.request(link[link.index("/admin/"):])[0] == 302
        staff.request("/admin/login/")
        status, location, _ = staff.request("/admin/login/", {
            "username": name, "password": "race-pass-123456789", "next": "/admin/"})
        assert status == 302 and "/admin/mfa/" in location, (status, location)
        tabs = at_once(*[lambda s=staff: s.request("/admin/mfa/?next=/admin/")] * 6)
        no_server_errors(tabs)
        keys = {re.search(r'class="mfa-secret">([A-Z2-7]+)<', html).group(1)
                for _status, _location, html in tabs}
        assert len(keys) == 1, keys
        assert site.query("SELECT COUNT(*) FROM otp_totp_totpdevice d JOIN auth_user u "
                          "ON u.id = d.user_id WHERE u.username = %s", name) == [(1,)]
        (key,) = keys
        secret = b32decode(key + "=" * (-len(key) % 8))
        code = f"{TOTP(secret).token():06d}"
        assert staff.request("/admin/mfa/", {"token": code, "next": "/admin/"})[:2] == \
            (302, "/admin/")
