from django.urls import path

from . import views

app_name = "intake"

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
    path("intake/medicines/<int:position>/", views.medicine_edit, name="medicine_edit"),
    path("intake/medicines/<int:position>/remove/", views.medicine_remove,
         name="medicine_remove"),
    path("intake/check/", views.check, name="check"),
    path("intake/save/", views.save_for_later, name="save"),
    path("intake/forget/", views.forget, name="forget"),
    path("intake/<slug:slug>/", views.step, name="step"),
    path("resume/", views.resume, name="resume"),
    path("results/<str:reference>/", views.results, name="results"),
]
