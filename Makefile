# Two commands do all the set-up: `make report` (the main job) and `make test` (the checks).
# Both create .venv with the exact versions of constraints.txt the first time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Fixed build time stamps and hash seed: same inputs, same bytes.
export SOURCE_DATE_EPOCH := 1671148800
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: report data test test-fast lint clean-venv

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

## report: verify raw inputs, rebuild data/processed, build both report editions
report: $(STAMP)
	$(BIN)/ccp-analysis data verify
	$(BIN)/ccp-analysis data build
	$(BIN)/ccp-analysis build --edition as-published --edition updated

## data: only verify raw inputs and rebuild data/processed
data: $(STAMP)
	$(BIN)/ccp-analysis data verify
	$(BIN)/ccp-analysis data build

## test: lint, then the whole suite (unit tests, nbval, reproducibility gate, drift, robustness)
test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 --dist loadscope tests
	$(BIN)/python -m pytest -n 2 --dist loadscope --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		$$($(BIN)/ccp-analysis latest --notebooks)

## test-fast: the unit tests only (seconds)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" tests

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks benchmarks

clean-venv:
	rm -rf $(VENV)
