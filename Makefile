# psm-ld: `make run` sets up, builds, validates and serves; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

NODE_STAMP := node_modules/.package-lock.json
CHROMIUM   ?= /usr/bin/chromium
NGINX      ?= /usr/sbin/nginx
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT        := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

# Where `make run` listens, and the canonical base the release is built with (README, "Pubblicare"):
#   make run PORT=8080                     base http://localhost:8080/
#   PSM_BASE_URI=https://example.org/psm/ make run HOST=0.0.0.0 ROOT_PATH=/psm   (behind a proxy)
HOST         ?= 127.0.0.1
PORT         ?= 8000
ROOT_PATH    ?=
PSM_BASE_URI ?= http://localhost:$(PORT)/

.PHONY: setup test-tools assets ckan build validate report export run test check lint clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# What the browser, client, export, remote-store and bench-smoke tests drive: Debian's chromium, nginx,
# wrk and virtuoso-opensource (Virtuoso 7, tests/engines.py; Oxigraph server comes from the test extra), and
# Node tools from package.json (Comunica). Installed only when missing; without them those tests fail
# rather than skip.
test-tools: $(NODE_STAMP)
	@test -x $(CHROMIUM) && test -x $(NGINX) && command -v wrk >/dev/null || { $(APT) update && \
		$(APT) install -y chromium && $(APT) install -y --no-install-recommends nginx wrk; }
	@command -v virtuoso-t >/dev/null || { $(APT) update && \
		$(APT) install -y --no-install-recommends virtuoso-opensource; }

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { $(APT) update && $(APT) install -y --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# The SPARQL editor of /sparql (assets/sparql-editor.js): CodeMirror 6 from npm (package-lock.json pins
# every package), bundled by esbuild into one local file that psm-ld serves and the export copies. Built,
# not committed: the lock file makes it reproducible. Without it /sparql is the plain form.
EDITOR_JS := src/psm_ld/pages/static/vendor/sparql-editor.js
ESBUILD   := node_modules/.bin/esbuild --bundle --minify --format=iife --target=es2020 --legal-comments=eof \
	--banner:js="/* psm-ld SPARQL editor: assets/sparql-editor.js with CodeMirror 6 (MIT, Marijn Haverbeke and others), bundled by esbuild; versions in package-lock.json */"

assets: $(EDITOR_JS)

$(EDITOR_JS): assets/sparql-editor.js $(NODE_STAMP)
	$(ESBUILD) assets/sparql-editor.js --outfile=$@

# CKAN 2.12 and ckanext-dcat for the harvest test (tests/test_ckan_harvest.py), in their own venv:
# CKAN pins exact versions of packages our tools share (click, pluggy, packaging...), so beside our
# dependencies it would change them. The test runs CKAN's DCAT parser there, in a subprocess.
CKAN_VENV  := .venv-ckan
CKAN_STAMP := $(CKAN_VENV)/.installed

$(CKAN_STAMP): tests/ckan/requirements.txt
	$(PYTHON) -m venv $(CKAN_VENV)
	$(CKAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CKAN_VENV)/bin/python -m pip install --quiet -r tests/ckan/requirements.txt
	touch $(CKAN_STAMP)

ckan: $(CKAN_STAMP)

# the commands that build or read a release see the same base (make run builds it first)
build validate report export run: export PSM_BASE_URI := $(PSM_BASE_URI)

build: setup
	$(BIN)/psm-ld build

validate: setup
	$(BIN)/psm-ld validate

report: setup
	$(BIN)/psm-ld report

# the release as static files plus an nginx configuration (src/psm_ld/export.py), in build/export
export: build assets
	$(BIN)/psm-ld export

run: build assets
	@echo "psm-ld: base $(PSM_BASE_URI), listening on $(HOST):$(PORT)$(if $(ROOT_PATH), under $(ROOT_PATH))"
	$(BIN)/psm-ld serve --host $(HOST) --port $(PORT)$(if $(ROOT_PATH), --root-path $(ROOT_PATH))

# pytest in one worker process per core (pytest-xdist): the tests that share the session's releases and
# servers run in one of them (tests/conftest.py), the rest (SHACL cases, CLI runs, the bench) beside.
# One more worker than the cores (PYTEST_WORKERS=3 here), measured in interleaved runs: about 5 s
# faster in some, 6-8 s slower with about 30 core-seconds more CPU in the latest, and the bench smoke
# test 2-4 s longer in every one; so one per core.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadgroup
# Python may keep what it compiles (an environment may forbid it): the test run starts about a hundred interpreters (servers, query
# workers, the CLI) that would otherwise compile psm-ld again each time, and pytest keeps the test
# modules it rewrites (their asserts) instead of rewriting them in every xdist worker
unexport PYTHONDONTWRITEBYTECODE

# The tests' scratch in memory where there is room (tmpfs /dev/shm with 4 GB free; `make test
# TEST_TMPDIR=` for the usual folder): a run writes some 30,000 files (releases with their pre-rendered
# documents, copies of them, engine databases), and on this machine's ext4 creating or removing one
# costs 0.3-0.6 ms of system CPU, on tmpfs 0.03. A container's small /dev/shm (64 MB) is left alone.
# Expanded when a recipe uses it: `df` runs for test and check only.
TEST_TMPDIR ?= $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 >= 4194304 { print "/dev/shm" }')
PYTEST = $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR) )$(BIN)/pytest

test: setup test-tools assets ckan
	$(BIN)/ruff check src tests bench
	$(PYTEST) $(PYTEST_PARALLEL) --durations=20  # the slowest, for whoever makes the suite faster

# The inner loop while developing: ruff and the in-process tests, leaving out those marked `slow` (they
# start processes: real servers, the CLI, Chromium, Comunica, nginx, CKAN, the bench harness).
check: setup
	$(BIN)/ruff check src tests bench
	$(PYTEST) $(PYTEST_PARALLEL) -m "not slow"

# Benchmarks against the anchors (bench/README.md): the bench extra, Debian's nginx and wrk if missing.
# Settings: BENCH_DURATION, BENCH_CONCURRENCY, BENCH_SCALE, BENCH_REPEATS; BENCH_ARGS=--smoke for a quick run.
bench: setup
	@$(BIN)/python -c "import rdflib_endpoint, psutil, pyinstrument" 2>/dev/null && test -x $(BIN)/py-spy \
		&& test -x $(BIN)/oxigraph || $(BIN)/python -m pip install --quiet -e '.[bench]'
	@{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null && command -v wrk >/dev/null \
		&& command -v virtuoso-t >/dev/null \
		|| { $(APT) update && $(APT) install -y --no-install-recommends nginx wrk virtuoso-opensource; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench

clean:
	rm -rf build $(VENV) $(CKAN_VENV) node_modules test-artifacts src/psm_ld/pages/static/vendor
