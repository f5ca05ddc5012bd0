from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from trdintake.env import (
    get_bool,
    get_emails,
    get_float,
    get_int,
    get_list,
    get_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent


# --- get_bool ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["true", "TRUE", "1", "yes", "On", " true "])
def test_get_bool_true(raw):
    assert get_bool({"DJANGO_DEBUG": raw}, "DJANGO_DEBUG", False) is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "OFF"])
def test_get_bool_false(raw):
    assert get_bool({"DJANGO_DEBUG": raw}, "DJANGO_DEBUG", True) is False


@pytest.mark.parametrize("env", [{}, {"DJANGO_DEBUG": ""}, {"DJANGO_DEBUG": "  "}])
def test_get_bool_default_when_unset_or_empty(env):
    assert get_bool(env, "DJANGO_DEBUG", True) is True
    assert get_bool(env, "DJANGO_DEBUG", False) is False


def test_get_bool_rejects_other_words_with_exact_message():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        get_bool({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG", False)
    assert str(excinfo.value) == (
        "DJANGO_DEBUG must be one of true/false/1/0/yes/no/on/off, got 'maybe'"
    )


@pytest.mark.parametrize("raw", ["2", "y", "t", "enabled", "truee"])
def test_get_bool_rejects_near_misses(raw):
    with pytest.raises(ImproperlyConfigured, match="ALERT_ON_EVERY_SUBMISSION"):
        get_bool({"ALERT_ON_EVERY_SUBMISSION": raw}, "ALERT_ON_EVERY_SUBMISSION", False)


# --- numbers -------------------------------------------------------------------------------------


def test_get_int():
    assert get_int({}, "MIN_PATIENT_AGE", 18) == 18
    assert get_int({"MIN_PATIENT_AGE": " 16 "}, "MIN_PATIENT_AGE", 18) == 16
    assert get_int({"N": "5"}, "N", 0, min=5, max=5) == 5


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "0x10", "ten"])
def test_get_int_rejects_non_integers(raw):
    with pytest.raises(ImproperlyConfigured, match="RESUME_CODE_DAYS"):
        get_int({"RESUME_CODE_DAYS": raw}, "RESUME_CODE_DAYS", 30)


def test_get_int_enforces_bounds():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be at most 65535"):
        get_int({"EMAIL_PORT": "70000"}, "EMAIL_PORT", 25, min=1, max=65535)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be at least 1"):
        get_int({"EMAIL_PORT": "0"}, "EMAIL_PORT", 25, min=1, max=65535)


def test_get_float():
    assert get_float({}, "MIN_TRIAL_WEEKS", 6.0) == 6.0
    assert get_float({"MIN_TRIAL_WEEKS": "8"}, "MIN_TRIAL_WEEKS", 6.0) == 8.0
    assert get_float({"MIN_TRIAL_WEEKS": "4.5"}, "MIN_TRIAL_WEEKS", 6.0) == 4.5


@pytest.mark.parametrize("raw", ["six", "nan", "NaN", "inf", "-inf", "infinity", "6 weeks"])
def test_get_float_rejects_non_finite_and_garbage(raw):
    with pytest.raises(ImproperlyConfigured, match="MIN_TRIAL_WEEKS"):
        get_float({"MIN_TRIAL_WEEKS": raw}, "MIN_TRIAL_WEEKS", 6.0)


@pytest.mark.parametrize("raw", ["0", "-1", "-0.5"])
def test_get_float_exclusive_minimum(raw):
    with pytest.raises(ImproperlyConfigured, match="INTOLERANCE_WEEKS must be greater than 0"):
        get_float({"INTOLERANCE_WEEKS": raw}, "INTOLERANCE_WEEKS", 4.0, min=0, exclusive_min=True)


# --- strings, lists and e-mails ------------------------------------------------------------------


def test_get_str_default_for_empty():
    assert get_str({"CLINIC_NAME": ""}, "CLINIC_NAME", "TRD Clinic") == "TRD Clinic"
    assert get_str({"CLINIC_NAME": " Hope "}, "CLINIC_NAME", "TRD Clinic") == "Hope"


def test_get_list_trims_and_drops_empties():
    env = {"DJANGO_ALLOWED_HOSTS": " a.example , ,b.example,, "}
    assert get_list(env, "DJANGO_ALLOWED_HOSTS", []) == ["a.example", "b.example"]
    assert get_list({}, "DJANGO_ALLOWED_HOSTS", ["x"]) == ["x"]


def test_get_emails_valid():
    env = {"CLINIC_ALERT_EMAILS": "nurse@clinic.example, dr.lee+intake@clinic.example"}
    assert get_emails(env, "CLINIC_ALERT_EMAILS", []) == [
        "nurse@clinic.example",
        "dr.lee+intake@clinic.example",
    ]
    assert get_emails({}, "CLINIC_ALERT_EMAILS", []) == []


@pytest.mark.parametrize(
    "raw", ["nurse", "nurse@", "@clinic.example", "a@b", "a b@clinic.example", "x@y.example;z@w.io"]
)
def test_get_emails_rejects_invalid(raw):
    with pytest.raises(ImproperlyConfigured, match="CLINIC_ALERT_EMAILS"):
        get_emails({"CLINIC_ALERT_EMAILS": raw}, "CLINIC_ALERT_EMAILS", [])


# --- DATABASE_URL --------------------------------------------------------------------------------


def test_sqlite_relative_path_is_under_base_dir(tmp_path):
    config = parse_database_url("sqlite:///var/db.sqlite3", tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "var/db.sqlite3")


def test_sqlite_absolute_path(tmp_path):
    config = parse_database_url("sqlite:////srv/trd/db.sqlite3", tmp_path)
    assert config["NAME"] == "/srv/trd/db.sqlite3"


@pytest.mark.parametrize("url", ["sqlite://:memory:", "sqlite:///:memory:"])
def test_sqlite_memory(url, tmp_path):
    assert parse_database_url(url, tmp_path)["NAME"] == ":memory:"


def test_postgres_url(tmp_path):
    config = parse_database_url(
        "postgres://trd%40user:p%40ss%3Aword@db.internal:6543/trdintake?sslmode=require", tmp_path
    )
    assert {key: config[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST")} == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "trdintake",
        "USER": "trd@user",
        "PASSWORD": "p@ss:word",
        "HOST": "db.internal",
    }
    assert int(config["PORT"]) == 6543
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_postgresql_scheme_without_password_or_port(tmp_path):
    config = parse_database_url("postgresql://postgres@127.0.0.1/trdintake", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["USER"] == "postgres"
    assert config["PASSWORD"] == ""
    assert config["HOST"] == "127.0.0.1"
    assert config["PORT"] == ""
    assert "OPTIONS" not in config


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/trd",
        "postgres://user:secret@localhost:5432/",
        "postgres://user:secret@localhost:notaport/trd",
        "postgres://user:secret@[::1/trd",
        "pgsql://user:secret@localhost/trd",
        "sqlite://host/db.sqlite3",
        "sqlite:///",
        "sqlite://",
        "just-a-path.sqlite3",
        "",
    ],
)
def test_bad_database_urls(url, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as excinfo:
        parse_database_url(url, tmp_path)
    assert "secret" not in str(excinfo.value)


# --- settings in a fresh process -----------------------------------------------------------------

GOOD_KEY = secrets.token_urlsafe(48)  # 64 characters


def _python(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "MIN_", "CLINIC_", "SITE_URL"))
    }
    env["DATABASE_URL"] = "sqlite://:memory:"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    return _python("manage.py", *args, **env_overrides)


def _default_database(database_url: str) -> dict:
    """DATABASES["default"] as the settings module builds it in a fresh process."""
    result = _python(
        "-c",
        "import json; from trdintake import settings; "
        "print(json.dumps(settings.DATABASES['default']))",
        DJANGO_DEBUG="true",
        DATABASE_URL=database_url,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_sqlite_database_url_keeps_the_settings_for_concurrent_writers():
    config = _default_database("sqlite:////srv/trd/db.sqlite3")
    assert config["NAME"] == "/srv/trd/db.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)


def test_a_postgres_database_url_keeps_persistent_connections():
    config = _default_database("postgres://trd:secret@db.internal:5432/trdintake")
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.postgresql", "trdintake")
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    assert "OPTIONS" not in config


def test_a_malformed_database_url_refuses_to_start():
    result = _manage("check", DJANGO_DEBUG="true", DATABASE_URL="mysql://root:secret@db/trd")
    assert result.returncode != 0
    assert "DATABASE_URL must start with sqlite:// or postgres://" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_is_off_by_default():
    result = _manage("check", DJANGO_ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("key", ["short-key", "django-insecure-" + "x" * 60])
def test_production_with_weak_secret_key_refuses_to_start(key):
    result = _manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="clinic.example"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_malformed_debug_flag_is_named():
    result = _manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of true/false/1/0/yes/no/on/off, got 'maybe'" in result.stderr


def test_malformed_clinic_setting_is_named():
    result = _manage("check", DJANGO_DEBUG="true", MIN_TRIAL_WEEKS="nan")
    assert result.returncode != 0
    assert "MIN_TRIAL_WEEKS" in result.stderr


@pytest.mark.parametrize("raw", ["soon", "0", "1.5"])
def test_malformed_worker_sweep_interval_is_named(raw):
    result = _manage("check", DJANGO_DEBUG="true", WORKER_SWEEP_SECONDS=raw)
    assert result.returncode != 0
    assert "WORKER_SWEEP_SECONDS" in result.stderr and "Traceback" not in result.stderr


def test_debug_mode_starts_without_secret_key():
    result = _manage("check", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": GOOD_KEY,
              "DJANGO_ALLOWED_HOSTS": "clinic.example",
              "CLINIC_ALERT_EMAILS": "duty@clinic.example", "SITE_URL": "https://clinic.example"}


def test_production_passes_deploy_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("name", "value"), [
    ("CLINIC_ALERT_EMAILS", ""), ("SITE_URL", ""), ("SITE_URL", "http://clinic.example")])
def test_production_refuses_to_start_when_alerts_could_not_reach_staff(name, value):
    result = _manage("check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_check_reports_alerts_that_could_not_reach_staff():
    result = _manage("check", "--deploy", DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "intake.E001" in result.stderr and "CLINIC_ALERT_EMAILS" in result.stderr
    assert "intake.E002" in result.stderr and "SITE_URL" in result.stderr


def test_the_old_not_opened_deadline_is_refused_with_its_replacement_named():
    result = _manage("check", **PRODUCTION, URGENT_REVIEW_MINUTES="30")
    assert result.returncode != 0
    assert "URGENT_CONTACT_MINUTES" in result.stderr and "Traceback" not in result.stderr
    assert _manage("check", **PRODUCTION, URGENT_CONTACT_MINUTES="30").returncode == 0
