"""A reviewer's morning in a real browser: log in, find the urgent intake first, open it, add a
note, move it to "in review"; the submission page has no WCAG A/AA violations."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from intake import roles
from intake.demo import create_submission
from intake.models import AuditEvent, ReviewStatus, SafetyLevel, StaffNote, Submission

PASSWORD = "a-long-reviewer-password-1234"


def test_reviewer_triages_the_urgent_submission(page, django_user_model, assert_accessible):
    # `page` comes with the live server and the catalog loaded
    groups = roles.ensure_groups()
    reviewer = django_user_model.objects.create_user(
        "rita", password=PASSWORD, is_staff=True, first_name="Rita", last_name="Reviewer")
    reviewer.groups.add(groups[roles.REVIEWERS])
    now = timezone.now()
    urgent = create_submission(name="Demo Patient 01", safety=SafetyLevel.ACUTE,
                               when=now - dt.timedelta(hours=30))
    priority = create_submission(name="Demo Patient 02", safety=SafetyLevel.NON_ACUTE,
                                 when=now - dt.timedelta(hours=20))
    newer = [create_submission(name=f"Demo Patient 0{n}", when=now - dt.timedelta(hours=n))
             for n in (3, 4)]

    page.goto("/admin/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Intake review")).to_be_visible()

    page.goto("/admin/intake/submission/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator("th.field-reference")).to_have_text(urgent.reference)
    expect(rows.nth(0)).to_contain_text("Urgent")
    expect(rows.nth(1).locator("th.field-reference")).to_have_text(priority.reference)
    expect(rows.nth(2).locator("th.field-reference")).to_have_text(newer[0].reference)

    rows.nth(0).get_by_role("link", name=urgent.reference).click()
    heading = page.get_by_role("heading", name=f"Clinical summary: {urgent.reference}")
    expect(heading).to_be_visible()
    expect(page.locator(".safety-block")).to_contain_text("Urgent")
    assert_accessible(page, "admin-submission-change")

    page.get_by_label("Add a note").fill("Called the patient; booked a call-back today.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".messagelist")).to_contain_text("Note added.")
    expect(page.locator(".notes-list")).to_contain_text("booked a call-back")

    page.get_by_label("Review status:").select_option(ReviewStatus.IN_REVIEW)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    urgent.refresh_from_db()
    assert urgent.review_status == ReviewStatus.IN_REVIEW
    assert urgent.review_status_changed_by == reviewer
    assert urgent.first_viewed_by == reviewer and urgent.first_viewed_at is not None
    note = StaffNote.objects.get(submission=urgent)
    assert note.author == reviewer
    actions = set(AuditEvent.objects.filter(object_id=str(urgent.pk), actor=reviewer)
                  .values_list("action", flat=True))
    assert {"viewed", "note_added", "status_changed"} <= actions

    # in review, but nobody has contacted the patient yet: it still sorts first
    page.goto("/admin/intake/submission/")
    expect(page.locator("#result_list tbody tr").nth(0).locator("th.field-reference")
           ).to_have_text(urgent.reference)
    assert Submission.objects.count() == 4
