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
from .options import CONSIDERATION_CODES, OPTION_CODES, OPTION_REASON_CODES, OPTION_REASONS
from .parse import AnswersError, parse_answers
from .rules import (
    MSM_BANDS,
    PHQ9_BANDS,
    SAFETY_LEVELS,
    TRD_STATUSES,
    TRIAL_REASON_CODES,
    VERDICTS,
    episode_of,
    safety_level,
    score_phq9,
)
from .tried import TriedSummary, tried_summary

__all__ = [
    "CONSIDERATION_CODES",
    "MSM_BANDS",
    "OPTION_CODES",
    "OPTION_REASONS",
    "OPTION_REASON_CODES",
    "PHQ9_BANDS",
    "SAFETY_LEVELS",
    "TRD_STATUSES",
    "TRIAL_REASON_CODES",
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
    "TriedSummary",
    "assess",
    "assessment_to_dict",
    "episode_of",
    "load_catalog_csv",
    "parse_answers",
    "safety_level",
    "score_phq9",
    "tried_summary",
]
