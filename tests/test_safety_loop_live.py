"""The safety loop through a production gunicorn, for the ways it was found to break that the
other live tests do not cover: a superuser's corrected safety answers, one e-mail per case and
level, a burst of urgent forms, and what a flagged patient is told next."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest

from tests.intake_helpers import PAGES
from tests.live import Browser, LiveSite
from tests.test_concurrency_live import STAFF_KEY, staff_browser

ITEM9_AT_3 = {**PAGES["phq9"], "item9": "3"}
ASQ_YES = {**PAGES["safety"], "asq_wished_dead": "yes"}
USUAL_REVIEW_TIME = "3 working days"

SUPERUSER_SETUP = f"""
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
user = get_user_model().objects.create_superuser("sam", password="race-pass-123456789")
TOTPDevice.objects.create(user=user, name="app", key="{STAFF_KEY}", confirmed=True)
"""


@pytest.fixture
def site(tmp_path):
    live = LiveSite.like_test_database(tmp_path).setup().start()
    yield live
    live.teardown()


class FormFields(HTMLParser):
    """The values a browser would post for the form with this id: text boxes, ticked boxes and
    chosen radios, selected options and text areas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None
        self.first_option = self.chosen = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self.fields.append((name, attrs.get("value", "")))
            elif "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on")))
        elif tag == "select":
            self.select, self.first_option, self.chosen = name, None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.fields.append((self.select, attrs.get("value", "")))
                self.chosen = True
        elif tag == "textarea":
            self.textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data):
        if self.textarea:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.chosen and self.first_option is not None:  # a browser sends the first
                self.fields.append((self.select, self.first_option))
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def submitted(site: LiveSite, phq9: dict, safety: dict, now: str | None = None) -> Browser:
    """A patient who answered every page with these PHQ-9 and safety answers and sent it."""
    patient = site.browser()
    patient.fill_until(stop="phq9")
    assert patient.post_page("phq9", phq9)[0] == 302
    assert patient.post_page("safety", safety)[0] == 302
    if now is not None:
        assert patient.post_page("safety-now", {"asq_thoughts_now": now})[0] == 302
    remaining = ("medicines", "therapy", "therapy-details", "other-treatments", "health")
    for slug in remaining:
        if slug == "medicines":
            assert patient.add_medicine()[0] == 302
            assert patient.request("/intake/medicines/", {"add_another": "no"})[0] == 302
        else:
            assert patient.post_page(slug)[0] == 302, slug
    status, location, _ = patient.request("/intake/check/", {})
    assert status == 302 and location.startswith("/results/"), (status, location)
    patient.results = location
    return patient


def alerts_of(site: LiveSite, patient: Browser) -> dict[str, str]:
    return dict(site.query(
        "SELECT a.kind, a.status FROM intake_alert a JOIN intake_submission s "
        "ON s.id = a.submission_id WHERE s.full_name = %s", patient.name))


def test_live_a_superuser_correcting_the_asq_to_yes_raises_the_flag(site):
    """Before: "Safety: no flag" above "Thoughts of killing themselves right now: Yes", and no
    alert. Now the corrected answers raise the level, and the urgent alert is queued."""
    patient = submitted(site, PAGES["phq9"], PAGES["safety"])
    sub_id = site.submission(patient)["id"]
    assert site.submission(patient)["safety_level"] == "none"
    site.manage("shell", "-c", SUPERUSER_SETUP)
    sam = staff_browser(site, "sam")
    path = f"/admin/intake/submission/{sub_id}/change/"
    status, _, html = sam.request(path)
    assert status == 200
    fields = [(name, value) for name, value in form_fields(html, "submission_form")
              if not name.startswith("asq_")]
    fields += [("asq_wished_dead", "true"), ("asq_better_off_dead", "false"),
               ("asq_thoughts_past_week", "false"), ("asq_ever_attempted", "false"),
               ("asq_thoughts_now", "true"), ("_continue", "Save")]
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    status, location, html = sam.request(path, data)
    errors = html[html.find('errornote'):][:1500] if 'errornote' in html else html[-3000:]
    assert status == 302, errors
    assert site.submission(patient)["safety_level"] == "acute"
    assert alerts_of(site, patient) == {"urgent": "pending"}
    _, _, html = sam.request(path)
    assert "no flag" not in html.lower().split("thoughts of killing")[0]


def test_live_an_urgent_flag_replaces_the_priority_alert_not_yet_sent(site):
    """Before: "Priority", then "Urgent": two e-mails for one case. Now the priority alert still
    waiting is replaced: one e-mail per case and level."""
    patient = site.browser()
    patient.fill_until(stop="phq9")
    assert patient.post_page("phq9", ITEM9_AT_3)[0] == 302
    assert alerts_of(site, patient) == {"priority": "pending"}  # no worker runs here
    assert patient.post_page("safety", ASQ_YES)[0] == 302
    assert patient.post_page("safety-now", {"asq_thoughts_now": "yes"})[0] == 302
    assert site.submission(patient)["safety_level"] == "acute"
    assert alerts_of(site, patient) == {"priority": "replaced", "urgent": "pending"}


def test_live_twenty_urgent_forms_at_once_make_ten_alerts_and_one_digest(site):
    """Before: 20 fake urgent cases from one address in a second sent 40 e-mails at once. Now
    the first ten alerts go on their own and the rest are held for one digest e-mail, which
    the worker's next sweep queues."""
    people = [site.browser() for _ in range(20)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda patient: patient.fill_until(stop="safety"), people))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda patient: patient.post_page("safety", ASQ_YES)[0],
                                 people))
    assert statuses == [302] * 20
    counts = dict(site.query("SELECT status, COUNT(*) FROM intake_alert GROUP BY status"))
    assert counts == {"pending": 10, "held": 10}, counts
    site.manage("shell", "-c", "from django.utils import timezone\n"
                               "from intake.delivery import escalation\n"
                               "escalation.queue_due(timezone.now())")
    counts = dict(site.query("SELECT status, COUNT(*) FROM intake_alert GROUP BY status"))
    assert counts == {"pending": 10, "sent": 10}, counts
    digests = site.query("SELECT body FROM intake_outgoingemail WHERE kind = 'digest'")
    assert len(digests) == 1
    references = {ref for (ref,) in site.query(
        "SELECT s.reference FROM intake_alert a JOIN intake_submission s "
        "ON s.id = a.submission_id WHERE a.status = 'sent'")}
    assert all(reference in digests[0][0] for reference in references)


@pytest.mark.parametrize(("phq9", "safety", "now", "says"), [
    (ITEM9_AT_3, PAGES["safety"], None, "soon"),
    (PAGES["phq9"], ASQ_YES, "yes", "as a matter of urgency"),
])
def test_live_a_flagged_patients_results_never_give_the_usual_review_time(
        site, phq9, safety, now, says):
    """Before: "as a matter of urgency" and, lower down, "within 3 working days". Now what
    happens next matches the level."""
    patient = submitted(site, phq9, safety, now)
    status, _, html = patient.request(patient.results)
    assert status == 200
    assert says in html and USUAL_REVIEW_TIME not in html
    unflagged = submitted(site, PAGES["phq9"], PAGES["safety"])
    assert USUAL_REVIEW_TIME in unflagged.request(unflagged.results)[2]
