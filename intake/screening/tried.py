"""What the patient already tried, for options that name it (docs/screening-rules.md, 7.3).

`switch_or_combine` says which drug classes were tried and which usual classes were not, and its
examples never name a medicine already tried (nor bupropion when seizures are reported);
`augmentation` names the add-ons already tried and suggests only others. These are facts for
the wording layer, not codes: the `assess` output does not contain them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import OTHER, Answers, CatalogEntry

# Families of antidepressant drug classes, in the order they are usually offered.
USUAL_FAMILIES = ("ssri", "snri", "ndri", "nassa", "tca", "maoi")
FAMILIES = (*USUAL_FAMILIES, "other")

# Examples offered for each option, in order of preference; the first few not excluded are shown.
SWITCH_EXAMPLES = ("bupropion", "mirtazapine", "dextromethorphan-bupropion", "vortioxetine",
                   "venlafaxine", "duloxetine", "escitalopram", "sertraline")
AUGMENTATION_EXAMPLES = ("aripiprazole", "brexpiprazole", "quetiapine", "cariprazine",
                         "lithium", "liothyronine")
EXAMPLES_SHOWN = 3
# Lower the seizure threshold: never an example for a patient who reports seizures.
SEIZURE_THRESHOLD = frozenset({"bupropion"})


def family_of(drug_class: str) -> str:
    """The family of a catalog drug class (e.g. "TCA (non-US)" -> "tca")."""
    kind = drug_class.upper()
    for family, marks in (("ssri", ("SSRI",)), ("snri", ("SNRI",)), ("ndri", ("NDRI",)),
                          ("nassa", ("NASSA",)), ("tca", ("TCA", "TETRACYCLIC")),
                          ("maoi", ("MAOI", "RIMA"))):
        if any(mark in kind for mark in marks):
            return family
    return "other"


@dataclass(frozen=True, slots=True)
class TriedSummary:
    families_tried: tuple[str, ...]          # antidepressant families tried, any episode
    usual_families_not_tried: tuple[str, ...]
    switch_examples: tuple[str, ...]         # catalog slugs
    addons_tried: tuple[str, ...]            # catalog slugs of augmentation trials
    augmentation_examples: tuple[str, ...]   # catalog slugs
    antidepressants_tried: tuple[str, ...]   # catalog slugs


def _parts(name: str) -> set[str]:
    """The single medicines a name is made of: "dextromethorphan-bupropion" -> both."""
    cleaned = name.casefold().replace("-", " ").replace("/", " ").replace("+", " ")
    return {word for word in cleaned.split() if word}


def tried_summary(answers: Answers, catalog: Mapping[str, CatalogEntry]) -> TriedSummary:
    antidepressants: list[str] = []
    addons: list[str] = []
    taken: set[str] = set()  # every single medicine name the patient mentioned
    for trial in answers.medication_trials:
        entry = catalog.get(trial.medication)
        if entry is not None:
            target = addons if entry.role == "augmentation" else antidepressants
            if entry.slug not in target:
                target.append(entry.slug)
            taken |= _parts(entry.generic_name) | _parts(entry.slug)
        elif trial.medication == OTHER and trial.other_name:
            taken |= _parts(trial.other_name)
    families = {family_of(catalog[slug].drug_class) for slug in antidepressants}
    avoid = set(SEIZURE_THRESHOLD) if "seizures" in answers.health else set()

    def examples(pool: tuple[str, ...]) -> tuple[str, ...]:
        chosen = [slug for slug in pool
                  if slug in catalog and not (_parts(catalog[slug].generic_name) | _parts(slug))
                  & (taken | avoid)]
        return tuple(chosen[:EXAMPLES_SHOWN])

    return TriedSummary(
        families_tried=tuple(f for f in FAMILIES if f in families),
        usual_families_not_tried=tuple(f for f in USUAL_FAMILIES if f not in families),
        switch_examples=examples(SWITCH_EXAMPLES),
        addons_tried=tuple(addons),
        augmentation_examples=examples(AUGMENTATION_EXAMPLES),
        antidepressants_tried=tuple(antidepressants),
    )
