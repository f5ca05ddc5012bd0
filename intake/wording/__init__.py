"""One wording layer: every code of the project in words, for patients and for staff.

The rule: every place that turns a code into words calls this layer; no other module keeps a
map from codes to words. The rules (`intake.screening`) speak in stable codes, the pages store
codes, and only here do they become words: the question pages, the results page, Check your
answers, the staff summary and its print view, the CSV exports, the audit trail, the staff alert
e-mails. The one exception is the labels of the models' choices (`TextChoices`): they stay on
the models because Django reads them there (form fields and admin filters built from a model
field, a model's own `__str__`), and this layer reads them from the models (`staff.CHOICES`,
`answers.ANSWERS`) for everything else: code and templates word a stored code with
`wording.choice(kind, code)` (in staff templates, the `words` filter), never with
`get_FOO_display()`.

This layer reads no database: what it words (a stored result, the engine catalog) is passed in.

Patient words: reading age about 12, "may" for every result, never reassurance. Staff words:
short and clinical. A code without words (an old stored result, a bad row) is shown as
"unrecognised" with the code, never a crash and never "not provided".

- `base`: audiences, "not answered", numbers, lists, yes/no
- `questions`: the patient's questions and answer choices
- `answers`: stored answers, doses and units
- `results`: status, verdicts, reasons, bands, safety level
- `options`: treatment options and what the patient tried
- `staff`: audit actions, catalog fields, badges, alert subjects, the models' choices
"""

from .answers import (
    ANSWERS,
    THERAPY_NAMES,
    UNIT_WORDS,
    UNITS,
    answer,
    answers,
    dose_a_day,
    health_answers,
    mg_a_day,
    phq9_answer,
    unit,
)
from .base import (
    AUDIENCES,
    MISSING,
    NOT_SURE,
    PATIENT,
    STAFF,
    join_and,
    join_or,
    lookup,
    number,
    unrecognised,
    yes_no,
)
from .options import (
    CONSIDERATIONS,
    FAMILIES,
    OPTION_REASONS,
    OPTIONS,
    PATIENT_OPTIONS,
    STAFF_OPTIONS,
    consideration,
    csv_options,
    option_reason,
    option_title,
    option_words,
    tried_for,
    tried_sentences,
)
from .questions import (
    HEALTH_CHOICES,
    MEDICINE_GROUPS,
    NOT_IN_THE_LIST,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    PHQ9_BANDS,
    PHQ9_QUESTIONS,
    PRIVACY_NOTICE_VERSION,
    QUESTIONS_TO_ASK,
    THERAPY_CHOICES,
    TREATMENT_HELPED_CHOICES,
    YES_NO,
)
from .results import (
    FLAGGED_NEXT_STEPS,
    MSM_BANDS,
    MSM_PARTS,
    NOT_KNOWN_REASONS,
    NUMBERED_REASONS,
    PHQ9_BAND_WORDS,
    REASONS,
    REPEATS_VERDICT,
    SAFETY_LEVELS,
    TRD_STATUS,
    VERDICTS,
    msm_band,
    patient_reasons,
    phq9_band,
    reason,
    safety_level,
    trd_explanation,
    trd_status,
    verdict,
)
from .staff import (
    ACTION_LABELS,
    ALERT_SUBJECTS,
    CHOICES,
    FIELD_WORDS,
    FLAG_WORDS,
    KEPT_WORDS,
    RECORD_KINDS,
    ROLE_WORDS,
    SAFETY_BADGES,
    action,
    alert_subject,
    choice,
    field,
)

__all__ = [
    "ACTION_LABELS", "ALERT_SUBJECTS", "ANSWERS", "AUDIENCES", "CHOICES", "CONSIDERATIONS",
    "FAMILIES", "FIELD_WORDS", "FLAGGED_NEXT_STEPS", "FLAG_WORDS", "HEALTH_CHOICES", "KEPT_WORDS",
    "MEDICINE_GROUPS", "MISSING", "MSM_BANDS", "MSM_PARTS", "NOT_IN_THE_LIST", "NOT_KNOWN_REASONS",
    "NOT_SURE", "NUMBERED_REASONS", "OPTIONS", "OPTION_REASONS", "OTHER_DIAGNOSIS_CHOICES",
    "OTHER_TREATMENT_CHOICES", "PATIENT", "PATIENT_OPTIONS", "PHQ9_ANSWERS", "PHQ9_BANDS",
    "PHQ9_BAND_WORDS", "PHQ9_QUESTIONS", "PRIVACY_NOTICE_VERSION", "QUESTIONS_TO_ASK", "REASONS",
    "RECORD_KINDS", "REPEATS_VERDICT", "ROLE_WORDS", "SAFETY_BADGES", "SAFETY_LEVELS", "STAFF",
    "STAFF_OPTIONS", "THERAPY_CHOICES", "THERAPY_NAMES", "TRD_STATUS", "TREATMENT_HELPED_CHOICES",
    "UNITS", "UNIT_WORDS", "VERDICTS", "YES_NO", "action", "alert_subject", "answer", "answers",
    "choice", "consideration", "csv_options", "dose_a_day", "field", "health_answers", "join_and",
    "join_or", "lookup", "mg_a_day", "msm_band", "number", "option_reason", "option_title",
    "option_words", "patient_reasons", "phq9_answer", "phq9_band", "reason", "safety_level",
    "trd_explanation", "trd_status", "tried_for", "tried_sentences", "unit", "unrecognised",
    "verdict", "yes_no"
]
