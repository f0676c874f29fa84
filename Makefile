# Two entry points for people: `make demo` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test setup setup-test web test-py test-web bench lint clean

demo: setup
	$(BIN)/meshscope demo

test: setup-test
	$(MAKE) lint
	$(MAKE) test-web
	$(MAKE) test-py

setup: $(VENV)/.stamp-deps web

$(VENV)/.stamp-deps: requirements.lock pyproject.toml
	@command -v $(PY) >/dev/null || { echo "need Python 3.11 ($(PY))"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

# The UI is built into the Python package, where the server serves it from.
web: src/meshscope/web/static/index.html

src/meshscope/web/static/index.html: $(shell find web/src web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig*.json -type f 2>/dev/null)
	@command -v npm >/dev/null || { echo "need Node.js and npm to build the UI"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	cd web && npm run build

# Browser tests drive Debian's Chromium; real peers (Prometheus, promtool, rsyslog...) come from Debian too.
TEST_DEBS := chromium prometheus rsyslog rsyslog-openssl

setup-test: setup $(VENV)/.stamp-test-deps
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing Debian packages:" $$missing; apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi

$(VENV)/.stamp-test-deps: requirements-test.lock $(VENV)/.stamp-deps
	$(BIN)/pip install -q -r requirements-test.lock
	touch $@

test-web:
	cd web && NO_COLOR=1 npx vitest run

test-py:
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python bench/otlp_ingest.py

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) web/node_modules src/meshscope/web/static
