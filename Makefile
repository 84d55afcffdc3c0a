# Two commands for a newcomer: `make demo` and `make test`. Everything else is for daily work.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE := 1

FUNCTION ?= custom_channel
EVENT ?= events/custom_channel_journey.json

.PHONY: help install test lint pytest validate checkov demo invoke stack bench build deploy clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt layers/engagement/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

install: $(STAMP) node_modules/.installed  ## create .venv and install pinned Python and npm packages

lint: install  ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

validate: install  ## sam validate --lint and cfn-lint on template.yaml
	$(VENV)/bin/sam validate --lint --region us-east-1
	$(VENV)/bin/cfn-lint template.yaml

pytest: install  ## unit, contract, integration (local stack) and conformance tests
	$(PY) -m pytest

# checkov pins boto3/botocore 1.35 and packaging 23: its own venv (docs/decisions/0045-checkov-in-make-test.md).
CHECKOV_VENV := $(VENV)/checkov
$(CHECKOV_VENV)/.installed: requirements-checkov.txt | $(STAMP)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

checkov: $(CHECKOV_VENV)/.installed  ## checkov on template.yaml: no finding without a reason (.checkov.yaml, template.yaml)
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --config-file .checkov.yaml

test: lint pytest validate checkov  ## everything CI runs

demo: install  ## the main job on the Docker-free local stack
	$(PY) -m local.demo

invoke: install  ## run one handler in-process on the local stack: make invoke FUNCTION=<name> EVENT=events/<file>.json [VERBOSE=1]
	$(PY) -m local.invoke $(FUNCTION) $(EVENT)

STACK_PORT ?= 5555
STACK_HOST ?= 127.0.0.1
stack: install  ## keep the seeded local stack running on STACK_PORT and write local/env.json for `sam local invoke --env-vars`
	$(PY) -m local.stack_serve --port $(STACK_PORT) --endpoint-host $(STACK_HOST)

bench: install  ## benchmarks: ratios against references measured in the same run
	@status=0; for bench in benchmarks/bench_*.py; do echo "== $$bench"; $(PY) $$bench || status=1; done; exit $$status

build: install  ## sam build (needs python3.13 on PATH), then bytecode compiled with python3.13 (local/build.py)
	$(VENV)/bin/sam build --template-file template.yaml
	$(PY) -m local.build --compile .aws-sam/build

deploy: build  ## sam deploy with samconfig.toml: make deploy ENV=dev
	$(VENV)/bin/sam deploy --config-env $(or $(ENV),default)

clean:
	rm -rf $(VENV) .aws-sam node_modules .pytest_cache .ruff_cache .hypothesis

.PHONY: serve
serve: install  ## Pinpoint's HTTP API on loopback over the local stack (Docker-free sam local start-api)
	$(PY) -m local.serve
