# envmigrate.aws — the commands of the README. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
SUFFIX ?= demo
COLLECTION_LINK := .collections/ansible_collections/envmigrate/aws

# Workers of the test session (make tests): the unit tests fill the integration tests' waits.
WORKERS ?= 3
SCHEDULE := --dist loadgroup --no-loadscope-reorder

.PHONY: help setup demo test tests checks lint unit integration molecule sanity build benchmark benchmark-validator benchmark-setup benchmark-site emulator-start emulator-stop clean docs docs-lint

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(COLLECTION_LINK) $(VENV)/.botocore-model-cache ## create .venv from requirements.txt (idempotent)

# uv (pinned in requirements.txt) installs the pinned set in 0.38 x pip's time (make benchmark-setup). Both
# compile every module to bytecode at install: where PYTHONDONTWRITEBYTECODE is set (as on this machine), Python would
# otherwise compile ansible and botocore from source in every process. uv reads no pip.conf: where only pip
# knows the way to the packages (an index of its own), pip does the install.
$(VENV)/.installed: requirements.txt
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "$$(grep -E '^uv==' requirements.txt)" \
	  && $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(VENV)/bin/python -r requirements.txt \
	  || $(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# One parse of botocore's data per process, shared by every module a Mitogen interpreter runs (see the file).
$(VENV)/.botocore-model-cache: speedups/botocore_model_cache.py $(VENV)/.installed
	$(VENV)/bin/python speedups/botocore_model_cache.py --install
	@touch $@

# Lets ansible resolve envmigrate.aws.* from this checkout (collections_path in ansible.cfg).
$(COLLECTION_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn ../../.. $@

# Steps, progress and summary: scripts/demo's docstring. Playbook logs in .emulator/demo/; the emulator keeps running.
demo: setup ## start the emulator, deploy env_suffix=$(SUFFIX), cut over 0->100 through the gates, release once, summarise
	$(BIN)/python scripts/demo --suffix $(SUFFIX)

emulator-start: setup ## start the emulator in the background (pid and log in .emulator/)
	scripts/emulator-ctl start

emulator-stop: ## stop the background emulator
	scripts/emulator-ctl stop

lint: setup ## ruff, yamllint, ansible-lint (production profile)
	ruff check .
	ruff format --check .
	yamllint --strict .
	ansible-lint --offline --profile production

sanity: setup ## ansible-test sanity, offline
	scripts/ansible-test-sanity

# The schedule (groups, longest first): tests/conftest.py.
tests: setup ## unit and integration tests (with the molecule scenario) in one session on $(WORKERS) workers
	pytest -n $(WORKERS) $(SCHEDULE) --durations=25 tests/unit tests/integration

unit: setup ## unit tests (modules, module_utils, filters, emulator)
	pytest -n 2 $(SCHEDULE) --durations=15 tests/unit

integration: setup ## playbooks against the emulator, the molecule scenario among them
	pytest -n $(WORKERS) $(SCHEDULE) --durations=15 tests/integration

molecule: setup ## the molecule life-cycle scenario against its own emulator (also a test of make integration)
	molecule test

build: setup ## the collection tarball in .cache/build/
	@rm -rf .cache/build && mkdir -p .cache/build
	ansible-galaxy collection build --output-path .cache/build --force

benchmark: setup ## how much of Aurora's and DMS's waits role aurora_dms overlaps (minutes; not part of test)
	$(VENV)/bin/python benchmarks/aurora_dms_parallel.py --scale $(or $(SCALE),0.1) --repeat $(or $(REPEAT),3)

benchmark-validator: setup ## the migration validator on 1,000,000 rows against reladiff and a hash-aggregate baseline (not part of test)
	$(VENV)/bin/python benchmarks/validator.py --rows $(or $(ROWS),1000000) --repeat $(or $(REPEAT),5)

# LATENCY=SCALE (e.g. 0.1) times fresh deploys with the emulator's realistic latency instead of reruns.
benchmark-setup: ## make setup's install on fresh clones of HEAD, uv against pip (minutes; not part of test)
	PYTHON=$(PYTHON) $(PYTHON) benchmarks/setup_speed.py --repeat $(or $(REPEAT),3)

benchmark-site: setup ## site.yml's no-op rerun vs its first run and Mitogen vs linear; LATENCY=0.1: a fresh deploy's waits (minutes; not part of test)
	$(VENV)/bin/python benchmarks/site_speed.py $(if $(LATENCY),--latency $(LATENCY)) --repeat $(or $(REPEAT),3)

# The checks take about 2.5 minutes of one core; beside the test session they use the time its workers
# wait on the emulator (their output and the tests' progress interleave). A failure stops what has not begun.
test: setup ## everything CI runs: the test session, and beside it the checks
	$(MAKE) --no-print-directory -j2 tests checks

checks: lint sanity docs-lint build docs ## lint, sanity, docs-lint, the tarball and the docs site, one after another

clean: ## remove caches and build output (keeps .venv)
	rm -rf .cache .pytest_cache .ruff_cache tests/output outputs

# --- Ecosystem: the execution environment ---------------------------------
.PHONY: ee

ee: build ## the execution environment's build context in .cache/ee (then: ansible-builder build --context .cache/ee)
	@rm -rf .cache/ee
	ansible-builder create --file execution-environment.yml --context .cache/ee --output-filename Containerfile
	@echo "Build the image: ansible-builder build --file execution-environment.yml --context .cache/ee --tag envmigrate-aws-ee"


# --- Documentation site ------------------------------------------------------
# Offline: the Sphinx configuration (docs/site/conf.py) uses no intersphinx, references into other
# collections become links to docs.ansible.com.
DOCS := .cache/docs

docs: setup ## the HTML docs site in .cache/docs/html (guides, modules, filters, roles)
	@rm -rf $(DOCS) && mkdir -p $(DOCS)/rst
	@chmod go-w $(DOCS)/rst  # antsibull-docs writes only into a directory no one else can write to
	antsibull-docs collection --use-current --fail-on-error --dest-dir $(DOCS)/rst envmigrate.aws
	cp docs/site/index.rst README.md $(DOCS)/rst/
	mkdir -p $(DOCS)/rst/docs && cp docs/*.md docs/*.svg docs/*.dot $(DOCS)/rst/docs/
	sphinx-build -W --keep-going -q -b html -c docs/site -d $(DOCS)/doctrees $(DOCS)/rst $(DOCS)/html
	@echo "Open $(DOCS)/html/index.html"

# The linter copies the collection and its dependencies to a temporary directory, with only the files Git
# knows of when a directory is inside a Git work tree. .venv (where amazon.aws and community.aws are) is
# inside this checkout but ignored, so the copies came out empty; the ceiling stops Git's search at .venv.
docs-lint: setup ## antsibull-docs lint of the modules' documentation and the roles' argument specs
	cd $(COLLECTION_LINK) && GIT_CEILING_DIRECTORIES=$(CURDIR)/$(VENV) antsibull-docs lint-collection-docs \
		--plugin-docs --validate-collection-refs dependent --disallow-unknown-collection-refs .
