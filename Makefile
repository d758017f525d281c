# Every target creates .venv and installs what it needs when missing.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-sqlite test-postgres test-browser browser web-catalogs lint format protos protos-check bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/exchange demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 4 --dist loadfile --no-loadscope-reorder  # 4 workers: many tests wait on node processes; the slowest files first (tests/conftest.py)

# The console's browser tests drive Debian's chromium by path (Playwright cannot download its
# own browser here); without it they skip, except under CI=true.
browser:
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

test-browser: $(STAMP) browser
	$(BIN)/python -m pytest -q tests/web -n 2 --dist loadfile

web-catalogs: $(STAMP)
	$(BIN)/python scripts/web_catalogs.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

protos: $(STAMP)
	$(BIN)/python scripts/gen_protos.py

protos-check: $(STAMP)
	$(BIN)/python scripts/gen_protos.py --check

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/trust.py
	$(BIN)/python bench/trustflood.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/records.py
	$(BIN)/python bench/metrics_cost.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/catchup.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/replicas.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
