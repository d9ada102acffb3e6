# Two commands do all the set-up: `make report` (the main job) and `make test` (the checks).
# Both create .venv with the exact versions of constraints.txt the first time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report data test test-fast lint lab clean-venv

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@# The python3 kernelspec naming the project's provisioner: kernels on private sockets.
	$(BIN)/python -m ccp_analysis.pipeline.kernelspec
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

## test: lint, then the whole suite and the gate through nbval side by side
# Each check announces itself; the first that fails is named on the last line.
# Checks 2 and 3 share nothing but the checkout, which both only read (tests work on copies,
# the gate in a temporary folder), so they run at once: each leaves a core idle at times
# (kernels starting, the browser rendering, the last test module or notebook running alone)
# and the other fills it. The gate's output is held and printed after pytest's.
# About 50 Python processes start (pytest and its workers, kernels, command lines): with byte
# code cached (in the ignored __pycache__ folders) each reads the library and pytest's rewritten
# tests instead of compiling them again, even where the environment says not to write it.
test: export PYTHONDONTWRITEBYTECODE =
test: $(STAMP)
	@echo "== check 1/3: ruff (src, tests, notebooks, benchmarks; the only lint run), import layers"
	@$(BIN)/ruff check src tests notebooks benchmarks || \
		{ echo "make test: FAILED at check 1/3: ruff"; exit 1; }
	@$(BIN)/lint-imports --no-cache --no-logo || \
		{ echo "make test: FAILED at check 1/3: import layers (docs/architecture.md)"; exit 1; }
	@echo "== check 2/3: pytest tests (unit, build, robustness, gate and drift on copies)"
	@echo "   (check 3/3, the gate through nbval, runs meanwhile; its report follows)"
	@# The gate: every executed notebook of the latest versions rerun once by nbval in a fresh
	@# kernel, two at a time (kernels on private sockets: no lock); nbval compares each cell's
	@# output, the gate each figure and table with the manifest.
	@gate_log=$$(mktemp); \
	$(BIN)/ccp-analysis check --nbval >"$$gate_log" 2>&1 & gate=$$!; \
	$(BIN)/python -m pytest -n 3 --dist loadscope --no-loadscope-reorder tests; tests=$$?; \
	wait $$gate; gated=$$?; \
	echo "== check 3/3: the reproducibility gate through nbval, both editions"; \
	cat "$$gate_log"; rm -f "$$gate_log"; \
	if [ $$tests -ne 0 ]; then echo "make test: FAILED at check 2/3: pytest tests"; exit 1; fi; \
	if [ $$gated -ne 0 ]; then echo "make test: FAILED at check 3/3: gate through nbval"; exit 1; fi; \
	echo "make test: all 3 checks passed"

## test-fast: every test that runs no notebook (no `slow` mark), on two workers
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope --no-loadscope-reorder -m "not slow" tests

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks benchmarks
	$(BIN)/lint-imports --no-cache --no-logo

## lab: open the notebooks in JupyterLab, on the project's kernel
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean-venv:
	rm -rf $(VENV)
