"""Django settings for trdintake, read from environment variables (see README.md).

Production is the default: with DJANGO_DEBUG unset the site refuses to start unless
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are set properly.
"""

from __future__ import annotations

import os
import zoneinfo
from datetime import timedelta
from pathlib import Path

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

env = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# --- Core ----------------------------------------------------------------------------------------

DEBUG = get_bool(env, "DJANGO_DEBUG", False)

_DEV_SECRET_KEY = "dev-only-secret-key-never-used-in-production-0123456789abcdefghijklmnop"  # noqa: S105 (DEBUG only)
SECRET_KEY = get_str(env, "DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = get_list(env, "DJANGO_ALLOWED_HOSTS", [])

if DEBUG:
    SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false (production). Generate one "
            "with: python3 -c 'import secrets; print(secrets.token_urlsafe(60))'"
        )
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak for production: it needs at least 50 characters and "
            "must not start with 'django-insecure'."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false (production), "
            "e.g. DJANGO_ALLOWED_HOSTS=clinic.example.org"
        )

CSRF_TRUSTED_ORIGINS = get_list(env, "DJANGO_CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS entries must start with https:// or http://, "
            f"got {_origin!r}"
        )

INSTALLED_APPS = [
    "intake.apps.StaffAdminConfig",  # django.contrib.admin with the staff site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # Django's form and widget templates, reachable from the project's templates
    "crispy_forms",  # with the project's own template pack, templates/govuk/
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "intake",
]

MIDDLEWARE = [
    # HTML compressed; Django's gzip adds random bytes to each response (BREACH mitigation),
    # and CSRF tokens are masked per response. WhiteNoise serves static files precompressed.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "trdintake.middleware.SecurityHeadersMiddleware",
    # Uploads, oversized and chunked bodies refused before anything reads the body.
    "trdintake.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "trdintake.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trdintake.urls"
WSGI_APPLICATION = "trdintake.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "intake.context_processors.clinic",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------

_database_url = get_str(env, "DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": parse_database_url(_database_url, BASE_DIR)}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite with several gunicorn workers and the task worker writing at once (README, "SQLite
    # and when to move to PostgreSQL"): write-ahead logging so readers never wait for a writer;
    # every transaction takes the write lock when it begins (IMMEDIATE), so two transactions
    # that read then write queue behind each other instead of failing with "database is
    # locked" when the second tries to upgrade; and a writer waits up to 20 s for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

# Persistent connections: no new connection (and no SQLite PRAGMAs) on every request.
DATABASES["default"].update({"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication, sessions, lockout -----------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every management command
# Lock a username from one address: behind a proxy every client may share one IP, so an IP-only
# lockout would lock out all staff at once.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

# How many reverse proxies (TLS terminator, load balancer) stand in front of the site: the client
# address is then taken from X-Forwarded-For, the same way for axes and for the patient-side
# limits (trdintake/client_ip.py). 0: the client connects directly (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = get_int(env, "TRUSTED_PROXY_COUNT", 0, min=0, max=5)
AXES_CLIENT_IP_CALLABLE = "trdintake.client_ip.client_ip"

# The lockout page, in the admin's style: for how long, and whom to ask (the active managers by
# name, or an administrator).
AXES_LOCKOUT_CALLABLE = "intake.staff.lockout.lockout_response"

# A second factor (a TOTP code from an authenticator app) for every staff account: required in
# production, optional in development (staff who set up an app are still asked for it).
STAFF_MFA_REQUIRED = get_bool(env, "STAFF_MFA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = get_str(env, "CLINIC_NAME", "TRD Clinic") + " staff"

STAFF_SESSION_MINUTES = get_int(env, "STAFF_SESSION_MINUTES", 30, min=1)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = STAFF_SESSION_MINUTES * 60
# Not every request: staff sessions are renewed on each request by StaffSessionMiddleware (their
# idle timeout); a patient's session once a day (intake.patient.views.drafts.renew_once_a_day).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# No page takes a file: RequestBodyLimitMiddleware refuses multipart bodies, and any body over
# DATA_UPLOAD_MAX_MEMORY_SIZE, unread. Should a multipart body ever get past it, its files are
# kept in memory up to the same size and dropped beyond it: nothing is written to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# --- Security headers (production) ---------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = get_bool(env, "DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = get_int(env, "DJANGO_SECURE_HSTS_SECONDS", 31536000, min=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = get_bool(env, "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = get_bool(env, "DJANGO_SECURE_HSTS_PRELOAD", True)

# --- Internationalisation ------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = get_str(env, "DJANGO_TIME_ZONE", "America/New_York")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"DJANGO_TIME_ZONE is not a known time zone: {TIME_ZONE!r}"
    ) from None
# The site is in English only: it ships no translations, so Django's translation machinery
# is off: gettext returns the text as written. Looking every text up in the English catalog
# took 0.2-0.4 ms of each patient page, a tenth of its time. The templates keep their
# {% translate %} tags: a clinic that adds a language turns this on and adds LocaleMiddleware.
USE_I18N = False
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# The hashed, compressed manifest storage needs `collectstatic` first. It is on in production;
# development (DJANGO_DEBUG=true) and the test suite (conftest.py sets DJANGO_STATIC_MANIFEST=false)
# use the plain storage so they work straight from a checkout.
STATIC_MANIFEST = get_bool(env, "DJANGO_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

if not STATIC_MANIFEST:
    # Serve straight from the app and project static folders; no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # keeps WhiteNoise from warning it is missing

# The patient pages' forms render through crispy-forms with the project's own GOV.UK template
# pack (templates/govuk/, layouts in intake/patient/layout.py).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("govuk",)
CRISPY_TEMPLATE_PACK = "govuk"

# --- E-mail --------------------------------------------------------------------------------------

EMAIL_BACKEND = get_str(
    env,
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = get_str(env, "EMAIL_HOST", "localhost")
EMAIL_PORT = get_int(env, "EMAIL_PORT", 25, min=1, max=65535)
EMAIL_HOST_USER = get_str(env, "EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = get_str(env, "EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = get_bool(env, "EMAIL_USE_TLS", False)
# Seconds an SMTP connection may take; a mail server that never answers fails the delivery task
# (which is retried), never a patient's page: no e-mail is sent inside a request.
EMAIL_TIMEOUT = get_int(env, "EMAIL_TIMEOUT", 10, min=1, max=300)
DEFAULT_FROM_EMAIL = get_str(env, "DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ----------------------------------------------------------------------------
# Alerts, escalations and patient e-mails are queued as rows in the database, in the same
# transaction as the change that needs them, and delivered by `manage.py worker` (README,
# "The task worker"). Tests run the same queue with tests/task_helpers.run_tasks().

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds between the worker's sweeps: deliveries left without a task (a killed worker, a dropped
# database connection) queued again, escalations that are due, the daily purge.
WORKER_SWEEP_SECONDS = get_int(env, "WORKER_SWEEP_SECONDS", 60, min=1, max=3600)

# --- Logging -------------------------------------------------------------------------------------
# Everything goes to stderr. Request bodies are never logged: django.request stays at WARNING and
# only logs the path and status; no handler here formats POST data.

LOG_LEVEL = get_str(env, "DJANGO_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL must be one of DEBUG/INFO/WARNING/ERROR/CRITICAL, got {LOG_LEVEL!r}"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "django.db.backends": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

# --- Clinic --------------------------------------------------------------------------------------

MIN_TRIAL_WEEKS = get_float(env, "MIN_TRIAL_WEEKS", 6.0, min=0, exclusive_min=True)
INTOLERANCE_WEEKS = get_float(env, "INTOLERANCE_WEEKS", 4.0, min=0, exclusive_min=True)
CLINIC_NAME = get_str(env, "CLINIC_NAME", "TRD Clinic")
CLINIC_PHONE = get_str(env, "CLINIC_PHONE", "555-0100")
CLINIC_HOURS = get_str(env, "CLINIC_HOURS", "Monday to Friday, 9am to 5pm")
CRISIS_LINE = get_str(env, "CRISIS_LINE", "988")
CRISIS_LINE_NAME = get_str(env, "CRISIS_LINE_NAME", "988 Suicide & Crisis Lifeline")
EMERGENCY_NUMBER = get_str(env, "EMERGENCY_NUMBER", "911")
CRISIS_CHAT_URL = get_str(env, "CRISIS_CHAT_URL", "https://988lifeline.org/chat/")
if CRISIS_CHAT_URL and not CRISIS_CHAT_URL.startswith("https://"):
    raise ImproperlyConfigured(f"CRISIS_CHAT_URL must start with https://, got {CRISIS_CHAT_URL!r}")
CLINIC_ALERT_EMAILS = get_emails(env, "CLINIC_ALERT_EMAILS", [])
# Who hears about a flagged case with no contact recorded in time
# (intake/delivery/escalation.py; default: the alert addresses again, so an escalation always
# reaches someone): an urgent case after URGENT_CONTACT_MINUTES and again every
# URGENT_CONTACT_MINUTES, a priority case once after PRIORITY_CONTACT_HOURS.
CLINIC_ESCALATION_EMAILS = get_emails(env, "CLINIC_ESCALATION_EMAILS", []) or CLINIC_ALERT_EMAILS
URGENT_CONTACT_MINUTES = get_int(env, "URGENT_CONTACT_MINUTES", 60, min=1, max=24 * 60)
PRIORITY_CONTACT_HOURS = get_int(env, "PRIORITY_CONTACT_HOURS", 24, min=1, max=14 * 24)
if "URGENT_REVIEW_MINUTES" in env:  # the old "not opened" deadline: refuse to ignore it silently
    raise ImproperlyConfigured("URGENT_REVIEW_MINUTES is replaced by URGENT_CONTACT_MINUTES "
                               "(minutes without recorded contact before an urgent case is "
                               "escalated): rename it.")
ALERT_ON_EVERY_SUBMISSION = get_bool(env, "ALERT_ON_EVERY_SUBMISSION", False)
MIN_PATIENT_AGE = get_int(env, "MIN_PATIENT_AGE", 18, min=0, max=130)
RESUME_CODE_DAYS = get_int(env, "RESUME_CODE_DAYS", 30, min=1)
# A resume code typed with a wrong date of birth this many times stops working (the patient is
# told to call the clinic or start again).
RESUME_CODE_FAILURES = get_int(env, "RESUME_CODE_FAILURES", 5, min=1)
# Failed resume tries from all clients in 15 minutes above which staff get one e-mail (at most
# one an hour): an alarm, not a lock-out.
RESUME_GUESS_ALARM = get_int(env, "RESUME_GUESS_ALARM", 50, min=1)
# Retention (manage.py purge, also run daily by the task worker): drafts not saved for this many
# days are deleted, except flagged ones staff have not closed.
DRAFT_RETENTION_DAYS = get_int(env, "DRAFT_RETENTION_DAYS", 30, min=1)
# New forms (consent given) per client address per hour; raise it for a waiting-room tablet or
# a network where many patients share one address.
NEW_DRAFTS_PER_HOUR = get_int(env, "NEW_DRAFTS_PER_HOUR", 20, min=1)
CLINIC_NEXT_STEPS = get_str(
    env, "CLINIC_NEXT_STEPS",
    "A clinician will read your answers within 3 working days. We will then contact you to "
    "book your first consultation. Bring this summary, and a list of your medicines, to it.",
)
# The public address of the site, for the staff links in alert e-mails. Empty in development:
# links then use the host and port that served the patient's request.
SITE_URL = get_str(env, "SITE_URL", "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, got {SITE_URL!r}")

if not DEBUG:
    # A safety alert that cannot be sent, or whose link does not work, must stop the site at
    # start-up rather than fail silently on the day a patient needs it (checks.py says the same
    # to `check --deploy`).
    if not CLINIC_ALERT_EMAILS:
        raise ImproperlyConfigured(
            "CLINIC_ALERT_EMAILS must be set when DJANGO_DEBUG is false (production): the "
            "addresses alerted at once about urgent and priority intakes, e.g. "
            "CLINIC_ALERT_EMAILS=duty@clinic.example.org"
        )
    if not SITE_URL.startswith("https://"):
        raise ImproperlyConfigured(
            "SITE_URL must be set to the site's https:// address when DJANGO_DEBUG is false "
            "(production), e.g. SITE_URL=https://intake.clinic.example.org: alert e-mails link "
            "staff to it."
        )
