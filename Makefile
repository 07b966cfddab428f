# meshcustomers: `make test` runs every check and test on a fresh machine (it installs the
# pinned local services and tools into infra/local first).

LOCAL := infra/local
VENV := $(LOCAL)/.venv
NPM_INSTALLED := $(LOCAL)/node_modules/.package-lock.json
PY_INSTALLED := $(VENV)/.installed
# The SAM CLI and cfn-lint need a region even offline.
export AWS_DEFAULT_REGION ?= eu-central-1

.PHONY: dev test deps lint lint-rust lint-template build clean

# The whole product on one machine arrives with the local-cloud work; say so instead of make's
# "No rule to make target".
dev:
	@echo "make dev is not available yet: it arrives with the local-cloud work." >&2
	@echo "Until then, make test runs everything against DynamoDB Local and the SES emulator." >&2
	@exit 2

test: deps lint
	cargo test --workspace --locked

deps: $(NPM_INSTALLED) $(PY_INSTALLED)

$(NPM_INSTALLED): $(LOCAL)/package.json $(LOCAL)/package-lock.json
	npm ci --prefix $(LOCAL) --no-audit --no-fund

$(PY_INSTALLED): $(LOCAL)/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

lint: lint-rust lint-template

lint-rust:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

lint-template: $(PY_INSTALLED)
	$(VENV)/bin/cfn-lint infra/template.yaml
	$(VENV)/bin/sam validate --lint
	$(VENV)/bin/python infra/lint_transformed.py infra/template.yaml

# Release build of every function for Lambda (arm64) into .aws-sam/build, as `sam deploy` uses it.
build: $(PY_INSTALLED)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam build --beta-features

clean:
	cargo clean
	rm -rf .aws-sam
