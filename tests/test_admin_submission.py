"""A submission's staff page: the clinical summary, read-only answers, workflow, notes, audit,
re-assessment, print, export, deletion of drafts, and the catalog and audit-trail admins."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from intake.demo import trial
from intake.models import (
    Assessment,
    AuditEvent,
    Medication,
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
    note_post,
    staff_login,
    url,
)

pytestmark = pytest.mark.django_db


def audits(action, obj=None):
    rows = AuditEvent.objects.filter(action=action)
    if obj is not None:
        rows = rows.filter(object_type="intake.submission", object_id=str(obj.pk))
    return list(rows)


@pytest.fixture
def vignette(catalog):
    """Vignette 08 (acute safety, one short sertraline trial) with risk factors and free text."""
    return create_submission(
        name="Demo Patient 08", safety=SafetyLevel.ACUTE,
        trials=(trial("sertraline", 50, 4, stopped="still_taking"),
                trial("aripiprazole", 5, 8, improvement="25to49")),
        phq9_first8=(3, 3, 2, 3, 2, 3, 2, 1), first_episode_age=15, episode_count="3_5",
        episode_months=14, hospital_stays="yes", other_diagnoses=["ptsd"], family_history="yes",
        trauma="yes", health=("substance_use", "chronic_illness", "seizures"),
        other_treatments={"ect": "partly"}, anything_else="Please call after 5pm.",
        therapies=(("cbt", 12, "partly"), ("ipt", None, "no")))


# --- the clinical summary -------------------------------------------------------------------

def test_summary_of_a_known_vignette(reviewer_client, vignette):
    html = reviewer_client.get(change_url(vignette)).content.decode()
    first = html[html.index('class="first-screen"'):html.index('id="review-form"')]
    summary = html[html.index('class="staff-summary"'):]
    # the first screen: who, age, contact, safety with its answers, their words, review state
    assert "Demo Patient 08" in first and "555-0108" in first and "E-mail" in first
    assert re.search(r"<dt>Age</dt><dd>\d+ years \(born \d+ \w+ \d{4}\)</dd>", first)
    assert '<span class="safety-badge safety-acute">Urgent</span>' in first
    assert "Are you having thoughts of killing yourself right now?" in first  # as asked
    assert "More than half the days" in first  # PHQ-9 item 9 = 2
    assert "Please call after 5pm." in first
    assert first.index("Safety") < html.index("Treatment-resistant depression")
    # every PHQ-9 item with its answer, in words
    phq9 = summary[summary.index("PHQ-9, item by item"):summary.index("</table>",
                                                                      summary.index("PHQ-9, item"))]
    assert phq9.count("<tr>") == 10  # header + 9 items
    assert "Little interest or pleasure in doing things" in phq9 and "Nearly every day" in phq9
    # TRD result and the medicines table: dose against the catalog minimum, weeks, verdict
    assert "Does not appear to apply" in summary
    assert "Sertraline" in summary and "50 mg/day" in summary
    assert "Inadequate trial" in summary
    assert "4 weeks, under the minimum 6 weeks" in summary  # staff words for the reason
    assert "Aripiprazole" in summary and "Augmentation" in summary
    assert "PHQ-9 total" in summary and "<strong>21</strong>" in summary
    # treatments
    assert "CBT (cognitive behavioural therapy)" in summary and "IPT" in summary
    assert "ECT (electroconvulsive therapy)" in summary
    assert "Tried it: it helped a little" in summary
    # risk factors
    for text in ("15: early onset (before 18)", "3 to 5", "14 months",
                 "Post-traumatic stress disorder (PTSD)",
                 "Problems with alcohol or drugs in the past year",
                 "Another long-term illness", "Seizures or epilepsy"):
        assert text in summary, text
    # considerations, options, MSM, free text, contact, consent, history
    assert "alcohol or drug problems in the past year" in summary
    assert "esketamine:substance_use" not in summary and "<code>" not in summary  # words only
    assert "<strong>Checking for medical conditions</strong>" in summary
    assert "MSM total: 8 (moderate)" in summary
    assert "<li><strong>ECT (electroconvulsive therapy)</strong>: " in summary  # an option
    assert "Approximate Maudsley Staging Method" in summary
    assert "Augmentation tried" in summary
    assert "demo.patient.08@example.org" in summary
    assert "Privacy notice version" in summary and "2026-11" in summary
    assert "Patient submitted" in summary and "(current)" in summary
    # accessible tables
    assert "<caption" in summary and 'scope="col"' in summary and 'scope="row"' in summary


def test_draft_page_shows_answers_without_assessment(reviewer_client, catalog):
    draft = create_submission(name="Demo Patient 09", submitted=False)
    html = reviewer_client.get(change_url(draft)).content.decode()
    assert "Draft" in html and "No assessment yet" in html
    assert "Sertraline" in html
    assert "Re-run assessment" not in html


# --- read-only answers, workflow ------------------------------------------------------------

def test_forged_post_cannot_change_patient_answers(reviewer_client, reviewer, submission):
    before = Submission.objects.filter(pk=submission.pk).values().get()
    response = reviewer_client.post(change_url(submission), {
        "review_status": ReviewStatus.IN_REVIEW, "assigned_to": "",
        "full_name": "Changed Name", "phq9": "[0,0,0,0,0,0,0,0,0]", "email": "x@example.org",
        "asq_thoughts_now": "false", "safety_level": "none", "anything_else": "forged",
        "trd_status": "not_met", "status": "draft",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    after = Submission.objects.filter(pk=submission.pk).values().get()
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"review_status", "review_status_changed_at", "review_status_changed_by_id"}
    assert after["review_status"] == ReviewStatus.IN_REVIEW
    assert after["review_status_changed_by_id"] == reviewer.pk
    assert after["updated_at"] == before["updated_at"]  # the patient's "last saved" is theirs
    [event] = audits("status_changed", submission)
    assert event.actor == reviewer
    assert event.detail == {"old": "new", "new": "in_review"}


def test_change_form_offers_only_staff_fields(reviewer_client, submission):
    html = reviewer_client.get(change_url(submission)).content.decode()
    assert 'name="review_status"' in html and 'name="assigned_to"' in html
    for field in ("full_name", "phq9", "email", "anything_else", "asq_wished_dead"):
        assert f'name="{field}"' not in html, field


def test_assignment_is_audited(reviewer_client, reviewer, manager, submission):
    response = reviewer_client.post(change_url(submission), {
        "review_status": ReviewStatus.NEW, "assigned_to": manager.pk})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.assigned_to == manager
    assert submission.review_status_changed_at is None  # status did not change
    [event] = audits("assigned", submission)
    assert event.detail == {"old": None, "new": manager.pk, "old_name": "",
                            "new_name": "Manager Staff"}
    assert not audits("status_changed")


def test_summary_opens_with_the_review_state(reviewer_client, reviewer, manager, submission):
    html = reviewer_client.get(change_url(submission)).content.decode()
    top = html[html.index('class="first-screen"'):html.index('id="review-form"')]
    assert "<dt>Review</dt><dd><strong>New</strong></dd>" in top and "nobody yet" in top
    reviewer_client.post(change_url(submission), {
        "review_status": ReviewStatus.IN_REVIEW, "assigned_to": manager.pk})
    html = reviewer_client.get(change_url(submission)).content.decode()
    top = html[html.index('class="summary-review"'):html.index('id="review-form"')]
    assert "<strong>In review</strong>" in top and reviewer.get_full_name() in top
    assert f"<strong>{manager.get_full_name()}</strong>" in top


def test_only_staff_can_be_assigned(reviewer_client, submission, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x" * 20)
    response = reviewer_client.post(change_url(submission), {
        "review_status": ReviewStatus.NEW, "assigned_to": outsider.pk})
    assert response.status_code == 200  # the form again, with an error
    submission.refresh_from_db()
    assert submission.assigned_to is None


def test_superuser_can_correct_an_answer_and_it_is_audited(client, superuser, submission):
    staff_login(client, superuser)
    html = client.get(change_url(submission)).content.decode()
    assert 'name="full_name"' in html
    response = client.post(change_url(submission), answers_data(
        submission, full_name="Demo Patient 01 Corrected"))
    assert response.status_code == 302, response.content.decode()[:5000]
    submission.refresh_from_db()
    assert submission.full_name == "Demo Patient 01 Corrected"
    [event] = audits("answers_corrected", submission)
    assert "full_name" in event.detail["fields"]
    assert "Corrected" not in json.dumps(event.detail)


# --- viewing: audit and first view ----------------------------------------------------------

def test_opening_is_audited_and_first_view_recorded_for_flagged(client, reviewer, manager,
                                                                submission):
    assert submission.first_viewed_at is None
    reviewer_client = client
    staff_login(client, reviewer)
    reviewer_client.get(change_url(submission))
    submission.refresh_from_db()
    first = submission.first_viewed_at
    assert first is not None and submission.first_viewed_by == reviewer
    staff_login(reviewer_client, manager)
    html = reviewer_client.get(change_url(submission)).content.decode()
    submission.refresh_from_db()
    assert submission.first_viewed_at == first and submission.first_viewed_by == reviewer
    assert "First viewed by staff" in html
    views = audits("viewed", submission)
    assert {event.actor for event in views} == {reviewer, manager}


def test_first_view_not_recorded_without_a_flag(reviewer_client, catalog):
    sub = create_submission(name="Demo Patient 10")
    reviewer_client.get(change_url(sub))
    sub.refresh_from_db()
    assert sub.first_viewed_at is None
    assert len(audits("viewed", sub)) == 1


def test_print_view(reviewer_client, reviewer, vignette):
    response = reviewer_client.get(url("print", vignette))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Intake summary" in html and vignette.reference in html and "Sertraline" in html
    assert '<html lang="en">' in html
    assert reviewer_client.post(url("print", vignette)).status_code == 405
    [event] = audits("printed", vignette)
    assert event.actor == reviewer


# --- notes ----------------------------------------------------------------------------------

def test_notes_are_added_with_author_and_audited_without_text(reviewer_client, reviewer,
                                                              submission):
    response = note_post(reviewer_client, submission, "Called, no answer.")
    assert response.status_code == 302
    [note] = StaffNote.objects.filter(submission=submission)
    assert note.author == reviewer and note.text == "Called, no answer."
    [event] = audits("note_added", submission)
    assert event.actor == reviewer and event.detail == {"note_id": note.pk}
    html = reviewer_client.get(change_url(submission)).content.decode()
    assert "Called, no answer." in html and "Reviewer Staff" in html


def test_notes_are_append_only(reviewer_client, submission, reviewer):
    note_post(reviewer_client, submission, "First.")
    assert note_post(reviewer_client, submission, "   ").status_code == 302
    assert StaffNote.objects.count() == 1
    note = StaffNote.objects.get()
    # no admin page edits or deletes a note, for anyone
    for path in ("/admin/intake/staffnote/", f"/admin/intake/staffnote/{note.pk}/change/",
                 f"/admin/intake/staffnote/{note.pk}/delete/"):
        assert reviewer_client.get(path).status_code == 404
        assert reviewer_client.post(path, {"text": "changed"}).status_code == 404
    # a forged inline-style POST on the submission form does not touch it either
    reviewer_client.post(change_url(submission), {
        "review_status": "new", "assigned_to": "", "notes-0-id": note.pk,
        "notes-0-text": "changed", "notes-0-DELETE": "on"})
    note.refresh_from_db()
    assert note.text == "First."


def test_note_needs_csrf(client, reviewer, submission):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    staff_login(strict, reviewer)
    assert strict.post(change_url(submission), {"review_status": "new",
                                                "note": "x"}).status_code == 403
    assert not StaffNote.objects.exists()


# --- re-assessment --------------------------------------------------------------------------

def test_reassessment_keeps_history_and_uses_the_new_catalog(manager_client, manager,
                                                             submission):
    original = submission.assessments.get()
    assert original.thresholds["min_doses"]["sertraline"] == 50
    sertraline = Medication.objects.get(slug="sertraline")
    response = manager_client.post(f"/admin/intake/medication/{sertraline.pk}/change/", {
        "generic_name": "sertraline", "brand_names": "Zoloft", "drug_class": "SSRI",
        "role": "antidepressant", "min_adequate_mg_per_day": "200",
        "usual_max_mg_per_day": "200", "min_dose_source": "test", "active": "on",
        "change_reason": "Clinic guideline 2026", "dose_unit": "mg"})
    assert response.status_code == 302, response.content.decode()[:3000]
    original.refresh_from_db()
    assert original.thresholds["min_doses"]["sertraline"] == 50  # results keep their thresholds
    [event] = audits("catalog_changed")
    assert event.actor == manager and event.object_repr == "sertraline"
    assert event.detail["values"]["min_adequate_mg_per_day"] == ["50.0000", "200"]

    response = manager_client.post(url("reassess", submission))
    assert response.status_code == 302
    rows = list(submission.assessments.order_by("created_at", "id"))
    assert len(rows) == 2
    assert rows[0].pk == original.pk and not rows[0].is_current
    assert rows[0].thresholds["min_doses"]["sertraline"] == 50
    assert rows[1].is_current and rows[1].trigger == Assessment.Trigger.RERUN
    assert rows[1].created_by == manager
    assert rows[1].thresholds["min_doses"]["sertraline"] == 200
    submission.refresh_from_db()
    assert submission.trd_status == "unclear" or submission.confirmed_count == 1
    [event] = audits("reassessed", submission)
    assert event.detail["assessment_id"] == rows[1].pk
    assert event.detail["previous_assessment_id"] == original.pk
    html = manager_client.get(change_url(submission)).content.decode()
    assert "Re-run by staff" in html and "Patient submitted" in html
    assert "sertraline 50 mg" in html and "sertraline 200 mg" in html


def test_reassess_action_and_drafts(manager_client, submission, catalog):
    draft = create_submission(name="Demo Patient 11", submitted=False)
    response = manager_client.post(CHANGELIST, {
        "action": "reassess_selected", "_selected_action": [submission.pk, draft.pk]})
    assert response.status_code == 302
    assert submission.assessments.count() == 2 and not draft.assessments.exists()
    assert manager_client.post(url("reassess", draft)).status_code == 302
    assert not draft.assessments.exists()
    assert manager_client.get(url("reassess", submission)).status_code == 405


# --- export ---------------------------------------------------------------------------------

def test_export_csv_for_managers_is_audited(manager_client, manager, submission, catalog):
    other = create_submission(name="Demo Patient 12", safety=SafetyLevel.ACUTE)
    Submission.objects.filter(pk=other.pk).update(phq9_band="=HYPERLINK(\"x\")")
    response = manager_client.post(CHANGELIST, {
        "action": "export_csv", "_selected_action": [submission.pk, other.pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # UTF-8 BOM: spreadsheets read it
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == [submission.reference, other.reference]
    first = rows[0]
    assert first["safety_level"] == "non_acute" and first["trd_status"] == "may_apply"
    assert first["safety_label"] == "Priority" and first["trd_label"] == "May apply"
    assert first["review_label"] == "New" and first["status_label"] == "Submitted"
    tz = "America/New_York"
    submitted = first[f"submitted_at ({tz})"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", submitted)  # local, no microseconds
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first[f"flagged_at ({tz})"])
    assert f"first_viewed_at ({tz})" in first
    assert "Switching or combining" in first["options_labels"] or first["options_labels"]
    assert first["confirmed"] == "2" and first["possible"] == "0"
    assert first["phq9_total"] == "14" and first["rules_version"] == "2"
    assert "switch_or_combine" in first["options"]
    assert rows[1]["phq9_band"].startswith("'=")  # no formula runs in a spreadsheet
    body = response.content.decode()
    assert "Demo Patient" not in body and "example.org" not in body
    # one audit row per exported submission, found by its reference
    events = audits("exported")
    assert len(events) == 2 and {e.actor for e in events} == {manager}
    assert {e.object_repr for e in events} == {submission.reference, other.reference}
    assert all(e.detail == {"format": "csv", "batch_size": 2} for e in events)
    html = manager_client.get("/admin/intake/auditevent/", {"q": other.reference}).content
    assert b"Exported to CSV" in html


# --- deleting drafts ------------------------------------------------------------------------

def test_managers_delete_drafts_only(manager_client, manager, submission, catalog):
    draft = create_submission(name="Demo Patient 13", submitted=False)
    response = manager_client.post(CHANGELIST, {
        "action": "delete_drafts", "_selected_action": [submission.pk, draft.pk]})
    assert response.status_code == 200  # the confirmation page: nothing deleted yet
    assert Submission.objects.filter(pk=draft.pk).exists()
    response = manager_client.post(CHANGELIST, {
        "action": "delete_drafts", "_selected_action": [draft.pk], "post": "yes"})
    assert response.status_code == 302
    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert Submission.objects.filter(pk=submission.pk).exists()
    [event] = audits("draft_deleted")
    assert event.object_repr == draft.reference and event.actor == manager
    delete_url = reverse("admin:intake_submission_delete", args=[submission.pk])
    assert manager_client.get(delete_url).status_code == 403
    assert manager_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_delete_view_for_a_draft(manager_client, catalog):
    draft = create_submission(name="Demo Patient 14", submitted=False)
    delete_url = reverse("admin:intake_submission_delete", args=[draft.pk])
    assert manager_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert audits("draft_deleted")


# --- catalog and audit-trail admins ---------------------------------------------------------

def test_catalog_admin_search_filters_and_audited_add(manager_client, manager, catalog):
    html = manager_client.get("/admin/intake/medication/", {"q": "Zoloft"}).content.decode()
    assert "sertraline" in html and "escitalopram" not in html
    html = manager_client.get("/admin/intake/medication/",
                              {"role__exact": "augmentation"}).content.decode()
    assert "aripiprazole" in html and "sertraline" not in html
    response = manager_client.post("/admin/intake/medication/add/", {
        "slug": "testamine", "generic_name": "testamine", "drug_class": "SSRI",
        "role": "antidepressant", "min_adequate_mg_per_day": "10", "active": "on",
        "dose_unit": "mg"})
    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = audits("catalog_added")
    assert event.detail == {"slug": "testamine"}
    medication = Medication.objects.get(slug="testamine")
    assert manager_client.post(
        f"/admin/intake/medication/{medication.pk}/delete/", {"post": "yes"}
    ).status_code == 403
    assert Medication.objects.filter(slug="testamine").exists()
    assert medication.min_adequate_mg_per_day == Decimal("10")


def test_audit_trail_is_read_only_for_managers(manager_client, superuser, client, submission):
    manager_client.get(change_url(submission))
    event = AuditEvent.objects.get(action="viewed")
    html = manager_client.get("/admin/intake/auditevent/", {"action": "viewed"}).content.decode()
    assert submission.reference in html
    assert manager_client.get(f"/admin/intake/auditevent/{event.pk}/change/").status_code == 200
    for c in (manager_client,):
        assert c.post(f"/admin/intake/auditevent/{event.pk}/change/",
                      {"action": "forged"}).status_code == 403
        assert c.post(f"/admin/intake/auditevent/{event.pk}/delete/",
                      {"post": "yes"}).status_code == 403
        assert c.get("/admin/intake/auditevent/add/").status_code == 403
    staff_login(client, superuser)
    assert client.post(f"/admin/intake/auditevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "viewed"


def test_audit_detail_never_holds_health_answers(client, reviewer, manager, vignette):
    reviewer_client = manager_client = client
    staff_login(client, reviewer)
    reviewer_client.get(change_url(vignette))
    note_post(reviewer_client, vignette, "Mentions sertraline and trauma.")
    reviewer_client.post(change_url(vignette), {"review_status": "in_review",
                                                "assigned_to": ""})
    staff_login(client, manager)
    manager_client.post(url("reassess", vignette))
    manager_client.post(CHANGELIST, {"action": "export_csv",
                                     "_selected_action": [vignette.pk]})
    dumped = json.dumps(list(AuditEvent.objects.values("detail", "object_repr")))
    for forbidden in ("Demo Patient", "sertraline", "trauma", "example.org", "5pm", "acute"):
        assert forbidden not in dumped, forbidden


def test_staff_see_not_sure_health_answers_and_micrograms(reviewer_client, catalog, settings):
    from decimal import Decimal

    from intake.demo import TWO_FAILURES, create_submission, trial
    from intake.models import Medication, MedicationTrial

    Medication.objects.filter(slug="liothyronine").update(min_adequate_mg_per_day=Decimal(
        "0.025"))
    sub = create_submission(name="Demo Patient 21", health=("substance_use", "seizures"),
                            health_unsure=["substance_use", "seizures"],
                            trials=(*TWO_FAILURES, trial("liothyronine", 0.05, 8)))
    MedicationTrial.objects.filter(submission=sub, medication__slug="liothyronine").update(
        dose_unit="mcg")
    html = reviewer_client.get(change_url(sub)).content.decode()
    summary = html[html.index('class="staff-summary"'):]
    assert "Yes (not sure)" in summary  # alcohol or drugs, ticked as "not sure"
    assert "Seizures or epilepsy (not sure)" in summary
    assert "50 mcg/day" in summary and "25 mcg/day" in summary  # the dose and the minimum
    assert "0.05 mg/day" not in summary
