"""Forms bound to the browser they were given to, and safety answers never dropped.

A consent form's one-time token finds a draft only from the browser it was given to (a double
click, the back button), never from another one (a shared tablet's history re-sending it), and
not after "Leave on this device". A page posted by a browser that no longer holds its draft
(continued on another device, sent, left on this device, deleted) saves nothing into it, but
its safety answers are acted on: the draft is flagged, a LateAnswer row is stored, the staff
alert is queued, and the patient sees the support page, then a page saying what happened. Every
save of a page with safety questions goes to the same address, flagged or not.

In-process with the test client for the logic; then against a production gunicorn
(tests/live.py) on the suite's database, for each way it was found to fail.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django.urls import reverse

from intake import audit
from intake.models import Alert, AuditEvent, LateAnswer, SafetyLevel, Submission
from tests.intake_helpers import DOB, PAGES, fill_until, form_token, resume_code, url
from tests.live import ORDER, Browser, LiveSite

NEXT = "/intake/next/"
YES_ASQ = dict.fromkeys(PAGES["safety"], "yes")
ITEM9_AT_3 = {**PAGES["phq9"], "item9": "3"}
MOVED = "This form was continued on another device"
SENT = "This form has already been sent"
LEFT = "You left this form on this device"
GONE = "We could not find this form"


def crisis_contacts(html: str) -> bool:
    return 'href="tel:988"' in html and 'href="tel:911"' in html


def draft_ref(html: str) -> str:
    return re.search(r'name="draft" value="([^"]+)"', html).group(1)


def page_with_ref(client, slug: str) -> dict:
    """The hidden fields of a question page as this browser has it open."""
    return {"draft": draft_ref(client.get(url(slug)).content.decode())}


# --- in-process: the logic ------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.usefixtures("catalog")
class TestInProcess:
    def named(self, name: str) -> Submission:
        return Submission.objects.get(full_name=name)

    def victim(self, client, stop="phq9") -> tuple[Submission, str]:
        """A patient who consented with a form (its token returned) and answered until stop."""
        token = form_token(client.get(url("consent")).content.decode())
        assert client.post(url("consent"), {**PAGES["consent"], "client_token": token}) \
            .status_code == 302
        fill_until(client, stop=stop, start="about-you")
        return Submission.objects.get(full_name="Alex Example"), token

    def replay(self, browser, token) -> object:
        return browser.post(url("consent"), {**PAGES["consent"], "client_token": token})

    def assert_fresh_draft(self, browser, response, victim: Submission):
        """The replaying browser got a new, empty draft; the victim's is untouched."""
        assert response.status_code == 302 and response["Location"] == url("about-you")
        html = browser.get(url("about-you")).content.decode()
        assert "Alex Example" not in html and "alex@example.org" not in html
        mine = Submission.objects.exclude(pk=victim.pk).get()
        assert mine.full_name == "" and mine.phq9 == []
        browser.post(url("about-you"), {**PAGES["about-you"], "full_name": "Someone Else"})
        after = Submission.objects.get(pk=victim.pk)
        assert (after.full_name, after.email, after.phq9) == \
            (victim.full_name, victim.email, victim.phq9)

    # consent replayed

    def test_consent_replayed_by_another_browser_starts_a_fresh_draft(self, client):
        victim, token = self.victim(client)
        other = Client()
        other.get(url("consent"))  # its own browser value
        self.assert_fresh_draft(other, self.replay(other, token), victim)

    def test_consent_replayed_by_a_browser_without_its_own_value_starts_a_fresh_draft(
            self, client):
        victim, token = self.victim(client)
        other = Client()
        self.assert_fresh_draft(other, self.replay(other, token), victim)

    def test_consent_replayed_after_leaving_on_this_device_starts_a_fresh_draft(self, client):
        victim, token = self.victim(client)
        client.post(reverse("intake:forget"))
        self.assert_fresh_draft(client, self.replay(client, token), victim)

    def test_consent_replayed_after_the_draft_moved_says_so(self, client):
        victim, token = self.victim(client)
        assert Client().post(reverse("intake:resume"),
                             {"code": resume_code(client), **DOB}).status_code == 302
        response = self.replay(client, token)  # the same browser, its history
        assert response.status_code == 409 and MOVED in response.content.decode()
        assert crisis_contacts(response.content.decode())
        assert Submission.objects.count() == 1
        assert client.get(url("phq9")).status_code == 200  # the moved page, not the form
        assert MOVED in client.get(url("phq9")).content.decode()
        other = Client()  # and from any other browser: a fresh draft
        self.assert_fresh_draft(other, self.replay(other, token), victim)

    def test_consent_replayed_after_sending_says_it_was_sent(self, client):
        victim, token = self.victim(client, stop=None)
        client.post(reverse("intake:check"))
        response = self.replay(client, token)
        assert response.status_code == 409 and SENT in response.content.decode()
        other = Client()
        self.assert_fresh_draft(other, self.replay(other, token), victim)

    def test_the_stored_token_is_not_the_forms_token(self, client):
        victim, token = self.victim(client, stop="depression")
        assert victim.client_token and victim.client_token != token
        assert len(victim.client_token) == 32

    # safety answers posted after the draft left this browser

    def moved_away(self, client) -> Client:
        """Resume the client's draft in another browser; the other browser."""
        other = Client()
        assert other.post(reverse("intake:resume"),
                          {"code": resume_code(client), **DOB}).status_code == 302
        return other

    def assert_support_then_explained(self, client, response, acute: bool, says: str):
        assert response.status_code == 302 and response["Location"] == NEXT
        support = client.get(NEXT)
        html = support.content.decode()
        assert support.status_code == 200 and crisis_contacts(html)
        assert ("Please get help now" if acute else "Help is available") in html
        assert 'class="crisis-panel"' in html
        closed = client.get(reverse("intake:closed"))
        assert f'href="{reverse("intake:closed")}"' in html
        text = closed.content.decode()
        assert says in text and crisis_contacts(text) and "555-0100" in text
        return text

    def test_asq_yes_after_the_draft_moved_is_acted_on(self, client):
        fill_until(client, stop="safety")
        fields = page_with_ref(client, "safety")  # the safety page, open on this browser
        self.moved_away(client)
        response = client.post(url("safety"), {**YES_ASQ, **fields})
        text = self.assert_support_then_explained(client, response, acute=False, says=MOVED)
        assert "added to your form for the clinic" in text
        sub = Submission.objects.get()
        assert sub.safety_level == SafetyLevel.NON_ACUTE and sub.flagged_at is not None
        assert sub.asq_wished_dead is None  # nothing saved into the moved draft
        (late,) = LateAnswer.objects.all()
        assert (late.submission, late.event, late.step, late.level) == \
            (sub, LateAnswer.Event.MOVED, "safety", SafetyLevel.NON_ACUTE)
        assert late.answers == dict.fromkeys(PAGES["safety"], True)
        assert list(Alert.objects.values_list("kind", flat=True)) == [Alert.Kind.PRIORITY]

    def test_phq9_item9_after_the_draft_moved_is_acted_on(self, client):
        fill_until(client, stop="phq9")
        fields = page_with_ref(client, "phq9")
        self.moved_away(client)
        response = client.post(url("phq9"), {**ITEM9_AT_3, **fields})
        self.assert_support_then_explained(client, response, acute=False, says=MOVED)
        sub = Submission.objects.get()
        assert sub.safety_level == SafetyLevel.NON_ACUTE and sub.phq9 == []
        (late,) = LateAnswer.objects.all()
        assert late.answers == {"phq9_item9": 3} and late.step == "phq9"
        assert Alert.objects.count() == 1

    def test_thoughts_now_after_leaving_on_this_device_is_urgent(self, client):
        fill_until(client, stop="safety")
        client.post(url("safety"), {**PAGES["safety"], "asq_wished_dead": "yes"})
        fields = page_with_ref(client, "safety-now")
        client.post(reverse("intake:forget"))
        response = client.post(url("safety-now"), {"asq_thoughts_now": "yes", **fields})
        self.assert_support_then_explained(client, response, acute=True, says=LEFT)
        sub = Submission.objects.get()
        assert sub.safety_level == SafetyLevel.ACUTE and sub.asq_thoughts_now is None
        (late,) = LateAnswer.objects.all()
        assert (late.event, late.level) == (LateAnswer.Event.LEFT, SafetyLevel.ACUTE)
        assert late.answers == {"asq_thoughts_now": True}
        assert sorted(Alert.objects.values_list("kind", flat=True)) == \
            [Alert.Kind.PRIORITY, Alert.Kind.URGENT]

    def test_phq9_item9_from_a_second_tab_after_sending_is_acted_on(self, client):
        fill_until(client)
        fields = page_with_ref(client, "phq9")  # Change, from Check your answers, in a tab
        client.post(reverse("intake:check"))
        response = client.post(url("phq9") + "?return=check", {**ITEM9_AT_3, **fields})
        self.assert_support_then_explained(client, response, acute=False, says=SENT)
        sub = Submission.objects.get()
        assert sub.is_submitted and sub.safety_level == SafetyLevel.NON_ACUTE
        assert sub.phq9[8] == 0  # the sent answers are not changed
        (late,) = LateAnswer.objects.all()
        assert late.event == LateAnswer.Event.SUBMITTED
        assert list(Alert.objects.values_list("kind", flat=True)) == [Alert.Kind.PRIORITY]

    def test_safety_answer_for_a_deleted_draft_shows_support_and_is_audited(self, client):
        fill_until(client, stop="safety")
        fields = page_with_ref(client, "safety")
        pk = Submission.objects.get().pk
        Submission.objects.all().delete()  # purged meanwhile
        response = client.post(url("safety"), {**YES_ASQ, **fields})
        text = self.assert_support_then_explained(client, response, acute=False, says=GONE)
        assert "could not be added to a form" in text
        (event,) = AuditEvent.objects.filter(action=audit.LATE_ANSWER_LOST)
        assert event.detail == {"draft": pk, "step": "safety", "level": "non_acute"}
        assert not LateAnswer.objects.exists()

    def test_a_stale_form_never_writes_into_the_draft_this_browser_holds_now(self, client):
        """A shared tablet: the first patient left, the next started; the first patient's open
        page is posted. It belongs to the first draft, not to the one the browser holds now."""
        fill_until(client, stop="phq9")
        fields = page_with_ref(client, "phq9")
        first = Submission.objects.get()
        client.post(reverse("intake:forget"))
        fill_until(client, stop="phq9")  # the next patient, on the same browser
        second = Submission.objects.exclude(pk=first.pk).get()
        response = client.post(url("phq9"), {**ITEM9_AT_3, **fields})
        assert response["Location"] == NEXT
        second.refresh_from_db()
        assert second.phq9 == [] and second.safety_level == SafetyLevel.NONE
        first.refresh_from_db()
        assert first.safety_level == SafetyLevel.NON_ACUTE
        assert LateAnswer.objects.get().submission == first
        # the next patient carries on with their own draft
        assert client.get(url("phq9")).status_code == 200
        assert client.post(url("phq9"), PAGES["phq9"])["Location"] == NEXT
        assert client.get(NEXT)["Location"] == url("safety")

    # anything else posted after the draft left: a clear page, nothing saved

    def test_other_answers_after_the_draft_moved_get_a_clear_page(self, client):
        fill_until(client, stop="phq9")
        fields = page_with_ref(client, "depression")
        self.moved_away(client)
        response = client.post(url("depression"),
                               {**PAGES["depression"], "episode_months": "99", **fields})
        html = response.content.decode()
        assert response.status_code == 409 and MOVED in html
        assert crisis_contacts(html) and "555-0100" in html
        assert Submission.objects.get().episode_months == 14
        assert not LateAnswer.objects.exists() and not Alert.objects.exists()

    def test_medicine_and_check_pages_after_leaving_get_a_clear_page(self, client):
        fill_until(client)
        medicine = draft_ref(client.get(reverse("intake:medicine_add")).content.decode())
        check = draft_ref(client.get(reverse("intake:check")).content.decode())
        client.post(reverse("intake:forget"))
        for path, data in ((reverse("intake:medicine_add"), {"draft": medicine}),
                           (reverse("intake:check"), {"draft": check})):
            response = client.post(path, data)
            assert response.status_code == 409 and LEFT in response.content.decode()
        sub = Submission.objects.get()
        assert not sub.is_submitted and sub.trials.count() == 1

    def test_safety_page_answered_no_after_the_draft_moved_is_explained(self, client):
        fill_until(client, stop="safety")
        fields = page_with_ref(client, "safety")
        self.moved_away(client)
        response = client.post(url("safety"), {**PAGES["safety"], **fields})
        assert response["Location"] == NEXT  # the same address as with a yes
        assert client.get(NEXT)["Location"] == reverse("intake:closed")
        assert MOVED in client.get(reverse("intake:closed")).content.decode()
        assert not LateAnswer.objects.exists()
        assert Submission.objects.get().safety_level == SafetyLevel.NONE

    def test_a_forged_draft_reference_is_ignored(self, client):
        fill_until(client, stop="phq9")
        response = client.post(url("phq9"), {**PAGES["phq9"], "draft": "1:forged"})
        assert response["Location"] == NEXT
        assert Submission.objects.get().phq9 == [2, 2, 2, 2, 1, 2, 1, 1, 0]

    def test_every_save_of_a_safety_page_goes_to_the_same_address(self, client):
        flagged, unflagged = client, Client()
        fill_until(flagged, stop="phq9")
        fill_until(unflagged, stop="phq9")
        assert flagged.post(url("phq9"), ITEM9_AT_3)["Location"] == \
            unflagged.post(url("phq9"), PAGES["phq9"])["Location"] == NEXT
        assert "Help is available" in flagged.get(NEXT).content.decode()
        assert unflagged.get(NEXT)["Location"] == url("safety")
        assert flagged.post(url("safety"), PAGES["safety"])["Location"] == \
            unflagged.post(url("safety"), PAGES["safety"])["Location"] == NEXT
        assert "/intake/support/" not in flagged.get(NEXT).content.decode()


# --- live: a production gunicorn -----------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    live = LiveSite.like_test_database(tmp_path_factory.mktemp("stale")).setup().start()
    yield live
    live.teardown()


def ref_of(browser: Browser, path: str) -> str:
    status, _, html = browser.request(path)
    assert status == 200, (path, status)
    return draft_ref(html)


def row(site: LiveSite, name: str) -> dict:
    columns = ("id", "status", "safety_level", "full_name", "email", "phq9", "asq_wished_dead")
    (found,) = site.query(f"SELECT {', '.join(columns)} FROM intake_submission "  # noqa: S608
                          "WHERE full_name = %s", name)
    return dict(zip(columns, found, strict=True))


def late_answers(site: LiveSite, pk: int) -> list[tuple]:
    return site.query("SELECT event, step, level FROM intake_lateanswer WHERE submission_id = %s",
                      pk)


def alerts_of(site: LiveSite, pk: int) -> list[str]:
    return sorted(kind for (kind,) in site.query(
        "SELECT kind FROM intake_alert WHERE submission_id = %s", pk))


def consented(site: LiveSite) -> tuple[Browser, str]:
    """A patient who gave consent with a form, and that form's token; then answered About you."""
    patient = site.browser()
    patient.request("/")
    token = patient.form_token("/intake/consent/")
    assert patient.post_page("consent", {**PAGES["consent"], "client_token": token})[0] == 302
    assert patient.post_page("about-you", {**PAGES["about-you"], "full_name": patient.name})[0] \
        == 302
    return patient, token


def replay(browser: Browser, token: str):
    browser.request("/intake/consent/")  # its CSRF cookie, from a page it opened
    return browser.post_page("consent", {**PAGES["consent"], "client_token": token})


def live_resume(site: LiveSite, patient: Browser) -> Browser:
    _, _, html = patient.request("/intake/save/", {})
    code = re.search(r'class="resume-code">\s*([A-Z0-9-]+)', html).group(1)
    other = site.browser()
    other.request("/resume/")
    assert other.request("/resume/", {"code": code, **DOB})[0] == 302
    return other


def assert_untouched(site: LiveSite, victim: Browser, replayer: Browser, response):
    status, location, html = response
    assert victim.name not in html
    if status == 302:  # a fresh draft: About you asks again, with nothing of the victim's
        assert location == "/intake/about-you/"
        _, _, page = replayer.request("/intake/about-you/")
        assert victim.name not in page and "alex@example.org" not in page
        assert replayer.post_page("about-you", {**PAGES["about-you"],
                                                "full_name": replayer.name})[0] == 302
    else:
        assert status == 409 and crisis_contacts(html), (status, html[:300])
    assert row(site, victim.name)["email"] == "alex@example.org"


def test_live_consent_replayed_by_a_second_browser(site):
    victim, token = consented(site)
    other = site.browser()
    assert_untouched(site, victim, other, replay(other, token))


def test_live_consent_replayed_after_leaving_on_this_device(site):
    victim, token = consented(site)
    assert victim.request("/intake/forget/", {})[0] == 302
    shared = Browser(site.base, victim.jar)  # the same tablet, the next patient
    assert_untouched(site, victim, shared, replay(shared, token))


def test_live_consent_replayed_after_resuming_elsewhere(site):
    victim, token = consented(site)
    elsewhere = live_resume(site, victim)
    response = replay(victim, token)
    assert response[0] == 409 and MOVED in response[2]
    assert_untouched(site, victim, victim, response)
    other = site.browser()
    assert_untouched(site, victim, other, replay(other, token))
    assert elsewhere.request("/intake/depression/")[0] == 200  # still the patient's


def test_live_consent_replayed_after_sending(site):
    victim, token = consented(site)
    for slug in ORDER[ORDER.index("depression"):]:
        if slug == "medicines":
            assert victim.add_medicine()[0] == 302
            victim.request("/intake/medicines/", {"add_another": "no"})
        else:
            assert victim.post_page(slug)[0] == 302
    assert victim.request("/intake/check/", {})[1].startswith("/results/")
    response = replay(victim, token)
    assert response[0] == 409 and SENT in response[2]
    other = site.browser()
    assert_untouched(site, victim, other, replay(other, token))


def test_live_consent_replayed_by_two_browsers_at_once(site):
    """The patient's own double click and another browser's replay, all at the same moment:
    the patient keeps one draft; the other browser gets one of its own."""
    victim = site.browser()
    victim.request("/")
    token = victim.form_token("/intake/consent/")
    other = site.browser()
    other.request("/intake/consent/")  # its CSRF cookie and browser value
    barrier = threading.Barrier(3)

    def post(browser):
        barrier.wait()
        return browser.post_page("consent", {**PAGES["consent"], "client_token": token})

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(post, [victim, victim.tab(), other]))
    assert [status for status, _, _ in results] == [302] * 3
    assert victim.post_page("about-you", {**PAGES["about-you"], "full_name": victim.name})[0] \
        == 302
    assert other.post_page("about-you", {**PAGES["about-you"], "full_name": other.name})[0] \
        == 302
    assert row(site, victim.name)["id"] != row(site, other.name)["id"]
    (drafts,), = site.query("SELECT COUNT(*) FROM intake_submission WHERE full_name IN (%s, %s)",
                            victim.name, other.name)
    assert drafts == 2


def follow(browser: Browser, location: str) -> str:
    """The page at the end of the redirects from here."""
    for _ in range(3):
        status, next_location, html = browser.request(location)
        if status != 302:
            assert status == 200, (location, status)
            return html
        location = next_location
    raise AssertionError("too many redirects")


def late_yes(site: LiveSite, patient: Browser, slug: str, data: dict, ref: str, says: str):
    """Post a stale page's safety answers; the support page, then the explanation."""
    status, location, _ = patient.request(f"/intake/{slug}/", {**data, "draft": ref})
    assert (status, location) == (302, NEXT)
    status, _, html = patient.request(NEXT)
    assert status == 200 and "Help is available" in html and crisis_contacts(html)
    status, _, html = patient.request("/intake/closed/")
    assert status == 200 and says in html and crisis_contacts(html)


@pytest.mark.parametrize(("slug", "data", "answers"), [
    ("safety", YES_ASQ, ("safety",)), ("phq9", ITEM9_AT_3, ("phq9",))])
def test_live_safety_answer_after_resuming_elsewhere(site, slug, data, answers):
    patient = site.browser()
    patient.fill_until(stop=slug)
    ref = ref_of(patient, f"/intake/{slug}/")
    live_resume(site, patient)
    late_yes(site, patient, slug, data, ref, MOVED)
    found = row(site, patient.name)
    assert found["safety_level"] == "non_acute" and found["asq_wished_dead"] is None
    assert late_answers(site, found["id"]) == [("moved", slug, "non_acute")]
    assert alerts_of(site, found["id"]) == ["priority"]


def test_live_safety_answer_after_leaving_on_this_device(site):
    patient = site.browser()
    patient.fill_until(stop="safety")
    ref = ref_of(patient, "/intake/safety/")
    assert patient.request("/intake/forget/", {})[0] == 302
    late_yes(site, patient, "safety", YES_ASQ, ref, LEFT)
    found = row(site, patient.name)
    assert found["safety_level"] == "non_acute"
    assert late_answers(site, found["id"]) == [("left", "safety", "non_acute")]
    assert alerts_of(site, found["id"]) == ["priority"]


def test_live_safety_answer_for_a_deleted_draft(site):
    patient = site.browser()
    patient.fill_until(stop="safety")
    ref = ref_of(patient, "/intake/safety/")
    pk = row(site, patient.name)["id"]
    site.manage("shell", "-c", f"from intake.models import Submission; "
                f"Submission.objects.filter(pk={pk}).delete()")
    late_yes(site, patient, "safety", YES_ASQ, ref, GONE)
    (detail,), = site.query("SELECT detail FROM intake_auditevent WHERE action = %s",
                            audit.LATE_ANSWER_LOST)
    assert str(pk) in str(detail) and "asq" not in str(detail)


def test_live_phq9_item9_from_a_second_tab_while_sending(site):
    """"Send" in one tab, PHQ-9 item 9 = 3 from another at the same moment, 20 times: the
    answer is never dropped, whichever came first: saved and flagged before the sending, or
    flagged as a late answer after it."""
    people = [site.browser() for _ in range(20)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: p.fill_until(), people))
    for patient in people:
        ref = ref_of(patient, "/intake/phq9/?return=check")
        barrier = threading.Barrier(2)

        def send(p=patient, b=barrier):
            b.wait()
            return p.request("/intake/check/", {})

        def change(p=patient, r=ref, b=barrier):
            b.wait()
            return p.tab().request("/intake/phq9/?return=check", {**ITEM9_AT_3, "draft": r})

        with ThreadPoolExecutor(2) as pool:
            sent, changed = pool.submit(send), pool.submit(change)
            sent, changed = sent.result(), changed.result()
        assert sent[0] == 302 and changed[0] == 302, (sent[:2], changed[:2])
        assert crisis_contacts(follow(patient, changed[1]))  # the support or results page
    for patient in people:
        found = row(site, patient.name)
        assert found["status"] == "submitted"
        assert found["safety_level"] == "non_acute", found
        assert alerts_of(site, found["id"]) == ["priority"]


def test_live_other_answers_after_resuming_elsewhere_get_a_clear_page(site):
    patient = site.browser()
    patient.fill_until(stop="phq9")
    ref = ref_of(patient, "/intake/depression/")
    live_resume(site, patient)
    status, location, html = patient.request(
        "/intake/depression/", {**PAGES["depression"], "episode_months": "99", "draft": ref})
    assert status == 409 and MOVED in html and crisis_contacts(html) and "555-0100" in html
    (months,), = site.query("SELECT episode_months FROM intake_submission WHERE full_name = %s",
                            patient.name)
    assert months == 14


def test_live_the_access_log_does_not_tell_who_answered_yes(tmp_path):
    """Every address in the access log of patients who answered yes (PHQ-9 item 9, the ASQ,
    thoughts of killing themselves right now) is one a patient who answered no also visits."""
    log = tmp_path / "access.log"
    live = LiveSite.like_test_database(tmp_path, GUNICORN_ACCESS_LOG=str(log)).setup()
    live.start(config="python:trdintake.gunicorn")
    asq_yes = {**PAGES["safety"], "asq_wished_dead": "yes"}
    journeys = (("none", PAGES["phq9"], PAGES["safety"]),
                ("non_acute", ITEM9_AT_3, PAGES["safety"]),
                ("acute", PAGES["phq9"], asq_yes))
    lines_after = {}
    try:
        for level, phq9, safety in journeys:
            patient = live.browser()
            patient.fill_until(stop="phq9")
            pages = [("phq9", phq9), ("safety", safety)]
            if level == "acute":
                pages.append(("safety-now", {"asq_thoughts_now": "yes"}))
            for slug, data in pages:
                status, location, _ = patient.post_page(slug, data)
                assert (status, location) == (302, NEXT)
                status, location, html = patient.request(NEXT)
                if status == 200:  # the support page: its Continue link
                    location = re.search(r'href="([^"]+)">Continue with the form', html).group(1)
                patient.request(location.replace("&amp;", "&"))
            assert row(live, patient.name)["safety_level"] == level
            time.sleep(0.5)  # the access log is written after the response
            lines_after[level] = len(log.read_text().splitlines())
    finally:
        live.teardown()
    lines = log.read_text().splitlines()
    paths = [re.search(r'"(?:GET|POST) (\S+) HTTP', line).group(1) for line in lines]
    answered_no = set(paths[:lines_after["none"]])
    answered_yes = set(paths[lines_after["none"]:])
    assert "/intake/support/" not in answered_yes
    assert not any("safety-now" in path for path in paths)
    assert answered_yes <= answered_no, answered_yes - answered_no
    assert paths.count(NEXT) == 2 + 2 + 3
