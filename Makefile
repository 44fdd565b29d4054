# artworx: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000

# Python keeps its compiled modules, and pytest its rewritten test modules, in __pycache__: where the
# environment says not to, each test worker compiles the whole project and suite again (5 s of each
# worker's start on two cores).
unexport PYTHONDONTWRITEBYTECODE

# The embedded default: a SQLite file, DEBUG on. Set DATABASE_URL to use PostgreSQL.
export DEBUG ?= true

.PHONY: run test test-fast test-moments test-under-load lint format migrate seed check-deploy clean messages reminders stack bench loadtest screenshots system-packages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# WeasyPrint (the printable agreement) needs Pango at run time; installed from Debian when missing.
system-packages:
	@ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate system-packages
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/activate system-packages
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@# The due reminders land in the bell; their emails (printed with DEBUG) are not shown here. Without
	@# Celery, the sweep runs again every 5 minutes in the background, stopped with the server (Ctrl-C).
	@$(PY) manage.py send_reminders > /dev/null && echo "Reminders due now are in the bell (make reminders to see the emails)."
	@$(PY) manage.py send_reminders --every 300 > /dev/null 2>&1 & sweeper=$$!; \
	  trap 'kill $$sweeper 2>/dev/null' EXIT INT TERM; \
	  echo "Reminders are swept every 5 minutes in the background."; \
	  echo "artworx is serving on http://$(HOST)/ (Ctrl-C to stop)"; \
	  $(PY) manage.py runserver $(HOST)

# Screenshots of each demo role's main pages, laptop and phone, in screenshots/ (needs Chromium:
# apt-get install chromium).
screenshots: seed $(VENV)/.dev-installed
	$(PY) manage.py screenshots --out screenshots

# Write the reminders that are due and send them now, without Celery or Redis.
reminders: migrate
	$(PY) manage.py send_reminders

# The production shape on one machine (Procfile): gunicorn, a Celery worker and the one beat,
# against PostgreSQL and Redis. Ctrl-C stops all three.
stack: export DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/artworx)
stack: export REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
stack: seed
	@echo "artworx stack: web on http://$(HOST)/, worker and beat on $(REDIS_URL) (Ctrl-C to stop)"
	@$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & worker=$$!; \
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule & beat=$$!; \
	trap 'kill $$worker $$beat 2>/dev/null; wait $$worker $$beat' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi --bind $(HOST) --workers 2 --access-logfile -

# The suite on every core (pytest-xdist). PostgreSQL and Redis are used when they answer on loopback,
# as in CI, so the race and fault tests run too; otherwise SQLite, and those tests say why they skip.
LOCAL_PG ?= postgres://postgres@127.0.0.1:5432/artworx
LOCAL_REDIS ?= redis://127.0.0.1:6379/0
answers = $(shell $(PYTHON) tests/services.py $(1) && echo $(1))
test test-fast test-moments test-under-load: export DATABASE_URL ?= $(call answers,$(LOCAL_PG))
test test-fast test-moments test-under-load: export REDIS_URL ?= $(call answers,$(LOCAL_REDIS))
WORKERS ?= auto
test: $(VENV)/.dev-installed
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The edit loop: everything but the browser and fault tests and those marked `slow` (the crawls of the
# demo, loading it, replaying migrations, a thousand requests at once), which make test and CI run.
test-fast: $(VENV)/.dev-installed
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup -m "not e2e and not slow" --ignore=tests/faults $(PYTEST_ARGS)

# The tests that read the date (marked `clock`), but the browser and fault tests, again at the moments
# where dates go wrong (tests/clock.py).
test-moments: $(VENV)/.dev-installed
	@for moment in before-midnight after-the-clock-change monday-after-a-holiday; do \
	  echo "=== the suite at $$moment ==="; \
	  ARTWORX_TEST_MOMENT=$$moment $(BIN)/pytest -n $(WORKERS) --dist loadgroup -m "clock and not e2e" --ignore=tests/faults \
	    -p no:cacheprovider -q $(PYTEST_ARGS) || exit 1; \
	done

# The browser and fault tests RUNS times in a row (3 by default) with one core kept busy by a busy
# loop, as CI runs them (nothing may skip): they wait on conditions, never on a busy machine's luck.
RUNS ?= 3
test-under-load: $(VENV)/.dev-installed
	@sh -c 'while :; do :; done' & hog=$$!; trap 'kill $$hog 2>/dev/null' EXIT INT TERM; \
	for run in $$(seq $(RUNS)); do \
	  echo "=== browser and fault tests, run $$run of $(RUNS), one core busy ==="; \
	  CI=true $(BIN)/pytest -n $(WORKERS) --dist loadgroup -p no:cacheprovider -q tests/e2e tests/faults \
	    $(PYTEST_ARGS) || exit 1; \
	done

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The Spanish catalogue: collect new strings, translate them in locale/es/LC_MESSAGES/django.po,
# then compile. Both the .po and the .mo are committed (needs gettext: apt-get install gettext).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l es --ignore=.venv --ignore=static --ignore=staticfiles --ignore=tests --ignore=docs
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: $(VENV)/.installed
	DEBUG=false SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=artworx.example.org $(PY) manage.py check --deploy --fail-level WARNING

# Scale benchmark: seeds the county network at scale 1 and 10 (BENCH_SCALES) in its own PostgreSQL
# database (emptied each time) and measures every main page and action with production settings, first
# through the test client (queries, actions), then through real HTTP: gunicorn (2 sync workers) and wrk,
# each page alone as a ratio to the trivial page, the staff, teaching-artist and trivial mixes, and the
# staff mix with a writer changing data every 10 s; the machine's load is recorded with the figures.
# Writes docs/benchmarks.json and the figures in docs/benchmarks.md (BENCH_DOCS=/tmp/x writes there
# instead); before that, the anonymisation of 10,000 leavers (docs/benchmarks.md, "Anonymisation").
# Scale 10 (1,200 sites, 4.2 million marks) takes several minutes to seed and about an hour in all on
# 2 cores: run it on a quiet machine. A quick check of the harness:
#   make bench BENCH_SCALES=0.1 BENCH_DOCS=/tmp/bench ANONYMISE_ARGS="--scale 0.1 --leavers 500" TODAY_SCALES=0.1
BENCH_SERVER ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= artworx_bench
BENCH_SCALES ?= 1,10
BENCH_DOCS ?= docs
ANONYMISE_ARGS ?=
TODAY_SCALES ?= 1
bench loadtest: export DATABASE_URL := $(BENCH_SERVER)/$(BENCH_DB)
bench loadtest: export DEBUG := false
bench loadtest: export ARTWORX_DEVTOOLS := true
bench loadtest: export SECRET_KEY := $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))")
bench loadtest: export ALLOWED_HOSTS := testserver,127.0.0.1
# The production shape: one Redis cache (and the sessions) shared by every gunicorn worker, when Redis answers.
bench loadtest: export REDIS_URL := $(or $(REDIS_URL),$(call answers,$(LOCAL_REDIS)))
bench: $(VENV)/.installed
	psql "$(BENCH_SERVER)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" | grep -q 1 \
	  || psql "$(BENCH_SERVER)/postgres" -c "CREATE DATABASE $(BENCH_DB)"
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	mkdir -p $(BENCH_DOCS)
	@# First: anonymise 10,000 leavers of a scale-1 network (its own seed); then the pages, which leave
	@# the network of the largest scale for `make loadtest`.
	$(PY) manage.py bench_anonymise --markdown $(BENCH_DOCS)/benchmarks.md $(ANONYMISE_ARGS)
	$(PY) manage.py bench --scales $(BENCH_SCALES) --output $(BENCH_DOCS)/benchmarks.json \
	  --markdown $(BENCH_DOCS)/benchmarks.md $(BENCH_ARGS)
	@# Responsibility, the Today page and the digest (issue #23); TODAY_SCALES=1,10 for statewide.
	$(PY) manage.py bench_today --scales $(TODAY_SCALES) --markdown $(BENCH_DOCS)/benchmarks.md

# Load test after `make bench` (which leaves the scale-1 network): gunicorn on loopback, wrk from a
# second process, a staff mix and a teaching-artist mix (needs wrk: apt-get install wrk).
loadtest: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
