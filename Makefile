# The two commands a newcomer needs are `make demo` and `make test` (see README.md).
# Both install everything they need first: a virtualenv in .venv and the pinned node tools in node_modules.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps demo test lint bench clean

# The native prover and gallery kernel (zk_identity/native, enrollment/gallery/native) are compiled by the
# editable install: rebuild when their C sources change.
$(BIN)/personhood: pyproject.toml $(wildcard zk_identity/native/*.c zk_identity/native/*.h zk_identity/native/*.inc) \
		$(wildcard enrollment/gallery/native/*.c enrollment/gallery/native/*.h enrollment/gallery/native/*.inc)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# SoftHSM2 is the PKCS#11 token the device-key tests run against; it comes from the system packages.
# Installed only when softhsm2-util is missing, and only as root with apt-get; otherwise a hint is printed.
system-deps:
	@command -v softhsm2-util >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2; \
	  else echo "warning: SoftHSM2 missing; install the softhsm2 package as root (hardware tests need it)" >&2; fi; }
	@# headless Chromium + its WebDriver for the station UI test (tests/enrollment/test_station_ui.py)
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	  else echo "warning: Chromium missing; install chromium and chromium-driver as root (station UI test needs them)" >&2; fi; }

setup: system-deps $(BIN)/personhood node_modules/.package-lock.json

demo: setup
	$(BIN)/personhood demo

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules .cache
