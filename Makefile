# meshcustomers: `make test` runs every check and test on a fresh machine (it installs the
# pinned local services and tools into infra/local first).

LOCAL := infra/local
VENV := $(LOCAL)/.venv
NPM_INSTALLED := $(LOCAL)/node_modules/.package-lock.json
WEB_INSTALLED := web/node_modules/.package-lock.json
# The browser tests drive Debian's chromium (no test tool may download a browser of its own).
CHROMIUM := /usr/bin/chromium
# The benchmark's arm64-run section starts the arm64 bootstraps under Debian's user-mode qemu,
# with Debian's arm64 C library as the loader's root (for `make bench` only, not `make test`).
ARM64_EMULATION := /usr/bin/qemu-aarch64 /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 /usr/aarch64-linux-gnu/lib/libgcc_s.so.1
# apt-get needs root: sudo only when not root already.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
PY_INSTALLED := $(VENV)/.installed
# The SAM CLI and cfn-lint need a region even offline.
export AWS_DEFAULT_REGION ?= eu-central-1

.PHONY: dev token test test-web bench bench-build screenshots deploy-web deps lint lint-rust lint-template lint-openapi build lambda-binaries clean

# The whole product on 127.0.0.1 (API on :3000, see README "Local cloud"); Ctrl-C stops it all.
# Every binary is built first: the local Lambda runs the functions from their built binaries.
# It needs only the local services and the page's packages: the Python tools (SAM, cfn-lint,
# cargo-lambda) and chromium are for the tests, lints and deploys (make deps installs them all).
dev: $(NPM_INSTALLED) $(WEB_INSTALLED)
	cargo build --locked --bins
	cargo run --locked --quiet --bin local-cloud -- dev

# A token from the running local cloud: make token ARGS='--sub pat --group partner-admins --partner-id acme'
# (--email ADDRESS [--email-verified false] for a user with an address, verified unless said otherwise)
token:
	@cargo run --locked --quiet --bin local-cloud -- token $(ARGS)

# The Rust tests include the browser tests (tests/tests/browser.rs runs web/e2e in chromium).
test: deps lint test-web
	cargo test --workspace --locked

# The page's type check, its API types against infra/openapi.yaml, its import rules (feature
# folders never import each other) and its component tests (Vitest).
test-web: $(WEB_INSTALLED)
	npm --prefix web run typecheck
	npm --prefix web run check:api
	npm --prefix web run lint
	npm --prefix web test

# The benchmarks (README "Performance"): every function and the hello-world floor built in release
# for this machine with the Lambda binaries' flags, then every section; one table printed, and
# written as JSON to target/bench/. ARGS='--only cold-answer' runs one section (tests/src/bin/bench.rs).
# The binaries are built for an explicit --target so that LAMBDA_RUSTFLAGS reach them and not the
# build scripts and proc macros, as in `make build`. The bench is built with them (the same target and
# flags), so that it reuses their compiled dependencies instead of compiling the tree a second time.
HOST := $(shell rustc -vV | sed -n 's/^host: //p')
bench: deps $(ARM64_EMULATION)
	RUSTFLAGS="$(LAMBDA_RUSTFLAGS)" cargo build --release --locked --target $(HOST) --workspace --exclude local-cloud --bins
	$(TARGET_DIR)/$(HOST)/release/bench --binaries $(TARGET_DIR)/$(HOST)/release $(ARGS)

# The cold figure of `make build` for the benchmark's artifact section: `make build` with a fresh
# cargo target folder (BENCH_BUILD_TARGET, default target/bench-build-cold, deleted afterwards),
# its wall and CPU time written to target/bench/build-cold.json. Takes minutes.
bench-build: $(PY_INSTALLED)
	$(VENV)/bin/python infra/bench_build.py

# The README's screenshots (docs/screenshots/, 1366 and 390 px) from a running local cloud: `make dev`
# in another shell (PORTAL_URL, API_URL, SES_URL for other addresses).
screenshots: $(WEB_INSTALLED) $(CHROMIUM)
	node web/scripts/screenshots.mjs

deps: $(NPM_INSTALLED) $(PY_INSTALLED) $(WEB_INSTALLED) $(CHROMIUM)

$(NPM_INSTALLED): $(LOCAL)/package.json $(LOCAL)/package-lock.json
	npm ci --prefix $(LOCAL) --no-audit --no-fund

$(WEB_INSTALLED): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

$(ARM64_EMULATION) &:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq qemu-user libc6-arm64-cross libgcc-s1-arm64-cross

$(PY_INSTALLED): $(LOCAL)/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

lint: lint-rust lint-template lint-openapi

lint-rust:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

# The product's template and the worked integration's (examples/integration).
lint-template: $(PY_INSTALLED)
	$(VENV)/bin/cfn-lint infra/template.yaml -a cfn_lint_serverless.rules
	$(VENV)/bin/sam validate --lint
	$(VENV)/bin/python infra/lint_transformed.py infra/template.yaml
	$(VENV)/bin/cfn-lint examples/integration/template.yaml -a cfn_lint_serverless.rules
	$(VENV)/bin/sam validate --lint -t examples/integration/template.yaml
	$(VENV)/bin/python infra/lint_transformed.py examples/integration/template.yaml

# The API contract is valid OpenAPI 3.1 (tests/tests/openapi.rs holds it against the template).
lint-openapi: $(PY_INSTALLED)
	$(VENV)/bin/openapi-spec-validator --schema 3.1 infra/openapi.yaml

# The function crates: functions/<name> builds the Lambda binary <name>.
FUNCTIONS := $(notdir $(wildcard functions/*))
# Where cargo writes (cargo-lambda puts each binary at <target>/lambda/<binary>/bootstrap).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
# How the Lambda binaries are compiled (and the benchmark's, to measure what is deployed): not
# position-independent. A position-independent binary has the loader apply ~33,000 relocations at
# every start, copy-on-write over ~540 KB of its data: ~0.5 ms of a function's ~3 ms start, the
# largest part of what it costs beyond the hello-world floor (README "Performance", cold start).
# The price: the executable's own code and data sit at a fixed address (no ASLR for them; heap,
# stack and shared libraries stay randomised). `make build LAMBDA_RUSTFLAGS=` builds PIE binaries.
LAMBDA_RUSTFLAGS ?= -C relocation-model=static
# cargo-lambda and the zig it links with come from the venv.
TOOLS_PATH := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

# Release build of every function for Lambda (arm64) into .aws-sam/build, as `sam deploy` uses it:
# ONE cargo invocation compiles the shared dependencies once and the binaries side by side, then
# SAM packages them (BuildMethod: makefile runs the build-<LogicalId> rule below per function;
# build_in_source in samconfig.toml keeps it from copying the workspace once per function).
build: lambda-binaries
	$(VENV)/bin/sam build --parallel

# Only the function packages: `--bins` would also cross-compile the local cloud and the tests'
# tools, and their features would be unified into the functions' dependencies.
# cargo-lambda passes its `-C target-cpu=neoverse-n1` (Graviton) as build.rustflags, which RUSTFLAGS
# replaces: it is named here again.
lambda-binaries: $(PY_INSTALLED)
	RUSTFLAGS="-C target-cpu=neoverse-n1 $(LAMBDA_RUSTFLAGS)" $(TOOLS_PATH) cargo lambda build --release --arm64 --locked $(addprefix -p ,$(FUNCTIONS))

# Called by `sam build` with ARTIFACTS_DIR: copies the binary `make lambda-binaries` built.
# The binary is the logical id without "Function", in kebab case (CreateCustomerFunction ->
# create-customer); tests/tests/consistency.rs holds the template to that naming.
build-%Function:
	@binary=$$(echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]'); \
	bootstrap="$(TARGET_DIR)/lambda/$$binary/bootstrap"; \
	test -f "$$bootstrap" || { echo "$$bootstrap is missing: run make build" >&2; exit 1; }; \
	cp "$$bootstrap" "$(ARTIFACTS_DIR)/bootstrap"

# After `sam deploy`: builds the page and uploads it with its config.json (from the stack's outputs)
# to the portal bucket, then invalidates CloudFront's cache. AWS credentials as for sam deploy.
# The region is the stack's: REGION=, else samconfig.toml's, else the SDK's (AWS_REGION, the
# profile); never the offline default above, which is dropped here unless it came from outside.
STACK ?= meshcustomers
REGION ?=
deploy-web: $(PY_INSTALLED) $(WEB_INSTALLED)
	npm --prefix web run build
	$(if $(filter file,$(origin AWS_DEFAULT_REGION)),env -u AWS_DEFAULT_REGION) $(VENV)/bin/python infra/deploy_web.py --stack $(STACK) $(if $(REGION),--region $(REGION))

clean:
	cargo clean
	rm -rf .aws-sam
