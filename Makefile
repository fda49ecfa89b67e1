# The single interface: `make demo` builds the whole warehouse on DuckDB, `make test` runs
# every test. Both set up what they need themselves (uv, .venv from the lock file).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

# Sample sizes: a demo a laptop builds in about a minute; override on the command line.
DEMO_SCALE ?= 0.2
DEMO_DAYS ?= 60
SEED ?= 42
# pytest: one worker per core (pytest-xdist); PYTEST_ARGS= runs the suite in one process
PYTEST_ARGS ?= -n auto -p no:logging
BENCH_SCALE ?= 1
BENCH_TARGET ?= dev
DOCS_PORT ?= 8080

# Project checks run over a small sample warehouse of their own (DuckDB, under test-output/):
# one `dbt docs generate` gives the manifest and catalog that every check reads.
CHECKS_DIR := $(abspath test-output/checks)
CHECKS_ENV := WAREHOUSE_TARGET=ci WAREHOUSE_CI_DUCKDB_PATH=$(CHECKS_DIR)/warehouse.duckdb \
	WAREHOUSE_DATA_DIR=$(CHECKS_DIR)/data WAREHOUSE_DBT_TARGET_PATH=$(CHECKS_DIR)/target

.PHONY: help setup setup-review setup-dashboards setup-orchestration orchestrate test-orchestration \
	dashboards demo day load build nightly summary test test-fast test-spark lint \
	lint-sql lint-sql-pg checks docs docs-static pg-up pg-down infra-up infra-down infra-status run-pipeline test-dw clean clean-data

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

$(UV):
	$(PYTHON_BIN) -m pip install --quiet --user uv

# --compile-bytecode: every command starts from compiled modules, also where
# PYTHONDONTWRITEBYTECODE is set (dbt, dlt and sqlalchemy are large)
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON_BIN)
	@touch $@

setup: $(VENV)/.synced ## create .venv from uv.lock (reused when up to date)

# The `review` group (Recce, for the data diffs of pull-request review) on top of the setup;
# --inexact leaves other groups' packages in place. A no-op when already installed.
setup-review: setup ## setup plus the review group (Recce: scripts/pr_data_diff.py)
	$(UV) sync --frozen --inexact --compile-bytecode --python $(PYTHON_BIN) --group review

# The `dashboards` group (Streamlit, for dashboards/) on top of the setup, the same way.
setup-dashboards: setup ## setup plus the dashboards group (Streamlit: dashboards/)
	$(UV) sync --frozen --inexact --compile-bytecode --python $(PYTHON_BIN) --group dashboards

# The `orchestration` group (Dagster and dagster-dbt: orchestration/) the same way.
setup-orchestration: setup ## setup plus the orchestration group (Dagster: orchestration/)
	$(UV) sync --frozen --inexact --compile-bytecode --python $(PYTHON_BIN) --group orchestration

# The asset graph in the Dagster UI over WAREHOUSE_TARGET (the dbt manifest parsed first, once
# for the UI and the daemon); the instance (run history, schedules, the run queue's
# one-writer-per-DuckDB-file rule) lives in DAGSTER_HOME.
DAGSTER_HOME ?= $(abspath data/dagster)
DAGSTER_PORT ?= 3000
orchestrate: setup-orchestration ## the Dagster UI (asset graph, jobs, schedule, sensor) on localhost:3000
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(PY) -c 'from orchestration import manifest; print("dbt manifest:", manifest.manifest_path())'
	DAGSTER_HOME=$(DAGSTER_HOME) $(VENV)/bin/dagster dev -m orchestration.definitions \
		-h 127.0.0.1 -p $(DAGSTER_PORT)

DASHBOARDS_PORT ?= 8501
dashboards: setup-dashboards ## one page per dashboard exposure on http://localhost:8501, over WAREHOUSE_TARGET
	$(PY) dashboards/server.py --port $(DASHBOARDS_PORT)

demo: setup ## generate sample data (reused), land what is new, build and test, print a summary
	$(PY) -m ingest demo --scale $(DEMO_SCALE) --days $(DEMO_DAYS) --seed $(SEED)

day: setup ## advance the samples one day (ACA files, the PM source); then `make demo`
	$(PY) -m ingest day aca
	$(PY) -m ingest simulate pm --days 1

load: setup ## land what is new in every registered domain (python -m ingest domains), no build
	@set -e; for domain in $$($(PY) -m ingest domains --names); do \
		echo "$(PY) -m ingest load $$domain"; $(PY) -m ingest load $$domain; done

build: setup ## dbt build against WAREHOUSE_TARGET (default dev)
	$(PY) -m ingest build

nightly: setup ## land what is new, then dbt build testing the claim-line models on new loads only
	$(PY) -m ingest nightly

summary: setup ## rows per mart, test results, rejects by reason
	$(PY) -m ingest summary

test: setup setup-review setup-dashboards lint checks ## lint, project checks, then pytest (generate, land, dbt build, checks)
	WAREHOUSE_DOCS_SITE=$(CHECKS_DIR)/target/static_index.html \
		WAREHOUSE_DASHBOARDS_WAREHOUSE=$(CHECKS_DIR)/warehouse.duckdb $(PY) -m pytest $(PYTEST_ARGS)

# The edit-test loop: ruff, yamllint, sqlfluff on the SQL changed since FAST_BASE (committed
# or not), then every test not marked `build` (pytest.mark.build: it runs dbt).
FAST_BASE ?= $(shell git merge-base HEAD origin/main 2>/dev/null || echo HEAD)
CHANGED_SQL = $(sort $(filter %.sql,$(shell git diff --name-only --diff-filter=d $(FAST_BASE) -- \
	models snapshots analyses tests; git ls-files --others --exclude-standard -- \
	models snapshots analyses tests)))

test-fast: setup ## ruff, yamllint, sqlfluff on changed SQL, the tests that run no dbt (~1 min)
	$(PY) -m ruff check ingest tools tests/python scripts dashboards orchestration
	$(VENV)/bin/yamllint --strict -c .yamllint.yml .
	$(if $(CHANGED_SQL),scripts/lint-sql.sh duckdb $(CHANGED_SQL),@echo "sqlfluff: no SQL changed since $(FAST_BASE)")
	$(PY) -m pytest $(PYTEST_ARGS) -m "not build and not spark"

# Spark + Iceberg (docs/spark.md): the `spark` dependency group, the locally built Iceberg
# runtime jar (scripts/setup-spark.sh), then the Spark tests (ACA on Spark against DuckDB).
SPARK_JAR := $(abspath data/spark/jars/iceberg-spark-runtime-3.5_2.12-1.10.2-jackson.jar)
SPARK_DOMAINS ?= aca
# one Spark JVM at a time: no pytest workers
SPARK_PYTEST_ARGS ?= -p no:logging

test-spark: | $(UV) ## Spark + Iceberg: ACA lands, builds and tests on Spark; marts match DuckDB
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON_BIN) --group spark
	scripts/setup-spark.sh
	WAREHOUSE_TEST_SPARK=1 WAREHOUSE_TEST_SPARK_DOMAINS="$(SPARK_DOMAINS)" \
		WAREHOUSE_SPARK_JARS=$(SPARK_JAR) $(PY) -m pytest -m spark $(SPARK_PYTEST_ARGS)

# The Dagster code location (orchestration/): one domain end to end through Dagster on the
# `ci` target, retries, the sensor, the UI's asset graph in headless Chromium (a few minutes).
ORCHESTRATION_PYTEST_ARGS ?= -p no:logging
test-orchestration: setup-orchestration ## the Dagster tests (asset graph, jobs, retries, UI)
	WAREHOUSE_TEST_ORCHESTRATION=1 $(PY) -m pytest -m orchestration $(ORCHESTRATION_PYTEST_ARGS)

lint: setup ## ruff (Python), yamllint (YAML), sqlfluff (SQL as DuckDB and PostgreSQL render it)
	$(PY) -m ruff check ingest tools tests/python scripts dashboards orchestration
	$(VENV)/bin/yamllint --strict -c .yamllint.yml .
	scripts/lint-sql.sh duckdb
	scripts/lint-sql.sh postgres

lint-sql: setup ## sqlfluff (dbt templater) as DuckDB renders the SQL
	scripts/lint-sql.sh duckdb

lint-sql-pg: setup ## sqlfluff (dbt templater) as PostgreSQL renders the SQL (needs the server)
	scripts/lint-sql.sh postgres

checks: setup ## docs over a sample warehouse; semantic layer, dbt-score, dbt-coverage, project rules
	$(CHECKS_ENV) $(PY) scripts/docs_site.py generate --static --sample
	$(CHECKS_ENV) $(PY) scripts/metrics.py validate
	$(VENV)/bin/dbt-score lint --manifest $(CHECKS_DIR)/target/manifest.json
	$(VENV)/bin/dbt-coverage compute doc --run-artifacts-dir $(CHECKS_DIR)/target \
		--model-path-filter models/marts/ --cov-fail-under 1.0 \
		--cov-report $(CHECKS_DIR)/coverage-doc-marts.json
	set -o pipefail; $(VENV)/bin/dbt-coverage compute test \
		--run-artifacts-dir $(CHECKS_DIR)/target --cov-report $(CHECKS_DIR)/coverage-test.json \
		| tail -n 2
	$(PY) scripts/check_project.py --manifest $(CHECKS_DIR)/target/manifest.json

docs: setup ## dbt docs (a small sample warehouse if none is built), served on localhost
	$(PY) scripts/docs_site.py generate
	$(PY) scripts/docs_site.py serve --port $(DOCS_PORT)

docs-static: setup ## the dbt docs as one file: target/static_index.html
	$(PY) scripts/docs_site.py generate --static

bench: setup ## benchmark generate, land and dbt build at BENCH_SCALE; JSON to bench/results/
	$(PY) -m ingest bench --scale $(BENCH_SCALE) --target $(BENCH_TARGET)

# The single-node ingest's names (docs/ingest.md): the servers, one table of a configured
# source, and the warehouse's data tests.
infra-up: pg-up ## the PostgreSQL servers up (as pg-up)
infra-down: pg-down ## the PostgreSQL servers down, data kept (as pg-down)
infra-status: ## the PostgreSQL containers and their health
	docker compose ps

run-pipeline: setup ## land one table of a configured source: CONFIG=... SOURCE=... TABLE=...
	@test -n "$(CONFIG)" -a -n "$(SOURCE)" -a -n "$(TABLE)" || \
		{ echo "usage: make run-pipeline CONFIG=file.toml SOURCE=name TABLE=name"; exit 2; }
	$(PY) -m ingest run --config "$(CONFIG)" --source "$(SOURCE)" --table "$(TABLE)"

test-dw: setup ## dbt's data and unit tests against the current warehouse (WAREHOUSE_TARGET)
	$(PY) -m ingest build -- test

pg-up: ## start PostgreSQL (warehouse on 5432, operational source on 5433) with Docker
	docker compose up -d --wait

pg-down: ## stop the Docker PostgreSQL servers (data volumes are kept)
	docker compose down

clean: ## remove dbt artifacts
	rm -rf target logs

clean-data: ## remove generated sample data and the local warehouse file
	rm -rf data
