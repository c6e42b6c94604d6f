# Everything a person does with nhitweek is a make target. `make run` and `make test` set up
# the virtual environment themselves; nothing needs installing beforehand but Python 3.11 or
# newer (and make). Node.js is only for maintainers who upgrade the front-end packages.

# The first of these that runs and is 3.11 or newer (pyenv's shims exist but may refuse);
# override with `make PYTHON=/path/to/python3.x VENV=.venv-3x test`.
PYTHON_CANDIDATES := python3 python3.14 python3.13 python3.12 python3.11
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { command -v "$$p"; break; }; done)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8000

.PHONY: help run run-web test test-sqlite lint audit lock format bench migrations-check \
	check-services venv deps dev-deps vendor vendor-check docker-build docker-up docker-down \
	compose-check clean

help:
	@echo "make run      set up, migrate, seed the demo and start web + worker + beat on :$(PORT)"
	@echo "make test     run the whole test suite against PostgreSQL and Redis, then on SQLite"
	@echo "make test-sqlite  only the tests marked both_databases, on SQLite (no services needed)"
	@echo "make lint     ruff check, ruff format --check, mypy (with django-stubs) and pip-audit"
	@echo "make lock     re-pin requirements*.txt (with hashes) from requirements*.in"
	@echo "make bench    run the benchmarks in bench/"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: none of" \
		"$(PYTHON_CANDIDATES) on PATH runs and is 3.11+. Install one, or pass" \
		"PYTHON=/path/to/python3.11-or-newer."; exit 1; }
	@"$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; $(PYTHON) is" \
		"$$("$(PYTHON)" --version 2>&1 | head -n1)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

venv: $(PY)

# Installs come only from the lock files, every package pinned and checked against its hashes.
# requirements-run.txt is the image's requirements.txt plus what `make run` needs; the dev lock
# holds both and the test and lint tools, so it alone sets up a venv for everything.
$(VENV)/.deps: requirements-run.txt | $(PY)
	$(PIP) install --require-hashes -r requirements-run.txt
	@touch $@

$(VENV)/.dev-deps: requirements-dev.txt | $(PY)
	$(PIP) install --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# A new dependency goes into requirements.in (what the image runs), requirements-run.in (only
# `make run`) or requirements-dev.in (tests, lint), pinned with ==; then `make lock`. Packages
# already locked keep their versions; LOCK_ARGS="--upgrade-package NAME" moves one of them.
# The machine's own pip configuration (mirrors, find-links) is left out, so the hashes are the
# package index's and every machine gets the same files.
LOCK_ARGS ?=
LOCK := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

lock: $(VENV)/.dev-deps
	$(LOCK) -o requirements.txt requirements.in
	$(LOCK) -o requirements-run.txt requirements-run.in
	$(LOCK) -o requirements-dev.txt requirements-dev.in

# pip-audit over the three lock files: a known vulnerability fails the build; an accepted one
# is recorded, with why and until when, in audit-ignore.txt. It asks the package index's
# vulnerability data over the network; where that cannot be reached it warns that nothing was
# audited (AUDIT_REQUIRED=1 makes that fail too). See scripts/audit_deps.py.
audit: $(VENV)/.dev-deps
	$(PY) scripts/audit_deps.py

# Maintainers only (Node.js with npm): after changing package.json, `npm install
# --package-lock-only` pins the new versions, `make vendor` copies their files into the committed
# static/vendor/, and `make vendor-check` proves the script reproduces them byte for byte.
vendor:
	@scripts/vendor_static.sh

vendor-check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		scripts/vendor_static.sh "$$tmp/vendor" >/dev/null && \
		{ diff -r "$$tmp/vendor" static/vendor || { echo "static/vendor/ is not what" \
		"package-lock.json makes: run make vendor and commit the result"; exit 1; }; } && \
		echo "static/vendor/: reproduced byte for byte from package-lock.json"

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "nhitweek is starting: open http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	$(VENV)/bin/honcho -f Procfile.dev start --port $(PORT)

check-services: dev-deps
	@$(PY) scripts/check_services.py

test: dev-deps check-services
	@scripts/ensure_chromium.sh
	$(PY) -m pytest -n auto -p no:cacheprovider $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-sqlite

# The tests of code that branches on the database vendor (marked both_databases), on the
# embedded default's SQLite with a local-memory cache: see nhitweek/settings/test_sqlite.py.
# PYTEST_ARGS that select no marked test (exit status 5) are not a failure here.
test-sqlite: dev-deps
	$(PY) -m pytest -n auto -p no:cacheprovider --ds=nhitweek.settings.test_sqlite $(PYTEST_ARGS) \
		|| [ $$? -eq 5 ]

# mypy's django-stubs plugin imports nhitweek.settings.test (set in pyproject.toml) and sets
# Django up, which connects to no database or Redis: lint needs neither running.
lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	@$(MAKE) --no-print-directory audit

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: deps
	$(PY) manage.py makemigrations --check --dry-run

# bench/_*.py are helpers of a benchmark, not benchmarks of their own.
bench: dev-deps check-services
	@for b in bench/[!_]*.py; do [ -e "$$b" ] || continue; echo "== $$b"; \
		DJANGO_SETTINGS_MODULE=nhitweek.settings.test $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache

# --- Containers (docker-compose.yml: db, redis, migrate, web, worker, beat) -------------------
IMAGE ?= nhitweek:local
COMPOSE := sh docker/compose.sh

docker-build:
	docker build -t $(IMAGE) .

# POSTGRES_PASSWORD only takes effect when the db volume is first created; keep this file.
.env:
	@umask 077 && printf 'SECRET_KEY=%s\nPOSTGRES_PASSWORD=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(24))')" > $@
	@echo "wrote .env: a new SECRET_KEY and POSTGRES_PASSWORD (never commit it)"

docker-up: .env
	$(COMPOSE) up -d --build
	@echo "nhitweek is starting on http://localhost:$${WEB_PORT:-8000}/  (make docker-down stops it)"

docker-down:
	SECRET_KEY=$${SECRET_KEY:-unused-by-down} POSTGRES_PASSWORD=$${POSTGRES_PASSWORD:-unused-by-down} \
		$(COMPOSE) down

compose-check: dev-deps
	SECRET_KEY=compose-check-placeholder POSTGRES_PASSWORD=compose-check-placeholder \
		$(COMPOSE) --env-file /dev/null config -q
	@echo "docker-compose.yml: accepted by $$($(COMPOSE) version)"
