from django.urls import path, register_converter

from .patient import views

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
    path("", views.start, name="start"),
    path("privacy/", views.privacy, name="privacy"),
    path("intake/consent/", views.consent, name="consent"),
    path("intake/not-eligible/", views.not_eligible, name="not_eligible"),
    path("intake/next/", views.support, name="next"),  # after safety questions, flagged or not
    path("intake/closed/", views.closed, name="closed"),
    path("intake/medicines/", views.medicines, name="medicines"),
    path("intake/medicines/add/", views.medicine_edit, name="medicine_add"),
    path("intake/medicines/<position:position>/", views.medicine_edit, name="medicine_edit"),
    path("intake/medicines/<position:position>/remove/", views.medicine_remove,
         name="medicine_remove"),
    path("intake/check/", views.check, name="check"),
    path("intake/save/", views.save_for_later, name="save"),
    path("intake/forget/", views.forget, name="forget"),
    path("intake/<slug:slug>/", views.step, name="step"),
    path("resume/", views.resume, name="resume"),
    path("results/<str:reference>/", views.results, name="results"),
]
