"""The TRD screening rules as a functional core: plain answers in, an assessment out.

No Django here. The web app, the admin and the ``assess`` command are thin shells that turn
their data into `Answers`, call `assess`, and store or show `assessment_to_dict(...)`.
"""

from .assessment import Assessment, assess, assessment_to_dict
from .catalog import load_catalog_csv
from .model import (
    RULES_VERSION,
    Answers,
    Asq,
    CatalogEntry,
    Psychotherapy,
    Thresholds,
    Trial,
)
from .options import CONSIDERATION_CODES, OPTION_CODES
from .parse import AnswersError, parse_answers
from .rules import VERDICTS, safety_level, score_phq9

__all__ = [
    "CONSIDERATION_CODES",
    "OPTION_CODES",
    "RULES_VERSION",
    "VERDICTS",
    "Answers",
    "AnswersError",
    "Asq",
    "Assessment",
    "CatalogEntry",
    "Psychotherapy",
    "Thresholds",
    "Trial",
    "assess",
    "assessment_to_dict",
    "load_catalog_csv",
    "parse_answers",
    "safety_level",
    "score_phq9",
]
