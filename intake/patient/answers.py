"""The questions a page declares, read back in words: Check your answers, the staff summary and
the CSV export walk the same declarations.

A step form's `Meta.fields` names the submission fields the page saves; those that are also
fields of the form are its questions, each labelled by its form field. A page may fold an "I
don't know" box into the answer it qualifies (`unknown_boxes`) and say how a number reads
(`number_words`). Pages whose answers are not one field per question (the PHQ-9, the talk
therapies, the health conditions) draw their own rows beside these.
"""

from __future__ import annotations

import datetime

from .. import wording
from ..wording import PATIENT, STAFF

DATE_FORMATS = {PATIENT: "%B %-d, %Y", STAFF: "%-d %b %Y"}


def saved_fields(form_class) -> tuple[str, ...]:
    """The submission fields a page saves: its `Meta.fields`."""
    meta = getattr(form_class, "Meta", None)
    return tuple(getattr(meta, "fields", ()))


def questions(form_class) -> list[tuple[str, str]]:
    """(field name, label) of each question the page asks and saves, in its order; an "I don't
    know" box is part of the answer it qualifies."""
    folded = set(getattr(form_class, "unknown_boxes", {}).values())
    return [(name, str(form_class.base_fields[name].label)) for name in saved_fields(form_class)
            if name in form_class.base_fields and name not in folded]


def words(form_class, name: str, sub, audience: str) -> str:
    """One saved answer in words: a choice by its label, a list of choices, yes or no, a date,
    a number; nothing given: "Not provided" (patient) or "Not answered" (staff)."""
    box = getattr(form_class, "unknown_boxes", {}).get(name)
    if box and getattr(sub, box):
        return str(form_class.base_fields[box].label)
    value = getattr(sub, name)
    if value in (None, "", [], {}):
        return str(wording.MISSING[audience])
    field = form_class.base_fields[name]
    if isinstance(value, bool):
        return wording.yes_no(value, audience)
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMATS[audience])
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = {str(code): label for code, label in choices}
        codes = value if isinstance(value, list) else [value]
        return ", ".join(str(labels[c]) if c in labels else wording.unrecognised(c, audience)
                         for c in map(str, codes))
    if isinstance(value, int):
        template = getattr(form_class, "number_words", {}).get(name)
        return str(template % {"n": wording.number(value)}) if template else \
            wording.number(value)
    return str(value)


def answered(form_class, sub, audience: str) -> list[tuple[str, str, str]]:
    """(field name, label, words) of each question of the page."""
    return [(name, label, words(form_class, name, sub, audience))
            for name, label in questions(form_class)]


__all__ = ["answered", "questions", "saved_fields", "words"]
