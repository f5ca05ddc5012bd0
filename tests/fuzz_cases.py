"""Malformed and hostile requests to every patient and staff address, for the in-process fuzz
test (tests/test_fuzz.py) and the larger run against a production gunicorn
(benchmarks/fuzz.py). The same seed gives the same requests.

Every address the site routes is found from its URL configuration (the patient pages, the
staff site and each model admin's own pages) and filled with a plausible value, or a hostile
one. Each request then gets a random method, query string, body (form fields with hostile
names and values, invalid UTF-8, another charset, JSON, an upload, a body over the limit, a
chunked body without a length), headers and sender (nobody, a patient part-way through the
form, a reviewer, a manager).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

SENDERS = ("anonymous", "patient", "reviewer", "manager")
FORM = "application/x-www-form-urlencoded"

# Values for the addresses' parts, plausible first, hostile after.
SAMPLE_KWARGS = (
    {}, {"object_id": "1"}, {"position": 1}, {"slug": "about-you"}, {"reference": "TRD-0000"},
    {"token": "x" * 43}, {"app_label": "intake"}, {"content_type_id": 1, "object_id": "1"},
)
HOSTILE_PARTS = ("0", "-1", "9223372036854775808", "99999999999999999999999", "%00", "a%00b",
                 "..%2F..%2Fetc%2Fpasswd", "%E2%80%AE", "%FF%FE", "1e309", "NaN", "x" * 300,
                 "%3Cscript%3E", "1%3BDROP%20TABLE%20x", "%20", "1/2", "about-you%00")
HOSTILE_VALUES = ("", "\x00", "a\x00b", "-1", "0", "1e309", "NaN", "Infinity", "9" * 40,
                  "-" + "9" * 30, "yes", "no", "on", "unknown", "other", "sertraline",
                  "<script>alert(1)</script>", "' OR 1=1 --", "2999-12-31", "0000-00-00",
                  "../../etc/passwd", "\u202e\u0000\ud7ff", "😀" * 50, "x" * 5000,
                  "javascript:alert(1)", "//evil.example/", "https://evil.example/admin/",
                  "%s%s%n", "{{ settings.SECRET_KEY }}", "\r\nSet-Cookie: x=1", "__proto__")
FIELD_NAMES = ("age_ok", "consent", "full_name", "date_of_birth_month", "date_of_birth_day",
               "date_of_birth_year", "email", "phone", "contact_preference", "episode_months",
               "episode_count", "item1", "item9", "asq_wished_dead", "asq_thoughts_now",
               "medication", "other_name", "dose", "dose_unit", "dose_unknown",
               "duration_amount", "duration_unit", "adherence", "improvement", "action",
               "search", "client_token", "add_another", "types", "tried", "conditions",
               "anything_else", "code", "username", "password", "token", "next",
               "review_status", "assigned_to", "note", "initial-review_status", "_save",
               "_continue", "action", "_selected_action", "select_across", "index", "user",
               "min_adequate_mg_per_day", "reason", "outcome", "method", "csrfmiddlewaretoken")
QUERY_NAMES = ("next", "q", "o", "p", "e", "all", "setup", "return", "action", "actor",
               "at__gte", "at__lt", "review_status__exact", "safety_level__exact", "kind",
               "nope__gt", "id__in", "_changelist_filters", "_to_field", "_popup", "page")
METHODS = ("GET", "GET", "GET", "POST", "POST", "POST", "POST", "HEAD", "PUT", "DELETE",
           "PATCH", "OPTIONS", "TRACE")


@dataclass
class Case:
    sender: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False          # sent with Transfer-Encoding: chunked and no length
    claimed_length: int | None = None  # a Content-Length larger than the body

    def __str__(self):
        return f"{self.sender} {self.method} {self.path[:120]} {self.content_type or ''}"


def first_row(model) -> tuple | None:
    return model.objects.order_by("pk").values_list("pk").first()


def site_paths(first_pk=first_row) -> list[str]:
    """An address for every route: the patient pages, the staff site, each model admin's (with
    the id of a row of its model that exists, when one does: `first_pk(model)`)."""
    from intake import urls as intake_urls

    routes = [(f"intake:{p.name}", None) for p in intake_urls.urlpatterns]
    routes += [(f"admin:{p.name}", None) for p in admin.site.get_urls()
               if getattr(p, "name", None)]
    for model_admin in model_admins():
        first = first_pk(model_admin.model)
        routes += [(f"admin:{p.name}", first) for p in model_admin.get_urls()
                   if getattr(p, "name", None)]
    routes += [("healthz", None)]
    paths = set()
    for name, row in routes:
        for kwargs in SAMPLE_KWARGS:
            if row is not None and "object_id" in kwargs:
                kwargs = {**kwargs, "object_id": str(row[0])}
            try:
                paths.add(reverse(name, kwargs=kwargs))
                break
            except NoReverseMatch:
                continue
    return sorted(paths | {"/favicon.ico", "/admin/nowhere/", "/intake/nowhere/", "/static/x"})


def model_admins():
    from django.apps import apps

    return [admin.site.get_model_admin(model) for model in apps.get_models()
            if admin.site.is_registered(model)]


def _hostile_path(rng: random.Random, path: str) -> str:
    parts = path.strip("/").split("/")
    if len(parts) > 1 and rng.random() < 0.5:
        parts[rng.randrange(len(parts))] = rng.choice(HOSTILE_PARTS)
    else:
        parts.append(rng.choice(HOSTILE_PARTS))
    return "/" + "/".join(parts) + ("/" if rng.random() < 0.8 else "")


def _fields(rng: random.Random) -> list[tuple[str, str]]:
    pairs = []
    for _ in range(rng.randint(0, 12)):
        name = rng.choice(FIELD_NAMES) if rng.random() < 0.85 else rng.choice(HOSTILE_VALUES)
        pairs.append((name[:60], rng.choice(HOSTILE_VALUES)))
    return pairs


def _body(rng: random.Random, case: Case) -> None:
    kind = rng.choices(("form", "bad-utf8", "charset", "json", "upload", "huge", "chunked",
                        "many", "lying-length", "none"),
                       weights=(40, 6, 5, 5, 6, 4, 4, 3, 3, 4))[0]
    form = urlencode(_fields(rng)).encode()
    if kind == "form":
        case.body, case.content_type = form, FORM
    elif kind == "bad-utf8":
        case.body, case.content_type = b"full_name=\xff\xfe\xc3&age_ok=\xed\xa0\x80", FORM
    elif kind == "charset":
        case.body = "full_name=Jos\xe9&consent=on".encode("latin-1")
        case.content_type = f"{FORM}; charset={rng.choice(['iso-8859-1', 'utf-16', 'x-bogus'])}"
    elif kind == "json":
        case.body, case.content_type = b'{"consent": true, "age_ok": ["yes"]}', \
            rng.choice(["application/json", FORM, "text/plain"])
    elif kind == "upload":
        boundary = "fuzzboundary"
        case.body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; "
                     f"filename=\"../../x.php\"\r\nContent-Type: application/pdf\r\n\r\n"
                     f"{'%PDF' * rng.randint(1, 2000)}\r\n--{boundary}--\r\n").encode()
        case.content_type = f"multipart/form-data; boundary={boundary}"
    elif kind == "huge":
        case.body, case.content_type = b"full_name=" + b"x" * (300 * 1024), FORM
    elif kind == "chunked":
        case.body, case.content_type, case.chunked = form, FORM, True
    elif kind == "many":
        case.body = urlencode([(f"f{i}", "x") for i in range(600)]).encode()
        case.content_type = FORM
    elif kind == "lying-length":
        case.body, case.content_type, case.claimed_length = form, FORM, 50 * 1024 * 1024


def known_cases() -> list[Case]:
    """Requests that once got a server error: sent first, every run."""
    def login(username: str) -> Case:
        return Case("anonymous", "POST", "/admin/login/", content_type=FORM,
                    body=urlencode({"username": username, "password": "x"}).encode())

    return [
        Case("patient", "GET", "/intake/medicines/9223372036854775808/"),
        Case("patient", "POST", "/intake/medicines/9223372036854775808/remove/", b"", FORM),
        login("x" * 300), login("reviewer\x00"),
        Case("manager", "GET", "/admin/intake/auditevent/export/?nope__gt=1"),
    ]


def cases(seed: int, count: int, paths: list[str] | None = None) -> list[Case]:
    """`count` requests: the known ones, then random ones drawn from `seed`."""
    rng = random.Random(seed)  # noqa: S311 (repeatable test requests, not secrets)
    paths = paths or site_paths()
    staff_side = [path for path in paths if path.startswith("/admin/")]
    sides = {True: staff_side, False: [path for path in paths if path not in staff_side]}
    made = known_cases()
    while len(made) < count:
        sender = rng.choice(SENDERS)
        # mostly their own side of the site, sometimes the other
        staff = (sender in ("reviewer", "manager")) != (rng.random() < 0.2)
        path = rng.choice(sides[staff])
        if rng.random() < 0.25:
            path = _hostile_path(rng, path)
        if rng.random() < 0.4:
            query = [(rng.choice(QUERY_NAMES), rng.choice(HOSTILE_VALUES))
                     for _ in range(rng.randint(1, 3))]
            path += "?" + urlencode(query)
        case = Case(sender=sender, method=rng.choice(METHODS), path=path)
        if case.method in ("POST", "PUT", "PATCH") or rng.random() < 0.05:
            _body(rng, case)
        if rng.random() < 0.2:
            case.headers["X-Forwarded-For"] = rng.choice(("", "1.2.3.4, 5.6.7.8", "not-an-ip",
                                                          "::1", "999.1.1.1"))
        if rng.random() < 0.1:
            case.headers["Cookie"] = rng.choice(("sessionid=" + "A" * 4000,
                                                 "csrftoken=\x7f", "sessionid=../../x"))
        if rng.random() < 0.05:
            case.headers["Accept-Language"] = "x" * 500
        made.append(case)
    return made
