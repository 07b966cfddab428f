# meshcustomers: `make test` runs every check and test on a fresh machine (it installs the
# pinned local services and tools into infra/local first).

LOCAL := infra/local
VENV := $(LOCAL)/.venv
NPM_INSTALLED := $(LOCAL)/node_modules/.package-lock.json
PY_INSTALLED := $(VENV)/.installed
# The SAM CLI and cfn-lint need a region even offline.
export AWS_DEFAULT_REGION ?= eu-central-1

.PHONY: dev token test bench deps lint lint-rust lint-template lint-openapi build clean

# The whole product on 127.0.0.1 (API on :3000, see README "Local cloud"); Ctrl-C stops it all.
# Every binary is built first: the local Lambda runs the functions from their built binaries.
dev: deps
	cargo build --locked --bins
	cargo run --locked --quiet --bin local-cloud -- dev

# A token from the running local cloud: make token ARGS='--sub pat --group partner-admins --partner-id acme'
# (--email ADDRESS [--email-verified false] for a user with an address, verified unless said otherwise)
token:
	@cargo run --locked --quiet --bin local-cloud -- token $(ARGS)

test: deps lint
	cargo test --workspace --locked

# The benchmarks (README "Performance"): every function and the hello-world floor built in release
# for this machine, then every section; one table printed, and written as JSON to target/bench/.
# ARGS='--only cold-start' runs one section (see tests/src/bin/bench.rs).
bench: deps
	cargo build --release --locked --workspace --exclude meshcustomers-tests --exclude local-cloud --bins
	cargo run --release --locked --quiet -p meshcustomers-tests --bin bench -- $(ARGS)

deps: $(NPM_INSTALLED) $(PY_INSTALLED)

$(NPM_INSTALLED): $(LOCAL)/package.json $(LOCAL)/package-lock.json
	npm ci --prefix $(LOCAL) --no-audit --no-fund

$(PY_INSTALLED): $(LOCAL)/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

lint: lint-rust lint-template lint-openapi

lint-rust:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

lint-template: $(PY_INSTALLED)
	$(VENV)/bin/cfn-lint infra/template.yaml -a cfn_lint_serverless.rules
	$(VENV)/bin/sam validate --lint
	$(VENV)/bin/python infra/lint_transformed.py infra/template.yaml

# The API contract is valid OpenAPI 3.1 (tests/tests/openapi.rs holds it against the template).
lint-openapi: $(PY_INSTALLED)
	$(VENV)/bin/openapi-spec-validator --schema 3.1 infra/openapi.yaml

# Release build of every function for Lambda (arm64) into .aws-sam/build, as `sam deploy` uses it.
build: $(PY_INSTALLED)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/sam build --beta-features

clean:
	cargo clean
	rm -rf .aws-sam
