# Two commands do all the set-up: `make report` (the main job) and `make test` (the checks).
# Both create .venv with the exact versions of constraints.txt the first time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The fixed time stamps and hash seed that make the same inputs give the same bytes are the
# library's (src/ccp_analysis/determinism.py): the build and the gate give them to every kernel
# they start. nbval starts its own kernels, so its check reads them from there.
DETERMINISM_ENV = $(shell $(BIN)/python -c 'from ccp_analysis.determinism import \
	DETERMINISM_ENV as e; print(" ".join(f"{k}={v}" for k, v in sorted(e.items())))')
.PHONY: report data test test-fast lint lab clean-venv

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

## test: lint, the whole suite (unit, build, robustness, gate, drift), then nbval
# Each check announces itself; the first that fails is named on the last line.
test: $(STAMP)
	@echo "== check 1/3: ruff (src, tests, notebooks, benchmarks)"
	@$(BIN)/ruff check src tests notebooks benchmarks || \
		{ echo "make test: FAILED at check 1/3: ruff"; exit 1; }
	@echo "== check 2/3: pytest tests (unit, build, robustness, reproducibility gate, drift)"
	@$(BIN)/python -m pytest -n 2 --dist loadscope tests || \
		{ echo "make test: FAILED at check 2/3: pytest tests"; exit 1; }
	@echo "== check 3/3: nbval on the executed notebooks of the latest versions"
	@# One notebook at a time: nbval starts plain TCP kernels, and two starting at once could
	@# pick the same port (the build's and the gate's kernels use private sockets instead).
	@env $(DETERMINISM_ENV) $(BIN)/python -m pytest -p no:cacheprovider \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		$$($(BIN)/ccp-analysis latest --notebooks) || \
		{ echo "make test: FAILED at check 3/3: nbval"; exit 1; }
	@echo "make test: all 3 checks passed"

## test-fast: the unit tests only (seconds)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" tests

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks benchmarks

## lab: open the notebooks in JupyterLab, on the project's kernel
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean-venv:
	rm -rf $(VENV)
