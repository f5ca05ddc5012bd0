"""Every state of every patient page, drawn with Django's test client: each question page
empty and with errors, the medicine pages (add, change, search), Check your answers, the
results flagged and not, the support, save, resume, closed, start and privacy pages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from intake.patient.forms import OtherTreatmentsForm
from tests.intake_helpers import PAGES, SERTRALINE, load_catalog, post, url

QUESTIONS = ("consent", "about-you", "depression", "history", "phq9", "safety", "safety-now")
LATER_QUESTIONS = ("therapy", "therapy-details", "other-treatments", "other-treatments-helped",
                   "health")
TRIED = OtherTreatmentsForm.base_fields["tried"].choices[0][0]
ANSWERS = {**PAGES, "safety": {**PAGES["safety"], "asq_wished_dead": "yes"},
           "safety-now": {"asq_thoughts_now": "no"}, "other-treatments": {"tried": [TRIED]},
           "other-treatments-helped": {TRIED: "partly"}}


def _html(response, expected=200) -> str:
    assert response.status_code == expected, (response.status_code, response.get("Location"))
    return response.content.decode()


def page_states() -> dict[str, str]:
    """{name: HTML} of every patient page state (a flagged patient's walk, then an unflagged
    one's results)."""
    load_catalog()
    pages, client = {}, Client()
    pages["start"] = _html(client.get(reverse("intake:start")))
    pages["privacy"] = _html(client.get(reverse("intake:privacy")))
    pages["resume"] = _html(client.get(reverse("intake:resume")))
    pages["resume errors"] = _html(client.post(reverse("intake:resume"), {}), 400)

    def question(slug):
        pages[slug] = _html(client.get(url(slug)))
        pages[f"{slug} errors"] = _html(post(client, slug, {}), 400)
        response = post(client, slug, ANSWERS[slug])
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
        return response

    for slug in QUESTIONS:
        response = question(slug)
    pages["support"] = _html(client.get(response["Location"]))
    medicines, add = reverse("intake:medicines"), reverse("intake:medicine_add")
    pages["medicines"] = _html(client.get(medicines))
    pages["medicine add"] = _html(client.get(add))
    pages["medicine add errors"] = _html(client.post(add, {"action": "save"}), 400)
    pages["medicine search"] = _html(client.post(add, {"action": "search", "search": "zol"}))
    pages["medicine search no match"] = _html(client.post(add, {"action": "search",
                                                                "search": "qqqq"}))
    assert client.post(add, SERTRALINE).status_code == 302
    pages["medicines list"] = _html(client.get(medicines))
    pages["medicines list errors"] = _html(client.post(medicines, {}), 400)
    change = reverse("intake:medicine_edit", args=[1])
    pages["medicine change"] = _html(client.get(change))
    pages["medicine change errors"] = _html(client.post(change, {**SERTRALINE, "dose": "x"}),
                                            400)
    assert client.post(medicines, {"add_another": "no"}).status_code == 302
    for slug in LATER_QUESTIONS:
        question(slug)
    pages["save"] = _html(client.get(reverse("intake:save")))
    pages["check"] = _html(client.get(reverse("intake:check")))
    pages["results flagged"] = _html(client.get(client.post(reverse("intake:check"))["Location"]))
    pages["closed"] = _html(post(client, "depression"), 409)
    unflagged = Client()
    for slug in ("consent", "about-you", "depression", "history", "phq9", "safety"):
        assert post(unflagged, slug, PAGES[slug]).status_code == 302
    assert unflagged.post(add, SERTRALINE).status_code == 302
    assert unflagged.post(medicines, {"add_another": "no"}).status_code == 302
    for slug in ("therapy", "therapy-details", "other-treatments", "health"):
        assert post(unflagged, slug, PAGES[slug]).status_code == 302
    pages["results"] = _html(unflagged.get(unflagged.post(reverse("intake:check"))["Location"]))
    return pages
