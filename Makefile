# psm-ld: `make run` sets up, builds, validates and serves; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup build validate report run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

build: setup
	$(BIN)/psm-ld build

validate: setup
	$(BIN)/psm-ld validate

report: setup
	$(BIN)/psm-ld report

run: build
	$(BIN)/psm-ld serve --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/ruff check src tests
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests

clean:
	rm -rf build $(VENV)
