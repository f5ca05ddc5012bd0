"""The patient pages' rough edges in a real browser, on a 375 px phone (screenshots in
test-artifacts/screenshots/edges-*): Enter saves a medicine, a date error link lands on the
wrong box, "not sure" under a health answer appears once it is ticked (CSS, no script), the
two short other-treatment pages, Change from Check your answers and straight back; axe-core on
every page reached with JavaScript on."""

from __future__ import annotations

from playwright.sync_api import expect

from intake.models import MedicationTrial, Submission
from tests.browser.test_patient_browser import SERTRALINE, Patient, check_phone_layout


def phone_checks(assert_accessible):
    def on_page(page, name):
        check_phone_layout(page, name)
        assert_accessible(page, name)
    return on_page


def test_enter_in_a_medicine_box_saves_it(phone_page, assert_accessible):
    patient = Patient(phone_page, prefix="edges-enter-")
    patient.answer_until_safety()
    patient.safety()
    patient.on_page = phone_checks(assert_accessible)
    patient.medicines_list(0, add_another=True, name="medicines-empty")
    patient.arrive("/intake/medicines/add/", "Add a medicine", "add")
    phone_page.get_by_label("Which medicine was it?").select_option("sertraline")
    patient.fill("How long, as a number", "10")
    patient.pick("Weeks or months", "weeks")
    patient.pick("Did you take it as prescribed on most days?", "Yes, on most days")
    patient.pick("How much did it help?", SERTRALINE["helped"])
    patient.pick("Why did you stop taking it?", "It was not helping enough")
    patient.pick("Did you take it during this episode of depression?", "Yes")
    dose = phone_page.get_by_label("Highest daily dose, as a number")
    dose.fill("150")
    dose.press("Enter")  # not Search: the medicine is saved
    patient.arrive("/intake/medicines/", "You have added 1 medicine", "medicines-one")
    expect(phone_page.get_by_text("150 mg a day, for 10 weeks", exact=True)).to_be_visible()
    trial = MedicationTrial.objects.get()
    assert trial.medication.slug == "sertraline" and trial.dose_mg_per_day == 150


def test_a_wrong_year_is_linked_and_marked_alone(phone_page, assert_accessible):
    patient = Patient(phone_page, prefix="edges-date-")
    phone_page.goto("/intake/consent/")
    patient.consent()
    patient.arrive("/intake/about-you/", "About you", "about-you")
    patient.on_page = phone_checks(assert_accessible)
    patient.fill("Full name", "Alex Example")
    birth = phone_page.get_by_role("group", name="Date of birth")
    for part, value in (("Month", "3"), ("Day", "27"), ("Year", "85")):
        birth.get_by_label(part, exact=True).fill(value)
    patient.fill("E-mail address", "alex@example.org")
    patient.pick("How should we contact you?", "E-mail")
    patient.press()
    summary = patient.expect_errors("about-you")
    summary.get_by_role("link", name="The year must have 4 numbers, like 1985").click()
    year = birth.get_by_label("Year", exact=True)
    expect(year).to_be_focused()
    expect(year).to_have_value("85")
    expect(year).to_have_attribute("aria-invalid", "true")
    expect(birth.get_by_label("Month", exact=True)).not_to_have_attribute("aria-invalid", "true")
    expect(phone_page.get_by_label("Full name", exact=True)).to_have_attribute(
        "autocomplete", "name")


def test_other_treatments_health_not_sure_and_change_from_check(browser_context_factory, snap,
                                                                assert_accessible):
    # without JavaScript: the "not sure" boxes appear through CSS alone
    page = browser_context_factory(phone=True, java_script_enabled=False).new_page()
    patient = Patient(page, on_page=snap, prefix="edges-nojs-")
    patient.answer_until_safety()
    patient.safety()
    patient.medicines_list(0, add_another=True, name="medicines-empty")
    patient.add_medicine(SERTRALINE)
    patient.medicines_list(1, add_another=False)
    patient.arrive("/intake/therapy/", "Talk therapy", "therapy")
    patient.pick("Which kinds of talk therapy have you had?", "None of these")
    patient.press()
    patient.arrive("/intake/other-treatments/", "Which of these treatments have you tried?",
                   "other-treatments")
    patient.press()
    summary = patient.expect_errors("other-treatments")
    expect(summary.get_by_role("listitem")).to_have_count(1)  # one question, one error
    question = "Which of these treatments have you tried?"
    patient.pick(question, "ECT (electroconvulsive therapy)")
    patient.pick(question, "Light therapy")
    patient.press()
    patient.arrive("/intake/other-treatments-helped/", "How much did these treatments help?",
                   "other-treatments-helped")
    patient.pick("How much did ECT (electroconvulsive therapy) help?", "It helped a little")
    patient.pick("How much did Light therapy help?", "I don't know")
    patient.press()
    patient.arrive("/intake/health/", "Health questions", "health")
    unsure = page.get_by_label("I am not sure: Thyroid disease")
    expect(unsure).to_be_hidden()
    patient.pick("Do any of these apply to you?", "Thyroid disease")
    expect(unsure).to_be_visible()
    unsure.check()
    patient.seen("health-not-sure")
    patient.press()
    patient.arrive("/intake/check/", "Check your answers before sending them", "check")
    expect(page.get_by_text("Thyroid disease (not sure)")).to_be_visible()
    sub = Submission.objects.get()
    assert sub.other_treatments == {"ect": "partly", "light_therapy": "unknown"}
    assert sub.health_conditions == ["thyroid_disease"]
    assert sub.health_unsure == ["thyroid_disease"]

    # Change a medicine from Check your answers: Back and Save go straight back there
    page.get_by_role("link", name="Change Sertraline").click()
    patient.arrive(r"/intake/medicines/1/", "Change a medicine", "change-medicine")
    expect(page.get_by_role("link", name="Back", exact=True)).to_have_attribute(
        "href", "/intake/check/")
    expect(page.get_by_role("link", name="Save and come back later")).to_be_visible()
    patient.fill("Highest daily dose, as a number", "100")
    patient.press("Save this medicine")
    patient.arrive("/intake/check/", "Check your answers before sending them", "check-again")
    expect(page.locator("dd").filter(has_text="100 mg a day, for 10 weeks")).to_be_visible()
    expect(page.get_by_role("link", name="Back", exact=True)).to_be_visible()

    # the same pages with JavaScript on, checked by axe-core at 375 px
    other = browser_context_factory(phone=True).new_page()
    for path, name in (("/intake/other-treatments/", "other-treatments"),
                       ("/intake/health/", "health"), ("/intake/check/", "check")):
        other.context.add_cookies(page.context.cookies())
        other.goto(path)
        check_phone_layout(other, f"edges-js-{name}")
        assert_accessible(other, f"edges-js-{name}")
