# GNU make; recipes run with /bin/sh.
PYTHON ?= python3
VENV := .venv
PORT ?= 8000
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run worker test lint lock clean bench-assess bench-admin bench-load bench-pages bench-fuzz demo

# Dependencies are installed from requirements.lock: every package at its locked version, each
# checked against its locked hashes (pip --require-hashes). Then the project itself, editable,
# without dependencies.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# After changing the dependencies in pyproject.toml: resolve them again into requirements.lock
# (commit both), with uv's resolver (installed in the venv for this). Versions already locked
# are kept where they still fit; `make lock LOCK_ARGS=--upgrade` moves every package to its
# newest allowed version.
UV_VERSION := 0.13.9
LOCK_ARGS ?=
lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
		--no-header --quiet $(LOCK_ARGS) -o requirements.lock

# Development server: DJANGO_DEBUG defaults to true here (an explicit DJANGO_DEBUG=... wins).
run: export DJANGO_DEBUG ?= true
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalog
	@echo "Development mode (DJANGO_DEBUG=$$DJANGO_DEBUG): do not use this server in production."
	@echo "Patient pages: http://127.0.0.1:$(PORT)/  Staff: http://127.0.0.1:$(PORT)/admin/ (make demo creates demo staff users)"
	@echo "The task worker (alerts, e-mails; printed here in development) runs beside the server."
	$(BIN)/python manage.py worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The task worker alone (production runs it as a service beside gunicorn; README).
worker: $(VENV)/.installed
	$(BIN)/python manage.py worker

# Demo data for the staff admin (development only): groups, a demo reviewer and manager with
# printed passwords, ~30 synthetic submissions. Then `make run` and log in at /admin/.
demo: export DJANGO_DEBUG ?= true
demo: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalog
	$(BIN)/python manage.py seed_demo

# The test suite itself runs in production mode (DEBUG false); pyproject.toml (pytest-env)
# supplies the other test defaults, so plain `pytest` works the same.
test: $(VENV)/.installed
	$(BIN)/ruff check .
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=false $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var

# Rerunnable benchmarks (not part of make test).
bench-assess: $(VENV)/.installed
	DJANGO_DEBUG=true $(BIN)/python benchmarks/assess_bench.py

# Patients at once against a production gunicorn (4 workers x 4 threads) on SQLite and on
# PostgreSQL: server errors, lost answers, req/s, p50/p99 (benchmarks/load.py --help).
BENCH_LOAD_ARGS ?=
bench-load: $(VENV)/.installed
	$(BIN)/python benchmarks/load.py $(BENCH_LOAD_ARGS)

# Patient pages under wrk against a production gunicorn (2 sync workers) on SQLite and on
# PostgreSQL, as a share of /healthz/, and in-process render times and instruction counts
# (needs Debian's wrk; valgrind for the counts). BENCH_PAGES_ARGS=--only-in-process skips wrk.
BENCH_PAGES_ARGS ?=
bench-pages: $(VENV)/.installed
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python benchmarks/pages.py $(BENCH_PAGES_ARGS)

# Malformed and hostile requests to every patient and staff address against a production
# gunicorn on SQLite and on PostgreSQL: counts by status, every server error with its request
# (benchmarks/fuzz.py --help; e.g. BENCH_FUZZ_ARGS="--requests 500 --seed 7").
BENCH_FUZZ_ARGS ?=
bench-fuzz: $(VENV)/.installed
	$(BIN)/python benchmarks/fuzz.py $(BENCH_FUZZ_ARGS)

# The staff submission list at 100,000 rows; needs PostgreSQL, e.g.
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/trdintake_bench make bench-admin
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/trdintake_bench
bench-admin: $(VENV)/.installed
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=true $(BIN)/python manage.py load_catalog
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=true $(BIN)/python benchmarks/admin_changelist.py
