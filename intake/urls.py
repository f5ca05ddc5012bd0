from django.urls import path, register_converter

from .patient.views import finish, medicines, questions, save_resume, stale, start

app_name = "intake"


class PositionConverter:
    """A medicine's place in the patient's list: a number its column can hold (a positive small
    integer), or no match (a 404) rather than a database error."""

    regex = "[0-9]{1,5}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= 32767:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(PositionConverter, "position")

# No address holds an answer or a draft id: drafts are found through the session.
urlpatterns = [
    path("", start.start, name="start"),
    path("privacy/", start.privacy, name="privacy"),
    path("intake/consent/", start.consent, name="consent"),
    path("intake/not-eligible/", start.not_eligible, name="not_eligible"),
    path("intake/next/", questions.support, name="next"),  # after safety questions, flagged or not
    path("intake/closed/", stale.closed, name="closed"),
    path("intake/medicines/", medicines.medicines, name="medicines"),
    path("intake/medicines/add/", medicines.medicine_edit, name="medicine_add"),
    path("intake/medicines/<position:position>/", medicines.medicine_edit, name="medicine_edit"),
    path("intake/medicines/<position:position>/remove/", medicines.medicine_remove,
         name="medicine_remove"),
    path("intake/check/", finish.check, name="check"),
    path("intake/save/", save_resume.save_for_later, name="save"),
    path("intake/forget/", save_resume.forget, name="forget"),
    path("intake/<slug:slug>/", questions.step, name="step"),
    path("resume/", save_resume.resume, name="resume"),
    path("results/<str:reference>/", finish.results, name="results"),
]
