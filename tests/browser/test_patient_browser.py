"""The patient side in a real browser: the whole intake on a desktop and on a phone, the safety
interruption (with and without JavaScript), leaving and resuming with a code, keyboard-only
use, error pages, and axe-core (WCAG 2.x A/AA) on every kind of page.

The `Patient` helper drives pages the way a person does: it reads the heading, clicks labels,
types into fields and presses Continue. An optional `on_page(page, name)` hook runs on every
page the patient arrives at (screenshots, axe-core, phone layout checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from intake.models import Assessment, MedicationTrial, Submission

PHONE_WIDTH, PHONE_HEIGHT = 375, 812
REFERENCE = re.compile(r"TRD-[A-Z2-9]{4}-[A-Z2-9]{4}")
RESUME_CODE = re.compile(r"[A-Z2-9]{5}(?:-[A-Z2-9]{5}){3}")

PHQ9_ANSWERS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
PHQ9 = "222212110"  # the same answers as tests/intake_helpers.PAGES["phq9"]; item 9 is 0
ASQ_FIELDS = ["asq_wished_dead", "asq_better_off_dead", "asq_thoughts_past_week",
              "asq_ever_attempted"]
ASQ_QUESTIONS = [
    "In the past few weeks, have you wished you were dead?",
    "In the past few weeks, have you felt that you or your family would be better off if you "
    "were dead?",
    "In the past week, have you been having thoughts about killing yourself?",
    "Have you ever tried to kill yourself?",
]

SERTRALINE = {"medicine": "sertraline", "dose": "150", "weeks": "10",
              "helped": "Not at all, or only a little"}
ESCITALOPRAM_UNKNOWN_DOSE = {"medicine": "escitalopram", "dose": None, "weeks": "10",
                             "helped": "Somewhat, but less than halfway better"}


def exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class Patient:
    """A person filling in the intake in one browser tab."""

    def __init__(self, page: Page, on_page: Callable[[Page, str], None] | None = None,
                 prefix: str = ""):
        self.page = page
        self.on_page = on_page
        self.prefix = prefix
        self.count = 0

    # --- looking at the page -----------------------------------------------------------------

    def arrive(self, path: str, heading: str | re.Pattern, name: str) -> None:
        """Wait for the page at `path` (a regular expression for the whole path) with this h1,
        then run the per-page hook."""
        expect(self.page).to_have_url(re.compile(rf"^https?://[^/]+{path}(\?[^#]*)?$"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        self.seen(name)

    def seen(self, name: str) -> None:
        self.count += 1
        if self.on_page:
            self.on_page(self.page, f"{self.prefix}{self.count:02d}-{name}")

    def group(self, legend: str | re.Pattern) -> Locator:
        """A question shown as a fieldset (radios or checkboxes), found by its legend."""
        return self.page.get_by_role("group", name=legend, exact=isinstance(legend, str))

    # --- doing things ------------------------------------------------------------------------

    def pick(self, legend: str | re.Pattern, answer: str | re.Pattern) -> None:
        """Click the label of one answer in a question, and see that it is selected."""
        label = exactly(answer) if isinstance(answer, str) else answer
        scope = self.group(legend)
        scope.locator("label").filter(has_text=label).click()
        expect(scope.get_by_label(label)).to_be_checked()

    def tick(self, label: str | re.Pattern) -> None:
        """Click the label of a single checkbox."""
        label = exactly(label) if isinstance(label, str) else label
        self.page.locator("label").filter(has_text=label).click()
        expect(self.page.get_by_label(label)).to_be_checked()

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def press(self, button: str = "Continue") -> None:
        self.page.get_by_role("button", name=button, exact=True).click()

    def expect_errors(self, name: str) -> Locator:
        """The page came back with an error summary; run the hook on the error state."""
        expect(self.page).to_have_title(re.compile(r"^Error:"))
        summary = self.page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()  # autofocus: a screen reader reads it out first
        self.seen(f"{name}-error")
        return summary

    # --- the pages, in order -----------------------------------------------------------------

    def start(self) -> None:
        self.page.goto("/")
        self.arrive("/", re.compile(r"^Before your first appointment"), "start")
        self.page.get_by_role("link", name="How we use and protect your answers").click()
        self.arrive("/privacy/", "How we use and protect your answers", "privacy")
        self.page.get_by_role("link", name="Back to the start page").click()
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("Before your first")
        self.page.get_by_role("link", name="Start now").click()

    def birthday(self, group: str) -> None:
        birth = self.page.get_by_role("group", name=group)
        for part, value in (("Month", "3"), ("Day", "27"), ("Year", "1985")):
            birth.get_by_label(part, exact=True).fill(value)

    def consent(self, *, try_empty: bool = False) -> None:
        self.arrive("/intake/consent/", "Before you start", "consent")
        if try_empty:
            self.press()
            self.expect_errors("consent")
        self.pick("Are you 18 or older?", "Yes")
        self.tick(re.compile(r"^\s*I agree that the clinic stores my answers"))
        self.press()

    def about_you(self, *, try_missing_email: bool = False) -> None:
        self.arrive("/intake/about-you/", "About you", "about-you")
        self.fill("Full name", "Alex Example")
        if try_missing_email:
            self.press()
            self.expect_errors("about-you")
            expect(self.page.get_by_label("Full name", exact=True)).to_have_value("Alex Example")
        self.birthday("Date of birth")
        self.fill("E-mail address", "alex@example.org")
        self.pick("How should we contact you?", "E-mail")
        self.press()

    def depression(self) -> None:
        self.arrive("/intake/depression/", "Your depression", "depression")
        self.fill("How many months has this episode of depression lasted?", "14")
        self.pick("How many times in your life have you had an episode of depression, including "
                  "this one?", "2")
        self.fill("How old were you the first time? (optional)", "24")
        self.pick("Have you ever stayed in hospital for your mental health?", "No")
        self.press()

    def history(self) -> None:
        self.arrive("/intake/history/", "Your health history", "history")
        self.pick(re.compile(r"^Have you ever had mania or hypomania"), "No")
        self.pick(re.compile(r"^Have you ever seen or heard things"), "No, never")
        self.pick(re.compile(r"^Has a parent, brother, sister or child"), "I don't know")
        self.pick(re.compile(r"^Have you lived through very difficult"), "I prefer not to say")
        self.press()

    def phq9(self) -> None:
        self.arrive("/intake/phq9/", re.compile(r"^Over the last 2 weeks"), "phq9")
        questions = self.page.locator("fieldset")
        expect(questions).to_have_count(9)
        for number, answer in enumerate(PHQ9):
            question = questions.nth(number)
            question.locator("label").filter(has_text=exactly(PHQ9_ANSWERS[int(answer)])).click()
        self.press()

    def safety(self, answers: str = "nnnn") -> None:
        self.arrive("/intake/safety/", "Safety questions", "safety")
        for question, answer in zip(ASQ_QUESTIONS, answers, strict=True):
            self.pick(question, "Yes" if answer == "y" else "No")
        self.press()

    def safety_now(self, answer: str) -> None:
        self.arrive(r"/intake/safety/\?question=safety-now(&[^#]*)?",
                    "One more safety question", "safety-now")
        self.pick("Are you having thoughts of killing yourself right now?", answer)
        self.press()

    def medicines_list(self, count: int, *, add_another: bool, name: str = "medicines") -> None:
        if count:
            heading = f"You have added {count} medicine{'s' if count > 1 else ''}"
            legend = "Do you want to add another medicine?"
        else:
            heading = "Medicines you have tried"
            legend = "Have you taken any medicine for depression, including add-on medicines?"
        self.arrive("/intake/medicines/", heading, name)
        self.pick(legend, "Yes" if add_another else "No")
        self.press()

    def add_medicine(self, medicine: dict, *, try_empty: bool = False) -> None:
        self.arrive("/intake/medicines/add/", "Add a medicine", f"add-{medicine['medicine']}")
        if try_empty:
            self.press("Save this medicine")
            self.expect_errors("medicine-form")
        self.page.get_by_label("Which medicine was it?").select_option(medicine["medicine"])
        if medicine["dose"] is None:
            self.tick("I don't know the dose")
        else:
            self.fill("Highest daily dose, as a number", medicine["dose"])
            self.pick("Unit", "mg")
        self.fill("How long, as a number", medicine["weeks"])
        self.pick("Weeks or months", "weeks")
        self.pick("Did you take it as prescribed on most days?", "Yes, on most days")
        self.pick("How much did it help?", medicine["helped"])
        self.pick("Did you take it during this episode of depression?", "Yes")
        self.pick("Why did you stop taking it?", "It was not helping enough")
        self.press("Save this medicine")

    def look_at_removing(self, display_name: str) -> None:
        """Open the remove confirmation for a medicine, then keep it."""
        self.page.get_by_role("link", name=f"Remove {display_name}").click()
        self.arrive(r"/intake/medicines/\d+/remove/",
                    f"Are you sure you want to remove {display_name}?", "medicine-remove")
        self.page.get_by_role("link", name="No, keep it").click()

    def therapy(self) -> None:
        self.arrive("/intake/therapy/", "Talk therapy", "therapy")
        self.pick("Which kinds of talk therapy have you had?", re.compile(r"^\s*CBT \("))
        self.press()

    def therapy_details(self) -> None:
        self.arrive("/intake/therapy-details/", "About your talk therapy", "therapy-details")
        self.page.get_by_label(re.compile(r"^CBT .*about how many sessions")).fill("12")
        self.pick(re.compile(r"^CBT .*did it help\?$"), "A little")
        self.press()

    def other_treatments(self) -> None:
        self.arrive("/intake/other-treatments/", "Which of these treatments have you tried?",
                    "other-treatments")
        self.pick("Which of these treatments have you tried?", "None of these")
        self.press()

    def health(self) -> None:
        self.arrive("/intake/health/", "Health questions", "health")
        self.pick("Do any of these apply to you?", "None of these")
        self.press()

    def check_and_send(self) -> None:
        self.arrive("/intake/check/", "Check your answers before sending them", "check")
        expect(self.page.get_by_text("Alex Example")).to_be_visible()
        self.press("Send my answers to the clinic")

    def results(self) -> str:
        self.arrive(r"/results/TRD-[A-Z0-9-]+/", "Your answers have been sent", "results")
        reference = self.page.locator(".reference").inner_text().strip()
        assert REFERENCE.fullmatch(reference), reference
        return reference

    # --- runs of pages -----------------------------------------------------------------------

    def answer_until_safety(self) -> None:
        """From the start page up to (not including) the safety questions."""
        self.start()
        self.consent()
        self.about_you()
        self.depression()
        self.history()
        self.phq9()


def whole_intake(patient: Patient) -> str:
    """The full journey with two medicines and the error states on the way; returns the
    reference shown on the results page."""
    patient.start()
    patient.consent(try_empty=True)
    patient.about_you(try_missing_email=True)
    patient.depression()
    patient.history()
    patient.phq9()
    patient.safety()
    patient.medicines_list(0, add_another=True, name="medicines-empty")
    patient.add_medicine(SERTRALINE, try_empty=True)
    patient.medicines_list(1, add_another=True)
    patient.add_medicine(ESCITALOPRAM_UNKNOWN_DOSE)
    patient.arrive("/intake/medicines/", "You have added 2 medicines", "medicines-two")
    patient.look_at_removing("Sertraline")
    patient.medicines_list(2, add_another=False)
    patient.therapy()
    patient.therapy_details()
    patient.other_treatments()
    patient.health()
    patient.check_and_send()
    return patient.results()


def assert_results_page(page: Page, reference: str) -> None:
    expect(page.get_by_text(reference, exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^We need more detail to know if treatment-resistant "
                                       r"depression may apply"))).to_be_visible()
    medicines = page.locator(".medicine-results")
    expect(medicines).to_contain_text("Sertraline")
    expect(medicines).to_contain_text("Escitalopram")
    expect(medicines.get_by_text("The dose is not known.", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="TMS (transcranial magnetic stimulation)",
                            exact=True)).to_be_visible()


def assert_one_unclear_submission(reference: str) -> None:
    submission = Submission.objects.get()
    assert submission.reference == reference
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.trd_status == "unclear"
    assert submission.safety_level == "none"
    trials = list(MedicationTrial.objects.filter(submission=submission)
                  .select_related("medication").order_by("position"))
    assert [t.medication.slug for t in trials] == ["sertraline", "escitalopram"]
    assert trials[0].dose_mg_per_day == 150 and trials[1].dose_mg_per_day is None
    assert Assessment.objects.filter(submission=submission).count() == 1


# --- 1 and 7: the whole intake on a desktop, with axe-core on every page ------------------------

def test_whole_intake_on_desktop(page, assert_accessible):
    patient = Patient(page, on_page=assert_accessible, prefix="desktop-")
    reference = whole_intake(patient)
    assert_results_page(page, reference)
    assert_one_unclear_submission(reference)


# --- 2: the same journey on a phone --------------------------------------------------------------

def check_phone_layout(page: Page, name: str) -> None:
    """No sideways scrolling, and the crisis line is on the first screen without scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{name}: the page is {width}px wide, wider than the phone"
    crisis = page.locator(".crisis-banner").get_by_role("link", name="988")
    expect(crisis).to_be_visible()
    bottom = crisis.evaluate("el => el.getBoundingClientRect().bottom + window.scrollY")
    assert bottom < PHONE_HEIGHT, f"{name}: the crisis line is below the first screen ({bottom})"


def test_whole_intake_on_a_phone(phone_page, assert_accessible):
    def on_page(page, name):
        check_phone_layout(page, name)
        assert_accessible(page, name)

    patient = Patient(phone_page, on_page=on_page, prefix="phone-")
    reference = whole_intake(patient)
    assert_results_page(phone_page, reference)
    assert_one_unclear_submission(reference)


# --- 3: the safety interruption ------------------------------------------------------------------

def assert_crisis_contacts_on_first_screen(page: Page) -> None:
    panel = page.locator(".crisis-panel")
    for number in ("988", "911", "555-0100"):
        link = panel.get_by_role("link", name=number, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
        expect(link).to_have_attribute("href", f"tel:{number}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_acute_answer_goes_to_support_page(browser_context_factory, snap, assert_accessible,
                                           javascript):
    page = browser_context_factory(java_script_enabled=javascript).new_page()
    name = "js" if javascript else "nojs"
    patient = Patient(page, on_page=snap, prefix=f"acute-{name}-")
    patient.answer_until_safety()
    patient.safety("ynnn")
    patient.safety_now("Yes")

    patient.arrive("/intake/next/", "Please get help now", "support-acute")
    assert_crisis_contacts_on_first_screen(page)
    if javascript:
        assert_accessible(page, f"acute-{name}-support-axe")
    draft = Submission.objects.get()
    assert draft.safety_level == "acute"
    assert draft.flagged_at is not None
    assert draft.asq_wished_dead is True and draft.asq_thoughts_now is True

    page.get_by_role("link", name="Continue with the form").click()
    patient.arrive("/intake/medicines/", "Medicines you have tried", "after-support")
    expect(page.locator(".crisis-banner").get_by_role("link", name="988")).to_be_visible()
    expect(page.locator(".crisis-banner").get_by_role("link", name="911")).to_be_visible()


def test_non_acute_answer_goes_to_support_page(page, assert_accessible):
    patient = Patient(page, prefix="nonacute-")
    patient.answer_until_safety()
    patient.on_page = assert_accessible
    patient.safety("nnny")
    patient.safety_now("No")
    patient.arrive("/intake/next/", "Help is available", "support-non-acute")
    assert_crisis_contacts_on_first_screen(page)
    assert Submission.objects.get().safety_level == "non_acute"


# --- 4: leave and come back with a resume code -------------------------------------------------

def test_save_and_resume_on_another_device(page, browser_context_factory, assert_accessible):
    patient = Patient(page, prefix="resume-")
    patient.answer_until_safety()
    patient.arrive("/intake/safety/", "Safety questions", "safety")

    patient.on_page = assert_accessible
    page.get_by_role("link", name="Save and come back later").click()
    patient.arrive("/intake/save/", "Save and come back later", "save")
    patient.press("Get a resume code")
    patient.arrive("/intake/save/", "Your answers are saved", "save-code")
    expect(page.get_by_text("Your resume code", exact=True)).to_be_visible()
    code = page.locator(".resume-code").inner_text().strip()
    assert RESUME_CODE.fullmatch(code), code

    # Another device: a new browser context, with no cookies.
    other = browser_context_factory().new_page()
    elsewhere = Patient(other, on_page=assert_accessible, prefix="resume-other-")
    other.goto("/")
    other.get_by_role("link", name="Carry on with saved answers from another device").click()
    elsewhere.arrive("/resume/", "Carry on with saved answers", "resume")

    elsewhere.fill("Your resume code", "AAAAA-BBBBB-CCCCC-DDDDD")
    elsewhere.birthday("Your date of birth")
    elsewhere.press()
    summary = elsewhere.expect_errors("resume")
    expect(summary).to_contain_text("That code and date of birth do not match a saved form")

    elsewhere.fill("Your resume code", code.lower())
    elsewhere.birthday("Your date of birth")
    elsewhere.press()
    elsewhere.arrive("/intake/safety/", "Safety questions", "resumed")
    other.get_by_role("link", name="Back", exact=True).click()
    elsewhere.arrive("/intake/phq9/", re.compile(r"^Over the last 2 weeks"), "resumed-back")
    first = other.locator("fieldset").first
    expect(first.get_by_label("More than half the days", exact=True)).to_be_checked()
    other.goto("/intake/about-you/")
    expect(other.get_by_label("Full name", exact=True)).to_have_value("Alex Example")
    expect(other.get_by_label("E-mail address", exact=True)).to_have_value("alex@example.org")


# --- 5: keyboard only --------------------------------------------------------------------------

FOCUS_OUTLINE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, name: el.name || el.textContent.trim().slice(0, 40),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches the CSS selector; check focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert_focus_visible(page)
            return
    pytest.fail(f"Tab never reached {selector}")


def assert_focus_visible(page: Page) -> None:
    focused = page.evaluate(FOCUS_OUTLINE)
    assert focused["outline"] != "none" and focused["width"] > 0, (
        f"no visible focus outline on {focused}")


def test_keyboard_only(page):
    patient = Patient(page, prefix="keyboard-")
    page.goto("/")
    # The first Tab shows the skip link; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    tab_to(page, "main a[href$='/intake/consent/']")
    page.keyboard.press("Enter")

    patient.arrive("/intake/consent/", "Before you start", "consent")
    tab_to(page, "input[name=age_ok]")
    page.keyboard.press("Space")
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    tab_to(page, "input[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    patient.about_you()
    patient.depression()
    patient.history()
    patient.phq9()

    patient.arrive("/intake/safety/", "Safety questions", "safety")
    for field, question in zip(ASQ_FIELDS, ASQ_QUESTIONS, strict=True):
        # Tab into each question (onto its first answer, Yes); the arrow key moves to No and
        # selects it.
        tab_to(page, f"input[name={field}]")
        page.keyboard.press("ArrowDown")
        expect(patient.group(question).get_by_label("No", exact=True)).to_be_checked()
        assert_focus_visible(page)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    patient.arrive("/intake/medicines/", "Medicines you have tried", "medicines")
    draft = Submission.objects.get()
    assert draft.age_confirmed is True and draft.consented_at is not None
    assert (draft.asq_wished_dead, draft.asq_better_off_dead, draft.asq_thoughts_past_week,
            draft.asq_ever_attempted) == (False, False, False, False)
    assert draft.safety_level == "none"
    assert {"consent", "safety"} <= set(draft.steps_done)


# --- 6: error pages ---------------------------------------------------------------------------

def test_error_summary_is_focused_and_links_to_fields(page):
    patient = Patient(page, prefix="errors-")
    page.goto("/intake/consent/")
    patient.consent()
    patient.arrive("/intake/about-you/", "About you", "about-you")

    patient.press()
    summary = patient.expect_errors("about-you-empty")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()

    patient.fill("Full name", "Alex Example")
    patient.press()
    summary = patient.expect_errors("about-you-name-only")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Full name", exact=True)).to_have_value("Alex Example")
    expect(summary.get_by_role("link", name="Enter your full name")).to_have_count(0)

    summary.get_by_role("link", name="Enter your e-mail address").click()
    expect(page.get_by_label("E-mail address", exact=True)).to_be_focused()
    summary.get_by_role("link", name="Select how we should contact you").click()
    expect(patient.group("How should we contact you?").get_by_label("E-mail")).to_be_focused()
    # The error message is tied to the field, so a screen reader reads it with the field.
    email = page.get_by_label("E-mail address", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile(r"Enter your e-mail address"))


# --- 7: the pages the journeys above do not reach ---------------------------------------------

def test_not_eligible_page(page, assert_accessible):
    patient = Patient(page, on_page=assert_accessible, prefix="under-age-")
    page.goto("/intake/consent/")
    patient.arrive("/intake/consent/", "Before you start", "consent")
    patient.pick("Are you 18 or older?", "No")
    patient.tick(re.compile(r"^\s*I agree that the clinic stores my answers"))
    patient.press()
    patient.arrive("/intake/not-eligible/", "This form is for people aged 18 or older",
                   "not-eligible")
    assert_crisis_contacts_on_first_screen(page)
    assert Submission.objects.count() == 0


def test_phone_pages_outside_the_journey(phone_page, assert_accessible):
    def on_page(page, name):
        check_phone_layout(page, name)
        assert_accessible(page, name)

    patient = Patient(phone_page, prefix="phone-extra-")
    patient.answer_until_safety()
    patient.on_page = on_page
    patient.safety("ynnn")
    patient.safety_now("Yes")
    patient.arrive("/intake/next/", "Please get help now", "support-acute")
    assert_crisis_contacts_on_first_screen(phone_page)
    phone_page.goto("/intake/save/")
    patient.arrive("/intake/save/", "Save and come back later", "save")
    patient.press("Get a resume code")
    patient.arrive("/intake/save/", "Your answers are saved", "save-code")
    phone_page.goto("/resume/")
    patient.arrive("/resume/", "Carry on with saved answers", "resume")
    patient.press()
    patient.expect_errors("resume")
