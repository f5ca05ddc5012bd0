"""Strict conversion of plain data (decoded JSON) into `Answers`.

Every problem is reported as an `AnswersError` naming the path of the field, e.g.
``medication_trials[1].dose_mg_per_day``. Booleans are never accepted as numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .model import (
    ADHERENCE,
    ASQ_ITEMS,
    CURRENT_EPISODE,
    HEALTH_ITEMS,
    IMPROVEMENT,
    MAX_DOSE_MG_PER_DAY,
    MAX_EPISODE_MONTHS,
    MAX_WEEKS,
    OTHER,
    OTHER_TREATMENTS,
    PSYCHOTHERAPY_TYPES,
    PSYCHOTIC_SYMPTOMS,
    STOPPED_BECAUSE,
    UNKNOWN,
    Answers,
    Asq,
    CatalogEntry,
    Psychotherapy,
    Trial,
)

ANSWER_KEYS = (
    "current_episode_months", "psychotic_symptoms", "bipolar_history", "phq9", "asq",
    "medication_trials", "psychotherapy", "other_treatments", "health",
)
TRIAL_KEYS = (
    "medication", "other_name", "dose_mg_per_day", "weeks", "adherence", "improvement",
    "current_episode", "stopped_because",
)
MAX_NAME_LENGTH = 200
MAX_ITEMS = 100  # trials, therapies: far more than any real history


class AnswersError(ValueError):
    """An answers object that does not fit the schema."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def parse_answers(data: Any, catalog: Mapping[str, CatalogEntry]) -> Answers:
    obj = _object(data, "", ANSWER_KEYS)
    asq = _asq(obj["asq"])
    return Answers(
        current_episode_months=_int(
            obj["current_episode_months"], "current_episode_months", 0, MAX_EPISODE_MONTHS,
            nullable=True,
        ),
        psychotic_symptoms=_choice(obj["psychotic_symptoms"], "psychotic_symptoms",
                                   PSYCHOTIC_SYMPTOMS),
        bipolar_history=_bool(obj["bipolar_history"], "bipolar_history"),
        phq9=_phq9(obj["phq9"]),
        asq=asq,
        medication_trials=tuple(
            _trial(item, f"medication_trials[{i}]", catalog)
            for i, item in enumerate(_list(obj["medication_trials"], "medication_trials"))
        ),
        psychotherapy=tuple(
            _psychotherapy(item, f"psychotherapy[{i}]")
            for i, item in enumerate(_list(obj["psychotherapy"], "psychotherapy"))
        ),
        other_treatments=frozenset(
            _choice(item, f"other_treatments[{i}]", OTHER_TREATMENTS)
            for i, item in enumerate(_list(obj["other_treatments"], "other_treatments"))
        ),
        health=_health(obj["health"]),
    )


# --- composite parts ------------------------------------------------------------------------

def _trial(data: Any, path: str, catalog: Mapping[str, CatalogEntry]) -> Trial:
    obj = _object(data, path, TRIAL_KEYS)
    medication = _str(obj["medication"], f"{path}.medication")
    if medication not in catalog and medication not in (OTHER, UNKNOWN):
        raise AnswersError(f"{path}.medication", f"unknown medication {medication!r}")
    other_name = None
    if medication == OTHER:
        other_name = _str(obj["other_name"], f"{path}.other_name").strip()
        if not other_name:
            raise AnswersError(f"{path}.other_name", "a name is required for 'other'")
        if len(other_name) > MAX_NAME_LENGTH:
            raise AnswersError(f"{path}.other_name", f"longer than {MAX_NAME_LENGTH} characters")
    elif obj["other_name"] is not None:
        _str(obj["other_name"], f"{path}.other_name")  # type-checked, then ignored
    return Trial(
        medication=medication,
        other_name=other_name,
        dose_mg_per_day=_number(obj["dose_mg_per_day"], f"{path}.dose_mg_per_day",
                                0, MAX_DOSE_MG_PER_DAY, allow_low=False),
        weeks=_number(obj["weeks"], f"{path}.weeks", 0, MAX_WEEKS, allow_low=True),
        adherence=_choice(obj["adherence"], f"{path}.adherence", ADHERENCE),
        improvement=_choice(obj["improvement"], f"{path}.improvement", IMPROVEMENT),
        current_episode=_choice(obj["current_episode"], f"{path}.current_episode",
                                CURRENT_EPISODE),
        stopped_because=_choice(obj["stopped_because"], f"{path}.stopped_because",
                                STOPPED_BECAUSE),
    )


def _asq(data: Any) -> Asq:
    obj = _object(data, "asq", (*ASQ_ITEMS, "thoughts_now"))
    four = {key: _bool(obj[key], f"asq.{key}") for key in ASQ_ITEMS}
    thoughts_now = None
    if any(four.values()):
        if obj["thoughts_now"] is None:
            raise AnswersError("asq.thoughts_now",
                               "required (true or false) when any other ASQ answer is yes")
        thoughts_now = _bool(obj["thoughts_now"], "asq.thoughts_now")
    elif obj["thoughts_now"] is not None:
        _bool(obj["thoughts_now"], "asq.thoughts_now")  # type-checked; not asked, so ignored
    return Asq(**four, thoughts_now=thoughts_now)


def _psychotherapy(data: Any, path: str) -> Psychotherapy:
    obj = _object(data, path, ("type", "sessions"))
    return Psychotherapy(
        type=_choice(obj["type"], f"{path}.type", PSYCHOTHERAPY_TYPES),
        sessions=_int(obj["sessions"], f"{path}.sessions", 0, 10_000, nullable=True),
    )


def _health(data: Any) -> frozenset[str]:
    obj = _object(data, "health", HEALTH_ITEMS)
    return frozenset(key for key in HEALTH_ITEMS if _bool(obj[key], f"health.{key}"))


def _phq9(data: Any) -> tuple[int, ...]:
    items = _list(data, "phq9")
    if len(items) != 9:
        raise AnswersError("phq9", f"needs exactly 9 answers, got {len(items)}")
    return tuple(_int(v, f"phq9[{i}]", 0, 3) for i, v in enumerate(items))


# --- scalars --------------------------------------------------------------------------------

def _object(data: Any, path: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """An object with exactly these keys; `path` is "" for the answers object itself."""
    if not isinstance(data, Mapping):
        raise AnswersError(path or "answers", f"expected an object, got {_kind(data)}")
    for key in keys:
        if key not in data:
            raise AnswersError(_join(path, key), "missing")
    if len(data) > len(keys):  # every key is present, so anything more is unknown
        extra = sorted(str(k) for k in data if k not in keys)
        raise AnswersError(_join(path, extra[0]), "unknown field")
    return data


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _list(data: Any, path: str) -> list[Any]:
    if not isinstance(data, list):
        raise AnswersError(path, f"expected a list, got {_kind(data)}")
    if len(data) > MAX_ITEMS:
        raise AnswersError(path, f"more than {MAX_ITEMS} items")
    return data


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise AnswersError(path, f"expected a string, got {_kind(value)}")
    return value


def _choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise AnswersError(path, f"expected one of {', '.join(choices)}; got {value!r}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise AnswersError(path, f"expected true or false, got {_kind(value)}")
    return value


def _int(value: Any, path: str, low: int, high: int, *, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswersError(path, f"expected a whole number, got {_kind(value)}")
    if not low <= value <= high:
        raise AnswersError(path, f"must be between {low} and {high}, got {value}")
    return value


def _number(value: Any, path: str, low: float, high: float, *, allow_low: bool) -> float | None:
    """A finite number in (low, high] or [low, high]; None stays None (not known)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswersError(path, f"expected a number or null, got {_kind(value)}")
    if not math.isfinite(value):
        raise AnswersError(path, "must be a finite number")
    too_low = value < low if allow_low else value <= low
    if too_low or value > high:
        bound = f"at least {low}" if allow_low else f"more than {low}"
        raise AnswersError(path, f"must be {bound} and at most {high}, got {value}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
