"""The staff admin in a real browser (Chromium, 1280x720 and 1440x900): a reviewer logs in with
password and authenticator code, finds the urgent intake first, reads its essentials without
scrolling, saves status and note with one button; the list fits a laptop screen; a session that
ends while typing loses nothing; axe-core finds no WCAG A/AA violation on the staff pages."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from intake.demo import create_submission
from intake.models import AuditEvent, ReviewStatus, SafetyLevel, StaffNote, Submission
from intake.staff import roles
from tests.admin_helpers import totp_now, verified_device

PASSWORD = "a-long-reviewer-password-1234"
LAPTOP = {"viewport": {"width": 1280, "height": 720}}
WIDE = {"viewport": {"width": 1440, "height": 900}}


def staff(django_user_model, username, group):
    groups = roles.ensure_groups()
    user = django_user_model.objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name=username.capitalize(),
        last_name="Staff")
    user.groups.add(groups[group])
    verified_device(user)
    return user


def log_in(page, user, assert_accessible=None):
    page.goto("/admin/")
    if assert_accessible:
        assert_accessible(page, "admin-login")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.get_by_label("6-digit code").fill(totp_now(user))
    page.get_by_role("button", name="Continue").click()


def queue(now):
    urgent = create_submission(name="Demo Patient 01", safety=SafetyLevel.ACUTE,
                               when=now - dt.timedelta(hours=30),
                               anything_else="I can't keep going like this. Please phone me "
                                             "after work, not by e-mail.")
    priority = create_submission(name="Demo Patient 02", safety=SafetyLevel.NON_ACUTE,
                                 when=now - dt.timedelta(hours=20))
    newer = [create_submission(name=f"Demo Patient 0{n}", when=now - dt.timedelta(hours=n))
             for n in (3, 4)]
    return urgent, priority, newer


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] + box["width"] <= size["width"]


def test_reviewer_triages_the_urgent_submission(browser_context_factory, django_user_model,
                                                assert_accessible, snap):
    page = browser_context_factory(**LAPTOP).new_page()
    reviewer = staff(django_user_model, "rita", roles.REVIEWERS)
    urgent, priority, newer = queue(timezone.now())

    log_in(page, reviewer, assert_accessible)
    expect(page.get_by_role("heading", name="Today's queue")).to_be_visible()
    expect(page.locator(".dashboard-queue")).to_contain_text("1 urgent")
    expect(page.locator(".banner-urgent")).to_contain_text(
        "1 urgent intake has no contact recorded")
    assert_accessible(page, "admin-dashboard")

    page.goto("/admin/intake/submission/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator("th.field-reference")).to_have_text(urgent.reference)
    expect(rows.nth(0)).to_contain_text("Urgent")
    expect(rows.nth(1).locator("th.field-reference")).to_have_text(priority.reference)
    expect(rows.nth(2).locator("th.field-reference")).to_have_text(newer[0].reference)
    # the list fits a 1280 px laptop: no horizontal scrolling, references on one line
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate("""() => { const r = document.querySelector('#changelist .results');
        return r.scrollWidth <= r.clientWidth; }""")
    for column in ("reference", "submitted", "safety", "waiting", "trd", "counts",
                   "phq9_score", "msm", "review", "assigned", "first_viewed"):
        box = page.locator(f"#result_list thead th.column-{column}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, column
    ref = rows.nth(0).locator("th.field-reference a")
    assert ref.bounding_box()["height"] < 24  # one line
    page.screenshot(path=str(_artifact("admin-list-1280x720")))
    assert_accessible(page, "admin-submission-list")

    rows.nth(0).get_by_role("link", name=urgent.reference).click()
    expect(page.get_by_role("heading", name=f"Submission {urgent.reference}")).to_be_visible()
    # the essentials, without scrolling, at 1280x720
    for locator in (page.locator(".fs-name"), page.locator(".fs-facts").get_by_text("Age"),
                    page.locator(".fs-facts").get_by_text("555-0101"),
                    page.locator(".fs-facts").get_by_text("Prefers"),
                    page.locator(".safety-block .safety-badge"),
                    page.locator(".fs-safety-table tbody tr").last,
                    page.locator(".fs-words blockquote"),
                    page.locator(".summary-review"),
                    page.get_by_role("link", name="Go to the review form")):
        assert in_viewport(page, locator), locator
    contrast = page.evaluate("""() => {
        const s = getComputedStyle(document.querySelector('.fs-words blockquote'));
        return [s.fontSize, s.color];
    }""")
    assert float(contrast[0].rstrip("px")) >= 14
    page.screenshot(path=str(_artifact("admin-urgent-first-screen-1280x720")))
    assert_accessible(page, "admin-submission-change")

    # one form: status and note saved together
    page.get_by_role("link", name="Go to the review form").click()
    page.get_by_label("Review status:").select_option(ReviewStatus.IN_REVIEW)
    page.get_by_label("Add a note:").fill("Called the patient; booked a call-back today.")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("Note added.")
    expect(page.locator(".notes-list")).to_contain_text("booked a call-back")

    urgent.refresh_from_db()
    assert urgent.review_status == ReviewStatus.IN_REVIEW
    assert urgent.review_status_changed_by == reviewer
    assert urgent.first_viewed_by == reviewer and urgent.first_viewed_at is not None
    assert StaffNote.objects.get(submission=urgent).author == reviewer
    actions = list(AuditEvent.objects.filter(object_id=str(urgent.pk), actor=reviewer)
                   .values_list("action", flat=True))
    assert {"viewed", "note_added", "status_changed"} <= set(actions)
    assert actions.count("viewed") == 1  # the page after the save is not another opening

    # in review is not contact: it stays on top until contact is recorded
    page.goto("/admin/intake/submission/")
    expect(page.locator("#result_list tbody tr").nth(0).locator("th.field-reference")
           ).to_have_text(urgent.reference)
    assert Submission.objects.count() == 4


def _artifact(name):
    from tests.browser.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{name}.png"


def test_manager_pages_are_accessible_at_1440(browser_context_factory, django_user_model,
                                              assert_accessible):
    page = browser_context_factory(**WIDE).new_page()
    manager = staff(django_user_model, "mona", roles.MANAGERS)
    urgent, *_ = queue(timezone.now())
    log_in(page, manager)
    page.goto(f"/admin/intake/submission/{urgent.pk}/change/")
    page.goto("/admin/intake/auditevent/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("Opened submission")
    assert_accessible(page, "admin-audit-list")
    page.goto("/admin/intake/alert/")
    assert_accessible(page, "admin-alert-list")
    page.goto(f"/admin/intake/submission/{urgent.pk}/print/")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.emulate_media(media="print")
    head = page.locator(".print-running-head")
    expect(head).to_contain_text(urgent.reference)
    expect(head).to_contain_text("Demo Patient 01")
    # nothing cut at the width of an A4 page: no clipped box, nothing wider than the page
    page.set_viewport_size({"width": 794, "height": 1123})
    overflow = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => !e.closest('.visually-hidden'))
        .filter(e => e.scrollWidth > e.clientWidth + 1
                     && getComputedStyle(e).overflowX !== 'visible')
        .map(e => e.tagName + '.' + e.className)""")
    assert overflow == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 794
    page.pdf(path=str(_artifact("admin-print").with_suffix(".pdf")), format="A4")


def test_a_session_that_ends_while_typing_loses_nothing(browser_context_factory,
                                                        django_user_model):
    page = browser_context_factory(**LAPTOP).new_page()
    reviewer = staff(django_user_model, "rob", roles.REVIEWERS)
    urgent, *_ = queue(timezone.now())
    log_in(page, reviewer)
    page.goto(f"/admin/intake/submission/{urgent.pk}/change/")
    page.get_by_label("Review status:").select_option(ReviewStatus.IN_REVIEW)
    page.get_by_label("Add a note:").fill("Called at 10:05, no answer; will try again at 11.")
    Session.objects.all().delete()  # the idle timeout passes while the reviewer types
    page.locator("input[name=_continue]").click()
    expect(page.get_by_role("heading", name="Staff log in")).to_be_visible()
    expect(page.locator(".login")).to_contain_text("what you typed in the review form is kept")
    page.get_by_label("Username").fill("rob")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # a code is accepted once; a real reviewer would be in the next 30-second step by now
    TOTPDevice.objects.filter(user=reviewer).update(last_t=-1)
    page.get_by_label("6-digit code").fill(totp_now(reviewer))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name=f"Submission {urgent.reference}")).to_be_visible()
    expect(page.locator(".messagelist")).to_contain_text("is NOT saved yet")
    expect(page.get_by_label("Add a note:")).to_have_value(
        "Called at 10:05, no answer; will try again at 11.")
    expect(page.get_by_label("Review status:")).to_have_value(ReviewStatus.IN_REVIEW)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("Note added.")
    urgent.refresh_from_db()
    assert urgent.review_status == ReviewStatus.IN_REVIEW
    assert StaffNote.objects.get(submission=urgent).text.startswith("Called at 10:05")
