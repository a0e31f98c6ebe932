# Two commands on a fresh machine: `make run`, then `make test`.
# Both create .venv and install into it when it is missing or older than pyproject.toml.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 1
SEED ?= 42
export WAREHOUSE_DB ?= data/warehouse.duckdb

.PHONY: venv run generate build docs test clean

run: generate build docs ## set up, generate the data, build and test everything, write the docs site

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP) ## create or refresh the virtual environment

generate: venv ## write the synthetic seeds, photos and truth files (SCALE, SEED)
	$(BIN)/warehouse generate --scale $(SCALE) --seed $(SEED)

build: venv ## dbt build: seeds, models, data tests and unit tests
	$(BIN)/warehouse build

docs: venv ## dbt docs generate --static -> target/static_index.html
	$(BIN)/warehouse docs

test: venv ## the pytest suites (they build their own small warehouses in temporary folders)
	$(BIN)/pytest

clean: ## remove generated state (data, dbt target and logs, generated seeds)
	rm -rf data target logs seeds/*.csv
