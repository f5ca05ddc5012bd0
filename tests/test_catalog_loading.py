from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from intake.catalog_csv import COLUMNS, DEFAULT_CATALOG_CSV, CatalogCSVError, read_catalog_csv
from intake.models import Medication

pytestmark = pytest.mark.django_db

CATALOG_ROWS = 49


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_catalog", *args, stdout=out)
    return out.getvalue().strip()


def write_csv(path: Path, rows: list[dict], columns=COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_row(**overrides) -> dict:
    row = {
        "slug": "testamine",
        "generic_name": "testamine",
        "brand_names": "Testa; Testix",
        "drug_class": "SSRI",
        "role": "antidepressant",
        "min_adequate_mg_per_day": "20",
        "usual_max_mg_per_day": "40",
        "min_dose_source": "made up",
    }
    row.update(overrides)
    return row


def test_bundled_csv_matches_model_fields():
    rows = read_catalog_csv()
    assert len(rows) == CATALOG_ROWS
    field_names = {field.name for field in Medication._meta.get_fields()}
    assert set(rows[0]) <= field_names


def test_load_catalog_creates_every_row_with_correct_values():
    assert load() == f"catalog: {CATALOG_ROWS} created, 0 unchanged (0 updated)"
    assert Medication.objects.count() == CATALOG_ROWS

    sertraline = Medication.objects.get(slug="sertraline")
    assert sertraline.role == Medication.Role.ANTIDEPRESSANT
    assert sertraline.min_adequate_mg_per_day == Decimal("50")
    assert sertraline.usual_max_mg_per_day == Decimal("200")
    assert sertraline.brand_list == ["Zoloft"]
    assert sertraline.active is True
    assert str(sertraline) == "sertraline"

    quetiapine = Medication.objects.get(slug="quetiapine")
    assert quetiapine.role == Medication.Role.AUGMENTATION
    assert quetiapine.min_adequate_mg_per_day == Decimal("150")
    assert quetiapine.brand_list == ["Seroquel XR", "Seroquel"]

    aripiprazole = Medication.objects.get(slug="aripiprazole")
    assert aripiprazole.role == Medication.Role.AUGMENTATION
    assert aripiprazole.min_adequate_mg_per_day is None
    assert aripiprazole.min_dose_source == "no published minimum found; clinic to set"

    tianeptine = Medication.objects.get(slug="tianeptine")
    assert tianeptine.min_adequate_mg_per_day == Decimal("37.5")
    assert tianeptine.usual_max_mg_per_day is None


def test_roles_split_as_in_csv():
    load()
    assert Medication.objects.filter(role="antidepressant").count() == 42
    assert Medication.objects.filter(role="augmentation").count() == 7


def test_loading_twice_creates_no_duplicates():
    load()
    assert load() == f"catalog: 0 created, {CATALOG_ROWS} unchanged (0 updated)"
    assert Medication.objects.count() == CATALOG_ROWS


def test_staff_edits_survive_a_reload():
    load()
    Medication.objects.filter(slug="sertraline").update(
        min_adequate_mg_per_day=Decimal("100"), active=False
    )
    Medication.objects.filter(slug="aripiprazole").update(min_adequate_mg_per_day=Decimal("10"))
    Medication.objects.get(slug="quetiapine").delete()

    assert load() == f"catalog: 1 created, {CATALOG_ROWS - 1} unchanged (0 updated)"

    sertraline = Medication.objects.get(slug="sertraline")
    assert sertraline.min_adequate_mg_per_day == Decimal("100")
    assert sertraline.active is False
    assert Medication.objects.get(slug="aripiprazole").min_adequate_mg_per_day == Decimal("10")
    assert Medication.objects.get(slug="quetiapine").min_adequate_mg_per_day == Decimal("150")


def test_update_overwrites_existing_rows_from_csv():
    load()
    Medication.objects.filter(slug="sertraline").update(
        min_adequate_mg_per_day=Decimal("100"), generic_name="Sertraline (edited)", active=False
    )
    assert load("--update") == f"catalog: 0 created, {CATALOG_ROWS - 1} unchanged (1 updated)"
    sertraline = Medication.objects.get(slug="sertraline")
    assert sertraline.min_adequate_mg_per_day == Decimal("50")
    assert sertraline.generic_name == "sertraline"
    # `active` is not a CSV column: staff's choice stands.
    assert sertraline.active is False


def test_file_option_and_rows_not_in_csv_are_kept(tmp_path):
    load()
    path = write_csv(tmp_path / "extra.csv", [good_row()])
    assert load("--file", str(path)) == "catalog: 1 created, 0 unchanged (0 updated)"
    assert Medication.objects.count() == CATALOG_ROWS + 1
    assert Medication.objects.get(slug="testamine").brand_list == ["Testa", "Testix"]


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        ([good_row(), good_row(slug="other", role="mood stabiliser")], 3, "role"),
        ([good_row(min_adequate_mg_per_day="-5")], 2, "min_adequate_mg_per_day"),
        ([good_row(min_adequate_mg_per_day="0")], 2, "min_adequate_mg_per_day"),
        ([good_row(usual_max_mg_per_day="lots")], 2, "usual_max_mg_per_day"),
        ([good_row(usual_max_mg_per_day="nan")], 2, "usual_max_mg_per_day"),
        ([good_row(), good_row(slug="b"), good_row()], 4, "slug"),
        ([good_row(generic_name="")], 2, "generic_name"),
        ([good_row(slug="has space")], 2, "slug"),
    ],
)
def test_bad_rows_raise_naming_line_and_column_and_write_nothing(tmp_path, rows, line, column):
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as excinfo:
        load("--file", str(path))
    message = str(excinfo.value)
    assert f"line {line}" in message
    assert f"'{column}'" in message
    assert Medication.objects.count() == 0


def test_missing_column_is_named(tmp_path):
    columns = [c for c in COLUMNS if c != "role"]
    path = write_csv(tmp_path / "bad.csv", [good_row()], columns=columns)
    with pytest.raises(CommandError, match=r"line 1, column 'role'"):
        load("--file", str(path))
    assert Medication.objects.count() == 0


def test_bad_row_after_good_rows_writes_nothing(tmp_path):
    source = tmp_path / "catalog.csv"
    shutil.copy(DEFAULT_CATALOG_CSV, source)
    with open(source, "a", encoding="utf-8") as handle:
        handle.write("broken,broken,,SSRI,antidepressant,-1,,\n")
    with pytest.raises(CommandError, match=rf"line {CATALOG_ROWS + 2}, column"):
        load("--file", str(source))
    assert Medication.objects.count() == 0


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        load("--file", str(tmp_path / "nope.csv"))


def test_read_catalog_csv_error_carries_line_and_column(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [good_row(role="")])
    with pytest.raises(CatalogCSVError) as excinfo:
        read_catalog_csv(path)
    assert (excinfo.value.line, excinfo.value.column) == (2, "role")


def test_database_rejects_non_positive_minimum_dose():
    with pytest.raises(IntegrityError), transaction.atomic():
        Medication.objects.create(
            slug="x",
            generic_name="x",
            drug_class="x",
            role="antidepressant",
            min_adequate_mg_per_day=Decimal("0"),
        )
