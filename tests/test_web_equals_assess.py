"""A history entered through the web pages gives the same result as `manage.py assess` on the
same answers; and the version-2 questions (still taking, psychosis "I don't know") can be
entered and are stored as the rules read them."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from intake import services
from intake.models import Assessment, MedicationTrial, Submission
from tests.intake_helpers import PAGES, SERTRALINE, fill_until, load_catalog, post
from tests.screening_helpers import VIGNETTES_DIR

YES_NO = {True: "yes", False: "no"}


def pages_for(answers: dict) -> tuple[dict, list[dict]]:
    """The page answers (slug -> POST data) and medicine forms for an answers object."""
    pages = {slug: dict(data) for slug, data in PAGES.items()}
    months = answers["current_episode_months"]
    pages["depression"].update(episode_months="" if months is None else str(months),
                               episode_months_unknown="on" if months is None else "")
    pages["history"].update(bipolar_history=YES_NO[answers["bipolar_history"]],
                            psychotic_symptoms=answers["psychotic_symptoms"])
    pages["phq9"] = {f"item{n}": str(v) for n, v in enumerate(answers["phq9"], start=1)}
    asq = answers["asq"]
    pages["safety"] = {f"asq_{key}": YES_NO[asq[key]] for key in
                       ("wished_dead", "better_off_dead", "thoughts_past_week", "ever_attempted")}
    pages["safety-now"] = {"asq_thoughts_now": YES_NO.get(asq["thoughts_now"], "no")}
    therapies = answers["psychotherapy"]
    pages["therapy"] = {"types": [t["type"] for t in therapies] or ["none"]}
    pages["therapy-details"] = {}
    for t in therapies:
        pages["therapy-details"][f"sessions_{t['type']}"] = "" if t["sessions"] is None \
            else str(t["sessions"])
        pages["therapy-details"][f"helped_{t['type']}"] = "partly"
    pages["other-treatments"] = {"tried": list(answers["other_treatments"]) or ["none"]}
    pages["other-treatments-helped"] = dict.fromkeys(answers["other_treatments"], "no")
    pages["health"] = {"conditions": [k for k, v in answers["health"].items() if v] or ["none"],
                       "anything_else": ""}
    medicines = []
    for trial in answers["medication_trials"]:
        form = {"medication": trial["medication"], "other_name": trial["other_name"] or "",
                "adherence": trial["adherence"], "improvement": trial["improvement"],
                "stopped_because": trial["stopped_because"], "action": "save"}
        if trial["stopped_because"] != "still_taking":  # not asked then
            form["current_episode"] = trial["current_episode"]
        if trial["dose_mg_per_day"] is None:
            form["dose_unknown"] = "on"
        else:
            form.update(dose=str(trial["dose_mg_per_day"]), dose_unit="mg")
        if trial["weeks"] is None:
            form["duration_unknown"] = "on"
        else:
            form.update(duration_amount=str(trial["weeks"]), duration_unit="weeks")
        medicines.append(form)
    return pages, medicines


def walk(client, answers: dict) -> Submission:
    pages, medicines = pages_for(answers)
    order = ["consent", "about-you", "depression", "history", "phq9", "safety", "safety-now",
             "medicines", "therapy", "therapy-details", "other-treatments",
             "other-treatments-helped", "health"]
    for slug in order:
        if slug == "safety-now" and not any(v == "yes" for v in pages["safety"].values()):
            continue
        if slug == "therapy-details" and not answers["psychotherapy"]:
            continue
        if slug == "other-treatments-helped" and not answers["other_treatments"]:
            continue
        if slug == "medicines":
            for form in medicines:
                response = client.post(reverse("intake:medicine_add"), form)
                assert response.status_code == 302, response.content.decode()[:2000]
            response = client.post(reverse("intake:medicines"), {"add_another": "no"})
        else:
            response = post(client, slug, pages[slug])
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    assert client.post(reverse("intake:check")).status_code == 302
    return Submission.objects.get()


def assess_command(tmp_path, answers: dict) -> dict:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call_command("assess", str(path))
    return json.loads(out.getvalue())


HISTORIES = ["01-two-adequate-failures", "07-intolerance", "10-tms-considerations",
             "12-still-taking-this-episode", "13-earlier-episode-only"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", HISTORIES)
def test_web_pages_give_the_same_result_as_assess(client, tmp_path, name):
    load_catalog()
    answers = json.loads((VIGNETTES_DIR / f"{name}.json").read_text())["answers"]
    sub = walk(client, answers)
    stored = Assessment.objects.get(submission=sub)
    assert stored.rules_version == "2"
    assert stored.result == assess_command(tmp_path, answers)


@pytest.mark.django_db
def test_psychosis_unknown_can_be_entered(client):
    load_catalog()
    fill_until(client, stop="history")
    html = client.get(reverse("intake:step", args=["history"])).content.decode()
    radios = re.findall(r'<input[^>]*name="psychotic_symptoms"[^>]*>', html)
    assert any('value="unknown"' in radio for radio in radios)
    response = post(client, "history", {**PAGES["history"], "psychotic_symptoms": "unknown"})
    assert response.status_code == 302
    assert Submission.objects.get().psychotic_symptoms == "unknown"
    assert services.answers_for_rules(Submission.objects.get())["psychotic_symptoms"] == \
        "unknown"


@pytest.mark.django_db
def test_still_taking_needs_no_episode_answer_and_is_stored_as_this_episode(client):
    load_catalog()
    fill_until(client, stop="medicines")
    form = {**SERTRALINE, "stopped_because": "still_taking"}
    del form["current_episode"]
    assert client.post(reverse("intake:medicine_add"), form).status_code == 302
    assert MedicationTrial.objects.get().current_episode == "yes"
    stopped = {**SERTRALINE}
    del stopped["current_episode"]
    response = client.post(reverse("intake:medicine_add"), stopped)
    assert response.status_code == 400
    assert "Select yes, no or I don" in response.content.decode()
    html = client.get(reverse("intake:medicine_edit", args=[1])).content.decode()
    assert html.index('name="stopped_because"') < html.index('name="current_episode"')
    assert "Skip this if you are still taking it." in html


@pytest.mark.django_db
def test_version_1_results_keep_their_version_and_a_rerun_adds_version_2(client):
    load_catalog()
    fill_until(client)
    client.post(reverse("intake:check"))
    sub = Submission.objects.get()
    Assessment.objects.filter(submission=sub).update(rules_version="1")
    services.run_assessment(sub, Assessment.Trigger.RERUN)
    versions = list(sub.assessments.order_by("created_at", "id")
                    .values_list("rules_version", "is_current"))
    assert versions == [("1", False), ("2", True)]
