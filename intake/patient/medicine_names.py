"""Medicine names understood however they are typed: generic or brand, with small typos.

Plain Python over anything with `slug`, `generic_name` and `brand_list` (catalog rows). The
catalog is a few dozen medicines, so every name is compared each time (well under a
millisecond with rapidfuzz).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

CLOSEST_SHOWN = 3


def normalise(text: str) -> str:
    """Case-folded, punctuation to spaces, runs of spaces folded: " Zoloft® " -> "zoloft"."""
    return " ".join(re.sub(r"[^\w\s-]", " ", text.casefold()).split())


# A dose or a form typed with the name ("Zoloft 50mg", "sertraline 100 mg tablets") is not part
# of it. No catalog name holds a digit; "2.5" is "2 5" once normalised.
DOSE_OR_FORM = re.compile(
    r"\b\d+(?: \d+)?\s*(?:mg|mcg|ug|µg|μg|micrograms?|milligrams?)?\b"
    r"|\b(?:tablets?|tabs?|capsules?|caps?|pills?)\b")


def typed_name(text: str) -> str:
    """A typed medicine name as it is compared with the catalog: normalised, and without a
    dose or form typed with it (unless that is all there is)."""
    needle = normalise(text)
    return " ".join(DOSE_OR_FORM.sub(" ", needle).split()) or needle


def allowed_typos(length: int) -> int:
    """Edits tolerated for a typed name of this length (none for very short ones)."""
    if length < 4:
        return 0
    if length < 6:
        return 1
    if length < 10:
        return 2
    return 3


def names_of(med) -> list[str]:
    return [normalise(name) for name in (med.generic_name, *med.brand_list) if name.strip()]


@dataclass
class SearchResult:
    query: str
    slugs: set[str]                 # medicines to list
    matched: bool                   # False: nothing matched; `slugs` are the closest instead
    closest: list[str] = field(default_factory=list)  # their names, for the message


def search(meds: Iterable, query: str) -> SearchResult:
    """Medicines whose generic or brand name contains the query or is within a few typos of it
    (also when only the start of the name was typed); else the closest few."""
    meds = list(meds)
    needle = typed_name(query)
    if not needle:
        return SearchResult(query, {m.slug for m in meds}, True)
    typos = allowed_typos(len(needle))
    found = {med.slug for med in meds if any(needle in name for name in names_of(med))}
    if not found and typos:  # no name contains it: allow typos, in the whole name or its start
        found = {med.slug for med in meds for name in names_of(med)
                 if Levenshtein.distance(needle, name, score_cutoff=typos) <= typos
                 or Levenshtein.distance(needle, name[:len(needle)], score_cutoff=typos) <= typos}
    if found:
        return SearchResult(query, found, True)
    choices = {(med.slug, name): name for med in meds for name in names_of(med)}
    ranked = process.extract(needle, choices, scorer=fuzz.WRatio, limit=len(choices))
    closest: list[str] = []
    slugs: set[str] = set()
    by_slug = {med.slug: med for med in meds}
    for _name, _score, (slug, _n) in ranked:
        if slug not in slugs:
            slugs.add(slug)
            closest.append(by_slug[slug].generic_name)
        if len(slugs) == CLOSEST_SHOWN:
            break
    return SearchResult(query, slugs, False, closest)


def best_match(meds: Iterable, typed: str):
    """The catalog medicine a typed name means: exactly (generic or brand, case and punctuation
    ignored) or within a few typos of one name. None when nothing is close, or when two
    different medicines are equally close."""
    needle = typed_name(typed)
    if not needle:
        return None
    typos = allowed_typos(len(needle))
    best: dict[int, dict] = {}
    for med in meds:
        for name in names_of(med):
            distance = Levenshtein.distance(needle, name, score_cutoff=typos)
            if distance <= typos:
                best.setdefault(distance, {})[med.slug] = med
    if not best:
        return None
    closest = best[min(best)]
    return next(iter(closest.values())) if len(closest) == 1 else None
