"""Nothing a staff member does on the staff site hides a safety flag: a flagged draft, or one
with an alert not yet delivered, is never deleted (and no draft goes without a confirmation page
naming it); a superuser's corrected safety answer raises the level and queues the alert; a
level is lowered only by a clinician, with a reason kept as their note, audited."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from intake.models import (
    Alert,
    AuditEvent,
    ReviewStatus,
    SafetyLevel,
    StaffNote,
    Submission,
)
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import (
    CHANGELIST,
    answers_data,
    change_url,
    create_submission,
    make_user,
    staff_login,
    url,
)
from tests.intake_helpers import PAGES
from tests.live import LiveSite
from tests.test_concurrency_live import STAFF_SETUP, patients, staff_browser

pytestmark = pytest.mark.django_db

REASON = "Called the patient: the answers were about a relative; safety plan discussed."


def actions(action: str, sub: Submission | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(action=action)
    if sub is not None:
        rows = rows.filter(object_id=str(sub.pk))
    return list(rows.order_by("at", "id"))


def alert_for(sub: Submission, status: str) -> Alert:
    return Alert.objects.create(submission=sub, kind=Alert.Kind.SUBMITTED, status=status,
                                link="https://clinic.example/admin/")


def first_screen_heading(html: str) -> str:
    start = html.index('id="s-safety"')
    return html[start:html.index("</h3>", start)]


# --- deleting drafts ------------------------------------------------------------------------

@pytest.fixture
def drafts(catalog, submission):
    plain = create_submission(name="Demo Patient 41", submitted=False)
    flagged = create_submission(name="Demo Patient 42", submitted=False,
                                safety=SafetyLevel.NON_ACUTE)
    waiting = create_submission(name="Demo Patient 43", submitted=False)
    alert_for(waiting, Alert.Status.PENDING)
    delivered = create_submission(name="Demo Patient 44", submitted=False)
    alert_for(delivered, Alert.Status.SENT)
    return {"plain": plain, "flagged": flagged, "waiting": waiting, "delivered": delivered,
            "submitted": submission}


def test_delete_the_selected_drafts_asks_first_and_keeps_flags_and_undelivered_alerts(
        manager_client, manager, drafts):
    everything = [sub.pk for sub in drafts.values()]
    response = manager_client.post(CHANGELIST, {"action": "delete_drafts", "index": 0,
                                                "_selected_action": everything})
    assert response.status_code == 200
    assert Submission.objects.count() == 5  # nothing gone before "Yes"
    html = response.content.decode()
    going = html[html.index('id="will-go"'):html.index('id="kept-back"')]
    kept = html[html.index('id="kept-back"'):]
    for name in ("plain", "delivered"):
        assert drafts[name].reference in going and drafts[name].reference not in kept
        assert f'name="_selected_action" value="{drafts[name].pk}"' in html
    for name, why in (("flagged", "safety flag"), ("waiting", "has not been delivered"),
                      ("submitted", "clinical record")):
        ref = drafts[name].reference
        assert ref in kept and ref not in going
        assert why in kept[kept.index(ref):].split("</li>")[0]
        assert f'name="_selected_action" value="{drafts[name].pk}"' not in html
    assert "Yes, delete these 2 drafts" in html
    assert {(e.object_repr, e.detail["reason"]) for e in actions("delete_refused")} == {
        (drafts["flagged"].reference, "flagged"),
        (drafts["waiting"].reference, "undelivered_alert"),
        (drafts["submitted"].reference, "submitted")}

    # "Yes": even a forged confirmation naming every row deletes only the two
    response = manager_client.post(CHANGELIST, {"action": "delete_drafts", "post": "yes",
                                                "_selected_action": everything})
    assert response.status_code == 302
    left = set(Submission.objects.values_list("pk", flat=True))
    assert left == {drafts[n].pk for n in ("flagged", "waiting", "submitted")}
    assert Alert.objects.filter(submission=drafts["waiting"], status="pending").exists()
    assert {e.object_repr for e in actions("draft_deleted")} == {
        drafts["plain"].reference, drafts["delivered"].reference}
    assert all(e.actor == manager for e in actions("draft_deleted"))
    page = manager_client.get(CHANGELIST).content.decode()
    assert "Deleted 2 draft(s)" in page and "Kept back" in page


def test_a_draft_flagged_after_the_confirmation_page_is_kept(manager_client, catalog):
    draft = create_submission(name="Demo Patient 45", submitted=False)
    response = manager_client.post(CHANGELIST, {"action": "delete_drafts", "index": 0,
                                                "_selected_action": [draft.pk]})
    assert draft.reference in response.content.decode()
    Submission.objects.filter(pk=draft.pk).update(safety_level=SafetyLevel.ACUTE)
    manager_client.post(CHANGELIST, {"action": "delete_drafts", "post": "yes",
                                     "_selected_action": [draft.pk]})
    assert Submission.objects.filter(pk=draft.pk).exists()
    assert not actions("draft_deleted")
    assert actions("delete_refused", draft)[-1].detail == {"reason": "flagged"}


def test_a_drafts_own_delete_page_names_it_and_keeps_a_flagged_one(manager_client, drafts):
    flagged_url = reverse("admin:intake_submission_delete", args=[drafts["flagged"].pk])
    html = manager_client.get(flagged_url).content.decode()
    assert "Nothing will be deleted." in html and drafts["flagged"].reference in html
    assert "Yes, delete" not in html
    assert manager_client.post(flagged_url, {"post": "yes"}).status_code == 302
    assert Submission.objects.filter(pk=drafts["flagged"].pk).exists()
    plain_url = reverse("admin:intake_submission_delete", args=[drafts["plain"].pk])
    html = manager_client.get(plain_url).content.decode()
    assert "Yes, delete this draft" in html and drafts["plain"].reference in html
    assert Submission.objects.filter(pk=drafts["plain"].pk).exists()
    assert manager_client.post(plain_url, {"post": "yes"}).status_code == 302
    assert not Submission.objects.filter(pk=drafts["plain"].pk).exists()


# --- a superuser's corrected answers --------------------------------------------------------

def test_a_superuser_correcting_the_asq_to_yes_raises_the_level_and_queues_the_alert(
        client, superuser, catalog):
    sub = create_submission(name="Demo Patient 46", safety=SafetyLevel.NONE)
    staff_login(client, superuser)
    heading = first_screen_heading(client.get(change_url(sub)).content.decode())
    assert "no flag" in heading
    response = client.post(change_url(sub), answers_data(
        sub, asq_wished_dead="true", asq_thoughts_now="true"))
    assert response.status_code == 302, response.content.decode()[:3000]
    sub.refresh_from_db()
    assert sub.asq_wished_dead is True
    assert sub.safety_level == SafetyLevel.ACUTE and sub.flagged_at is not None
    assert Alert.objects.filter(submission=sub, kind=Alert.Kind.URGENT,
                                status=Alert.Status.PENDING).exists()
    [event] = actions("answers_corrected", sub)
    assert {"asq_wished_dead", "asq_thoughts_now"} <= set(event.detail["fields"])
    html = client.get(change_url(sub)).content.decode()
    assert "no flag" not in first_screen_heading(html) and "Urgent" in first_screen_heading(html)
    assert "raise the safety level to “Urgent”" in html


# --- lowering a safety level ----------------------------------------------------------------

def test_lowering_a_level_needs_a_reason_is_audited_and_writes_the_note(
        reviewer_client, reviewer, catalog):
    sub = create_submission(name="Demo Patient 48", safety=SafetyLevel.ACUTE)
    page = reviewer_client.get(change_url(sub)).content.decode()
    assert url("lower_safety", sub) in page
    form = reviewer_client.get(url("lower_safety", sub)).content.decode()
    assert re.findall(r'name="level" value="(\w+)"', form) == ["none", "non_acute"]
    response = reviewer_client.post(url("lower_safety", sub), {"level": "none", "seen": "acute",
                                                               "reason": "  "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    sub.refresh_from_db()
    assert sub.safety_level == SafetyLevel.ACUTE
    assert not StaffNote.objects.exists() and not actions("safety_lowered")

    response = reviewer_client.post(url("lower_safety", sub), {"level": "none", "seen": "acute",
                                                               "reason": REASON})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.safety_level == SafetyLevel.NONE
    [note] = StaffNote.objects.filter(submission=sub)
    assert note.author == reviewer and REASON in note.text
    assert "from “Urgent” to “None”" in note.text
    [event] = actions("safety_lowered", sub)
    assert event.actor == reviewer
    assert event.detail == {"old": "acute", "new": "none", "note_id": note.pk}
    assert "relative" not in json.dumps(event.detail)

    html = reviewer_client.get(change_url(sub)).content.decode()
    heading = first_screen_heading(html)
    assert "no flag" not in heading and "lowered by a clinician" in heading
    assert "The answers below call for “Urgent”." in html
    assert "Lowered from “Urgent” to “None” by Reviewer Staff" in html
    audit_html = make_manager_view_audit(sub)
    assert "Lowered the safety level" in audit_html
    assert f"From “Urgent” to “None”; the reason is note #{note.pk}" in audit_html

    # a lowered case closes without a recorded contact
    assert reviewer_client.post(change_url(sub), {
        "review_status": "closed", "initial-review_status": "new", "assigned_to": "",
        "initial-assigned_to": ""}).status_code == 302
    sub.refresh_from_db()
    assert sub.review_status == ReviewStatus.CLOSED


def make_manager_view_audit(sub: Submission) -> str:
    from django.test import Client

    manager = make_user("auditor", "managers")
    return staff_login(Client(), manager).get("/admin/intake/auditevent/", {
        "q": sub.reference}).content.decode()


def test_lowering_from_a_level_that_has_changed_since_is_refused(reviewer_client, catalog):
    sub = create_submission(name="Demo Patient 49", safety=SafetyLevel.NON_ACUTE)
    Submission.objects.filter(pk=sub.pk).update(safety_level=SafetyLevel.ACUTE)  # a new answer
    response = reviewer_client.post(url("lower_safety", sub), {
        "level": "none", "seen": "non_acute", "reason": REASON})
    assert response.status_code == 400
    assert "The safety level changed to “Urgent”" in response.content.decode()
    sub.refresh_from_db()
    assert sub.safety_level == SafetyLevel.ACUTE and not StaffNote.objects.exists()


def test_only_staff_who_change_submissions_and_write_notes_may_lower(client, catalog):
    sub = create_submission(name="Demo Patient 50", safety=SafetyLevel.ACUTE)
    viewer = make_user("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_submission"),
                                Permission.objects.get(codename="change_submission"))
    staff_login(client, viewer)
    assert url("lower_safety", sub) not in client.get(change_url(sub)).content.decode()
    assert client.get(url("lower_safety", sub)).status_code == 403
    assert client.post(url("lower_safety", sub), {"level": "none", "seen": "acute",
                                                  "reason": REASON}).status_code == 403
    sub.refresh_from_db()
    assert sub.safety_level == SafetyLevel.ACUTE and not actions("safety_lowered")


def test_the_summary_never_says_no_flag_above_a_yes(reviewer_client, catalog):
    """A level below what the answers call for (as stored before corrections raised it) is
    shown as such, never as "no flag"."""
    sub = create_submission(name="Demo Patient 51", safety=SafetyLevel.NONE)
    Submission.objects.filter(pk=sub.pk).update(asq_better_off_dead=True)
    html = reviewer_client.get(change_url(sub)).content.decode()
    heading = first_screen_heading(html)
    assert "no flag" not in heading and "the answers below call for it" in heading
    assert "The answers below call for “Priority”." in html


# --- through the production server ----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_live_a_flagged_draft_survives_delete_the_selected_drafts(tmp_path):
    site = LiveSite.like_test_database(tmp_path).setup().start()
    try:
        site.manage("shell", "-c", STAFF_SETUP)
        flagged, plain = patients(site, 2, stop="safety")
        assert flagged.post_page("safety", {**PAGES["safety"], "asq_wished_dead": "yes"})[0] \
            == 302
        ids = {site.submission(p)["id"]: p for p in (flagged, plain)}
        (level,), = site.query("SELECT safety_level FROM intake_submission WHERE id = %s",
                               site.submission(flagged)["id"])
        assert level == "non_acute"
        mo = staff_browser(site, "mo")  # a manager
        mo.request(CHANGELIST)
        status, _, html = mo.request(CHANGELIST, {"action": "delete_drafts", "index": "0",
                                                  "_selected_action": list(ids)})
        assert status == 200 and "Kept back" in html and "Yes, delete this draft" in html
        status, location, _ = mo.request(CHANGELIST, {"action": "delete_drafts", "post": "yes",
                                                      "_selected_action": list(ids)})
        assert status == 302, status
        left = {row[0] for row in site.query("SELECT id FROM intake_submission")}
        assert left == {site.submission(flagged)["id"]}
    finally:
        site.teardown()
