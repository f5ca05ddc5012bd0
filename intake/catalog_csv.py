"""Reading and validating the medication catalog CSV (intake/data/medications.csv).

Plain Python (no database access), so the loader command, tests and other tools can share it.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

DEFAULT_CATALOG_CSV = Path(__file__).resolve().parent / "data" / "medications.csv"

COLUMNS = (
    "slug",
    "generic_name",
    "brand_names",
    "drug_class",
    "role",
    "min_adequate_mg_per_day",
    "usual_max_mg_per_day",
    "min_dose_source",
    "dose_unit",
)
# Columns a CSV may leave out (older catalogs): their value then.
OPTIONAL_COLUMNS = {"dose_unit": "mg"}
DOSE_UNITS = ("mg", "mcg")
REQUIRED_VALUES = ("slug", "generic_name", "drug_class", "role")
ROLES = ("antidepressant", "augmentation")
MAX_LENGTHS = {
    "slug": 64,
    "generic_name": 128,
    "brand_names": 255,
    "drug_class": 128,
    "min_dose_source": 255,
}
DOSE_COLUMNS = ("min_adequate_mg_per_day", "usual_max_mg_per_day")
# Matches Medication's DecimalField(max_digits=8, decimal_places=2).
_MAX_DOSE = Decimal("999999.99")
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")


class CatalogCSVError(ValueError):
    def __init__(self, line: int, column: str, problem: str):
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(f"line {line}, column {column!r}: {problem}")


def _dose(value: str, line: int, column: str) -> Decimal | None:
    if value == "":
        return None
    try:
        dose = Decimal(value)
    except InvalidOperation:
        raise CatalogCSVError(line, column, f"not a number: {value!r}") from None
    if not dose.is_finite() or dose <= 0:
        raise CatalogCSVError(line, column, f"must be a positive number, got {value!r}")
    if dose > _MAX_DOSE or dose != dose.quantize(Decimal("0.01")):
        raise CatalogCSVError(
            line, column, f"must be below 1000000 with at most 2 decimals, got {value!r}"
        )
    return dose


def read_catalog_csv(path: str | Path = DEFAULT_CATALOG_CSV) -> list[dict]:
    """Read and validate the catalog; return one dict per row, keyed by Medication field name.

    Doses come back as ``Decimal`` or ``None``. Raises ``CatalogCSVError`` (a ``ValueError``)
    naming the line number and the column of the first problem found.
    """
    rows: list[dict] = []
    seen_slugs: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in COLUMNS:
            if column not in header and column not in OPTIONAL_COLUMNS:
                raise CatalogCSVError(1, column, "missing from the header row")
        for record in reader:
            line = reader.line_num
            if None in record:
                raise CatalogCSVError(line, COLUMNS[-1], "more fields than the header has")
            values = {column: (record.get(column, OPTIONAL_COLUMNS.get(column)) or "").strip()
                      for column in COLUMNS}
            values["dose_unit"] = values["dose_unit"] or "mg"
            if values["dose_unit"] not in DOSE_UNITS:
                raise CatalogCSVError(line, "dose_unit", f"must be one of "
                                      f"{', '.join(DOSE_UNITS)}, got {values['dose_unit']!r}")
            for column in REQUIRED_VALUES:
                if not values[column]:
                    raise CatalogCSVError(line, column, "must not be empty")
            for column, limit in MAX_LENGTHS.items():
                if len(values[column]) > limit:
                    raise CatalogCSVError(line, column, f"longer than {limit} characters")
            slug = values["slug"]
            if not _SLUG_RE.match(slug):
                raise CatalogCSVError(
                    line, "slug", f"only letters, digits, '-' and '_' allowed, got {slug!r}"
                )
            if slug in seen_slugs:
                raise CatalogCSVError(
                    line, "slug", f"duplicate slug {slug!r} (first on line {seen_slugs[slug]})"
                )
            seen_slugs[slug] = line
            if values["role"] not in ROLES:
                raise CatalogCSVError(
                    line, "role", f"must be one of {', '.join(ROLES)}, got {values['role']!r}"
                )
            row: dict = dict(values)
            for column in DOSE_COLUMNS:
                row[column] = _dose(values[column], line, column)
            rows.append(row)
    return rows
