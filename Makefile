# incident-responder: `make demo` and `make test` set up what they need on first use, from the lock files.
#   make demo       runtime dependencies + moto + this package (requirements/demo.lock), then the demo
#   make test       everything the tests use (requirements/dev.lock: + pytest, pytest-xdist, ruff, mypy,
#                   aws-sam-cli, cfn-lint, awslambdaric, anthropic), then the whole suite; make test-fast skips slow tests
#   make lint       ruff + mypy
#   make lock       re-resolve the lock files after a change of pyproject.toml or functions/requirements*.txt
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check
DEMO_STAMP := $(VENV)/.installed-demo
DEV_STAMP  := $(VENV)/.installed-dev

.PHONY: demo test test-fast lint bench replay lock clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# --require-hashes: every package is the one the lock names, byte for byte; --no-deps: the lock is the
# whole resolution (pip resolves nothing of its own). The package itself goes in
# editable and without dependencies (they are all in the lock).
$(DEMO_STAMP): requirements/demo.lock pyproject.toml | $(PY)
	$(PIP) --require-hashes --no-deps -r requirements/demo.lock
	$(PIP) --no-deps -e .
	touch $@

$(DEV_STAMP): requirements/dev.lock pyproject.toml | $(PY)
	$(PIP) --require-hashes --no-deps -r requirements/dev.lock
	$(PIP) --no-deps -e .
	touch $@ $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(VENV)/bin/incident-responder demo

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test: $(DEV_STAMP)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test-fast: $(DEV_STAMP)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not slow"

replay: $(DEMO_STAMP)
	$(VENV)/bin/incident-responder replay tests/scenarios

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check functions tests benchmarks
	$(VENV)/bin/mypy functions/incident_responder functions/incident_responder_local

bench: $(DEV_STAMP)
	@for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

# The locks: universal for the development environment (Python 3.11+), and Lambda's python3.13 on arm64
# for what `sam build` ships (functions/Makefile installs from them).
UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --no-header --generate-hashes
lock: | $(PY)
	$(PIP) uv
	$(UV_COMPILE) --universal --python-version 3.11 pyproject.toml --extra local -o requirements/demo.lock
	$(UV_COMPILE) --universal --python-version 3.11 pyproject.toml --extra dev -o requirements/dev.lock
	$(UV_COMPILE) --python-version 3.13 --python-platform aarch64-manylinux2014 \
		functions/requirements.txt -o functions/requirements.lock
	$(UV_COMPILE) --python-version 3.13 --python-platform aarch64-manylinux2014 --no-deps \
		functions/requirements-nodeps.txt -o functions/requirements-nodeps.lock

clean:
	rm -rf $(VENV) .aws-sam build dist *.egg-info functions/*.egg-info
