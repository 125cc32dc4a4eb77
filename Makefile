# Mahaliyat (محليات). `make run` starts the whole platform in one process; `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv comes from PyPI when missing (only PyPI, Debian and npm are reachable on our machines).
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help uv sync run up test test-fast lint format bench traefik-config clean

help:
	@echo "make run    start the embedded platform on http://$(HOST):$(PORT) (SQLite, in-process bus, demo data)"
	@echo "make up     run distributed here: one uvicorn per service, PostgreSQL, RabbitMQ, Traefik"
	@echo "make test   lint, type-check and run every test (PostgreSQL/RabbitMQ tests need them running)"
	@echo "make bench  benchmarks; results go to docs/benchmarks.md"

uv:
	@command -v $(UV) >/dev/null 2>&1 || { echo "installing uv from PyPI"; $(PYTHON) -m pip install --user --quiet uv; }

sync: uv
	@$(UV) sync --frozen --quiet

run: sync
	@$(UV) run --frozen python -m mahaliyat_deploy run --host $(HOST) --port $(PORT)

# Distributed on this machine: a uvicorn per service, the local PostgreSQL and RabbitMQ, Traefik.
up: sync
	@$(UV) run --frozen python -m mahaliyat_deploy up --address $(HOST):$(PORT)

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy common/src gateway/src deploy/src $(wildcard *-service/src)

test: lint
	$(UV) run --frozen pytest

test-fast: sync
	$(UV) run --frozen pytest -x -q -m "not system"

format: sync
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

bench: sync
	@command -v wrk >/dev/null 2>&1 || { echo "bench needs wrk: installing it from Debian"; \
		$$( [ "$$(id -u)" -ne 0 ] && echo sudo ) apt-get install -y -qq wrk; }
	$(UV) run --frozen python -m bench

traefik-config: sync
	$(UV) run --frozen python -m mahaliyat_gateway render --out gateway/traefik

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache test-output
