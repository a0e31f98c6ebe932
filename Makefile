# Two commands on a fresh machine: `make run`, then `make test`.
# Both create .venv and install into it when it is missing or older than pyproject.toml.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 1
SEED ?= 42
PORT ?= 5001
# Your own files instead of the synthetic data: make run DATA_DIR=/path/to/folder
DATA_DIR ?=
export WAREHOUSE_DB ?= data/warehouse.duckdb

# statsforecast, for the forecasting benchmark only: its release declares pandas<3 (the project
# pins pandas 3), so it is installed without its pins; AutoARIMA works with pandas 3.
STATSFORECAST := statsforecast==2.1.1 coreforecast==0.0.20 utilsforecast==0.2.17 fugue==0.9.7 triad==1.0.4 adagio==0.2.6 fsspec

.PHONY: venv run generate build docs report browser test clean serve mlflow-ui bench bench-deps

run: venv ## set up, generate the data (unless DATA_DIR), build and test everything, write the docs site and the report, in one process
	$(BIN)/warehouse run --scale $(SCALE) --seed $(SEED) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP) ## create or refresh the virtual environment

generate: venv ## write the synthetic seeds, photos and truth files (SCALE, SEED)
	$(BIN)/warehouse generate --scale $(SCALE) --seed $(SEED)

build: venv ## dbt build: seeds (or DATA_DIR's files), models, data tests and unit tests; then the docs site
	$(BIN)/warehouse build --docs $(if $(DATA_DIR),--data-dir $(DATA_DIR))

docs: venv ## dbt docs generate --static -> target/static_index.html (from the live warehouse; make build writes it too)
	$(BIN)/warehouse docs

report: venv ## the self-contained plotly report -> data/report/index.html
	$(BIN)/warehouse report $(if $(DATA_DIR),--images-dir $(DATA_DIR)/images)

browser: ## Chromium and chromedriver for the browser tests: apt-get install where missing and root
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
		echo "chromium and chromedriver present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update && apt-get install -y chromium chromium-driver) \
		|| echo "WARNING: apt-get could not install chromium: the browser tests will be SKIPPED"; \
	else \
		echo "WARNING: chromium is missing and cannot be installed here (needs root and apt-get): the browser tests will be SKIPPED"; \
	fi

test: venv browser ## the pytest suites (they build their own small warehouses in temporary folders)
	$(BIN)/pytest

clean: ## remove generated state (data, dbt target and logs, generated seeds)
	rm -rf data target logs seeds/*.csv

serve: venv ## serve the champion sales model on 127.0.0.1:$(PORT) (mlflow models serve)
	$(BIN)/warehouse serve --port $(PORT)

mlflow-ui: venv ## the MLflow UI on 127.0.0.1:5000, over the project's tracking store
	$(BIN)/mlflow ui --backend-store-uri $${MLFLOW_TRACKING_URI:-sqlite:///data/mlflow.db} --host 127.0.0.1 --port 5000

bench-deps: venv ## statsforecast for the forecasting comparison (benchmark only, not in pyproject.toml)
	@$(BIN)/python -c "import statsforecast" 2>/dev/null || $(BIN)/python -m pip install --quiet --no-deps $(STATSFORECAST)

bench: bench-deps ## the whole pipeline at scale 1, 10 and 100 and each component beside its reference: one table, data/bench/bench.csv
	$(BIN)/python bench/bench_all.py --scales $(or $(BENCH_SCALES),1 10 100)
