# Two commands on a fresh clone: `make pipeline` and `make test`.
# Each bootstraps .venv from pyproject.toml + uv.lock when it is missing or stale.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := $(VENV)/bin
SYNCED := $(VENV)/.synced
CONFIG ?= data/configs/benefit_claims.yml
# Extra `--set key=value` overrides for `make pipeline`, e.g. SET="model=rf seed=1".
SET ?=
PYTEST_ARGS ?=

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
# Keep kernels launched by papermill and JupyterLab on this environment's Python.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help pipeline test test-fast lint typecheck pytest lab slides mlflow dashboard format clean data reset

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5,<1'

$(SYNCED): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra dev --python $(PYTHON)
	@touch $@

pipeline: $(SYNCED)  ## Run the automated pipeline on the bundled data and print where the report is.
	$(BIN)/mlops-kit run --config $(CONFIG) $(foreach kv,$(SET),--set $(kv))

test: lint typecheck pytest  ## Run the whole test suite: lint, type checks and tests.

lint: $(SYNCED)  ## ruff lint and format check (code and notebooks), and the import layers.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(SYNCED)  ## mypy over the package, tests and benchmarks.
	$(BIN)/mypy

# Two test workers share the machine's two cores, so each (and every notebook kernel it
# starts) runs native code on one thread: OpenMP threads sized to all cores in every
# process fight for them and made the suite many times slower. A module's tests stay on
# one worker (--dist loadfile), and the slowest modules start first (SLOW_MODULES in
# tests/conftest.py) instead of in xdist's order by number of tests.
pytest: $(SYNCED)  ## The tests alone (pass PYTEST_ARGS="-k name" to select); prints the 15 slowest.
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=15 $(PYTEST_ARGS)

# The inner loop: no notebook, browser or other slow test, no lint or type check.
test-fast: $(SYNCED)  ## The quick tests only: not notebook, browser or slow (about 6 minutes).
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/pytest -n 2 -m "not slow and not notebook and not browser" --durations=15 $(PYTEST_ARGS)

mlflow: $(SYNCED)  ## Open the MLflow web UI on this folder's runs and registry (port 5000).
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlops.db --host 127.0.0.1 --port 5000

# The facilitator dashboard reads WORKSPACE (its runs/, mlops.db and audit/); Voila runs
# the notebook in its own folder and the kit reads the workspace from MLOPS_WORKSPACE.
WORKSPACE ?= $(CURDIR)
DASHBOARD_PORT ?= 8866

dashboard: $(SYNCED)  ## Serve the facilitator dashboard of every run with Voila (port 8866).
	MLOPS_WORKSPACE="$(abspath $(WORKSPACE))" $(BIN)/voila \
		notebooks/dashboard/facilitator_dashboard.ipynb \
		--no-browser --port=$(DASHBOARD_PORT) --Voila.ip=127.0.0.1

lab: $(SYNCED)  ## Open the course in JupyterLab.
	$(BIN)/jupyter lab notebooks/00_engage_case_study.ipynb

# Without code: docs/slides/explain_slides.json leaves code input out, shows each quiz's
# questions (its static snapshot, not the widget) and then its answers on the next slide.
slides: $(SYNCED)  ## Export the Explain lesson as a reveal.js slide deck without code (build/slides/).
	$(BIN)/jupyter nbconvert --config docs/slides/explain_slides.json --to slides --execute \
		notebooks/02_explain_concepts.ipynb --output-dir build/slides

format: $(SYNCED)  ## Apply ruff's fixes and formatting.
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

data: $(SYNCED)  ## Regenerate the bundled CSVs from their seeded generators.
	$(BIN)/mlops-kit data generate --out data

clean:  ## Remove environments, caches and generated runs.
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache runs mlruns

# What lessons and exercises write in their own folders (poll answers are kept). Lessons
# keep apart inside them: runs/by-hand-<n>, simulation/<lesson>-<key>, tuning and review
# files named after their settings, so a lesson run again starts beside the last one.
LESSON_OUTPUTS := runs mlops.db mlops.db.lock mlartifacts audit .mlops simulation tuning review \
	claims_extract.csv feedback written_report.md written_report.html tamper-drill \
	forgery-drill designs adoption_proposal.md adoption_proposal.html

reset:  ## Between groups: remove runs, the model registry and the audit log (keeps the code).
	rm -rf runs mlops.db mlops.db.lock mlartifacts audit .mlops
	cd notebooks && rm -rf $(LESSON_OUTPUTS)
	cd exercises && rm -rf $(LESSON_OUTPUTS)
