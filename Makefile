# Set-up and entry points. `make demo` and `make test` work on a fresh machine
# with Python 3.11+, Node.js 20+ and npm (see README.md). `make test` also installs
# Debian's chromium and softhsm2 when run as root (scripts/install-system-packages.sh).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup system-packages lint clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json hardhat_local/package.json \
		hardhat_local/package-lock.json
	npm ci --no-audit --no-fund
	hardhat_local/install.sh
	touch $@

system-packages:
	scripts/install-system-packages.sh

setup: $(BIN)/.installed node_modules/.installed

# The demo runs on the embedded chain and needs no Node.js packages.
demo: $(BIN)/.installed
	$(BIN)/hocba demo

test: $(BIN)/.installed node_modules/.installed system-packages
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check hocba issuer verifier wallet api scripts tests

clean:
	rm -rf $(VENV) node_modules hardhat_local/node_modules out .hocba
