# Mahaliyat (محليات). `make run` starts the whole platform in one process; `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv: the one on PATH, else one the official installer left in ~/.local/bin, else our own in
# .tools/, installed from PyPI into a private venv (a system Python refuses `pip install`,
# PEP 668). Only PyPI, Debian and npm are reachable on our machines.
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.tools
UV := $(shell command -v uv 2>/dev/null || { [ -x "$(HOME)/.local/bin/uv" ] && echo "$(HOME)/.local/bin/uv"; } || echo "$(TOOLS)/bin/uv")
HOST ?= 127.0.0.1
PORT ?= 8000
# What the tests need from Debian: page tests drive its Chromium, QR tests decode with zbar,
# pages and PDFs need Arabic fonts. Each is "command-or-file:package".
TEST_PACKAGES := chromium:chromium zbarimg:zbar-tools \
	/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf:fonts-noto-core

.PHONY: help uv sync run up test test-fast test-packages lint format bench traefik-config clean

help:
	@echo "make run    start the embedded platform on http://$(HOST):$(PORT) (SQLite, in-process bus, demo data)"
	@echo "make up     run distributed here: one uvicorn per service, PostgreSQL, RabbitMQ, Traefik"
	@echo "make test   lint, type-check and run every test (installs the Debian packages the tests use;"
	@echo "            PostgreSQL/RabbitMQ tests need them running)"
	@echo "make bench  benchmarks; results go to docs/benchmarks.md"

uv:
	@set -e; if [ ! -x "$(UV)" ]; then \
		echo "uv is missing: installing uv $(UV_VERSION) from PyPI into $(TOOLS)"; \
		rm -rf "$(TOOLS)"; \
		if $(PYTHON) -m venv "$(TOOLS)" >/dev/null 2>&1 && "$(TOOLS)/bin/python" -m pip --version >/dev/null 2>&1; then \
			"$(TOOLS)/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; \
		else \
			echo "$(PYTHON) has no ensurepip (on Debian: the python3-venv package); fetching the wheel with the standard library"; \
			rm -rf "$(TOOLS)"; $(PYTHON) -m venv --without-pip "$(TOOLS)" >/dev/null 2>&1 || true; \
			$(PYTHON) -c "$$FETCH_UV" "$(UV_VERSION)" "$(TOOLS)/bin/uv"; \
		fi; \
		echo '*' > "$(TOOLS)/.gitignore"; \
		"$(UV)" --version; \
	fi

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
	$(UV) run --frozen mypy common/src gateway/src deploy/src $(wildcard *-service/src) tests bench
	$(UV) run --frozen lint-imports --no-cache

test: lint test-packages
	$(UV) run --frozen pytest

test-fast: sync test-packages
	$(UV) run --frozen pytest -x -q -m "not system"

# Installs the Debian packages the tests need, only those missing; sudo only when not root.
test-packages:
	@set -e; missing=""; \
	for entry in $(TEST_PACKAGES); do \
		need="$${entry%%:*}"; package="$${entry##*:}"; \
		case "$$need" in /*) [ -e "$$need" ] ;; *) command -v "$$need" >/dev/null 2>&1 ;; esac \
			|| missing="$$missing $$package"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make test needs:$$missing (Debian package names); this machine has no apt-get: install them yourself" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else echo "make test needs the Debian packages:$$missing; run as root: apt-get install$$missing" >&2; exit 1; fi; \
	echo "installing Debian packages:$$missing"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

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

# The uv wheel without pip: look it up in PyPI's simple index (JSON, PEP 691), check its
# sha256, and take the binary out of it. Only for Linux on x86_64 and aarch64.
define FETCH_UV
import hashlib, io, json, os, platform, sys, urllib.request, zipfile
version, target = sys.argv[1], sys.argv[2]
arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine().lower())
if not sys.platform.startswith("linux") or arch is None:
    sys.exit("no uv wheel chosen for this machine: install uv (https://docs.astral.sh/uv/) and run make again")
request = urllib.request.Request("https://pypi.org/simple/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
with urllib.request.urlopen(request, timeout=60) as answer:
    files = json.load(answer)["files"]
prefix = "uv-" + version + "-py3-none-"
wheels = [f for f in files if f["filename"].startswith(prefix) and "manylinux" in f["filename"] and f["filename"].endswith("_" + arch + ".whl")]
if not wheels:
    sys.exit("PyPI lists no uv " + version + " wheel for Linux " + arch)
wheel = sorted(wheels, key=lambda f: f["filename"])[0]
with urllib.request.urlopen(wheel["url"], timeout=300) as answer:
    data = answer.read()
if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
    sys.exit("the downloaded uv wheel does not match PyPI's sha256: refusing it")
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    binary = archive.read("uv-" + version + ".data/scripts/uv")
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target + ".part", "wb") as out:
    out.write(binary)
os.chmod(target + ".part", 0o755)
os.replace(target + ".part", target)
endef
export FETCH_UV
