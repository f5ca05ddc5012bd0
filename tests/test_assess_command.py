"""The `assess` management command: JSON Lines out, one clear line and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.models import Medication

VIGNETTES = sorted((Path(__file__).parent / "vignettes").glob("*.json"))
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def answers_of(path: Path) -> dict:
    return json.loads(path.read_text())["answers"]


def run(*paths, capsys) -> list[dict]:
    call_command("assess", *map(str, paths))
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def write(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_one_line_per_history_in_input_order(tmp_path, capsys):
    answers = [answers_of(v) for v in VIGNETTES]
    many = write(tmp_path, "many.json", answers)
    one = write(tmp_path, "one.json", answers[0])
    lines = run(many, one, capsys=capsys)
    assert len(lines) == len(answers) + 1
    expected = [json.loads(v.read_text())["expect"]["trd_status"] for v in VIGNETTES]
    assert [line["trd"]["status"] for line in lines[:-1]] == expected
    assert lines[-1] == lines[0]


def test_line_has_the_documented_keys(tmp_path, capsys):
    (line,) = run(write(tmp_path, "a.json", answers_of(VIGNETTES[0])), capsys=capsys)
    assert line["rules_version"] == "2"
    assert set(line["trd"]) >= {"status", "confirmed", "possible", "strict_confirmed",
                                "classes_confirmed", "trials"}
    assert [t["medication"] for t in line["trd"]["trials"]] == ["sertraline", "escitalopram"]
    assert all({"medication", "verdict", "reasons"} <= set(t) for t in line["trd"]["trials"])
    assert set(line["phq9"]) >= {"total", "band"}
    assert set(line["safety"]) == {"level"}
    assert set(line["msm"]) >= {"total", "band"}
    assert all(set(o) >= {"code", "considerations"} for o in line["options"])
    assert isinstance(line["considerations"], list)


def test_vignette_files_are_accepted_whole(capsys):
    lines = run(*VIGNETTES, capsys=capsys)
    assert len(lines) == len(VIGNETTES)


def test_uses_the_catalog_in_the_database(tmp_path, capsys):
    """The clinic edits minimum doses in the admin; `assess` must read those, not the CSV."""
    path = write(tmp_path, "a.json", answers_of(VIGNETTES[0]))  # sertraline 150 mg
    Medication.objects.filter(slug="sertraline").update(min_adequate_mg_per_day=200)
    (line,) = run(path, capsys=capsys)
    assert line["trd"]["trials"][0]["verdict"] == "inadequate"
    assert line["thresholds"]["min_doses"]["sertraline"] == 200


def test_thresholds_come_from_settings(tmp_path, capsys, settings):
    settings.MIN_TRIAL_WEEKS = 12
    (line,) = run(write(tmp_path, "a.json", answers_of(VIGNETTES[0])), capsys=capsys)
    assert line["thresholds"]["min_trial_weeks"] == 12
    assert line["trd"]["status"] == "not_met"  # 10 and 8 weeks are now too short


def bad_trial_dose(data):
    data["medication_trials"][1]["dose_mg_per_day"] = "lots"
    return data


def unknown_slug(data):
    data["medication_trials"][0]["medication"] = "notamedicine"
    return data


def missing_phq9(data):
    del data["phq9"]
    return data


def phq9_out_of_range(data):
    data["phq9"][3] = 4
    return data


@pytest.mark.parametrize(("change", "field"), [
    (bad_trial_dose, "medication_trials[1].dose_mg_per_day"),
    (unknown_slug, "medication_trials[0].medication"),
    (missing_phq9, "phq9"),
    (phq9_out_of_range, "phq9[3]"),
])
def test_bad_field_names_file_item_and_field(tmp_path, capsys, change, field):
    good = answers_of(VIGNETTES[0])
    path = write(tmp_path, "batch.json", [good, change(answers_of(VIGNETTES[0]))])
    with pytest.raises(CommandError) as raised:
        call_command("assess", str(path))
    message = str(raised.value)
    assert raised.value.returncode == 2
    assert str(path) in message and "item 1" in message and f"field {field}" in message
    assert capsys.readouterr().out == ""  # nothing printed for the good item either


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "invalid JSON at line 1"),
    ("", "invalid JSON"),
    ("42", "item 0: field answers: expected an object"),
    ("[[]]", "item 0: field answers: expected an object"),
])
def test_unreadable_json(tmp_path, content, words):
    path = write(tmp_path, "bad.json", content)
    with pytest.raises(CommandError, match=words):
        call_command("assess", str(path))


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read file"):
        call_command("assess", str(tmp_path / "nope.json"))


def test_exit_status_and_no_traceback_from_the_shell(tmp_path):
    """As clinic QA runs it: status 2, one line on stderr, no traceback."""
    path = write(tmp_path, "bad.json", [{"phq9": []}])
    db = tmp_path / "db.sqlite3"
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_catalog", "-v0"], env=env, check=True, cwd=ROOT)
    done = subprocess.run([*manage, "assess", str(path)], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "item 0" in line]
    assert len(errors) == 1 and "field " in errors[0]
    assert done.stdout == ""
