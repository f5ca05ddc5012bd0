"""Plain data: the answers the rules read and the reference data they need.

Every enumerated value is a short stable code (the same codes as the vignette schema and the
stored results). Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

RULES_VERSION = "2"

# --- enumerations (codes in the order they are offered) -------------------------------------
PSYCHOTIC_SYMPTOMS = ("never", "past", "current", "unknown")  # unknown: rules v2
ADHERENCE = ("most_days", "often_missed", "unknown")
IMPROVEMENT = ("lt25", "25to49", "50to74", "gte75", "unknown")
CURRENT_EPISODE = ("yes", "no", "unknown")
STOPPED_BECAUSE = ("side_effects", "not_helping", "still_taking", "other", "unknown")
PSYCHOTHERAPY_TYPES = (
    "cbt", "ipt", "dbt", "mbct", "cbasp", "behavioural_activation", "istdp", "mbt",
    "psychodynamic", "couples_family", "group", "other",
)
OTHER_TREATMENTS = (
    "tms", "ect", "esketamine", "ketamine_infusion", "vns", "psilocybin", "light_therapy", "other",
)
HEALTH_ITEMS = (
    "seizures", "metal_in_head", "implanted_device", "vascular_brain",
    "uncontrolled_blood_pressure", "heart_or_stroke", "pregnancy", "substance_use",
    "thyroid_disease", "chronic_illness", "supplements",
)
ASQ_ITEMS = ("wished_dead", "better_off_dead", "thoughts_past_week", "ever_attempted")
ROLES = ("antidepressant", "augmentation")
STILL_TAKING = "still_taking"

OTHER = "other"      # a medication named in free text
UNKNOWN = "unknown"  # a medication whose name the patient does not remember

MAX_DOSE_MG_PER_DAY = 3000
MAX_WEEKS = 3000          # a lifetime, with room to spare
MAX_EPISODE_MONTHS = 1200


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Clinic-configurable settings the rules use (docs/screening-rules.md section 1)."""

    min_trial_weeks: float = 6
    intolerance_weeks: float = 4


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One medication of the catalog, as far as the rules need it."""

    slug: str
    generic_name: str
    drug_class: str
    role: str
    min_adequate_mg_per_day: float | None


@dataclass(frozen=True, slots=True)
class Trial:
    medication: str                 # catalog slug, OTHER or UNKNOWN
    other_name: str | None
    dose_mg_per_day: float | None
    weeks: float | None
    adherence: str
    improvement: str
    current_episode: str
    stopped_because: str


@dataclass(frozen=True, slots=True)
class Asq:
    wished_dead: bool
    better_off_dead: bool
    thoughts_past_week: bool
    ever_attempted: bool
    thoughts_now: bool | None       # asked only when one of the four above is yes

    @property
    def any_positive(self) -> bool:
        return self.wished_dead or self.better_off_dead or self.thoughts_past_week or (
            self.ever_attempted
        )


@dataclass(frozen=True, slots=True)
class Psychotherapy:
    type: str
    sessions: int | None


@dataclass(frozen=True, slots=True)
class Answers:
    current_episode_months: int | None
    psychotic_symptoms: str
    bipolar_history: bool
    phq9: tuple[int, ...]
    asq: Asq
    medication_trials: tuple[Trial, ...]
    psychotherapy: tuple[Psychotherapy, ...]
    other_treatments: frozenset[str]
    health: frozenset[str]          # the HEALTH_ITEMS answered yes
