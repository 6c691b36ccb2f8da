# incident-responder: `make demo` and `make test` set up everything they need on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test test-fast lint bench replay clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/incident-responder demo

test: $(STAMP)
	$(VENV)/bin/pytest

test-fast: $(STAMP)
	$(VENV)/bin/pytest -m "not slow"

replay: $(STAMP)
	$(VENV)/bin/incident-responder replay tests/scenarios

lint: $(STAMP)
	$(VENV)/bin/ruff check functions tests benchmarks
	$(VENV)/bin/mypy functions/incident_responder

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .aws-sam build dist *.egg-info functions/*.egg-info
