# One task runner for the project. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= build

.DEFAULT_GOAL := help
.PHONY: help build pdf test check lint types format templates schema rules example-workbook bench clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (PYTHON=python3.11 make ...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

build: $(STAMP) ## Set up the environment and build the example plans in inputs/ into build/
	$(BIN)/pipeline build inputs --out $(OUT)

pdf: $(STAMP) ## Build the example plans with PDFs and a packet per plan (needs LibreOffice)
	$(BIN)/pipeline build inputs --out $(OUT) --pdf

test: $(STAMP) ## Run the tests
	$(BIN)/pytest

check: lint types test ## Lint, type-check and test

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check pipeline tests tools benchmarks
	$(BIN)/ruff format --check pipeline tests tools benchmarks

types: $(STAMP) ## mypy, strict
	$(BIN)/mypy

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format pipeline tests tools benchmarks
	$(BIN)/ruff check --fix pipeline tests tools benchmarks

bench: $(STAMP) ## Benchmarks: render speed vs plain docxtpl, 1,000-plan builds, memory, PDF conversion
	$(BIN)/python benchmarks/bench.py

templates: $(STAMP) ## Regenerate the Word templates in templates/ from tools/make_templates.py
	$(BIN)/python tools/make_templates.py

schema: $(STAMP) ## Regenerate schema/plan.schema.json from the model
	$(BIN)/pipeline schema > schema/plan.schema.json

example-workbook: $(STAMP) ## Regenerate inputs/maple-street-elementary.xlsx with the converter
	$(BIN)/python tools/make_example_workbook.py

rules: $(STAMP) ## Regenerate docs/rules.md from the completeness rules
	$(BIN)/pipeline check --list-rules --format markdown > docs/rules.md

clean: ## Remove the generated documents (build/), nothing else
	rm -rf $(OUT)

distclean: clean ## Also remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
