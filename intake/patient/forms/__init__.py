"""The patient's question pages as forms: validation, layout, and loading from / saving into a
draft.

Every form validates on the server with messages in plain words and declares its layout for
django-crispy-forms (`helper`, rendered by the project's `govuk` template pack). Each step form
knows how to fill itself from a `Submission` and how to save into it (`save`, `base.py`); its
`Meta.fields` names the submission fields it writes, so the view saves those and nothing else. A
question is declared once, as a model field and a form field: its label, the fields a page saves
and its rows in Check your answers, the staff summary and the CSV export follow (`answers.py`).
Field helpers are in `fields.py`, the medicine form in `medicine_form.py` (all in
`intake/patient/`). The forms, by the sections of the form: `about`, `feelings`, `treatments`;
and `resume`.
"""

from ..fields import age_at
from ..medicine_form import MedicineForm, MoreMedicinesForm
from .about import AboutYouForm, ConsentForm, DepressionForm, HistoryForm
from .feelings import ASQ_FIELDS, AsqForm, AsqNowForm, HealthForm, Phq9Form
from .resume import ResumeForm
from .treatments import (
    OtherTreatmentsForm,
    OtherTreatmentsHelpedForm,
    TherapyDetailsForm,
    TherapyForm,
)

__all__ = ["ASQ_FIELDS", "AboutYouForm", "AsqForm", "AsqNowForm", "ConsentForm",
           "DepressionForm", "HealthForm", "HistoryForm", "MedicineForm", "MoreMedicinesForm",
           "OtherTreatmentsForm", "OtherTreatmentsHelpedForm", "Phq9Form", "ResumeForm",
           "TherapyDetailsForm", "TherapyForm", "age_at"]
