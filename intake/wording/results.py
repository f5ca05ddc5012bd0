"""The rules' results in words: the treatment-resistance status, each medicine's verdict and
reasons, the PHQ-9 and MSM bands, the safety level."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import SafetyLevel, TrdStatus
from .base import PATIENT, STAFF, join_and, lookup, number, unrecognised
from .questions import PHQ9_BANDS

TRD_STATUS = {
    PATIENT: {
        "may_apply": (
            _("The common definition of treatment-resistant depression may apply to you"),
            _("From your answers, at least two different antidepressants, each taken at a usual "
              "dose for long enough during this episode, did not help enough. A clinician will "
              "confirm this with you."),
        ),
        "unclear": (
            _("We need more detail to know if treatment-resistant depression may apply"),
            _("A clinician will go through your medicines with you and confirm."),
        ),
        "not_met": (
            _("From your answers, the common definition of treatment-resistant depression does "
              "not appear to apply"),
            _("This is not a judgement of how hard things have been. A clinician will confirm, "
              "and there are still options to discuss."),
        ),
    },
    STAFF: dict(TrdStatus.choices),
}

VERDICTS = {
    PATIENT: {
        "failed_adequate": _("Counted: taken at a usual dose for long enough, and it did not "
                             "help enough"),
        "possibly_failed_adequate": _("May count: the clinic will check some details"),
        "inadequate": _("Not counted: the dose or length was below the usual minimum, or it was "
                        "not taken on most days"),
        "responded": _("Not counted: it helped by half or more"),
        "intolerance": _("Not counted as a failure: stopped early because of side effects"),
        "other_episode": _("Not counted: taken during an earlier episode"),
        "augmentation": _("Recorded as an add-on medicine: it does not count towards the two"),
    },
    STAFF: {
        "failed_adequate": _("Adequate trial, failed"),
        "possibly_failed_adequate": _("Possibly adequate, failed"),
        "inadequate": _("Inadequate trial"),
        "responded": _("Responded"),
        "intolerance": _("Intolerance"),
        "other_episode": _("Earlier episode"),
        "augmentation": _("Augmentation"),
    },
}

# Reasons whose words mean "the patient did not know"; the others are about the catalog.
NOT_KNOWN_REASONS = frozenset({"dose_unknown", "duration_unknown", "adherence_unknown",
                               "improvement_unknown", "episode_unknown"})

PATIENT_REASONS = {
    "not_taken_as_prescribed": _("Doses were often missed."),
    "augmentation_role": _("It is an add-on medicine."),
    "other_episode": _("It was taken during an earlier episode."),
    "improvement_50_or_more": _("It helped by half or more."),
    "adequate_trial_without_response": _("The dose and length were enough, and it did not help "
                                         "enough."),
    "dose_unknown": _("The dose is not known."),
    "no_minimum_dose": _("The clinic will check the usual dose of this medicine."),
    "duration_unknown": _("How long it was taken is not known."),
    "adherence_unknown": _("It is not known if it was taken on most days."),
    "improvement_unknown": _("It is not known how much it helped."),
    "episode_unknown": _("It is not known if it was taken during this episode."),
}


STAFF_REASONS = {
    "not_taken_as_prescribed": _("often missed doses"),
    "augmentation_role": _("augmentation agent (catalog role)"),
    "other_episode": _("earlier episode"),
    "improvement_50_or_more": _("improved 50% or more"),
    "adequate_trial_without_response": _("adequate dose and duration, under 50% improvement"),
    "dose_unknown": _("dose not known"),
    "no_minimum_dose": _("no catalog minimum dose (not in the catalog, or none set): check "
                         "the usual dose"),
    "duration_unknown": _("duration not known"),
    "adherence_unknown": _("adherence not known"),
    "improvement_unknown": _("improvement not known"),
    "episode_unknown": _("episode not known"),
}
# Reasons with numbers: (patient template, staff template).
NUMBERED_REASONS = {
    "dose_below_minimum": (
        _("The dose, %(dose)s mg a day, was below the usual minimum of %(min)s mg."),
        _("dose %(dose)s mg/day below the minimum %(min)s mg/day"),
    ),
    "duration_below_minimum": (
        _("It was taken for %(weeks)s weeks; the usual minimum is %(min)s weeks."),
        _("%(weeks)s weeks, under the minimum %(min)s weeks"),
    ),
    "stopped_for_side_effects": (
        _("It was stopped because of side effects after %(weeks)s weeks."),
        _("stopped for side effects after %(weeks)s weeks (under %(min)s)"),
    ),
}

PHQ9_BAND_WORDS = {PATIENT: PHQ9_BANDS, STAFF: PHQ9_BANDS}
# The parts of the Maudsley Staging Method score, in the order staff read them.
MSM_PARTS = {
    "duration": _("Duration of this episode"),
    "severity": _("Severity (PHQ-9, psychosis)"),
    "failed": _("Failed antidepressants"),
    "augmentation": _("Augmentation tried"),
    "ect": _("ECT tried"),
}
MSM_BANDS = {"mild": _("mild"), "moderate": _("moderate"), "severe": _("severe")}
SAFETY_LEVELS = dict(SafetyLevel.choices)
REASONS = {PATIENT: PATIENT_REASONS, STAFF: STAFF_REASONS}


# A flagged patient is never told the usual review time (CLINIC_NEXT_STEPS): what they are told
# follows the clinic's safety rules for their level.
FLAGGED_NEXT_STEPS = {
    SafetyLevel.ACUTE: _(
        "A clinician will review your answers as a matter of urgency, and the clinic will "
        "contact you about them. Bring this summary, and a list of your medicines, to your "
        "first consultation."),
    SafetyLevel.NON_ACUTE: _(
        "A clinician will review your answers soon, before other forms, and the clinic will "
        "contact you about them. Bring this summary, and a list of your medicines, to your "
        "first consultation."),
}


def trd_status(code: str, audience: str = STAFF) -> str:
    """The status in a few words (for patients: the heading)."""
    text = TRD_STATUS[audience].get(code)
    if text is None:
        return unrecognised(code, audience)
    return str(text[0] if audience == PATIENT else text)


# Reasons that only repeat their verdict in other words: the results page leaves them out, so
# "Counted: taken at a usual dose for long enough..." is not followed by "The dose and length
# were enough...".
REPEATS_VERDICT = {
    "failed_adequate": {"adequate_trial_without_response"},
    "responded": {"improvement_50_or_more"},
    "augmentation": {"augmentation_role"},
    "other_episode": {"other_episode"},
}


def patient_reasons(verdict_code: str, stored_reasons: Iterable[Mapping]) -> list[str]:
    """A trial's reasons for the patient, without those that repeat its verdict."""
    repeated = REPEATS_VERDICT.get(verdict_code, set())
    return [reason(r, PATIENT) for r in stored_reasons if r.get("code") not in repeated]


def verdict(code: str, audience: str = PATIENT) -> str:
    return lookup(VERDICTS[audience], code, audience)


def reason(stored: Mapping, audience: str = PATIENT) -> str:
    """One stored trial reason (a dict with a code and its numbers) in words."""
    code = stored.get("code")
    if code in NUMBERED_REASONS:
        template = NUMBERED_REASONS[code][0 if audience == PATIENT else 1]
        values = {
            "dose": number(stored.get("dose_mg_per_day")),
            "min": number(stored.get("minimum_mg_per_day", stored.get("minimum_weeks",
                                                                     stored.get(
                                                                         "intolerance_weeks")))),
            "weeks": number(stored.get("weeks")),
        }
        return str(template % values)
    return lookup(REASONS[audience], code, audience)


def phq9_band(code: str, audience: str = PATIENT) -> str:
    return lookup(PHQ9_BAND_WORDS[audience], code, audience)


def msm_band(code: str | None) -> str:
    return "" if code is None else lookup(MSM_BANDS, code, STAFF)


def safety_level(code: str) -> str:
    return lookup(SAFETY_LEVELS, code, STAFF)


def trd_explanation(result: Mapping, names: list[str]) -> str:
    """The patient's explanation of the status; for `unclear`, what the clinic will check,
    never "not known" for an answer the patient gave."""
    status = result["trd"]["status"]
    entry = TRD_STATUS[PATIENT].get(status)
    if entry is None:
        return ""
    if status != "unclear":
        return str(entry[1])
    codes = {r.get("code") for t in result["trd"]["trials"]
             if t.get("verdict") == "possibly_failed_adequate" for r in t.get("reasons", [])}
    sentences = []
    if codes & NOT_KNOWN_REASONS:
        sentences.append(_("Some details were not known, such as a dose or how long you took "
                           "a medicine."))
    if "no_minimum_dose" in codes:
        unchecked = [name for name, t in zip(names, result["trd"]["trials"], strict=False)
                     if any(r.get("code") == "no_minimum_dose" for r in t.get("reasons", []))]
        sentences.append(ngettext(
            "We do not have the usual dose of %(names)s in our list, so the clinic will check "
            "it.",
            "We do not have the usual doses of %(names)s in our list, so the clinic will check "
            "them.", len(unchecked)) % {"names": join_and(unchecked)})
    sentences.append(entry[1])
    return " ".join(str(s) for s in sentences)

