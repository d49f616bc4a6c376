# tiepdan: the two commands are `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/common services/intake services/roster services/escalation services/notify gateway
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
SERVICES := intake roster escalation notify
export TIEPDAN_VAR_DIR ?= $(CURDIR)/var
export REFERENCE_DIR ?= $(CURDIR)/reference

.PHONY: help run test test-long test-unit bench test-system install infra migrate seed env lint compose-check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): $(PYPROJECTS) requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	@touch $@

install: $(STAMP) ## Create the virtual environment and install every package

infra: ## Make sure PostgreSQL, RabbitMQ and Redis are up (start them if installed)
	@scripts/ensure-infra.sh

var/local.env:
	@mkdir -p var
	@echo "GATEWAY_IDENTITY_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > $@
	@echo "TIEPDAN_VAR_DIR=$(CURDIR)/var" >> $@
	@echo "REFERENCE_DIR=$(CURDIR)/reference" >> $@
	@echo "Generated $@ (the key the gateway signs identities with)"

env: var/local.env

migrate: install env ## Apply every database migration (SQLite under var/ unless DATABASE_URLs are set)
	@set -a; source var/local.env; set +a; \
	for s in $(SERVICES); do $(BIN)/flask --app $$s migrate || exit 1; done; \
	$(BIN)/python -m gateway migrate

seed: migrate ## Load reference and demo data, declare the broker's queues
	@set -a; source var/local.env; set +a; \
	$(BIN)/flask --app intake seed && \
	$(BIN)/flask --app roster seed --demo demo/demo.json && \
	$(BIN)/flask --app escalation seed && $(BIN)/flask --app notify seed && \
	$(BIN)/python -m gateway seed-demo demo/demo.json && \
	for s in $(SERVICES); do $(BIN)/flask --app $$s declare-topology || exit 1; done

run: install infra seed ## Run the whole system locally (APIs, workers, gateway) under honcho
	@$(BIN)/python scripts/banner.py
	@PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(BIN)/honcho -f Procfile -e var/local.env start

test: install infra ## Run every test: the library, each service, the gateway, the system tests
	@scripts/run-tests.sh

test-long: install infra ## The long fault suite: the real RabbitMQ and PostgreSQL restarted under load
	@cd tests && TIEPDAN_LONG=1 ../$(BIN)/python -m pytest -q --import-mode=importlib -p no:cacheprovider --timeout 1200 test_faults_long.py

test-unit: install infra ## Only the library's, services' and gateway's own tests
	@TIEPDAN_SKIP_SYSTEM=1 scripts/run-tests.sh

bench: install infra ## Every benchmark, figures beside same-run baselines, written to docs/benchmarks.md
	@cd bench && ../$(BIN)/python run.py

lint: install ## ruff over the whole tree
	$(BIN)/ruff check libs services gateway tests scripts

compose-check: ## Validate docker-compose.yml (needs Debian's docker-compose)
	docker-compose -f docker-compose.yml config -q

clean: ## Remove local databases and logs (keeps the virtual environment)
	rm -rf var artifacts
