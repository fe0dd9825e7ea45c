# Everything is installed into .venv by these targets: a machine with only Python >= 3.11 suffices.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= output/demo

.PHONY: install bytecode demo test lint master bench corpus mutate clean browser wheelhouse test-install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) bytecode

# The package's modules compiled to bytecode, as a wheel's install does. An editable install
# writes it on the first run, but not where PYTHONDONTWRITEBYTECODE is set: there every run
# compiled its ~50 modules again (~0.15-0.19 s of a city run's CPU). Run again after a pull.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q pipeline schemas

demo: bytecode
	$(BIN)/shinchoku demo --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pipeline

# With dist/wheelhouse present (make wheelhouse) this includes the offline install (~1 min).
# Two pytest workers (TEST_JOBS=auto: one per core); a test file stays on one worker, so that
# its module fixtures are made once, the slowest files handed out first (tests/conftest.py
# SLOW_FIRST). Tests marked `install` are left to make test-install. The 15 slowest are listed.
# The bytecode first: the tests run the command in ~150 child processes, each of which would
# otherwise compile the package again where PYTHONDONTWRITEBYTECODE is set.
TEST_JOBS ?= 2
test: lint bytecode
	$(BIN)/pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder -m "not install" --durations=15

# Rebuild each bundled plan master .xlsx from its reviewable CSV source (pipeline/data/NAME/).
master: $(STAMP)
	for d in pipeline/data/*/; do n=$$(basename $$d); \
	  $(BIN)/python -m pipeline build-master $$d pipeline/data/$${n}_計画マスタ.xlsx || exit 1; done

clean:
	rm -rf $(VENV) .browser output/demo .pytest_cache .mypy_cache .ruff_cache .mutation build dist

# Speed and memory against the naive way (numbers for the README; not part of make test).
bench: bytecode
	$(BIN)/python benchmarks/bench.py --files $(or $(FILES),40,2000) $(if $(WORKDIR),--workdir $(WORKDIR)) $(if $(REPEAT),--repeat $(REPEAT))

# Every real and crafted hostile file, one at a time beside the demo's genuine submissions, under
# a 2 GB memory cap: exit 0/1, no traceback, listed, figures unchanged (slow; not in make test).
corpus: $(STAMP)
	$(BIN)/python benchmarks/corpus.py --crafted $(if $(EXTRA),--extra $(EXTRA))

# Mutation testing (mutmut) of the modules that decide what users see; prints the score.
# Slow (not part of make test); results are cached in .mutation/ (git-ignored). GROUPS=rates …
mutate: $(STAMP)
	$(BIN)/python mutation/mutate.py $(GROUPS)

# Browser tests of the published pages (tests/test_publish_browser.py): Playwright drives the
# system's Chromium (Debian package chromium; never `playwright install`), axe-core checks
# accessibility. Installs into .venv and the git-ignored .browser/; `make test` then runs them.
browser: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,browser]'
	npm install --prefix .browser --no-audit --no-fund axe-core@4
	@test -x /usr/bin/chromium || echo "Chromium not found: apt-get install chromium (or set CHROMIUM=path)"

# Offline installation for a closed network: shinchoku's wheel, every dependency's wheels for
# Windows and Linux (CPython 3.11-3.13), install.bat / install.sh / shinchoku.bat (git-ignored).
wheelhouse: $(STAMP)
	$(BIN)/python tools/wheelhouse.py --out dist/wheelhouse

# Only the install tests: the wheel alone, the wheelhouse's contents, the offline install.
test-install: wheelhouse
	$(BIN)/pytest tests/test_wheelhouse.py
