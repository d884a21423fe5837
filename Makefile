# Two commands matter: `make run` runs the platform, `make test` runs every test.
# Each installs what it needs first (Python packages into .venv, npm packages, the compiler shim).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BROWNIE := $(VENV)/bin/brownie
SOLC_VERSION := 0.8.28
SOLC_SHIM := .solc/solc-v$(SOLC_VERSION)
TEST_NETWORK := scf-test
STATEFUL_EXAMPLES ?= 50
SLITHER_ARGS := --solc $(SOLC_SHIM) --solc-standard-json --solc-remaps "@openzeppelin=node_modules/@openzeppelin"

export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.solc

# Runs a command with its output shown only if it fails: make prints its own progress instead.
QUIETLY := tools/quietly.sh

PYTEST_PLATFORM := $(VENV)/bin/pytest -c tests/platform/pytest.ini -p no:pytest-brownie

.PHONY: help toolchain compile run reset smoke code chromium tools e2e test architecture test-contracts test-platform test-deep bench-gas bench-pipeline bench-web \
	slither clean test-integration-ganache test-integration-anvil

help:
	@echo "make run          start a local chain (state in var/) and deploy the contracts once"
	@echo "make test         install everything, compile, run the whole test suite"
	@echo "make test-deep    the stateful property tests with many more steps"
	@echo "make bench-gas    gas of one invoice's lifecycle against its floor"
	@echo "make bench-pipeline  2,000 invoices through the bulk API on Ganache and on anvil (2 s blocks) vs raw chain tx/s"
	@echo "make bench-web    portal dashboards and API lists under 50 users, 10,000 invoices on PostgreSQL"
	@echo "make slither      static analysis of the contracts"
	@echo "make e2e          the browser end-to-end story (Playwright, headless Chromium, live server, worker, Ganache)"
	@echo "make smoke [URL=http://127.0.0.1:8000]  health of a running instance: chain, indexer, outbox, workers"
	@echo "make code user=NAME  the current authenticator code of a demo user (lenders, admins)"
	@echo "make reset        wipe var/ (the local chain, database, documents and demo logins)"

# pip and npm stay quiet but for their errors and warnings.
$(VENV)/.installed: requirements.txt
	@echo "Installing the Python packages into $(VENV) (requirements.txt; the first time takes a few minutes)"
	@$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check pip==24.3.1
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Locust and Schemathesis need a newer hypothesis than Brownie pins: they get a venv of their own.
$(VENV)-tools/.installed: tools/requirements-tools.txt
	@echo "Installing schemathesis and locust into $(VENV)-tools (tools/requirements-tools.txt)"
	@$(PYTHON) -m venv $(VENV)-tools
	@$(VENV)-tools/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-tools.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "Installing the npm packages into node_modules (package-lock.json: Ganache, solc, OpenZeppelin, HTMX, Chart.js)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(SOLC_SHIM): tools/solc-shim.js node_modules/.installed
	@mkdir -p .solc
	@printf '#!/bin/sh\nexec node "%s/tools/solc-shim.js" "$$@"\n' "$(CURDIR)" > $@
	@chmod +x $@

# Brownie keeps networks in ~/.brownie; (re)define ours there whenever this Makefile changes.
# scf-test: a throw-away Ganache per test run. scf-local / scf-local-anvil: attach to `make run`'s
# Ganache / anvil (CHAIN_ENGINE). scf-it (and scf-it2, for the run beside it) / scf-bench: the
# integration tests / the pipeline benchmark start their own chain there (ports 8546, 8549 /
# 8547) and deploy through it; Brownie tells
# the engine it attaches to by its client version, so one network serves both.
# $(call brownie_network,ID,COMMAND,SETTINGS) replaces the network ID; on a fresh machine there is
# none to delete, which is no error.
define brownie_network
@$(BROWNIE) networks delete $(1) >/dev/null 2>&1 || true
@$(QUIETLY) $(BROWNIE) networks add Development $(1) cmd=$(2) host=http://127.0.0.1 $(3)
endef
# Ganache's --wallet.deterministic wallet, which anvil is given too: the same accounts on both.
LOCAL_DEV_MNEMONIC := myth like bonus scare over problem client lizard pioneer submit female collect

$(VENV)/.networks: $(VENV)/.installed Makefile
	@echo "Defining the Brownie networks scf-test, scf-local, scf-local-anvil, scf-it, scf-it2 and scf-bench in ~/.brownie"
	$(call brownie_network,$(TEST_NETWORK),ganache-cli,port=8555 evm_version=shanghai accounts=20 gas_limit=30000000 mnemonic=brownie)
	$(call brownie_network,scf-local,ganache-cli,port=8545 evm_version=shanghai chain_id=1337)
	$(call brownie_network,scf-it,ganache-cli,port=8546 evm_version=shanghai chain_id=1337)
	$(call brownie_network,scf-bench,ganache-cli,port=8547 evm_version=shanghai chain_id=1337)
	$(call brownie_network,scf-it2,ganache-cli,port=8549 evm_version=shanghai chain_id=1337)
	$(call brownie_network,scf-local-anvil,anvil,port=8545 evm_version=shanghai chain_id=1337 block_time=2 accounts=20 mnemonic="$(LOCAL_DEV_MNEMONIC)")
	@touch $@

toolchain: $(VENV)/.installed node_modules/.installed $(SOLC_SHIM) $(VENV)/.networks

compile: toolchain
	@$(QUIETLY) $(BROWNIE) compile

run: compile
	@tools/run-platform.sh

reset:
	rm -rf var/

smoke:
	$(PYTHON) scripts/smoke.py $(or $(URL),http://127.0.0.1:8000)

code: $(VENV)/.installed
	@$(VENV)/bin/python manage.py demo_code $(user)

chromium:
	tools/ensure-chromium.sh

tools: $(VENV)-tools/.installed

e2e: compile chromium
	$(PYTEST_PLATFORM) tests/platform/integration/test_e2e_story.py

test: slither architecture test-contracts test-platform

# The import floors in .importlinter: a module importing a floor above its own fails the build.
architecture: tools
	cd platform && ../$(VENV)-tools/bin/lint-imports --config ../.importlinter

test-contracts: compile
	STATEFUL_EXAMPLES=$(STATEFUL_EXAMPLES) $(BROWNIE) test tests/contracts --network $(TEST_NETWORK)

# The Django suite: unit tests, then integration and fault tests with real chains and Celery
# worker processes. SQLite and a filesystem broker unless DATABASE_URL / CELERY_BROKER_URL are set.
# Unit tests on both cores (pytest-xdist: a database and queue per worker), then two integration
# runs side by side (make -j2; each run's output shows when it ends): every integration test on
# Ganache in automine, and ANVIL_TESTS on anvil mining a block every 2 s, with the reorganisation
# and fee tests that only anvil can run (marked interval_mining). Within a run the tests go one at
# a time: they start chains and workers on fixed ports. The anvil run has ports, a database, a
# broker database (the Redis URL's /0 becomes /1; ANVIL_BROKER_URL to choose) and a var/ of its own.
# (test_chain_recovery.py drives Ganache's own miner_stop and evm_revert: it stays on Ganache.)
ANVIL_TESTS := $(addprefix tests/platform/integration/,test_faults.py test_invoice_pipeline.py test_chain_conditions.py)
ANVIL_BROKER_URL ?= $(patsubst %/0,%/1,$(CELERY_BROKER_URL))
ANVIL_RUN := CHAIN_ENGINE=anvil INTEGRATION_CHAIN_PORT=8549 PRIVATE_REDIS_PORT=6392 \
	PLATFORM_VAR_DIR=$(CURDIR)/var/anvil-tests $(if $(DATABASE_URL),DATABASE_URL=$(DATABASE_URL)_anvil) \
	$(if $(CELERY_BROKER_URL),CELERY_BROKER_URL=$(ANVIL_BROKER_URL))
test-platform: compile chromium tools
	$(PYTEST_PLATFORM) tests/platform --ignore=tests/platform/integration -n 2
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-integration-ganache test-integration-anvil

test-integration-ganache:
	$(PYTEST_PLATFORM) tests/platform/integration

test-integration-anvil:
	$(ANVIL_RUN) $(PYTEST_PLATFORM) $(ANVIL_TESTS)

test-deep: compile
	STATEFUL_EXAMPLES=500 $(BROWNIE) test tests/contracts/stateful --network $(TEST_NETWORK)

bench-gas: compile
	$(BROWNIE) run scripts/bench_gas.py --network $(TEST_NETWORK)

# Needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_BROKER_URL: see scripts/bench_pipeline.py).
bench-pipeline: compile
	$(VENV)/bin/python scripts/bench_pipeline.py

# Needs PostgreSQL (BENCH_WEB_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/scf_bench_web,
# dropped and recreated on each run); no chain.
bench-web: $(VENV)/.installed $(VENV)-tools/.installed
	$(VENV)/bin/python scripts/bench_web.py

# Static analysis gates `make test`: any finding fails it. Triage lives in slither.config.json
# (detectors excluded, with the reason in the README) and in `// slither-disable-next-line` comments
# that give their reason in place.
slither: toolchain
	SOLC_SHIM_SETTINGS='{"viaIR": true, "optimizer": {"enabled": true}, "evmVersion": "shanghai"}' \
		$(VENV)/bin/slither contracts/ $(SLITHER_ARGS)

clean:
	rm -rf build reports .solc $(VENV) $(VENV)-tools node_modules
